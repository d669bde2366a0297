"""Registry checks beyond the schema: references resolve, dates in a possible order, names
unambiguous, presence never derived. Each problem names file, line, record and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from peacemonitor.checks import check
from peacemonitor.registry import parse_directory

FIXTURE = Path(__file__).parent / "data" / "registry"
PRESENCE = (
    "  presence:\n"
    "    - {territories: ['52'], as_of: 2024, kind: derived, sources: [{source: src-a}]}\n"
)


def problems_after(tmp_path: Path, file: str, old: str, new: str) -> list[str]:
    """The checks' problems once ``old`` is replaced by ``new`` in a copy of the fixture."""
    directory = tmp_path / "registry"
    shutil.copytree(FIXTURE, directory)
    path = directory / file
    text = path.read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1))
    registry, parse_problems = parse_directory(directory)
    assert parse_problems == []  # the schema accepts it: only the checks can refuse it
    return [str(p) for p in check(registry)]


def test_the_fixture_registry_passes_every_check() -> None:
    registry, problems = parse_directory(FIXTURE)
    assert (problems, check(registry)) == ([], [])


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        pytest.param(
            "statistics.yaml", "source: src-b", "source: src-zzz",
            "statistics.yaml:1: stat-1: sources.0.source: unknown source 'src-zzz'",
            id="unknown-source",
        ),
        pytest.param(
            "ceasefires.yaml", "parties: [gov, parent-group]", "parties: [gov, nobody]",
            "ceasefires.yaml:1: national-ceasefire: parties: unknown actor 'nobody'",
            id="unknown-actor",
        ),
        pytest.param(
            "red_lines.yaml", "table: national-table", "table: no-table",
            "red_lines.yaml:1: no-kidnapping: table: unknown table 'no-table'",
            id="unknown-table",
        ),
        pytest.param(
            "tables.yaml", "date: 2024-11-07", "date: 2021-11-07",
            "tables.yaml:1: national-table: status_history.2.date: 2021-11-07 comes after "
            "2024-09-17 in the list but is earlier: keep history in order",
            id="history-order",
        ),
        pytest.param(
            "ceasefires.yaml", "until: 2024-01-29", "until: 2023-01-29",
            "ceasefires.yaml:1: national-ceasefire: events.1.until: "
            "until 2023-01-29 is before date 2023-08-03",
            id="planned-end",
        ),
        pytest.param(
            "actors.yaml", "since: 2024-05", "since: 1950-05",
            "actors.yaml:16: splinter: relations.0.since: "
            "1950-05 is before parent-group was founded (1964)",
            id="lineage-date",
        ),
        pytest.param(
            "actors.yaml", "  sources: [{source: src-a}]\n- id: splinter",
            PRESENCE + "  sources: [{source: src-a}]\n- id: splinter",
            "actors.yaml:5: parent-group: presence.0.kind: "
            "derived presence comes from observations, not the registry",
            id="derived-presence",
        ),
        pytest.param(
            "actors.yaml", "{name: PG, kind: abbreviation}",
            "{name: Splinter Front, kind: abbreviation}",
            "actors.yaml:16: splinter: aliases: name 'splinter front' is also 'parent-group''s",
            id="shared-alias",
        ),
    ],
)  # fmt: skip
def test_each_check_names_file_record_and_field(
    tmp_path: Path, file: str, old: str, new: str, expected: str
) -> None:
    assert problems_after(tmp_path, file, old, new) == [expected]
