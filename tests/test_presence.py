"""Presence: registry reports, events mapped through the registry, a user's table — labelled."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest import world_store

from peacemonitor.errors import NotFound
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.presence import (
    PresenceRecord,
    UnknownHow,
    area,
    months_before,
    presence,
    resolve_actor,
)
from peacemonitor.registry import Registry, RegistryInvalid, bundled_directory, load
from peacemonitor.store import Store
from peacemonitor.user_presence import PresenceFileInvalid, import_presence

TERRITORIES = Path(__file__).parent / "data" / "territories"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("presence") / "template.duckdb"
    world_store(path, TERRITORIES / "dl_municipios.csv")
    return path


@pytest.fixture
def world(template: Path, tmp_path: Path) -> tuple[Store, Registry]:
    path = tmp_path / "world.duckdb"
    shutil.copy(template, path)
    return Store(path, timeout=10), load()


def add_events(store: Store, rows: list[tuple[str, str, str, str, list[str]]]) -> None:
    """(source, record id, day, territory code, actor names as published) → observations."""
    with store.write() as db:
        for source, record, day, code, names in rows:
            level = "municipality" if len(code) == 5 else "department"
            db.execute(
                "INSERT INTO observations (source, record_id, category, unit, count, date_first, "
                "date_precision, territory_level, territory_code, resolution, actor_raw) "
                "VALUES (?, ?, 'state-group-clash', 'events', 1, ?, 'day', ?, ?, 'test', ?)",
                [source, record, day, level, code, names],
            )


def test_events_map_through_the_registry_table_only(world: tuple[Store, Registry]) -> None:
    store, registry = world
    add_events(
        store,
        [
            ("ucdp", "1", "2016-01-10", "19548", ["Government of Colombia", "FARC"]),
            ("ucdp", "2", "2016-03-02", "19548", ["Government of Colombia", "FARC"]),
            ("ucdp", "3", "2016-02-01", "52", ["Government of Colombia", "ELN"]),
            ("ucdp", "4", "2016-02-01", "52835", ["Government of Colombia", "FARC dissidents"]),
            ("ucdp", "5", "2013-01-01", "52835", ["FARC", "Civilians"]),
            ("acled", "6", "2016-05-05", "05001", ["ELN: National Liberation Army"]),
            ("police", "7", "2016-05-05", "05001", ["FARC"]),  # the Police name no actor
        ],
    )
    found = presence(store, registry, "farc-ep", as_of=dt.date(2016, 6, 30), how={"events"})
    assert found == [
        PresenceRecord(
            "farc-ep",
            "19548",
            "municipality",  # type: ignore[arg-type]
            "PIENDAMÓ - TUNÍA",
            dt.date(2016, 1, 10),
            dt.date(2016, 3, 2),
            "ucdp",
            "events",
            events=2,
            detail="as FARC",
        )
    ]  # the 2013 event is outside the 24-month window; "FARC dissidents" is unmapped
    eln = presence(store, registry, "eln", how={"events"})
    assert [(r.territory_code, r.territory_level, r.source, r.events) for r in eln] == [
        ("05001", "municipality", "acled", 1),
        ("52", "department", "ucdp", 1),
    ]
    everyone = Counter(r.actor_id for r in presence(store, registry, how={"events"}))
    assert everyone == {"gov-colombia": 3, "farc-ep": 2, "eln": 2}


def test_registry_presence_is_a_dated_snapshot(world: tuple[Store, Registry]) -> None:
    store, registry = world
    found = presence(store, registry, "eln", as_of=dt.date(2025, 2, 1), how={"registry"})
    assert [(r.territory_code, r.first, r.how) for r in found] == [
        ("27", dt.date(2024, 9, 24), "registry"),
        ("54", dt.date(2025, 1, 16), "registry"),
        ("81", dt.date(2024, 9, 24), "registry"),
    ]
    assert found[0].source == "cfr-2024-09-24-total-peace-is-dead"
    assert presence(store, registry, "eln", as_of=dt.date(2022, 1, 1), how={"registry"}) == []


def test_unknown_actor_and_how_are_named_errors(world: tuple[Store, Registry]) -> None:
    store, registry = world
    with pytest.raises(NotFound, match="no actor 'nobody'"):
        presence(store, registry, "nobody")
    with pytest.raises(UnknownHow, match="guess"):
        presence(store, registry, "eln", how={"guess"})


def test_actors_resolve_by_id_name_or_alias(world: tuple[Store, Registry]) -> None:
    _, registry = world
    assert resolve_actor(registry, "eln").id == "eln"
    assert resolve_actor(registry, "ejercito de liberacion nacional").id == "eln"
    assert resolve_actor(registry, "EGC").id == resolve_actor(registry, "clan-del-golfo").id


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2024, 3, 31), 1, dt.date(2024, 2, 29)),
        (dt.date(2024, 1, 15), 24, dt.date(2022, 1, 15)),
        (dt.date(2024, 1, 15), 13, dt.date(2022, 12, 15)),
    ],
)
def test_months_before(day: dt.date, months: int, expected: dt.date) -> None:
    assert months_before(day, months) == expected


# --- the user's table --------------------------------------------------------------------------

TABLE = (
    "Actor;Territory;From;To;Source\n"
    "ELN;Valle del Cauca;2023-01;;my notes\n"
    "EMC;Piendamó - Tunía, Cauca;2023-08-01;2024-03-31;field report\n"
    "Nobody;19;2023;;x\n"
    "emc;Nowhereville;2023;;x\n"
    "eln;76001;2024;2023;x\n"
    ";;;;\n"
    "Clan del Golfo;05001;2022;;y\n"
    "eln;San Pedro;2022;;z\n"
    "eln;52835;2022-13;;z\n"
)


def test_every_row_is_stored_or_quarantined_and_reimport_is_idempotent(
    world: tuple[Store, Registry], tmp_path: Path
) -> None:
    store, registry = world
    path = tmp_path / "mine.csv"
    path.write_text(TABLE, encoding="utf-8")
    gazetteer = Gazetteer.from_store(store)
    report = import_presence(store, registry, gazetteer, path)
    assert (report.rows_read, report.rows_stored, report.rows_non_data) == (9, 3, {"blank": 1})
    assert report.rows_quarantined == {
        "unknown-actor": 1,
        "unresolved-territory": 2,
        "dates-reversed": 1,
        "bad-date": 1,
    }
    assert report.accounted == report.rows_read
    again = import_presence(store, registry, gazetteer, path)
    assert (again.rows_stored, again.rows_already_present) == (0, 3)
    assert again.accounted == again.rows_read
    with store.read() as db:
        held = db.execute(
            "SELECT row_number, reason, column_name, detail FROM user_presence_quarantine "
            "ORDER BY row_number"
        ).fetchall()
    assert held[0] == (
        4,
        "unknown-actor",
        "actor",
        "no actor 'Nobody'; `peacemonitor actors` lists them",
    )
    assert held[3][:3] == (9, "unresolved-territory", "territory")
    assert "could be" in held[3][3]  # San Pedro is in Sucre and in Valle del Cauca
    assert len(held) == 5  # the second import replaced, not doubled, the file's rows


def test_user_periods_count_on_days_they_contain(
    world: tuple[Store, Registry], tmp_path: Path
) -> None:
    store, registry = world
    path = tmp_path / "mine.csv"
    path.write_text(TABLE, encoding="utf-8")
    import_presence(store, registry, Gazetteer.from_store(store), path)
    inside = presence(store, registry, "emc", as_of=dt.date(2024, 1, 1), how={"user"})
    assert [(r.territory_code, r.territory_name, r.source, r.last) for r in inside] == [
        ("19548", "PIENDAMÓ - TUNÍA", "field report", dt.date(2024, 3, 31))
    ]
    assert presence(store, registry, "emc", as_of=dt.date(2024, 4, 1), how={"user"}) == []
    eln = presence(store, registry, "eln", how={"user"})
    assert area(store, eln) == ["76001", "76670"]


def test_a_table_without_its_columns_is_a_named_error(
    world: tuple[Store, Registry], tmp_path: Path
) -> None:
    store, registry = world
    path = tmp_path / "bad.csv"
    path.write_text("group,place\nELN,19\n", encoding="utf-8")
    with pytest.raises(PresenceFileInvalid, match=r"bad.csv, row 1: missing column\(s\) terr"):
        import_presence(store, registry, Gazetteer.from_store(store), path)


# --- the mapping table in the registry ---------------------------------------------------------


def test_registry_check_refuses_clashing_and_dangling_mappings(tmp_path: Path) -> None:
    copy = tmp_path / "registry"
    shutil.copytree(bundled_directory(), copy)
    path = copy / "actor_mappings.yaml"
    text = path.read_text()
    text = text.replace("actors: [auc]", "actors: [no-such-group]")
    text += (
        "- id: ucdp-farc-again\n  source: ucdp\n  name: farc\n  actors: [emc]\n"
        "  sources: [{source: ucdp-ged-19-1-colombia}]\n"
        "- id: police-farc\n  source: police\n  name: FARC\n  actors: [farc-ep]\n"
        "  sources: [{source: ucdp-ged-19-1-colombia}]\n"
    )
    path.write_text(text)
    with pytest.raises(RegistryInvalid) as error:
        load(copy)
    messages = sorted(f"{p.record}: {p.field}: {p.message}" for p in error.value.problems)
    assert messages == [
        "police-farc: source: unknown event source 'police'; use ucdp, acled",
        "ucdp-auc: actors: unknown actor 'no-such-group'",
        "ucdp-farc-again: name: ucdp name 'farc' is also mapped by 'ucdp-farc' then",
    ]


# --- the real UCDP file ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_ucdp(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Store:
    from peacemonitor.runner import import_file

    store = world_store(
        tmp_path_factory.mktemp("presence_real") / "real.duckdb",
        shared_data / "divipola",
        shared_data / "boundaries_mgn2018" / "colombia_2018.topojson",
    )
    path = shared_data / "ucdp_ged_colombia" / "conflict_data_col.csv"
    import_file(store, "ucdp", path, Gazetteer.from_store(store))
    return store


@pytest.mark.shared_data
def test_real_ucdp_events_map_to_registry_actors(real_ucdp: Store, shared_data: Path) -> None:
    """Every placed event of a mapped side counts once for each actor its side stands for,
    checked against the raw file read with pandas."""
    import pandas as pd

    store, registry = real_ucdp, load()
    found = presence(store, registry, how={"events"})
    events = Counter[str]()
    for record in found:
        events[record.actor_id] += record.events or 0
    raw = pd.read_csv(
        shared_data / "ucdp_ged_colombia" / "conflict_data_col.csv", skiprows=[1], low_memory=False
    )
    with store.read() as db:
        placed = db.execute(
            "SELECT record_id FROM observations WHERE territory_level <> 'country'"
        ).fetchall()
    raw = raw[raw["id"].astype(str).isin({r[0] for r in placed})]
    sides = {"Government of Colombia": ["gov-colombia"], "FARC": ["farc-ep"], "ELN": ["eln"]}
    sides |= {"AUC": ["auc"], "ELN, FARC": ["eln", "farc-ep"]}
    expected = Counter[str]()
    for column in ("side_a", "side_b"):
        for name, count in raw[column].value_counts().items():
            for actor in sides.get(str(name), []):
                expected[actor] += int(count)
    assert events == expected
    assert dict(events) == {"gov-colombia": 3351, "farc-ep": 3031, "eln": 735, "auc": 645}
    farc_2016 = presence(store, registry, "farc-ep", as_of=dt.date(2016, 8, 29), how={"events"})
    assert len(farc_2016) == 23 and all(r.first >= dt.date(2014, 8, 29) for r in farc_2016)  # type: ignore[operator]


def test_cli_import_presence_then_show_it(world: tuple[Store, Registry], tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from peacemonitor.cli import app

    store, _ = world
    path = tmp_path / "mine.csv"
    path.write_text(TABLE, encoding="utf-8")
    runner = CliRunner()
    db = ["--db", str(store.path)]
    imported = runner.invoke(app, [*db, "import", "presence", str(path), "--format", "csv"])
    assert (imported.exit_code, imported.output) == (
        0,
        "file,layout,rows_read,non_data,stored,already_present,quarantined,observations\n"
        'mine.csv,presence-table,9,blank 1,3,0,"bad-date 1, dates-reversed 1, unknown-actor 1, '
        'unresolved-territory 2",0\n',
    )
    shown = runner.invoke(
        app,
        [
            *db,
            "presence",
            "Ejército de Liberación Nacional",
            "--as-of",
            "2025-02-01",
            "--format",
            "csv",
        ],
    )
    assert (shown.exit_code, shown.output) == (
        0,
        "how,territory_code,territory_name,territory_level,first,last,source,events\n"
        "registry,27,,department,2024-09-24,2024-09-24,cfr-2024-09-24-total-peace-is-dead,\n"
        'registry,54,,department,2025-01-16,2025-01-16,"sur-2025-catatumbo-solo-quiere, '
        "noticiasrcn-2025-12-29-llamado-defensoria-tomar, "
        'diariocontraste-2025-01-19-catatumbo-fighting-report",\n'
        "registry,81,,department,2024-09-24,2024-09-24,cfr-2024-09-24-total-peace-is-dead,\n"
        "user,76,VALLE DEL CAUCA,department,2023-01-01,,my notes,\n",
    )
    table = runner.invoke(app, [*db, "presence", "emc", "--how", "user"])
    assert table.exit_code == 0
    assert (
        table.output.splitlines()[0].strip() == "emc — Estado Mayor Central: 1 presence record(s)"
    )
    assert "│ user │ 19548          │ PIENDAMÓ - TUNÍA │" in table.output
    unknown = runner.invoke(app, [*db, "presence", "nobody"])
    assert (unknown.exit_code, unknown.output) == (
        1,
        "error: no actor 'nobody'; `peacemonitor actors` lists them\n",
    )


def test_acled_actor_names_from_the_importer_map_to_the_eln(tmp_path: Path) -> None:
    """The synthetic ACLED export (tests/data, not real events) through the real importer: its
    'ELN: National Liberation Army' rows in placed municipalities count for the ELN."""
    from peacemonitor.runner import import_file

    store = world_store(
        tmp_path / "acled.duckdb",
        TERRITORIES / "dl_municipios.csv",
        TERRITORIES / "tiny.topojson",
        boundary_detail="full",
    )
    path = Path(__file__).parent / "data" / "imports" / "acled" / "export_small.csv"
    import_file(store, "acled", path, Gazetteer.from_store(store))
    with store.read() as db:
        expected = db.execute(
            "SELECT territory_code, count(*) FROM observations WHERE source = 'acled' "
            "AND list_contains(actor_raw, 'ELN: National Liberation Army') "
            "AND territory_level <> 'country' GROUP BY 1 ORDER BY 1"
        ).fetchall()
    found = presence(store, load(), "eln", how={"events"})
    assert expected and [(r.territory_code, r.events) for r in found] == expected
    assert {r.source for r in found} == {"acled"}
