"""Comparisons: one source, whole-month windows, "no data" kept apart, a model-based rate ratio."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacemonitor.comparison import (
    ComparisonError,
    Territories,
    Window,
    compare,
    rate_ratio,
    territories,
)
from peacemonitor.divipola import load_divipola
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.population import load_population
from peacemonitor.registry import load
from peacemonitor.runner import import_file
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"
MASSACRES = (
    "FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS\n"
    "2018/01/02,5,ANTIOQUIA,5001,MEDELLIN,1,4\n"
    "2018/06/10,5,ANTIOQUIA,5001,MEDELLIN,1,3\n"
    "2018/09/01,5,ANTIOQUIA,5002,ABEJORRAL,1,3\n"
    "2019/03/03,5,ANTIOQUIA,5002,ABEJORRAL,1,6\n"
    "2019/12/30,19,CAUCA,19001,POPAYAN,1,3\n"
)
ANTIOQUIA = Territories(["05001", "05002"], "05")
Y2018, Y2019 = Window.parse("2018-01:2018-12"), Window.parse("2019:2019")


@pytest.fixture
def filled(store: Store, tmp_path: Path) -> Store:
    """Seven municipalities, a test population (Medellín 2,000,000, Abejorral 20,000), and
    five massacres from 2 January 2018 to 30 December 2019."""
    load_divipola(store, DATA / "divipola_small.csv")
    load_population(store, DATA / "population_small.csv", vintage="test-2018")
    path = tmp_path / "massacres.csv"
    path.write_text(MASSACRES, encoding="utf-8")
    import_file(store, "massacres", path, Gazetteer.from_store(store))
    return store


def test_counts_rates_and_the_poisson_ratio_by_hand(filled: Store) -> None:
    result = compare(filled, "massacre", ANTIOQUIA, Y2018, Y2019, unit="incidents")
    assert (result.source, result.unit, result.min_victims) == ("massacres", "incidents", None)
    before, after = result.before, result.after
    assert (before.count, after.count) == (3, 1)
    assert (before.months_covered, after.months_covered) == (12, 12)
    assert before.person_years == after.person_years == 2_020_000
    assert before.rate_per_100k_year == round(3 * 100_000 / 2_020_000, 3)
    assert before.population_vintages == ["test-2018"]
    ratio = result.rate_ratio
    assert ratio is not None and ratio.model == "poisson" and ratio.units == 48
    assert ratio.estimate == ratio.crude == round(1 / 3, 4)
    half_width = 1.959964 * math.sqrt(1 / 3 + 1 / 1)  # Wald on log scale: 1/before + 1/after
    assert ratio.low == pytest.approx(math.exp(math.log(1 / 3) - half_width), abs=1e-4)
    assert ratio.high == pytest.approx(math.exp(math.log(1 / 3) + half_width), abs=1e-4)


def test_victims_and_the_four_or_more_definition(filled: Store) -> None:
    victims = compare(filled, "massacre", ANTIOQUIA, Y2018, Y2019, unit="victims")
    assert (victims.before.count, victims.after.count) == (10, 6)
    strict = compare(filled, "massacre-4plus", ANTIOQUIA, Y2018, Y2019, unit="incidents")
    assert strict.min_victims == 4
    assert (strict.before.count, strict.after.count) == (1, 1)
    assert strict.rate_ratio is not None and strict.rate_ratio.estimate == 1.0


def test_units_are_never_mixed(filled: Store) -> None:
    with pytest.raises(ComparisonError, match="counts in incidents, victims: choose one"):
        compare(filled, "massacre", ANTIOQUIA, Y2018, Y2019)


def test_an_uncovered_window_is_no_data_not_zero(filled: Store) -> None:
    result = compare(
        filled, "civilians", ANTIOQUIA, Y2018, Window.parse("2020:2020"), unit="victims"
    )
    assert result.after.count is None and result.after.months_covered == 0
    assert result.rate_ratio is None
    assert "after: no data (the source covers none of 12 months)" in result.notes
    partial = compare(
        filled, "massacre", ANTIOQUIA, Y2018, Window.parse("2019-07:2020-06"), unit="incidents"
    )
    assert partial.after.months_covered == 6
    assert (
        "after: the source covers 6 of 12 months; counts and rates are of the covered months"
        in partial.notes
    )


def test_territories_from_names_codes_and_a_suspended_ceasefire(filled: Store) -> None:
    assert territories(filled, names=["Antioquia"]).codes == ["05001", "05002"]
    assert territories(filled, names=["19001", "Abejorral"]).codes == ["05002", "19001"]
    with pytest.raises(ComparisonError, match="territory 'Nowhere'"):
        territories(filled, names=["Nowhere"])
    registry = load()
    on = dt.date(2024, 4, 1)  # the EMC ceasefire, suspended in Nariño, Cauca and Valle
    scope = territories(filled, registry, ceasefire="cf-emc-embf-2023-2025", on=on)
    assert "19001" not in scope.codes and "05001" in scope.codes
    assert "suspended in 19, 52, 76 left out" in scope.label
    with pytest.raises(ComparisonError, match="no scope"):
        territories(filled, registry, ceasefire="cf-emc-embf-2023-2025", on=dt.date(2020, 1, 1))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2018-01", "write FROM:TO"),
        ("2018-01-15:2018-12", "starts mid-month"),
        ("2018-01:2018-12-30", "ends mid-month"),
        ("2019:2018", "ends before it starts"),
        ("2018-13:2019", "month must be in 1..12"),
        ("2018-x:2019", "not a date"),
    ],
)
def test_windows_are_whole_months(text: str, message: str) -> None:
    with pytest.raises(ComparisonError, match=message):
        Window.parse(text)


def test_window_months() -> None:
    window = Window.parse("2023-08-01:2024-01-31")
    assert window.months == ["2023-08", "2023-09", "2023-10", "2023-11", "2023-12", "2024-01"]


# --- the estimator on synthetic panels (never shown as data) ----------------------------------


def panel(
    seed: int, ratio: float, units: int, base: float, overdispersion: float = 0.0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``units`` territory-months per window, person-years varying 100-fold; counts Poisson,
    or negative binomial (variance mu + a·mu²) when ``overdispersion`` a > 0."""
    rng = np.random.default_rng(seed)
    exposure = np.tile(rng.uniform(1_000, 100_000, units), 2)
    after = np.repeat([0, 1], units)
    mu = base * exposure * np.where(after == 1, ratio, 1.0)
    if overdispersion:
        mu = mu * rng.gamma(1 / overdispersion, overdispersion, len(mu))
    return rng.poisson(mu), exposure, after


@settings(max_examples=25, deadline=None, derandomize=True)
@given(
    seed=st.integers(0, 2**32 - 1),
    ratio=st.floats(0.3, 3.0),
    units=st.integers(50, 400),
)
def test_the_ratio_is_recovered_within_its_interval(seed: int, ratio: float, units: int) -> None:
    counts, exposure, after = panel(seed, ratio, units, base=2e-4)
    result = rate_ratio(counts, exposure, after, "population")
    assert result.low is not None and result.high is not None
    assert result.low < result.estimate < result.high
    log_se = (math.log(result.high) - math.log(result.low)) / (2 * 1.959964)
    assert abs(math.log(result.estimate) - math.log(ratio)) < 4.5 * log_se


@pytest.mark.parametrize(
    ("overdispersion", "model"), [(0.0, "poisson"), (1.0, "negative-binomial")]
)
def test_intervals_cover_the_truth_about_95_percent(overdispersion: float, model: str) -> None:
    """200 panels per scenario: the 95% interval covers the injected ratio 90-99% of the time,
    and the dispersion test picks the model the data were drawn from nearly always."""
    covered, chosen = 0, 0
    for seed in range(200):
        counts, exposure, after = panel(seed, 0.7, 60, base=1e-4, overdispersion=overdispersion)
        result = rate_ratio(counts, exposure, after, "population")
        assert result.low is not None and result.high is not None
        covered += result.low <= 0.7 <= result.high
        chosen += result.model == model
    assert 180 <= covered <= 198
    assert chosen >= 180 if model == "negative-binomial" else chosen >= 185


def test_no_event_after_is_a_zero_ratio_without_an_interval() -> None:
    result = rate_ratio([2, 3, 0, 0], [1.0, 1.0, 1.0, 1.0], [0, 0, 1, 1], "months")
    assert (result.estimate, result.low, result.high) == (0.0, None, None)


# --- the real Police homicides ------------------------------------------------------------------


@pytest.fixture(scope="module")
def police(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Store:
    from conftest import world_store

    store = world_store(
        tmp_path_factory.mktemp("compare_real") / "real.duckdb",
        shared_data / "divipola",
        shared_data / "population_dane" / "POBLACION_2018_2035.csv",
        registry=False,
    )
    gazetteer = Gazetteer.from_store(store)
    for year in (2022, 2023):
        path = shared_data / "policia_homicidios_raw" / f"homicidios_{year}.xls"
        import_file(store, "police", path, gazetteer)
    return store


@pytest.mark.shared_data
def test_cauca_homicides_2022_against_2023(police: Store, shared_data: Path) -> None:
    """Checked independently with pandas on the raw files: victims whose CODIGO DANE starts
    with 19 (2022: 873, 2023: 843) over DANE's 2018-2035 projection for Cauca's 42
    municipalities (1,516,018 and 1,528,076)."""
    import pandas as pd

    where = territories(police, names=["Cauca"])
    result = compare(
        police, "homicide", where, Window.parse("2022:2022"), Window.parse("2023:2023")
    )
    expected = {}
    for year in (2022, 2023):
        raw = pd.read_excel(
            shared_data / "policia_homicidios_raw" / f"homicidios_{year}.xls", header=9
        )
        raw.columns = [str(c).strip() for c in raw.columns]
        dated = pd.to_datetime(raw["FECHA HECHO"], errors="coerce").notna()
        cauca = raw["CODIGO DANE"].astype(str).str.strip().str.zfill(8).str[:2] == "19"
        expected[year] = int(pd.to_numeric(raw.loc[dated & cauca, "CANTIDAD"]).sum())
    population = pd.read_csv(shared_data / "population_dane" / "POBLACION_2018_2035.csv", sep=";")
    people = population[population["ID_DEPARTAMENTO"] == 19].groupby("ANNO")["POBLACION"].sum()
    assert len(where.codes) == 42
    assert (
        (result.before.count, result.after.count) == (expected[2022], expected[2023]) == (873, 843)
    )
    assert result.before.person_years == people[2022] == 1_516_018
    assert result.after.person_years == people[2023] == 1_528_076
    assert result.before.rate_per_100k_year == round(873 * 1e5 / 1_516_018, 3) == 57.585
    assert result.after.rate_per_100k_year == 55.167
    assert result.before.population_vintages == ["dane-2018-2035"]
    ratio = result.rate_ratio
    assert ratio is not None and ratio.crude == round((843 / 1_528_076) / (873 / 1_516_018), 4)
    assert ratio.model == "negative-binomial" and ratio.units == 42 * 24
    assert ratio.dispersion is not None and ratio.dispersion.p_value < 0.05
    assert ratio.low is not None and ratio.high is not None and ratio.low < 1 < ratio.high


def test_cli_compare_prints_windows_ratio_and_notes(filled: Store) -> None:
    from typer.testing import CliRunner

    from peacemonitor.cli import app

    args = ["--db", str(filled.path), "compare", "massacre", "--territory", "Antioquia"]
    args += ["--before", "2018:2018", "--after", "2019-07:2020-06", "--unit", "incidents"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    expected = (Path(__file__).parent / "data" / "comparison" / "cli_compare.txt").read_text()
    assert result.output == expected
    bad = CliRunner().invoke(app, [*args[:6], "--before", "2018", "--after", "2019:2019"])
    assert (bad.exit_code, bad.output) == (
        1,
        "error: window '2018': write FROM:TO, e.g. 2022-01:2022-12\n",
    )


def test_a_source_dated_by_year_is_compared_by_year(filled: Store) -> None:
    """A yearly table (extortion per municipality and year) must not read as zero months."""
    span = '[{"category": "extortion", "unit": "victims", "territory_level": "municipality", '
    span += '"first": "2018-01-01", "last": "2019-12-31"}]'
    with filled.write() as db:
        db.execute(
            "INSERT INTO imports (import_id, source, file_name, file_sha256, started_at, coverage) "
            "VALUES (999, 'yearly', 'yearly.csv', 'x', now(), ?)",
            [span],
        )
        for record, year, code, count in [("a", 2018, "05001", 8), ("b", 2019, "05001", 4)]:
            db.execute(
                "INSERT INTO observations (source, record_id, category, unit, count, date_first, "
                "date_precision, territory_level, territory_code, resolution) VALUES "
                "('yearly', ?, 'extortion', 'victims', ?, ?, 'year', 'municipality', ?, 'code')",
                [record, count, dt.date(year, 1, 1), code],
            )
    result = compare(filled, "extortion", ANTIOQUIA, Y2018, Y2019, source="yearly")
    assert (result.before.count, result.after.count) == (8, 4)
    assert result.before.months_covered == 12 and result.before.person_years == 2_020_000
    assert result.rate_ratio is not None and result.rate_ratio.period == "year"
    assert result.rate_ratio.units == 4 and result.rate_ratio.crude == 0.5
    assert "yearly dates some rows by year only: compared by year" in result.notes
    with pytest.raises(ComparisonError, match="by year only: compare whole years"):
        compare(
            filled,
            "extortion",
            ANTIOQUIA,
            Window.parse("2018-01:2018-06"),
            Window.parse("2019-01:2019-06"),
            source="yearly",
        )
