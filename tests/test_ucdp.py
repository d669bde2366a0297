"""UCDP GED: every layout, precision rules, deaths as published, hostile files, the real file."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import world_store
from hypothesis import given, settings
from hypothesis import strategies as st

from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.importers.events import BAD, Column, typed_batch
from peacemonitor.importers.framework.errors import BadFile, UnknownLayout
from peacemonitor.indicators import Level, Period, Query, indicator
from peacemonitor.model import Category
from peacemonitor.quarantine import retry_quarantine
from peacemonitor.runner import import_file, import_files, import_history
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports" / "ucdp"
TERRITORIES = Path(__file__).parent / "data" / "territories"


def tiny_store(folder: Path, boundaries: bool = True) -> tuple[Store, Gazetteer]:
    """DIVIPOLA fixture, the synthetic squares of tiny.topojson and the bundled registry."""
    references = [TERRITORIES / "dl_municipios.csv"]
    references += [TERRITORIES / "tiny.topojson"] if boundaries else []
    store = world_store(folder / "ucdp.duckdb", *references, boundary_detail="full")
    return store, Gazetteer.from_store(store)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built once per module; each test gets a copy of the file (building takes seconds)."""
    store, _ = tiny_store(tmp_path_factory.mktemp("ucdp_template"))
    return store.path


@pytest.fixture
def world(template: Path, tmp_path: Path) -> tuple[Store, Gazetteer]:
    shutil.copy(template, tmp_path / "ucdp.duckdb")
    store = Store(tmp_path / "ucdp.duckdb", timeout=10)
    return store, Gazetteer.from_store(store)


def rows(store: Store, sql: str) -> list[Any]:
    with store.read() as db:
        return db.execute(sql).fetchall()


def test_hdx_export_with_its_tag_row(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    report = import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    assert report.layout == "ucdp-ged-hdx"
    assert (report.rows_read, report.rows_non_data) == (10, {"header": 2})
    assert (report.rows_stored, report.rows_quarantined) == (7, {"bad-value": 1})
    placed = rows(
        store,
        "SELECT record_id, territory_level, territory_code, resolution, date_precision "
        "FROM observations ORDER BY record_id",
    )
    assert placed == [
        ("900001", "municipality", "05001", "point-in-polygon", "day"),
        ("900002", "municipality", "05664", "point-in-polygon", "month"),
        ("900003", "department", "76", "point-in-polygon", "year"),  # where_prec 4
        ("900004", "country", "CO", "country-only", "year"),  # where_prec 6
        ("900005", "municipality", "05001", "point-in-polygon", "day"),
        ("900006", "country", "VEN", "country-only", "day"),  # another country: stored
        ("900008", "municipality", "05001", "exact-name", "day"),  # point off the map: names
    ]


def test_deaths_are_kept_as_published_and_broken_order_flagged(
    world: tuple[Store, Gazetteer],
) -> None:
    store, gazetteer = world
    import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    found = rows(
        store,
        "SELECT count, deaths_low, deaths_best, deaths_high, attributes FROM observations "
        "WHERE record_id = '900005'",
    )
    count, low, best, high, attributes = found[0]
    assert (count, low, best, high) == (2.0, 3.0, 2.0, 1.0)
    kept = json.loads(attributes)
    assert kept["deaths_order_broken"] is True
    assert (kept["deaths_a"], kept["deaths_b"], kept["where_prec"]) == (1, 1, 1)
    assert rows(store, "SELECT sum(deaths_best), sum(count) FROM observations") == [(19.0, 19.0)]


def test_date_end_is_kept_where_it_differs_from_the_start(world: tuple[Store, Gazetteer]) -> None:
    """date_first holds date_start; date_end adds nothing when equal, so it is omitted then."""
    store, gazetteer = world
    import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    found = dict(
        rows(
            store,
            "SELECT record_id, attributes->>'date_end' FROM observations "
            "WHERE record_id IN ('900001', '900002')",
        )
    )
    assert found == {"900001": None, "900002": "2002-05-03"}


def test_dyad_sides_map_to_registry_actors_and_categories(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    found = rows(
        store,
        "SELECT record_id, category, actor_ids, actor_raw FROM observations "
        "WHERE record_id IN ('900001', '900002', '900003') ORDER BY record_id",
    )
    assert found == [
        (
            "900001",
            "state-group-clash",
            ["gov-colombia", "farc-ep"],
            ["Government of Colombia", "FARC"],
        ),  # noqa: E501
        ("900002", "violence-against-civilians", ["auc"], ["AUC", "Civilians"]),
        ("900003", "group-group-clash", ["auc", "eln", "farc-ep"], ["AUC", "ELN, FARC"]),
    ]


def test_the_49_column_layout_and_a_global_file(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    report = import_file(store, "ucdp", DATA / "ged_49_small.csv", gazetteer)
    assert (report.layout, report.rows_read, report.rows_stored) == ("ucdp-ged", 6, 5)
    found = rows(
        store,
        "SELECT record_id, territory_code, date_first, attributes->>'adm_1' FROM observations "
        "WHERE territory_level = 'country' ORDER BY record_id",
    )
    assert found == [
        ("900006", "GW101", dt.date(2006, 8, 8), "Zulia state"),  # no iso3 in this layout
        ("900009", "GW369", dt.date(2001, 3, 4), "Donetsk oblast"),
    ]


def test_candidate_events_published_without_a_header(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    report = import_file(store, "ucdp", DATA / "candidate_headerless.csv", gazetteer)
    assert (report.layout, report.rows_read, report.rows_non_data) == (
        "ucdp-ged-headerless",
        2,
        {},
    )
    assert report.rows_stored == 2


def test_reimport_stores_nothing_twice(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    again = import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    assert (again.rows_stored, again.rows_already_present) == (0, 7)
    assert again.rows_quarantined == {"bad-value": 1}
    assert rows(store, "SELECT count(*) FROM observations") == [(7,)]
    assert rows(store, "SELECT count(*) FROM quarantine") == [(1,)]
    other = import_file(store, "ucdp", DATA / "ged_49_small.csv", gazetteer)
    assert (other.rows_stored, other.rows_already_present) == (1, 4)  # same UCDP ids


def test_a_revised_version_replaces_events_only_when_asked(
    world: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    """GED versions revise events under the same ids: --revise replaces them, nothing else."""
    store, gazetteer = world
    import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    with (DATA / "ged_hdx_small.csv").open(newline="") as handle:
        header, tags, *records = list(csv.reader(handle))
    event = next(r for r in records if r[0] == "900001")
    event[header.index("best")] = "9"  # deaths revised upwards
    revised = tmp_path / "ged_hdx_revised.csv"
    with revised.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, tags, event])
    kept = import_file(store, "ucdp", revised, gazetteer)
    assert (kept.rows_stored, kept.rows_already_present, kept.observations_replaced) == (0, 1, 0)
    (report,) = import_files(store, "ucdp", [revised], gazetteer, revise=True)
    assert not isinstance(report, Exception)
    assert (report.rows_stored, report.rows_already_present) == (1, 0)
    assert report.observations_replaced == 1
    best = rows(store, "SELECT deaths_best FROM observations WHERE record_id = '900001'")
    assert best == [(9.0,)]
    assert rows(store, "SELECT count(*) FROM observations") == [(7,)]
    history = [(r.file, r.observations_replaced) for r in import_history(store)]
    assert history[-1] == ("ged_hdx_revised.csv", 1)


def test_without_boundaries_names_decide_under_the_same_precision(tmp_path: Path) -> None:
    store, gazetteer = tiny_store(tmp_path, boundaries=False)
    import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    found = rows(
        store,
        "SELECT record_id, territory_level, territory_code, resolution FROM observations "
        "WHERE record_id IN ('900001', '900002', '900003', '900004') ORDER BY record_id",
    )
    assert found == [
        ("900001", "municipality", "05001", "exact-name"),
        ("900002", "department", "05", "exact-name"),  # no adm_2: the department
        ("900003", "department", "76", "exact-name"),  # where_prec 4: never a municipality
        ("900004", "country", "CO", "country-only"),  # where_prec 6
    ]


def test_other_countries_never_count_in_colombia_national_figures(
    world: tuple[Store, Gazetteer],
) -> None:
    store, gazetteer = world
    import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    query = Query(Category.STATE_GROUP_CLASH, Level.COUNTRY, Period.YEAR, source="ucdp")
    frame = indicator(store, query)
    counts = dict(zip(frame["period"], frame["count"], strict=True))
    assert counts == {"2001": 5.0, "2002": 0, "2003": 0, "2004": 1.0, "2005": 2.0}
    # 2006: the only event is Venezuela's, which must not count for Colombia — nor make 2006 a
    # covered 0 for Colombia: coverage is per country, and this file's Colombian events end in
    # 2005 (its 2007 row is quarantined)


def test_the_quarantined_row_keeps_what_did_not_parse(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    ((row, reason, column, detail, raw),) = rows(
        store, "SELECT row_number, reason, column_name, detail, raw FROM quarantine"
    )
    assert (row, reason, column) == (9, "bad-value", "date_start")
    assert detail == "date_start=2007-13-01; date_end=2007-13-01"
    assert json.loads(raw)["cells"]["id"] == "900007"


# --- hostile files ---------------------------------------------------------------------------


@pytest.mark.usefixtures("busy_machine")
def test_a_header_missing_a_column_names_it(world: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = world
    text = (DATA / "ged_hdx_small.csv").read_text(encoding="utf-8")
    broken = tmp_path / "no_best.csv"
    broken.write_text(text.replace(",best,", ",bestest,", 1), encoding="utf-8")
    with pytest.raises(UnknownLayout, match=r"no_best.csv, row 1, column best: not a UCDP GED"):
        import_file(store, "ucdp", broken, gazetteer)


@pytest.mark.usefixtures("busy_machine")
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"\x00\x01\x02garbage", "binary content"),
        (b'id,year\n1,"2001\n', "no_header"),
    ],
)
def test_hostile_files_are_named_errors(
    world: tuple[Store, Gazetteer], tmp_path: Path, content: bytes, message: str
) -> None:
    store, gazetteer = world
    path = tmp_path / "no_header.csv"
    path.write_bytes(content)
    with pytest.raises((BadFile, UnknownLayout), match=message):
        import_file(store, "ucdp", path, gazetteer)
    assert rows(store, "SELECT count(*) FROM imports") == [(0,)]


@pytest.mark.usefixtures("busy_machine")
def test_a_truncated_record_is_a_bad_file_naming_its_line(
    world: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = world
    text = (DATA / "ged_hdx_small.csv").read_text(encoding="utf-8")
    cut = tmp_path / "cut.csv"
    cut.write_text(text[: text.index("900003") + 40], encoding="utf-8")
    (outcome,) = import_files(store, "ucdp", [cut], gazetteer)
    assert isinstance(outcome, BadFile)
    assert str(outcome).startswith("cut.csv, row ")
    assert rows(store, "SELECT count(*) FROM observations") == [(0,)]


# --- the cell parsers --------------------------------------------------------------------------

NUMBER = Column("x", "number")
DAY = Column("d", "date")


@settings(max_examples=60, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False, width=32))
def test_numbers_parse_as_written(value: float) -> None:
    batch = typed_batch([NUMBER], {"x": f" {value!r} "})
    assert batch.column(0)[0].as_py() == pytest.approx(value)
    assert batch.column(batch.schema.get_field_index(BAD))[0].as_py() is None


@settings(max_examples=60, deadline=None)
@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)), st.booleans())
def test_dates_parse_with_or_without_a_time(day: dt.date, stamped: bool) -> None:
    text = day.isoformat() + (" 00:00:00.000" if stamped else "")
    assert typed_batch([DAY], {"d": text}).column(0)[0].as_py() == day


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet="abcxyz-/#", min_size=1, max_size=12))
def test_text_that_is_no_number_is_reported_not_guessed(text: str) -> None:
    batch = typed_batch([NUMBER], {"x": text})
    assert batch.column(0)[0].as_py() is None
    assert batch.column(batch.schema.get_field_index(BAD))[0].as_py() == f"x={text}"


# --- the real file -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_world(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Any:
    store = world_store(
        tmp_path_factory.mktemp("ucdp_real") / "real.duckdb",
        shared_data / "divipola",
        shared_data / "boundaries_mgn2018" / "colombia_2018.topojson",
    )
    return store, Gazetteer.from_store(store)


@pytest.mark.shared_data
def test_the_real_hdx_file_stores_every_event_and_its_deaths(
    real_world: Any, shared_data: Path
) -> None:
    store, gazetteer = real_world
    path = shared_data / "ucdp_ged_colombia" / "conflict_data_col.csv"
    report = import_file(store, "ucdp", path, gazetteer)
    assert (report.rows_read, report.rows_non_data, report.rows_stored) == (
        4634,
        {"header": 2},
        4632,
    )
    assert report.rows_quarantined == {} and report.accounted == report.rows_read
    sums = rows(
        store,
        "SELECT sum(deaths_best), sum(deaths_low), sum(deaths_high), "
        "count(*) FILTER (attributes->>'deaths_order_broken' = 'true') FROM observations",
    )
    assert sums == [(27617.0, 26988.0, 33073.0, 54)]  # SOURCE.md: sum of best = 27,617
    kinds = rows(store, "SELECT category, count(*) FROM observations GROUP BY 1 ORDER BY 1")
    assert kinds == [
        ("group-group-clash", 166),
        ("state-group-clash", 3454),
        ("violence-against-civilians", 1012),
    ]
    imprecise = rows(
        store,
        "SELECT count(*) FROM observations WHERE territory_level = 'municipality' "
        "AND (attributes->>'where_prec')::INT >= 4",
    )
    assert imprecise == [(0,)]  # a department centroid never lands on a municipality


def test_cli_import_ucdp(cli: Any, tmp_path: Path) -> None:
    store = Store(tmp_path / "cli.duckdb")
    store.migrate()
    load_divipola(store, TERRITORIES / "dl_municipios.csv")
    code, out = cli("import", "ucdp", str(DATA / "ged_hdx_small.csv"), "-f", "csv")
    assert code == 0
    assert out == (
        "file,layout,rows_read,non_data,stored,already_present,quarantined,observations\n"
        "ged_hdx_small.csv,ucdp-ged-hdx,10,header 2,7,0,bad-value 1,7\n"
    )


def test_cli_import_revise_says_what_it_replaced(cli: Any, tmp_path: Path) -> None:
    store = Store(tmp_path / "cli.duckdb")
    store.migrate()
    load_divipola(store, TERRITORIES / "dl_municipios.csv")
    cli("import", "ucdp", str(DATA / "ged_hdx_small.csv"))
    code, out = cli("import", "ucdp", str(DATA / "ged_hdx_small.csv"), "--revise")
    assert code == 0
    assert out.splitlines()[-1] == (
        "ged_hdx_small.csv: replaced 7 observations stored by earlier imports"
    )
    code, out = cli("import", "ucdp", str(DATA / "ged_hdx_small.csv"), "-f", "json", "--revise")
    assert code == 0 and json.loads(out)[0]["observations_replaced"] == 7


def test_retry_reads_a_quarantined_row_as_it_was_read(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    (report,) = retry_quarantine(store, gazetteer, "ucdp")
    assert (report.kind, report.rows_read, report.rows_quarantined) == (
        "retry",
        1,
        {"bad-value": 1},
    )


def test_revise_never_touches_another_sources_rows_with_the_same_id(
    world: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    """An ACLED event stored under the id '900001' is ACLED's: a UCDP revision of its own
    '900001' replaces only the UCDP row."""
    store, gazetteer = world
    acled = Path(__file__).parent / "data" / "imports" / "acled" / "export_small.csv"
    header, first = acled.read_text(encoding="utf-8").splitlines()[:2]
    same_id = tmp_path / "acled_same_id.csv"
    same_id.write_text(f"{header}\n{first.replace('SYN1', '900001')}\n", encoding="utf-8")
    import_file(store, "acled", same_id, gazetteer)
    import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    (report,) = import_files(store, "ucdp", [DATA / "ged_hdx_small.csv"], gazetteer, revise=True)
    assert not isinstance(report, Exception) and report.observations_replaced == 7
    found = rows(
        store,
        "SELECT source, count(*) FROM observations WHERE record_id = '900001' GROUP BY ALL "
        "ORDER BY source",
    )
    assert found == [("acled", 1), ("ucdp", 1)]
    acled_row = rows(store, "SELECT import_id FROM observations WHERE source = 'acled'")
    assert acled_row == [(1,)]


def test_a_row_held_in_one_file_and_stored_from_another_stays_accounted(
    world: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    """Event 900007 has a bad date in one file and a good one in another: on re-importing the
    first file every row is still accounted for, and the event is stored once."""
    store, gazetteer = world
    first = import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    with (DATA / "ged_hdx_small.csv").open(newline="") as handle:
        header, tags, *records = list(csv.reader(handle))
    fixed = next(r for r in records if r[0] == "900007")
    for column in ("date_start", "date_end"):
        fixed[header.index(column)] = "2007-12-01"
    other = tmp_path / "ged_fixed.csv"
    with other.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, tags, fixed])
    assert import_file(store, "ucdp", other, gazetteer).rows_stored == 1
    again = import_file(store, "ucdp", DATA / "ged_hdx_small.csv", gazetteer)
    held = sum(again.rows_quarantined.values())
    non_data = sum(again.rows_non_data.values())
    assert again.rows_read == first.rows_read
    assert again.rows_read == non_data + again.rows_stored + again.rows_already_present + held
    assert again.rows_stored == 0
    assert rows(store, "SELECT count(*) FROM observations WHERE record_id = '900007'") == [(1,)]
    assert rows(store, "SELECT count(*) FROM quarantine") == [(1,)]
