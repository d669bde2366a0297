import shutil
from pathlib import Path

import pytest

from peacemonitor import registry as reg
from peacemonitor.registry import RegistryInvalid

FIXTURE = Path(__file__).parent / "data" / "registry"


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    """A writable copy of the fixture registry to break."""
    target = tmp_path / "registry"
    shutil.copytree(FIXTURE, target)
    return target


def problems_after(directory: Path, file: str, old: str, new: str) -> list[str]:
    path = directory / file
    text = path.read_text()
    assert old in text, f"fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(RegistryInvalid) as caught:
        reg.load(directory)
    return [str(p) for p in caught.value.problems]


def test_fixture_and_bundled_registries_pass():
    assert reg.load(FIXTURE).count() == 13
    assert reg.load().count() > 0


def test_a_record_without_a_source_fails_with_file_record_and_field(copy):
    found = problems_after(
        copy,
        "actors.yaml",
        "  sources: [{source: src-a}]\n- id: parent-group",
        "  sources: []\n- id: parent-group",
    )
    assert found == [
        "actors.yaml:1: gov: sources: List should have at least 1 item after validation, not 0"
    ]


def test_a_duplicate_id_is_named(copy):
    (copy / "actors-extra.yaml").write_text(
        "- id: gov\n  name: Other\n  kind: state\n  sources: [{source: src-a}]\n"
    )
    with pytest.raises(RegistryInvalid) as caught:
        reg.load(copy)
    assert [str(p) for p in caught.value.problems] == [
        "actors.yaml:1: gov: id: duplicate id (first at actors-extra.yaml:1)"
    ]


def test_unreadable_yaml_and_unknown_kinds_are_reported(copy):
    (copy / "actors.yaml").write_text("- id: [unclosed\n")
    (copy / "notes.yaml").write_text("[]\n")
    with pytest.raises(RegistryInvalid) as caught:
        reg.load(copy)
    text = str(caught.value)
    assert "actors.yaml: -: -: unreadable YAML" in text
    assert "notes.yaml: -: -: unknown kind" in text


def test_save_and_read_back_from_the_store(store):
    loaded = reg.load(FIXTURE)
    assert reg.save(loaded, store, FIXTURE) == 13
    back = reg.from_store(store)
    assert back.actors == loaded.actors and back.ceasefires == loaded.ceasefires
    with store.read() as db:
        names = db.execute("SELECT actor_id FROM actor_names WHERE normalized = 'pg'").fetchall()
    assert names == [("parent-group",)]


def test_saving_again_replaces_rather_than_duplicates(store):
    loaded = reg.load(FIXTURE)
    reg.save(loaded, store, FIXTURE)
    reg.save(loaded, store, FIXTURE)
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM registry_records").fetchone() == (11,)
        assert db.execute("SELECT count(*) FROM registry_loads").fetchone() == (2,)


def test_yaml_export_round_trips(store, tmp_path):
    loaded = reg.load(FIXTURE)
    reg.save(loaded, store, FIXTURE)
    out = tmp_path / "exported"
    reg.write_yaml(reg.from_store(store), out)
    again = reg.load(out)
    assert again.actors == loaded.actors
    assert again.tables == loaded.tables
    assert again.statistics == loaded.statistics


def test_a_party_before_it_existed_is_named(copy):
    found = problems_after(copy, "actors.yaml", '  founded: "2020"\n', "")
    assert found == [
        "tables.yaml:1: national-table: parties.2.since: "
        "splinter did not exist before 2024-05, so it cannot be a party on 2022-11",
        "ceasefires.yaml:14: ended-ceasefire: parties: "
        "splinter did not exist before 2024-05, so it cannot be a party on 2024-01-01",
    ]


def test_a_party_joining_at_a_step_is_checked_at_that_step(copy):
    found = problems_after(
        copy,
        "ceasefires.yaml",
        "until: 2024-10-03, parties: [gov]",
        "until: 2024-10-03, parties: [gov, sub-splinter]",
    )
    assert found == [
        "ceasefires.yaml:1: national-ceasefire: events.4.parties: "
        "sub-splinter did not exist before 2025-01-10, so it cannot be a party on 2024-08-03"
    ]
