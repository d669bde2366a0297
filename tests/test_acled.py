"""ACLED: export, 2023+ and legacy layouts, encodings, HDX aggregates, terms, real files.

Every fixture here is synthetic: ACLED's rows may not be redistributed."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from conftest import world_store

from peacemonitor.gazetteer import Gazetteer
from peacemonitor.importers.framework.errors import BadFile, UnknownLayout
from peacemonitor.quarantine import list_quarantine, retry_quarantine
from peacemonitor.runner import import_file, import_files
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports" / "acled"
TERRITORIES = Path(__file__).parent / "data" / "territories"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The DIVIPOLA fixture, tiny.topojson's squares and the bundled registry, built once."""
    store = world_store(
        tmp_path_factory.mktemp("acled_template") / "acled.duckdb",
        TERRITORIES / "dl_municipios.csv",
        TERRITORIES / "tiny.topojson",
        boundary_detail="full",
    )
    return store.path


@pytest.fixture
def world(template: Path, tmp_path: Path) -> tuple[Store, Gazetteer]:
    shutil.copy(template, tmp_path / "acled.duckdb")
    store = Store(tmp_path / "acled.duckdb", timeout=10)
    return store, Gazetteer.from_store(store)


def rows(store: Store, sql: str) -> list[Any]:
    with store.read() as db:
        return db.execute(sql).fetchall()


def test_export_tool_layout(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    report = import_file(store, "acled", DATA / "export_small.csv", gazetteer)
    assert (report.source, report.layout, report.rows_read) == ("acled", "acled-export", 8)
    assert (report.rows_stored, report.rows_already_present) == (4, 1)  # SYN1 twice
    assert report.rows_quarantined == {"outside-categories": 1, "bad-value": 1}
    found = rows(
        store,
        "SELECT record_id, category, unit, count, deaths_best, date_first::VARCHAR, "
        "date_precision, territory_code, actor_ids FROM observations ORDER BY record_id",
    )
    assert found == [
        ("SYN1", "state-group-clash", "events", 1.0, 3.0, "2022-04-15", "day", "05001", ["eln"]),
        (
            "SYN2",
            "violence-against-civilians",
            "events",
            1.0,
            1.0,
            "2022-04-16",
            "month",
            "05664",
            [],
        ),
        (
            "SYN3",
            "attack-on-security-forces",
            "events",
            1.0,
            0.0,
            "2022-04-17",
            "day",
            "76",
            ["emc"],
        ),  # geo_precision 3: the department
        ("SYN5", "state-group-clash", "events", 1.0, 2.0, "2022-04-19", "day", "VEN", []),
    ]
    raw = rows(store, "SELECT actor_raw FROM observations WHERE record_id = 'SYN2'")
    assert raw == [
        (
            [
                "Unidentified Armed Group (Colombia)",
                "Civilians (Colombia)",
                "Indigenous Group (Colombia); Labor Group (Colombia)",
            ],
        )
    ]


def test_quarantined_acled_rows_are_redacted_in_listings(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    import_file(store, "acled", DATA / "export_small.csv", gazetteer)
    entries = {e.reason: e for e in list_quarantine(store)}
    assert entries["bad-value"].detail == "event_date=31 April 2022"
    cells = entries["outside-categories"].raw["cells"]
    assert cells["event_id_cnty"] == "SYN4"
    assert {v for k, v in cells.items() if k != "event_id_cnty"} == {"<redacted: sensitive>"}
    shown = list_quarantine(store, show_sensitive=True)
    assert {e.raw["cells"]["event_type"] for e in shown} == {"Protests", "Battles"}


def test_2023_layout_with_text_inter_codes_and_civilian_targeting(
    world: tuple[Store, Gazetteer],
) -> None:
    store, gazetteer = world
    report = import_file(store, "acled", DATA / "api_2023_small.csv", gazetteer)
    assert (report.layout, report.rows_stored, report.rows_quarantined) == (
        "acled-2023",
        3,
        {"outside-categories": 1},
    )
    found = rows(
        store,
        "SELECT record_id, category, civilian_targeting, date_first::VARCHAR FROM observations "
        "ORDER BY 1",
    )
    assert found == [
        ("API1", "state-group-clash", False, "2024-03-01"),
        ("API2", "violence-against-civilians", True, "2024-03-02"),
        ("API3", "attack-on-security-forces", False, "2024-03-03"),
    ]


def test_legacy_upper_case_windows_1252(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    report = import_file(store, "acled", DATA / "legacy_cp1252.csv", gazetteer)
    assert (report.layout, report.rows_read, report.rows_stored) == ("acled-legacy", 3, 1)
    assert report.rows_quarantined == {"category-unknown": 1}  # 'Remote violence': no sub-type
    found = rows(store, "SELECT record_id, category, date_first::VARCHAR FROM observations")
    assert found == [("LEG1", "state-group-clash", "2017-04-15")]
    (entry,) = list_quarantine(store, show_sensitive=True)
    assert entry.raw["cells"]["admin2"] == "Cali"
    assert "Remote violence" in (entry.detail or "")


def test_reimport_and_a_second_export_overlapping_the_first(
    world: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = world
    import_file(store, "acled", DATA / "export_small.csv", gazetteer)
    again = import_file(store, "acled", DATA / "export_small.csv", gazetteer)
    assert (again.rows_stored, again.rows_already_present) == (0, 5)
    lines = (DATA / "export_small.csv").read_text(encoding="utf-8").splitlines()
    later = tmp_path / "later_export.csv"
    later.write_text("\n".join([lines[0], lines[1], lines[6].replace("SYN6", "SYN7")]) + "\n")
    report = import_file(store, "acled", later, gazetteer)
    assert (report.rows_stored, report.rows_already_present) == (0, 1)
    assert report.rows_quarantined == {"bad-value": 1}
    assert rows(store, "SELECT count(*) FROM observations") == [(4,)]


def test_hdx_csv_extract_is_filed_apart_from_events(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    report = import_file(store, "acled", DATA / "hdx_admin2_small.csv", gazetteer)
    assert (report.source, report.layout, report.rows_read) == (
        "acled-hdx",
        "acled-hdx-admin2",
        7,
    )
    assert report.rows_stored == 4
    assert report.rows_quarantined == {
        "territory-conflict": 1,  # 'El Tablon' under another municipality's Pcode
        "bad-date": 1,
    }
    found = rows(
        store,
        "SELECT source, territory_code, category, count, deaths_best, date_precision, "
        "civilian_targeting FROM observations ORDER BY territory_code, category",
    )
    assert found == [
        ("acled-hdx", "05001", "demonstration", 7.0, None, "month", False),
        ("acled-hdx", "05001", "political-violence", 5.0, 4.0, "month", False),
        ("acled-hdx", "05001", "violence-against-civilians", 2.0, 3.0, "month", True),
        ("acled-hdx", "76001", "violence-against-civilians", 0.0, 0.0, "month", True),
    ]


def test_hdx_workbook_sheets_and_licence(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    path = DATA / "hdx_civilian-targeting-events-and-fatalities-small.xlsx"
    report = import_file(store, "acled", path, gazetteer)
    assert (report.rows_read, report.rows_non_data) == (7, {"title": 2, "header": 2})
    found = rows(
        store, "SELECT territory_level, territory_code, count FROM observations ORDER BY 2"
    )
    assert found == [
        ("municipality", "05001", 2.0),
        ("country", "?Albania", 1.0),  # HDX's country sheet gives no code
        ("country", "HTI", 4.0),
    ]


def test_an_hdx_workbook_renamed_out_of_its_dataset_is_refused(
    world: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = world
    renamed = tmp_path / "acled.xlsx"
    shutil.copy(DATA / "hdx_civilian-targeting-events-and-fatalities-small.xlsx", renamed)
    with pytest.raises(UnknownLayout, match="acled.xlsx: an ACLED HDX workbook whose name"):
        import_file(store, "acled", renamed, gazetteer)


@pytest.mark.usefixtures("busy_machine")
def test_a_header_lacking_a_required_column(world: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = world
    text = (DATA / "export_small.csv").read_text(encoding="utf-8")
    broken = tmp_path / "broken.csv"
    broken.write_text(text.replace("fatalities", "deaths", 1), encoding="utf-8")
    with pytest.raises(UnknownLayout, match="broken.csv, row 1, column fatalities"):
        import_file(store, "acled", broken, gazetteer)


@pytest.mark.usefixtures("busy_machine")
def test_a_byte_invalid_in_the_given_encoding(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    with pytest.raises(Exception, match="legacy_cp1252.csv, row 2: not valid utf-8"):
        import_file(store, "acled", DATA / "legacy_cp1252.csv", gazetteer, encoding="utf-8")


# --- the real files ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_world(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Any:
    store = world_store(
        tmp_path_factory.mktemp("acled_real") / "real.duckdb", shared_data / "divipola"
    )
    return store, Gazetteer.from_store(store)


@pytest.mark.shared_data
def test_the_real_ukraine_export_adds_up(real_world: Any, shared_data: Path) -> None:
    store, gazetteer = real_world
    path = shared_data / "acled_samples" / "UkraineACLED_2022-01-01_2022-04-15.csv"
    report = import_file(store, "acled", path, gazetteer)
    assert report.layout == "acled-export"
    assert report.rows_read == 5291 == report.accounted  # SOURCE.md: 5,290 events
    assert report.rows_stored + sum(report.rows_quarantined.values()) == 5290
    stored = rows(
        store,
        "SELECT sum(deaths_best), count(DISTINCT territory_code) FROM observations "
        "WHERE source = 'acled'",
    )
    held = rows(
        store,
        "SELECT sum((raw->>'$.cells.fatalities')::DOUBLE) FROM quarantine WHERE source = 'acled'",
    )
    assert stored[0][0] + (held[0][0] or 0) == 5584  # SOURCE.md: sum of fatalities
    assert stored[0][1] == 1  # another country: country level, 'UKR'


@pytest.mark.shared_data
def test_the_real_hdx_files_add_up(real_world: Any, shared_data: Path) -> None:
    store, gazetteer = real_world
    folder = shared_data / "acled_samples"
    for path in sorted(folder.glob("hdx_*")):
        report = import_file(store, "acled", path, gazetteer)
        assert report.source == "acled-hdx" and report.accounted == report.rows_read
    colombia = rows(
        store,
        "SELECT category, sum(count), sum(deaths_best), count(DISTINCT record_id) "
        "FROM observations WHERE source = 'acled-hdx' AND territory_level = 'municipality' "
        "GROUP BY category ORDER BY category",
    )
    # SOURCE.md: political violence 21 events / 21 fatalities; civilian targeting 10 / 10;
    # demonstrations 25 (no fatalities column)
    assert colombia == [
        ("demonstration", 25.0, None, 1121),
        ("political-violence", 21.0, 21.0, 1121),
        ("violence-against-civilians", 10.0, 10.0, 1121),
    ]


def test_retry_keeps_out_of_scope_and_bad_rows_held(world: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = world
    import_file(store, "acled", DATA / "export_small.csv", gazetteer)
    (report,) = retry_quarantine(store, gazetteer, "acled")
    assert (report.rows_read, report.rows_stored) == (2, 0)
    assert report.rows_quarantined == {"outside-categories": 1, "bad-value": 1}


def test_without_boundaries_names_decide_under_the_same_precision(tmp_path: Path) -> None:
    """No boundaries loaded: places come from admin names, and geo_precision 3 still stops at
    the department even though the row names a municipality."""
    store = world_store(tmp_path / "names.duckdb", TERRITORIES / "dl_municipios.csv")
    import_file(store, "acled", DATA / "export_small.csv", Gazetteer.from_store(store))
    found = rows(
        store,
        "SELECT record_id, territory_level, territory_code FROM observations "
        "WHERE record_id IN ('SYN1', 'SYN3') ORDER BY record_id",
    )
    assert found == [("SYN1", "municipality", "05001"), ("SYN3", "department", "76")]


def _with_a_huge_field(tmp_path: Path, rows_before: int) -> Path:
    """The export fixture's first event repeated under new ids, then one whose notes run to
    3 MB (past DuckDB's line limit), then more events."""
    header, first = (DATA / "export_small.csv").read_text(encoding="utf-8").splitlines()[:2]
    path = tmp_path / "acled_huge_field.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(header + "\n")
        for number in range(rows_before):
            handle.write(first.replace("SYN1", f"BIG{number}") + "\n")
        handle.write(first.replace("SYN1", "HUGE").replace("Synthetic event", "x" * 3_000_000))
        handle.write("\n" + first.replace("SYN1", "AFTER") + "\n")
    return path


@pytest.mark.parametrize("rows_before", [0, 20_000])
def test_a_huge_field_is_a_named_error_at_its_line_under_load(
    world: tuple[Store, Gazetteer], tmp_path: Path, busy_machine: None, rows_before: int
) -> None:
    """At the first batch or mid-stream, with the cores busy: the same one-line error, naming
    the file and the line, the field cut short; nothing stored."""
    store, gazetteer = world
    path = _with_a_huge_field(tmp_path, rows_before)
    (outcome,) = import_files(store, "acled", [path], gazetteer, batch_rows=1_000)
    assert isinstance(outcome, BadFile)
    message = str(outcome)
    assert message.startswith(f"acled_huge_field.csv, row {rows_before + 2}: broken CSV: ")
    assert len(message) < 600
    assert rows(store, "SELECT count(*) FROM observations") == [(0,)]


@pytest.mark.shared_data
def test_other_countries_never_make_colombias_months_zero(
    shared_data: Path, tmp_path: Path
) -> None:
    """Ukraine's events (2022) and the HDX files (Colombia for January 2025 only, other
    countries for decades) cover Colombia in January 2025 and nowhere else: no 0 for Colombia
    in any other year, at any level; coverage names the countries."""
    from peacemonitor.coverage import coverage
    from peacemonitor.indicators import (
        INDICATOR_LEVELS,
        Level,
        NoObservations,
        Period,
        Query,
        indicator,
    )
    from peacemonitor.model import Category

    store = world_store(tmp_path / "countries.duckdb", shared_data / "divipola")
    gazetteer = Gazetteer.from_store(store)
    folder = shared_data / "acled_samples"
    for path in [folder / "UkraineACLED_2022-01-01_2022-04-15.csv", *sorted(folder.glob("hdx_*"))]:
        import_file(store, "acled", path, gazetteer)
    for level in INDICATOR_LEVELS:
        query = Query(Category.VIOLENCE_AGAINST_CIVILIANS, level, Period.YEAR)
        assert set(indicator(store, query)["period"]) == {"2025"}
    for_ukraine = Query(Category.STATE_GROUP_CLASH, Level.COUNTRY, Period.YEAR, source="acled")
    with pytest.raises(NoObservations):
        indicator(store, for_ukraine)
    colombian = [
        (c.source, c.category, c.first, c.last) for c in coverage(store) if c.country == "CO"
    ]
    assert {(s, f.isoformat(), t.isoformat()) for s, _, f, t in colombian} == {
        ("acled-hdx", "2025-01-01", "2025-01-31")
    }
    assert {c.country for c in coverage(store) if c.source == "acled"} == {"UKR"}
