"""ETH/PRIO ceasefires: Colombia's rows as process records; masked columns and missing end dates
are said, never guessed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import world_store

from peacemonitor.gazetteer import Gazetteer
from peacemonitor.runner import import_file
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports" / "ethprio"
TERRITORIES = Path(__file__).parent / "data" / "territories"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("cf_template") / "cf.duckdb"
    store = world_store(path, TERRITORIES / "dl_municipios.csv")
    return store.path


@pytest.fixture
def world(template: Path, tmp_path: Path) -> tuple[Store, Gazetteer]:
    shutil.copy(template, tmp_path / "cf.duckdb")
    store = Store(tmp_path / "cf.duckdb", timeout=10)
    return store, Gazetteer.from_store(store)


def records(store: Store) -> list[tuple[Any, ...]]:
    with store.read() as db:
        return db.execute(
            "SELECT record_id, declared_by_raw, actor_ids, date_first::VARCHAR, date_end, masked, "
            "links, attributes FROM imported_ceasefires ORDER BY date_first"
        ).fetchall()


def test_colombia_rows_with_masks_and_no_end_dates(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    report = import_file(store, "ceasefires", DATA / "cf_small.csv", gazetteer)
    assert (report.layout, report.rows_read, report.rows_stored) == ("ethprio-cf", 7, 3)
    assert report.rows_quarantined == {"other-country": 2, "bad-date": 1}
    found = records(store)
    assert [(r[0], r[2], r[3]) for r in found] == [
        ("Colombia:25:M-19:625.0", [], "1989-01-10"),
        ("Colombia:6:FARC:623.0", ["farc-ep"], "2016-08-28"),
        ("Colombia:90:ELN:624.0", ["eln"], "2023-06-09"),
    ]
    for *_, end, masked, _, attributes in found:
        assert end is None and masked == ["purpose", "type"]
        kept = json.loads(attributes)
        assert kept["purpose"] is None and kept["type"] is None
        assert kept["note"].startswith("the file gives no end date; masked in this copy")


def test_links_to_registry_ceasefires_or_why_not(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    import_file(store, "ceasefires", DATA / "cf_small.csv", gazetteer)
    by_id = {r[0]: json.loads(r[6]) for r in records(store)}

    def of(record: str, kind: str) -> list[tuple[Any, Any]]:
        return [(k["id"], k["reason"]) for k in by_id[record] if k["kind"] == kind]

    assert of("Colombia:90:ELN:624.0", "ceasefire") == [("cf-eln-2023-2024", None)]
    assert of("Colombia:90:ELN:624.0", "table") == [("gov-eln", None)]
    assert of("Colombia:6:FARC:623.0", "ceasefire") == [
        (None, "no registry ceasefire of this actor from this date")
    ]
    assert of("Colombia:25:M-19:625.0", "actor") == [(None, "no registry actor is named here")]


def test_without_a_registry_every_link_says_so(tmp_path: Path) -> None:
    store = world_store(tmp_path / "bare.duckdb", TERRITORIES / "dl_municipios.csv", registry=False)
    import_file(store, "ceasefires", DATA / "cf_small.csv", Gazetteer.from_store(store))
    found = records(store)
    assert len(found) == 3
    for _, name, actors, *_, links, _ in found:
        assert actors == []
        assert [(k["kind"], k["id"], k["reason"], k["detail"]) for k in json.loads(links)] == [
            ("actor", None, "no registry in the store", name),
            ("table", None, "no registry in the store", ""),
            ("ceasefire", None, "no registry in the store", ""),
        ]


def test_reimport_is_idempotent(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    import_file(store, "ceasefires", DATA / "cf_small.csv", gazetteer)
    again = import_file(store, "ceasefires", DATA / "cf_small.csv", gazetteer)
    assert (again.rows_stored, again.rows_already_present) == (0, 3)
    with store.read() as db:
        assert db.execute("SELECT count(*) FROM quarantine").fetchall() == [(3,)]


@pytest.mark.shared_data
def test_the_real_file(world: tuple[Store, Gazetteer], shared_data: Path) -> None:
    store, gazetteer = world
    path = shared_data / "ceasefires_ethprio" / "cf_4_3.csv"
    report = import_file(store, "ceasefires", path, gazetteer)
    assert (report.rows_read, report.rows_stored) == (2246, 31)  # SOURCE.md: 2,245; Colombia 31
    assert report.rows_quarantined == {"other-country": 2214}
    found = records(store)
    assert (found[0][3], found[-1][3]) == ("1989-01-10", "2017-09-04")
    assert {r[1] for r in found} == {"M-19", "FARC", "EPL", "ELN", "AUC", "Government of Colombia"}
    assert all(r[4] is None and r[5] == ["purpose", "type"] for r in found)
