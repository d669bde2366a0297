"""Indicators: counts per source and unit, zeros only where covered, rates by vintage."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacemonitor.gazetteer import Gazetteer, load_divipola, load_path
from peacemonitor.indicators import (
    Level,
    NoObservations,
    Period,
    Query,
    SortKey,
    VintageInfo,
    choose_vintages,
    indicator,
    only_territories,
    periods_between,
    records,
    top,
    with_change,
)
from peacemonitor.model import Category, PartialDate
from peacemonitor.population import load_population
from peacemonitor.runner import import_file, import_files
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"


@pytest.fixture
def filled(store: Store) -> Store:
    """Small DIVIPOLA, a small population vintage (Leticia with population 0), two sources."""
    load_divipola(store, DATA / "divipola_small.csv")
    load_population(store, DATA / "population_small.csv", vintage="test-2018")
    gazetteer = Gazetteer.from_store(store)
    import_file(store, "massacres", DATA / "massacres_small.csv", gazetteer)
    import_file(store, "police", DATA / "kidnapping_wide.csv", gazetteer)
    return store


def test_national_year_counts_per_source_and_unit(filled: Store) -> None:
    frame = indicator(filled, Query(Category.MASSACRE, Level.COUNTRY, Period.YEAR))
    got = [(r["period"], r["unit"], r["count"], r["population"], r["note"]) for r in records(frame)]
    assert got == [
        ("2018", "incidents", 2, 9_320_000, None),  # the list runs from 2 Jan: whole months
        ("2018", "victims", 7, 9_320_000, None),
        ("2019", "incidents", 1, 9_320_000, None),
        ("2019", "victims", 5, 9_320_000, None),
    ]
    assert records(frame)[1]["rate_per_100k"] == round(7 * 100_000 / 9_320_000, 3)


def test_zero_where_covered_no_row_where_not(filled: Store) -> None:
    query = Query(
        Category.MASSACRE,
        Level.MUNICIPALITY,
        Period.MONTH,
        start=PartialDate.parse("2017-11"),
        end=PartialDate.parse("2018-02"),
    )
    rows = records(indicator(filled, query))
    periods = {r["period"] for r in rows}
    assert periods == {"2018-01", "2018-02"}  # 2017 is no data: absent, never 0
    medellin = [
        (r["period"], r["unit"], r["count"]) for r in rows if r["territory_code"] == "05001"
    ]
    assert medellin == [
        ("2018-01", "incidents", 1),
        ("2018-01", "victims", 4),
        ("2018-02", "incidents", 0),
        ("2018-02", "victims", 0),
    ]
    assert len({r["territory_code"] for r in rows}) == 7  # every current municipality


def test_rate_is_null_when_population_is_zero_or_missing(filled: Store) -> None:
    rows = records(indicator(filled, Query(Category.KIDNAPPING, Level.MUNICIPALITY, Period.YEAR)))
    leticia = [r for r in rows if r["territory_code"] == "91001"]
    assert {(r["count"], r["population"], r["rate_per_100k"]) for r in leticia} == {(0, 0, None)}
    inirida = [r for r in rows if r["territory_code"] == "94001"]
    assert {(r["population"], r["rate_per_100k"]) for r in inirida} == {(None, None)}
    medellin = [r for r in rows if r["territory_code"] == "05001" and r["period"] == "2018"]
    assert medellin[0]["rate_per_100k"] == 0.1 and medellin[0]["population_vintage"] == "test-2018"


def test_department_level_sums_municipalities(filled: Store) -> None:
    rows = records(indicator(filled, Query(Category.MASSACRE, Level.DEPARTMENT, Period.YEAR)))
    antioquia = [(r["period"], r["unit"], r["count"]) for r in rows if r["territory_code"] == "05"]
    assert antioquia == [
        ("2018", "incidents", 1),
        ("2018", "victims", 4),
        ("2019", "incidents", 1),
        ("2019", "victims", 5),
    ]


def test_unknown_vintage_and_empty_category(filled: Store) -> None:
    with pytest.raises(Exception, match="population vintage 'nope' is not loaded"):
        indicator(filled, Query(Category.MASSACRE, population_vintage="nope"))
    with pytest.raises(NoObservations, match="no homicide observations"):
        indicator(filled, Query(Category.HOMICIDE))


def test_vintage_choice_does_not_depend_on_the_window() -> None:
    old = VintageInfo("dane-2003-2017", "Censo 2005", 2003, 2017)
    wide = VintageInfo("dane-2005-2020", "Censo 2005", 2005, 2020)
    new = VintageInfo("dane-2018-2035", "CNPV 2018", 2018, 2035)
    chosen = choose_vintages([old, wide, new], [2004, 2017, 2018, 2020])
    assert {y: v.name for y, v in chosen.items()} == {
        2004: "dane-2003-2017",
        2017: "dane-2003-2017",
        2018: "dane-2018-2035",
        2020: "dane-2018-2035",
    }
    assert choose_vintages([old, wide, new], [2017])[2017].name == "dane-2003-2017"


def test_periods_between() -> None:
    a, b = PartialDate.parse("2019-11").first, PartialDate.parse("2020-02").last
    assert periods_between(a, b, Period.MONTH) == ["2019-11", "2019-12", "2020-01", "2020-02"]
    assert periods_between(a, b, Period.YEAR) == ["2019", "2020"]


def test_cli_indicator_csv(cli: Callable[..., tuple[int, str]], tmp_path: Path) -> None:
    store = Store(tmp_path / "cli.duckdb")
    store.migrate()
    load_divipola(store, DATA / "divipola_small.csv")
    load_population(store, DATA / "population_small.csv", vintage="test-2018")
    cli("import", "massacres", str(DATA / "massacres_small.csv"))
    code, out = cli(
        "indicator", "massacre", "--level", "national", "--by", "year", "--to", "2018", "-f", "csv"
    )
    assert code == 0
    assert out == (
        "territory_code,territory_name,period,source,unit,count,population,population_vintage,"
        "rate_per_100k,note,change,change_pct\n"
        "CO,COLOMBIA,2018,massacres,incidents,2,9320000,test-2018,0.021,,,\n"
        "CO,COLOMBIA,2018,massacres,victims,7,9320000,test-2018,0.075,,,\n"
    )
    country = ("indicator", "massacre", "--level", "country", "--by", "year", "--to", "2018")
    assert cli(*country, "-f", "csv") == (0, out)  # "national" is the country's other name
    code, out = cli("indicator", "massacre", "--level", "street")
    assert code == 2 and "street" in out and "municipality" in out


# --- the real files --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("indicators") / "real.duckdb", timeout=30)
    store.migrate()
    load_path(store, shared_data / "divipola")
    load_path(store, shared_data / "population_dane")
    files = sorted((shared_data / "policia_homicidios_raw").glob("homicidios_*.xls*"))
    import_files(store, "police", files, Gazetteer.from_store(store))
    return store


@pytest.mark.shared_data
def test_real_municipality_year_homicide_rates(
    real: Store, cli: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PEACEMONITOR_DB", str(real.path))
    from typer.testing import CliRunner

    from peacemonitor.cli import app

    args = [
        "indicator",
        "homicide",
        "--level",
        "municipality",
        "--by",
        "year",
        "--source",
        "police",
    ]
    result = CliRunner().invoke(app, [*args, "--format", "csv"], catch_exceptions=False)
    assert result.exit_code == 0
    rows: list[dict[str, Any]] = list(csv.DictReader(io.StringIO(result.output)))
    assert len({r["territory_code"] for r in rows}) == 1121
    assert {r["period"] for r in rows} == {str(y) for y in range(2003, 2025)}
    by_year: dict[str, int] = {}
    for row in rows:
        by_year[row["period"]] = by_year.get(row["period"], 0) + int(row["count"])
    assert by_year["2003"] == 22496 and by_year["2024"] == 13341
    medellin = {r["period"]: r for r in rows if r["territory_code"] == "05001"}
    assert medellin["2019"]["population"] == "2483545"  # POBLACION_2018_2035.csv
    assert medellin["2019"]["population_vintage"] == "dane-2018-2035"
    assert float(medellin["2019"]["rate_per_100k"]) == round(
        int(medellin["2019"]["count"]) * 100_000 / 2483545, 3
    )
    assert medellin["2018"]["note"].startswith("population series change")
    assert medellin["2017"]["population_vintage"] == "dane-2003-2017"


def test_events_where_population_is_zero_get_no_rate(filled: Store, tmp_path: Path) -> None:
    """Leticia's test population is 0: a massacre there is counted, and its rate is None, never
    infinite (a broken guard would divide by 0)."""
    extra = tmp_path / "massacres_leticia.csv"
    extra.write_text(
        "FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS\n"
        "2018/06/01,91,AMAZONAS,91001,LETICIA,1,3\n",
        encoding="utf-8",
    )
    import_file(filled, "massacres", extra, Gazetteer.from_store(filled))
    rows = records(indicator(filled, Query(Category.MASSACRE, Level.MUNICIPALITY, Period.YEAR)))
    leticia = [
        (r["unit"], r["count"], r["population"], r["rate_per_100k"])
        for r in rows
        if r["territory_code"] == "91001" and r["period"] == "2018"
    ]
    assert leticia == [("incidents", 1, 0, None), ("victims", 3, 0, None)]


def test_only_a_year_the_source_covers_in_part_is_partial(filled: Store, tmp_path: Path) -> None:
    """A list of March to May 2020 covers those months whole (its first event on the 14th),
    and 2020 only in part."""
    spring = tmp_path / "massacres_2020.csv"
    spring.write_text(
        "FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS\n"
        "2020/03/14,5,ANTIOQUIA,5001,MEDELLIN,1,3\n"
        "2020/05/20,5,ANTIOQUIA,5001,MEDELLIN,1,4\n",
        encoding="utf-8",
    )
    import_file(filled, "massacres", spring, Gazetteer.from_store(filled))
    start, end = PartialDate.parse("2020-01"), PartialDate.parse("2020-12")
    by_month = Query(Category.MASSACRE, by=Period.MONTH, start=start, end=end)
    months = [r for r in records(indicator(filled, by_month)) if r["unit"] == "incidents"]
    assert [(r["period"], r["count"], r["note"]) for r in months] == [
        ("2020-03", 1, None),
        ("2020-04", 0, None),
        ("2020-05", 1, None),
    ]
    by_year = Query(Category.MASSACRE, start=start, end=end)
    (year,) = [r for r in records(indicator(filled, by_year)) if r["unit"] == "incidents"]
    assert (year["count"], year["note"]) == (2, "partial period: the source covers only part of it")


@pytest.mark.shared_data
def test_the_series_change_note_does_not_depend_on_the_window(real: Store) -> None:
    """Medellín's 2018 row says the population series changed, whether the window starts in
    2003 or in 2018 (the comparison is with the vintage chosen for 2017, not the row above)."""
    notes = {}
    for start in ("2003", "2018"):
        query = Query(
            Category.HOMICIDE, Level.MUNICIPALITY, Period.YEAR, PartialDate.parse(start),
            PartialDate.parse("2019"), source="police",
        )  # fmt: skip
        rows = records(indicator(real, query))
        notes[start] = {r["period"]: r["note"] for r in rows if r["territory_code"] == "05001"}
    assert notes["2003"]["2018"] == notes["2018"]["2018"]
    assert notes["2018"]["2018"].startswith("population series change: dane-2003-2017")
    assert notes["2018"]["2019"] is None
    assert not [n for n in notes["2003"].values() if n and "nan" in n]


@pytest.mark.parametrize(
    ("level", "code"), [(Level.MUNICIPALITY, "05001"), (Level.DEPARTMENT, "05")]
)
def test_one_territory_is_the_levels_rows_for_it(filled: Store, level: Level, code: str) -> None:
    whole = indicator(filled, Query(Category.MASSACRE, level, Period.YEAR))
    one = indicator(filled, Query(Category.MASSACRE, level, Period.YEAR, territory=code))
    expected = whole[whole["territory_code"] == code].reset_index(drop=True)
    assert records(one) == records(expected) and len(one) > 0


def _frame(rows: list[tuple[str, str, float, float | None]]) -> Any:
    import pandas as pd

    return pd.DataFrame(
        [
            {"territory_code": c, "period": p, "source": "s", "unit": "u", "count": n,
             "rate_per_100k": r}
            for c, p, n, r in rows
        ]
    )  # fmt: skip


def test_change_against_the_previous_period_skips_gaps() -> None:
    frame = _frame(
        [
            ("05", "2020", 10, 1.0),
            ("05", "2021", 15, 1.5),
            ("05", "2023", 5, 0.5),
            ("19", "2021", 0, 0),
        ]
    )
    out = with_change(frame)
    assert list(out["change"].astype(object).where(out["change"].notna(), None)) == [
        None, 5.0, None, None,  # 2023 follows no data in 2022: nothing to compare with
    ]  # fmt: skip
    assert out["change_pct"].iloc[1] == 50.0


def test_change_against_a_named_period() -> None:
    frame = _frame([("05", "2020", 10, 1.0), ("05", "2022", 4, 0.4), ("19", "2022", 3, 0.3)])
    out = with_change(frame, against="2020")
    assert [None if v != v else v for v in out["change"]] == [None, -6.0, None]
    assert out["change_pct"].iloc[1] == -60.0


def test_top_orders_by_rate_with_missing_last() -> None:
    frame = _frame([("05", "2020", 10, 1.0), ("19", "2020", 3, 9.0), ("91", "2020", 2, None)])
    assert list(top(frame, SortKey.RATE)["territory_code"]) == ["19", "05", "91"]
    assert list(top(frame, SortKey.COUNT, 2)["territory_code"]) == ["05", "19"]
    assert list(only_territories(frame, ["91", "05"])["territory_code"]) == ["05", "91"]


@settings(deadline=None, max_examples=50, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(0, 1000), min_size=2, max_size=12))
def test_changes_add_up_to_the_whole_difference(counts: list[int]) -> None:
    """Over consecutive years, the changes sum to last minus first."""
    frame = _frame([("05", str(2000 + i), float(n), None) for i, n in enumerate(counts)])
    assert with_change(frame)["change"].sum() == counts[-1] - counts[0]


@pytest.fixture
def small_cli(
    cli: Callable[..., tuple[int, str]], tmp_path: Path
) -> Callable[..., tuple[int, str]]:
    """The CLI over three massacres in Medellín, Popayán and Abejorral (2018–2019)."""
    store = Store(tmp_path / "cli.duckdb")
    store.migrate()
    load_divipola(store, DATA / "divipola_small.csv")
    load_population(store, DATA / "population_small.csv", vintage="test-2018")
    assert cli("import", "massacres", str(DATA / "massacres_small.csv"))[0] == 0
    return cli


HEAD = (
    "territory_code,territory_name,period,source,unit,count,population,population_vintage,"
    "rate_per_100k,note,change,change_pct\n"
)


def test_cli_territories_by_name_with_change(small_cli: Callable[..., tuple[int, str]]) -> None:
    code, out = small_cli(
        "indicator", "massacre", "--territory", "Medellin", "--territory", "05002",
        "--from", "2019", "-f", "csv",
    )  # fmt: skip
    assert code == 0
    rows = [line for line in out.splitlines()[1:] if ",victims," in line]
    assert out.startswith(HEAD)
    assert [r.split(",")[:6] + r.split(",")[-2:] for r in rows] == [
        ["05001", "MEDELLÍN", "2019", "massacres", "victims", "0", "-4", "-100"],
        ["05002", "ABEJORRAL", "2019", "massacres", "victims", "5", "5", ""],
    ]


def test_cli_sort_top_and_named_window(small_cli: Callable[..., tuple[int, str]]) -> None:
    code, out = small_cli(
        "indicator", "massacre", "--level", "municipality", "--sort", "count", "--top", "2",
        "--change-from", "2018", "--from", "2019", "-f", "csv",
    )  # fmt: skip
    assert code == 0
    assert [line.split(",")[:6] + line.split(",")[-2:] for line in out.splitlines()[1:]] == [
        ["05002", "ABEJORRAL", "2019", "massacres", "victims", "5", "5", ""],
        ["05002", "ABEJORRAL", "2019", "massacres", "incidents", "1", "1", ""],
    ]


def test_cli_unknown_or_ambiguous_territory_fails(
    small_cli: Callable[..., tuple[int, str]],
) -> None:
    code, out = small_cli("indicator", "massacre", "--territory", "Xyzzy")
    assert code == 1
    assert out == "error: 'Xyzzy': no municipality or department named 'Xyzzy'\n"


def test_cli_parquet_export_keeps_counts_whole(
    small_cli: Callable[..., tuple[int, str]], tmp_path: Path
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    target = tmp_path / "out.parquet"
    code, out = small_cli(
        "indicator", "massacre", "--level", "municipality", "-f", "parquet", "-o", str(target)
    )
    table = pq.read_table(target)
    assert (code, out) == (0, f"wrote {table.num_rows} row(s) to {target}\n")
    assert table.schema.field("count").type == pa.int64()
    assert table.schema.field("change").type == pa.int64()
    assert sum(v for v in table.column("count").to_pylist() if v) == 3 + 12  # 3 cases, 12 victims
    code, out = small_cli("indicator", "massacre", "-f", "parquet")
    assert (code, out) == (1, "error: --format parquet writes a file: give --output FILE\n")


def test_a_cluster_is_no_indicator_level(filled: Store) -> None:
    from peacemonitor.indicators import LevelNotIndicated
    from peacemonitor.model import TerritoryLevel

    with pytest.raises(LevelNotIndicated, match="indicators are by country, department, munici"):
        indicator(filled, Query(Category.MASSACRE, TerritoryLevel.CLUSTER))
