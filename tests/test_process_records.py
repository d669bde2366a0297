"""Imported process records listed with their links, and relinked when the registry changes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import world_store
from hypothesis import given
from hypothesis import strategies as st

from peacemonitor import registry as reg
from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.process_records import (
    RelinkReport,
    imported_agreements,
    imported_ceasefires,
    is_linked,
    relink,
    save_registry,
)
from peacemonitor.runner import import_file
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data"
PAX = DATA / "imports" / "pax" / "pax_small.csv"
CEASEFIRES = DATA / "imports" / "ethprio" / "cf_small.csv"
DIVIPOLA = DATA / "territories" / "dl_municipios.csv"
FIXTURE_REGISTRY = DATA / "registry"
NO_REGISTRY = "no registry in the store"


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> dict[bool, Path]:
    """Two stores with DIVIPOLA, one with the bundled registry and one without."""
    folder = tmp_path_factory.mktemp("process_records")
    return {
        registry: world_store(folder / f"{registry}.duckdb", DIVIPOLA, registry=registry).path
        for registry in (True, False)
    }


def imported(templates: dict[bool, Path], tmp_path: Path, *, registry: bool) -> Store:
    """A copy of a template with the small PA-X and ETH/PRIO fixtures imported."""
    path = tmp_path / f"imported-{registry}.duckdb"
    shutil.copy(templates[registry], path)
    store = Store(path, timeout=10)
    gazetteer = Gazetteer.from_store(store)
    import_file(store, "pax", PAX, gazetteer)
    import_file(store, "ceasefires", CEASEFIRES, gazetteer)
    return store


def linked_ids(record: Any) -> list[tuple[str, str | None]]:
    return [(k.kind, k.id) for k in record.links if k.id]


def reasons(store: Store) -> set[str | None]:
    records = [*imported_agreements(store), *imported_ceasefires(store)]
    return {k.reason for r in records for k in r.links}


def as_stored(store: Store) -> dict[str, Any]:
    """Every record's actors and links: what a relink must make equal to a fresh import."""
    records = [*imported_agreements(store), *imported_ceasefires(store)]
    return {r.record_id: (r.actor_ids, r.model_dump()["links"]) for r in records}


def test_agreements_as_a_user_sees_them(templates: dict[bool, Path], tmp_path: Path) -> None:
    store = imported(templates, tmp_path, registry=True)
    found = imported_agreements(store)
    assert [(r.record_id, str(r.date)) for r in found] == [
        ("9003", "1990-03-09"),
        ("9001", "2016-11-24"),
        ("9002", "2017-10-24"),
    ]
    final = found[1]
    assert (final.source, final.stage, final.title) == (
        "pax",
        "SubComp",
        "Synthetic final agreement",
    )
    assert final.parties and final.parties.startswith("National Government of Colombia FARC-EP")
    assert final.import_id is not None
    assert linked_ids(final) == [
        ("actor", "farc-ep"),
        ("actor", "gov-colombia"),
        ("agreement", "farc-2016-final-agreement"),
    ]
    (table,) = [k for k in found[2].links if k.kind == "table"]
    assert table.id is None and "gov-eln opens 2022" in table.detail


def test_ceasefires_as_a_user_sees_them(templates: dict[bool, Path], tmp_path: Path) -> None:
    store = imported(templates, tmp_path, registry=True)
    found = imported_ceasefires(store)
    assert [(r.declared_by, str(r.date), r.actor_ids) for r in found] == [
        ("M-19", "1989-01-10", []),
        ("FARC", "2016-08-28", ["farc-ep"]),
        ("ELN", "2023-06-09", ["eln"]),
    ]
    assert all(r.masked == ["purpose", "type"] and r.date_end is None for r in found)
    assert linked_ids(found[2]) == [
        ("actor", "eln"),
        ("table", "gov-eln"),
        ("ceasefire", "cf-eln-2023-2024"),
    ]


def test_filters_by_country_and_link(templates: dict[bool, Path], tmp_path: Path) -> None:
    store = imported(templates, tmp_path, registry=True)

    def ids(records: list[Any]) -> list[str]:
        return [r.record_id for r in records]

    assert ids(imported_agreements(store, country="venezuela")) == ["9003"]
    assert ids(imported_agreements(store, country="Colombia")) == ["9003", "9001", "9002"]
    assert ids(imported_agreements(store, country="Philippines")) == []
    assert ids(imported_agreements(store, linked=True)) == ["9001"]
    assert ids(imported_agreements(store, linked=False)) == ["9003", "9002"]
    assert ids(imported_ceasefires(store, linked=True)) == ["Colombia:90:ELN:624.0"]
    assert ids(imported_ceasefires(store, country="Colombia", linked=False)) == [
        "Colombia:25:M-19:625.0",
        "Colombia:6:FARC:623.0",
    ]


def test_an_actor_alone_is_not_a_link() -> None:
    actor = {"kind": "actor", "id": "eln", "reason": None, "detail": ""}
    table = {"kind": "table", "id": None, "reason": "no armed group named", "detail": ""}
    assert not is_linked([actor, table])
    assert is_linked([actor, {**table, "id": "gov-eln", "reason": None}])


def test_relink_after_the_registry_is_loaded_reads_as_a_fresh_import(
    templates: dict[bool, Path], tmp_path: Path
) -> None:
    store = imported(templates, tmp_path, registry=False)
    assert reasons(store) == {NO_REGISTRY}
    saved = save_registry(reg.load(), store, reg.bundled_directory())
    assert saved.records == reg.load().count()
    assert saved.relink == RelinkReport(records=6, changed=6, linked=2, linked_before=0)
    assert NO_REGISTRY not in reasons(store)
    fresh = imported(templates, tmp_path, registry=True)
    assert as_stored(store) == as_stored(fresh)
    assert relink(store) == RelinkReport(records=6, changed=0, linked=2, linked_before=2)


def test_relink_follows_a_registry_change(templates: dict[bool, Path], tmp_path: Path) -> None:
    store = imported(templates, tmp_path, registry=True)
    before = as_stored(store)
    other = save_registry(reg.load(FIXTURE_REGISTRY), store, FIXTURE_REGISTRY)
    # 9003 names no armed group: its links read the same whatever the registry
    assert other.relink == RelinkReport(records=6, changed=5, linked=0, linked_before=2)
    assert [r.record_id for r in imported_agreements(store, linked=True)] == []
    back = save_registry(reg.load(), store, reg.bundled_directory())
    assert (back.relink.changed, back.relink.linked) == (5, 2)
    assert as_stored(store) == before


def test_relink_without_records_needs_no_registry(store: Store) -> None:
    assert relink(store) == RelinkReport()


# --- the command line -----------------------------------------------------------------------


@pytest.fixture
def run(cli: Any, tmp_path: Path) -> Any:
    """The CLI on a store holding DIVIPOLA and the small fixtures, imported before any registry."""
    store = Store(tmp_path / "cli.duckdb")
    store.migrate()
    load_divipola(store, DIVIPOLA)
    for source, path in (("pax", PAX), ("ceasefires", CEASEFIRES)):
        code, out = cli("import", source, str(path), "-f", "json")
        assert code == 0, out
    return cli


def test_cli_lists_records_imported_before_the_registry(run: Any) -> None:
    assert run("imported", "agreements", "--country", "venezuela", "-f", "csv") == (
        0,
        "record_id,date,country,title,stage,actor_ids,links\n"
        "9003,1990-03-09,Colombia/Venezuela,Synthetic border declaration,Pre,,"
        f"actor: — {NO_REGISTRY}; table: — {NO_REGISTRY}; agreement: — {NO_REGISTRY}\n",
    )
    assert run("imported", "ceasefires", "--linked") == (0, _empty_ceasefire_table())


def test_cli_registry_load_relinks_and_says_so(run: Any) -> None:
    directory = reg.bundled_directory()
    count = reg.load().count()
    assert run("registry", "load") == (
        0,
        f"loaded {count} registry records from {directory}\n"
        "relinked 6 imported records to the registry: 6 changed, 2 linked (before: 0)\n",
    )
    assert run("imported", "agreements", "--linked", "-f", "csv") == (
        0,
        "record_id,date,country,title,stage,actor_ids,links\n"
        '9001,2016-11-24,Colombia,Synthetic final agreement,SubComp,"farc-ep, gov-colombia",'
        "actor:farc-ep (matched in Part: Fuerzas Armadas Revolucionarias de Colombia – Ejército "
        "del Pueblo); actor:gov-colombia (matched in Part: Government of Colombia); "
        "table: — no registry table of these parties open on this date; "
        "agreement:farc-2016-final-agreement\n",
    )
    assert run("imported", "ceasefires", "--linked") == (
        0,
        "┏━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳"
        "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓\n"
        "┃ record_id             ┃ date       ┃ declared_by ┃ actor_ids ┃ masked        ┃"
        " links                            ┃\n"
        "┡━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇"
        "━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩\n"
        "│ Colombia:90:ELN:624.0 │ 2023-06-09 │ ELN         │ eln       │ purpose, type │"
        " actor:eln (matched in name: ELN) │\n"
        "│                       │            │             │           │               │"
        " table:gov-eln                    │\n"
        "│                       │            │             │           │               │"
        " ceasefire:cf-eln-2023-2024       │\n"
        "└───────────────────────┴────────────┴─────────────┴───────────┴───────────────┴"
        "──────────────────────────────────┘\n",
    )
    assert run("imported", "relink") == (
        0,
        "relinked 6 imported records to the registry: 0 changed, 2 linked (before: 2)\n",
    )


def test_cli_json_keeps_every_field(run: Any) -> None:
    code, out = run("imported", "ceasefires", "--unlinked", "-f", "json")
    records = json.loads(out)
    assert code == 0 and [r["record_id"] for r in records] == [
        "Colombia:25:M-19:625.0",
        "Colombia:6:FARC:623.0",
        "Colombia:90:ELN:624.0",
    ]
    first = records[0]
    assert (first["date_end"], first["masked"], first["ucdp_dyad"]) == (
        None,
        ["purpose", "type"],
        "625.0",
    )
    assert first["links"][0] == {
        "kind": "actor",
        "id": None,
        "reason": NO_REGISTRY,
        "detail": "M-19",
        "evidence": None,
    }


def test_cli_relink_with_nothing_imported(cli: Any) -> None:
    code, out = cli("init")
    assert code == 0 and "relinked" not in out
    assert cli("imported", "relink") == (0, "no imported records to relink\n")


def _empty_ceasefire_table() -> str:
    from peacemonitor.cli.process_record_commands import CEASEFIRE_COLUMNS
    from peacemonitor.cli.render import table_text

    return table_text([], CEASEFIRE_COLUMNS) + "\n"


# --- real data -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_stores(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[bool, Store]:
    """The real PA-X extract and ETH/PRIO file imported into a store without a registry and into
    one with the bundled registry."""
    folder = tmp_path_factory.mktemp("process_records_real")
    stores = {}
    for registry in (False, True):
        store = world_store(folder / f"{registry}.duckdb", DIVIPOLA, registry=registry)
        gazetteer = Gazetteer.from_store(store)
        import_file(
            store, "pax", shared_data / "pax_peace_agreements/pax_v2_colombia.csv", gazetteer
        )
        import_file(store, "ceasefires", shared_data / "ceasefires_ethprio/cf_4_3.csv", gazetteer)
        stores[registry] = store
    return stores


@pytest.mark.shared_data
def test_real_records_relinked_after_the_registry_is_loaded(real_stores: dict[bool, Store]) -> None:
    store, fresh = real_stores[False], real_stores[True]
    assert reasons(store) == {NO_REGISTRY}
    assert imported_agreements(store, linked=True) == []
    saved = save_registry(reg.load(), store, reg.bundled_directory())
    agreements, ceasefires = imported_agreements(store), imported_ceasefires(store)
    assert saved.relink.records == len(agreements) + len(ceasefires) == 129 + 31  # SOURCE.md
    assert saved.relink.changed == saved.relink.records  # every "no registry" link was replaced
    assert NO_REGISTRY not in reasons(store)
    linked = [r for r in [*agreements, *ceasefires] if is_linked(r.links)]
    assert saved.relink.linked == len(linked) > 0
    (final,) = [r for r in agreements if r.record_id == "1845"]
    assert ("agreement", "farc-2016-final-agreement") in linked_ids(final)
    assert as_stored(store) == as_stored(fresh)


# --- evidence, time and overrides -------------------------------------------------------------


def test_an_actor_link_carries_the_words_that_made_it(templates: dict[bool, Path], tmp_path: Path):
    store = imported(templates, tmp_path, registry=True)
    (final,) = [r for r in imported_agreements(store) if r.record_id == "9001"]
    evidence = {k.id: k.evidence for k in final.links if k.kind == "actor"}
    farc, government = evidence["farc-ep"], evidence["gov-colombia"]
    assert farc is not None and government is not None
    assert (farc.column, farc.name) == (
        "Part",
        "Fuerzas Armadas Revolucionarias de Colombia – Ejército del Pueblo",
    )
    assert (
        "FARC-EP (Fuerzas Armadas Revolucionarias de Colombia - Ejército del Pueblo)" in farc.text
    )
    assert (government.column, government.name) == ("Part", "Government of Colombia")
    assert government.text.startswith("National Government of Colombia")


OVERRIDES = """\
- id: pax-9001-not-the-2016-accord
  dataset: pax
  record: "9001"
  kind: agreement
  remove: farc-2016-final-agreement
  note: Synthetic test override.
  sources: [{source: aljazeera-2024-11-21-comuneros}]
- id: pax-9001-not-the-government
  dataset: pax
  record: "9001"
  kind: actor
  remove: gov-colombia
  note: Synthetic test override.
  sources: [{source: aljazeera-2024-11-21-comuneros}]
- id: pax-9001-a-table
  dataset: pax
  record: "9001"
  kind: table
  add: gov-eln
  note: Synthetic test override.
  sources: [{source: aljazeera-2024-11-21-comuneros}]
"""


def test_a_registry_override_corrects_a_link_and_survives_relinks(
    templates: dict[bool, Path], tmp_path: Path
) -> None:
    store = imported(templates, tmp_path, registry=True)
    directory = tmp_path / "registry"
    shutil.copytree(reg.bundled_directory(), directory)
    (directory / "link_overrides.yaml").write_text(OVERRIDES, encoding="utf-8")
    saved = save_registry(reg.load(directory), store, directory)
    assert saved.relink.changed >= 1
    (final,) = [r for r in imported_agreements(store) if r.record_id == "9001"]
    assert final.actor_ids == ["farc-ep"]
    actor_links = [(k.id, k.reason, k.detail) for k in final.links if k.kind == "actor"]
    assert actor_links == [
        ("farc-ep", None, ""),
        (None, "removed by registry override pax-9001-not-the-government", "gov-colombia"),
    ]
    tables = [(k.id, k.reason, k.detail) for k in final.links if k.kind == "table"]
    assert tables == [("gov-eln", None, "set by override pax-9001-a-table")]
    (agreement,) = [k for k in final.links if k.kind == "agreement"]
    assert (agreement.id, agreement.reason) == (
        None,
        "removed by registry override pax-9001-not-the-2016-accord",
    )
    assert relink(store).changed == 0  # stable: a second relink changes nothing


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("dataset: pax", "dataset: acled", "unknown dataset 'acled'"),
        ("remove: farc-2016-final-agreement", "remove: no-such-agreement", "unknown agreement"),
    ],
)
def test_registry_check_refuses_a_broken_override(
    tmp_path: Path, field: str, value: str, message: str
) -> None:
    directory = tmp_path / "registry"
    shutil.copytree(reg.bundled_directory(), directory)
    (directory / "link_overrides.yaml").write_text(OVERRIDES.replace(field, value, 1), "utf-8")
    with pytest.raises(reg.RegistryInvalid, match=message):
        reg.load(directory)


def test_an_override_needs_remove_or_add(tmp_path: Path) -> None:
    directory = tmp_path / "registry"
    shutil.copytree(reg.bundled_directory(), directory)
    text = OVERRIDES.replace("  remove: farc-2016-final-agreement\n", "", 1)
    (directory / "link_overrides.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(reg.RegistryInvalid, match="needs `remove`, `add` or both"):
        reg.load(directory)


def test_a_name_taken_up_later_does_not_link_an_earlier_record(tmp_path: Path) -> None:
    from peacemonitor.importers.party_links import RegistryView, link_agreement

    store = world_store(tmp_path / "names.duckdb", DIVIPOLA)
    view = RegistryView.from_store(store)
    import datetime as dt

    before = link_agreement(
        view, "Ejército Gaitanista de Colombia", None, dt.date(2020, 1, 1), None
    )
    after = link_agreement(view, "Ejército Gaitanista de Colombia", None, dt.date(2025, 1, 1), None)
    assert (before.actor_ids, after.actor_ids) == ([], ["clan-del-golfo"])
    (named,) = [k for k in before.links if k["kind"] == "actor"]
    assert (named["reason"], named["evidence"]["name"]) == (
        "named before the name was in use",
        "Ejército Gaitanista de Colombia",
    )
    # the older name still links in 2020
    older = link_agreement(view, "Clan del Golfo", None, dt.date(2020, 1, 1), None)
    assert older.actor_ids == ["clan-del-golfo"]


WORDS = st.lists(
    st.sampled_from(["Comandante", "Estado", "Mayor", "Central", "EPL", "ñandú", "—", "(x)", "a"]),
    max_size=12,
)


@given(before=WORDS, after=WORDS)
def test_an_excerpt_holds_the_words_that_matched(before: list[str], after: list[str]) -> None:
    from peacemonitor.importers.party_links import excerpt
    from peacemonitor.names import normalize_name

    text = " ".join([*before, "Estado Mayor  Central", *after])
    found = excerpt(text, "estado mayor central")
    assert "estado mayor central" in normalize_name(found)
    assert found.strip("…") in text
