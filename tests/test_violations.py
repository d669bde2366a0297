"""Violations log: in force, in scope, involving the parties; classed; ACLED aggregated."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import world_store

from peacemonitor.registry import from_store
from peacemonitor.store import Store
from peacemonitor.violations import ViolationClass, classify, violations

ROWS = [  # synthetic observations (unit test only): source, id, day, code, category, actors, civ
    ("ucdp", "1", "2023-09-10", "54001", "state-group-clash", ["gov-colombia", "eln"], False),
    ("ucdp", "2", "2023-09-11", "81001", "violence-against-civilians", ["eln"], True),
    ("ucdp", "3", "2023-09-12", "19001", "state-group-clash", [], False),
    ("ucdp", "4", "2023-07-01", "54001", "state-group-clash", ["gov-colombia", "eln"], False),
    (
        "ucdp",
        "5",
        "2023-09-12",
        "05001",
        "state-group-clash",
        ["gov-colombia", "clan-del-golfo"],
        False,
    ),
    ("police", "6", "2023-09-12", "05001", "homicide", [], False),
    ("acled-hdx", "7", "2023-10-01", "54001", "state-group-clash", ["gov-colombia", "eln"], False),
    ("acled-hdx", "8", "2023-10-05", "54003", "state-group-clash", ["gov-colombia", "eln"], False),
]


@pytest.fixture
def logged(tmp_path: Path) -> Store:
    store = world_store(tmp_path / "violations.duckdb")
    with store.write() as db:
        for source, record, day, code, category, actors, civilian in ROWS:
            db.execute(
                "INSERT INTO observations (source, record_id, category, unit, count, date_first, "
                "date_precision, territory_level, territory_code, resolution, actor_ids, "
                "civilian_targeting) VALUES (?, ?, ?, 'deaths', 2, ?, 'day', 'municipality', ?, "
                "'test', ?, ?)",
                [source, record, category, day, code, actors, civilian],
            )
    return store


def test_the_log_classes_and_links_each_entry(logged: Store) -> None:
    found = violations(logged, from_store(logged), "cf-eln-2023-2024")
    got = [(v.source, v.record_id, v.classification.value, v.territory_code) for v in found]
    assert got == [
        ("ucdp", "1", "hostilities-between-parties", "54001"),
        ("ucdp", "2", "against-civilians", "81001"),
        ("ucdp", "3", "unattributed-needs-verification", "19001"),
        ("acled-hdx", None, "hostilities-between-parties", "54"),
    ]
    assert (found[-1].count, found[-1].events, str(found[-1].date)) == (4.0, 2, "2023-10-01")


def test_classify() -> None:
    parties = {"gov-colombia", "eln"}
    assert classify(["eln"], parties, "homicide", True) is ViolationClass.AGAINST_CIVILIANS
    assert classify(["eln"], parties, "state-group-clash", False) is ViolationClass.UNATTRIBUTED
    assert classify(["gov-colombia", "emc"], parties, "state-group-clash", False) is None


def test_cli_lists_the_log(logged: Store) -> None:
    from typer.testing import CliRunner

    from peacemonitor.cli import app

    args = ["--db", str(logged.path), "ceasefire", "violations", "cf-eln-2023-2024", "-f", "csv"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    assert result.output.splitlines()[1] == (
        "2023-09-10,hostilities-between-parties,54001,state-group-clash,ucdp,1,2,deaths,"
        '"gov-colombia, eln"'
    )


def test_suspended_territories_are_out_of_the_log(tmp_path: Path) -> None:
    store = world_store(tmp_path / "emc.duckdb")
    with store.write() as db:
        for code in ("19001", "05001"):
            db.execute(
                "INSERT INTO observations (source, record_id, category, unit, count, date_first, "
                "date_precision, territory_level, territory_code, resolution, actor_ids) VALUES "
                "('ucdp', ?, 'state-group-clash', 'deaths', 1, DATE '2024-05-02', 'day', "
                "'municipality', ?, 'test', ['gov-colombia', 'emc'])",
                [code, code],
            )
    found = violations(store, from_store(store), "cf-emc-embf-2023-2025")
    assert [v.territory_code for v in found] == ["05001"]  # Cauca (19) was suspended in May 2024


def test_an_empty_log_says_why_from_what_the_store_holds(tmp_path: Path, logged: Store) -> None:
    from peacemonitor.violations import attributing_sources, empty_reason

    bare = world_store(tmp_path / "bare.duckdb")
    registry = from_store(bare)
    assert empty_reason(bare, registry, "cf-eln-2023-2024").startswith(
        "no source in the store attributes events to armed groups"
    )
    spans = [
        (s.source, str(s.first), str(s.last), s.observations) for s in attributing_sources(logged)
    ]
    assert spans == [
        ("acled-hdx", "2023-10-01", "2023-10-05", 2),
        ("ucdp", "2023-07-01", "2023-09-12", 4),
    ]
    # the ACSN truce (2022-12-31..2023-06-30) ended before these events
    assert empty_reason(logged, registry, "cf-2023-acsn").startswith(
        "the sources that attribute events to armed groups (acled-hdx 2023-10-01..2023-10-05, "
        "ucdp 2023-07-01..2023-09-12) do not reach its days"
    )
    assert "record no event of its parties" in empty_reason(logged, registry, "cf-eln-2023-2024")
