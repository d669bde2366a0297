"""PA-X agreements: Colombia's rows as process records linked to the registry, or not, with why."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import world_store

from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.importers.framework.errors import UnknownLayout
from peacemonitor.quarantine import retry_quarantine
from peacemonitor.runner import import_file
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports" / "pax"
TERRITORIES = Path(__file__).parent / "data" / "territories"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pax_template") / "pax.duckdb"
    store = world_store(path, TERRITORIES / "dl_municipios.csv")
    return store.path


@pytest.fixture
def world(template: Path, tmp_path: Path) -> tuple[Store, Gazetteer]:
    shutil.copy(template, tmp_path / "pax.duckdb")
    store = Store(tmp_path / "pax.duckdb", timeout=10)
    return store, Gazetteer.from_store(store)


def records(store: Store) -> dict[str, dict[str, Any]]:
    with store.read() as db:
        found = db.execute(
            "SELECT record_id, country, date_first::VARCHAR, stage, actor_ids, links, attributes "
            "FROM imported_agreements ORDER BY record_id"
        ).fetchall()
    keys = ("country", "date", "stage", "actor_ids", "links", "attributes")
    return {r[0]: dict(zip(keys, r[1:], strict=True)) for r in found}


def links(record: dict[str, Any], kind: str) -> list[tuple[Any, Any]]:
    return [(k["id"], k["reason"]) for k in json.loads(record["links"]) if k["kind"] == kind]


@pytest.mark.parametrize("name", ["pax_small.csv", "pax_small.xlsx"])
def test_colombia_rows_become_records_and_the_rest_is_accounted(
    world: tuple[Store, Gazetteer], name: str
) -> None:
    store, gazetteer = world
    report = import_file(store, "pax", DATA / name, gazetteer)
    assert (report.layout, report.rows_read, report.rows_non_data) == ("pax-v2", 6, {"header": 1})
    assert (report.rows_stored, report.rows_quarantined) == (
        3,
        {"other-country": 1, "bad-date": 1},
    )
    found = records(store)
    assert sorted(found) == ["9001", "9002", "9003"]
    assert found["9003"]["country"] == "Colombia/Venezuela"
    assert str(json.loads(found["9001"]["attributes"])["Ce"]) == "3"  # provisions as published


def test_links_to_the_registry_and_reasons_where_there_is_none(
    world: tuple[Store, Gazetteer],
) -> None:
    store, gazetteer = world
    import_file(store, "pax", DATA / "pax_small.csv", gazetteer)
    found = records(store)
    final = found["9001"]
    assert final["actor_ids"] == ["farc-ep", "gov-colombia"]
    assert links(final, "agreement") == [("farc-2016-final-agreement", None)]
    eln = found["9002"]
    assert links(eln, "agreement") == [
        (None, "no registry agreement of these parties on this date")
    ]
    (table,) = [k for k in json.loads(eln["links"]) if k["kind"] == "table"]
    assert table["id"] is None and "gov-eln opens 2022" in table["detail"]
    assert links(found["9003"], "actor") == [(None, "no registry actor is named here")]


def test_without_a_registry_every_link_says_so(tmp_path: Path) -> None:
    store = world_store(tmp_path / "bare.duckdb", TERRITORIES / "dl_municipios.csv", registry=False)
    import_file(store, "pax", DATA / "pax_small.csv", Gazetteer.from_store(store))
    for record in records(store).values():
        assert record["actor_ids"] == []
        assert [(k["kind"], k["id"], k["reason"]) for k in json.loads(record["links"])] == [
            ("actor", None, "no registry in the store"),
            ("table", None, "no registry in the store"),
            ("agreement", None, "no registry in the store"),
        ]


def test_reimport_and_the_full_workbook_after_the_extract(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    import_file(store, "pax", DATA / "pax_small.csv", gazetteer)
    again = import_file(store, "pax", DATA / "pax_small.xlsx", gazetteer)
    assert (again.rows_stored, again.rows_already_present) == (0, 3)
    retried = retry_quarantine(store, gazetteer, "pax")  # one retry per file
    assert [r.rows_quarantined for r in retried] == [{"other-country": 1, "bad-date": 1}] * 2


def test_a_file_without_the_pax_header(world: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = world
    path = tmp_path / "not_pax.csv"
    path.write_text("Con,AgtId,Agt\nColombia,1,x\n", encoding="utf-8")
    with pytest.raises(UnknownLayout, match=r"not_pax.csv: no header row of a known layout \(pax"):
        import_file(store, "pax", path, gazetteer)


@pytest.fixture(scope="module")
def real_world(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Any:
    path = tmp_path_factory.mktemp("pax_real") / "real.duckdb"
    store = world_store(path, TERRITORIES / "dl_municipios.csv")
    return store, Gazetteer.from_store(store)


@pytest.mark.shared_data
def test_the_real_extract_and_full_workbook(real_world: Any, shared_data: Path) -> None:
    store, gazetteer = real_world
    folder = shared_data / "pax_peace_agreements"
    extract = import_file(store, "pax", folder / "pax_v2_colombia.csv", gazetteer)
    assert (extract.rows_read, extract.rows_stored) == (130, 129)  # SOURCE.md: 129 agreements
    full = import_file(store, "pax", folder / "pax_all_agreements_data_v2.xlsx", gazetteer)
    assert (full.rows_read, full.rows_already_present) == (1790, 129)  # 1,789 agreements
    assert full.rows_quarantined == {"other-country": 1660} and full.accounted == full.rows_read
    found = records(store)
    assert min(r["date"] for r in found.values()) == "1990-03-09"
    assert max(r["date"] for r in found.values()) == "2017-10-24"
    assert links(found["1845"], "agreement") == [("farc-2016-final-agreement", None)]
    # 920 (1990, the EPL) names its "Comandante Estado Mayor Central": not the EMC, founded 2016
    epl = found["920"]
    assert "emc" not in epl["actor_ids"]
    (named,) = [k for k in json.loads(epl["links"]) if k["detail"].startswith("emc ")]
    assert (named["id"], named["reason"], named["detail"]) == (
        None,
        "named before it existed",
        "emc exists from 2016; the record is dated 1990-08-26",
    )
    assert named["evidence"]["name"] == "Estado Mayor Central"
    assert "Comandante Estado Mayor Central" in named["evidence"]["text"]
    linked = [r for r in found.values() if "emc" in r["actor_ids"]]
    assert linked == []


def test_cli_import_pax_and_ceasefires(cli: Any, tmp_path: Path) -> None:
    store = Store(tmp_path / "cli.duckdb")
    store.migrate()
    load_divipola(store, TERRITORIES / "dl_municipios.csv")
    code, out = cli("import", "pax", str(DATA / "pax_small.csv"), "-f", "csv")
    assert (code, out.splitlines()[1]) == (
        0,
        'pax_small.csv,pax-v2,6,header 1,3,0,"bad-date 1, other-country 1",3',
    )
    cease = DATA.parent / "ethprio" / "cf_small.csv"
    code, out = cli("import", "ceasefires", str(cease), "-f", "json")
    (report,) = json.loads(out)
    assert (code, report["rows_stored"], report["rows_quarantined"]) == (
        0,
        3,
        {"bad-date": 1, "other-country": 2},
    )
