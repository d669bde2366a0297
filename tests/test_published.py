"""Published vs computed, on six massacres around the government's first year (checkable by
hand: see analytics_fixtures.MASSACRES) and, when present, the real official list."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from analytics_fixtures import massacre_store, statistic, tiny_registry
from typer.testing import CliRunner

from peacemonitor.published import government_year, readings, reconcile
from peacemonitor.registry import Registry
from peacemonitor.store import Store


@pytest.fixture
def world(tmp_path: Path) -> tuple[Store, Registry]:
    reg = tiny_registry()
    for item in (
        statistic(
            id="first-year",
            indicator="massacres",
            value=3,
            unit="massacres",
            category="massacre",
            period_start="2022-08",
            period_end="2023-08",
            sources=[{"source": "src", "originally": "INDEPAZ"}],
        ),
        statistic(
            id="victims-2023",
            indicator="massacre-victims",
            value=10,
            unit="people",
            category="massacre",
            territory="52",
            period_start="2023",
            period_end="2023",
        ),
        statistic(
            id="rate-2023",
            indicator="homicide-rate",
            value=20,
            unit="homicides per 100,000 inhabitants",
            category="homicide",
            period_start="2023",
            period_end="2023",
        ),
        statistic(id="poll", indicator="poll-x", value=50, unit="percent"),
    ):
        reg.statistics[item.id] = item
    return massacre_store(tmp_path), reg


def test_government_year_runs_from_7_august() -> None:
    assert government_year(1) == (dt.date(2022, 8, 7), dt.date(2023, 8, 6))
    assert government_year(4) == (dt.date(2025, 8, 7), dt.date(2026, 8, 6))


def test_august_to_august_is_read_both_ways(world: tuple[Store, Registry]) -> None:
    store, reg = world
    assert [r[0] for r in readings(reg.statistics["first-year"])] == [
        "as published",
        "government year 1",
    ]
    rows = {r.statistic: r for r in reconcile(store, reg).rows}
    first = rows["first-year"]
    # whole months Aug 2022 – Aug 2023 hold 4 massacres; 7 Aug 2022 – 6 Aug 2023 hold 2
    assert [(c.reading, c.unit, c.value, c.difference) for c in first.computed] == [
        ("as published", "incidents", 4.0, -1.0),
        ("government year 1", "incidents", 2.0, 1.0),
    ]
    assert first.status == "computed" and first.publisher == "INDEPAZ"
    assert any(
        r.startswith("definition: the official list counts massacres of 3+") for r in first.reasons
    )
    assert any(r.startswith("period: published as August to August") for r in first.reasons)


def test_department_victims_no_data_and_not_computable(world: tuple[Store, Registry]) -> None:
    store, reg = world
    rows = {r.statistic: r for r in reconcile(store, reg).rows}
    victims = rows["victims-2023"].computed
    assert [(c.unit, c.value, c.difference) for c in victims] == [("victims", 8.0, 2.0)]  # 3 + 5
    assert rows["rate-2023"].status == "no data" and rows["rate-2023"].computed == []
    assert rows["poll"].status == "not computable"
    assert rows["poll"].reasons == ["not an observed indicator: the monitor imports no data for it"]
    assert [r.statistic for r in reconcile(store, reg, computable_only=True).rows] == [
        "rate-2023",
        "victims-2023",
        "first-year",
    ]


def test_first_year_both_ways(world: tuple[Store, Registry]) -> None:
    store, reg = world
    year = reconcile(store, reg).government_year
    assert year is not None
    assert [(r.reading, r.incidents, r.victims, r.coverage) for r in year.readings] == [
        ("government year 1", 2.0, 7.0, "full"),  # 7 Aug 2022 (4) and 6 Aug 2023 (3)
        ("calendar 2022", 3.0, 10.0, "full"),
        ("calendar 2023", 3.0, 11.0, "full"),
    ]
    assert [p.statistic for p in year.published] == ["first-year"]


def test_cli_csv(world: tuple[Store, Registry], monkeypatch: pytest.MonkeyPatch) -> None:
    from peacemonitor.cli import analytics_commands as analytics
    from peacemonitor.cli import app

    store, reg = world
    monkeypatch.setattr(analytics, "_registry", lambda ctx: reg)
    args = ["--db", str(store.path), "reconcile", "--indicator", "massacres", "--format", "csv"]
    result = CliRunner().invoke(app, args, catch_exceptions=False)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("statistic,territory,period_start,period_end,published,")
    assert [line.split(",")[9:15] for line in lines[1:]] == [
        ["as published", "massacres", "incidents", "4", "-1", "full"],
        ["government year 1", "massacres", "incidents", "2", "1", "full"],
    ]


@pytest.mark.shared_data
def test_real_official_list_first_year(shared_data: Path, tmp_path: Path) -> None:
    from conftest import world_store

    from peacemonitor.gazetteer import Gazetteer
    from peacemonitor.registry import load
    from peacemonitor.runner import import_file

    store = world_store(tmp_path / "real.duckdb", shared_data / "divipola")
    path = shared_data / "masacres_2022_2025" / "Masacres_en_Colombia_clean.csv"
    import_file(store, "massacres", path, Gazetteer.from_store(store))
    year = reconcile(store, load(), indicator="massacres").government_year
    assert year is not None
    assert [(r.reading, r.incidents, r.victims) for r in year.readings] == [
        ("government year 1", 94.0, 344.0),
        ("calendar 2022", 93.0, 340.0),  # SOURCE.md: 340 victims in 2022
        ("calendar 2023", 100.0, 333.0),  # and 333 in 2023
    ]
    assert [(p.statistic, p.published) for p in year.published] == [
        ("indepaz-massacres-first-year", 94.0)
    ]
