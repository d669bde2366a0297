"""Regional priorities on four municipalities, every percentile and weight checkable by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from analytics_fixtures import (
    massacre_store,
    registry_presence_only,  # noqa: F401 - used by pytestmark
    table,
    tiny_registry,
)
from hypothesis import given
from hypothesis import strategies as st

from peacemonitor.priorities import percentiles, priorities
from peacemonitor.registry import Registry
from peacemonitor.store import Store

pytestmark = pytest.mark.usefixtures("registry_presence_only")


@pytest.fixture
def world(tmp_path: Path) -> tuple[Store, Registry]:
    reg = tiny_registry()
    reg.tables["beta-table"] = table("beta-table", ["52"], [{"actor": "beta"}], "2023-06-01")
    return massacre_store(tmp_path, people=True), reg


def test_percentiles_share_ties() -> None:
    assert percentiles({"a": 1.0, "b": 0.0, "c": 20.0, "d": 0.0}) == {
        "a": 0.75,
        "b": 0.375,
        "c": 1.0,
        "d": 0.375,
    }


def test_municipal_ranking_2023(world: tuple[Store, Registry]) -> None:
    store, reg = world
    report = priorities(store, reg, "municipality", 2023)
    assert report.outcomes == {
        "homicide": "no data",
        "state-group": "no data",
        "group-group": "no data",
        "civilians": "massacres",
        "coercion": "no data",
    }
    got = {r.code: (r.rank, r.index, {c.name: c.score for c in r.components}) for r in report.rows}
    # massacres per 100,000 in 2023: Popayán 1, Pasto 0, Albán 20, Aldana 0
    assert got["52019"] == (
        1,
        0.775,  # (0.3·1 + 0.15·0.375 + 0.15·0.5 + 0.15·1) / 0.75
        {
            "violence": 1.0,
            "population": 0.375,
            "fragmentation": 0.5,  # alpha and beta
            "tables": 1.0,  # beta-table: beta's presence inside Nariño
            "seriousness": None,  # beta's scorecard has no data in 2023
            "implementation": None,
        },
    )
    assert [(r.code, r.index) for r in report.rows] == [
        ("52019", 0.775),
        ("52022", 0.625),
        ("52001", 0.55),
        ("19001", 0.45),
    ]


def test_weights_change_the_ranking(world: tuple[Store, Registry]) -> None:
    store, reg = world
    weights = {"violence": 0, "population": 1, "fragmentation": 0, "tables": 0}
    report = priorities(store, reg, "municipality", 2023, weights)
    assert [r.code for r in report.rows][:2] == ["52001", "19001"]  # the most populous first
    assert report.weights["population"] == 1


def test_cli_csv(world: tuple[Store, Registry], monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from peacemonitor.cli import analytics_commands as analytics
    from peacemonitor.cli import app

    store, reg = world
    monkeypatch.setattr(analytics, "_registry", lambda ctx: reg)
    args = ["--db", str(store.path), "priorities", "--level", "municipality", "--year", "2023"]
    result = CliRunner().invoke(app, [*args, "-f", "csv"])
    assert result.exit_code == 0
    assert result.output.splitlines()[:2] == [
        "rank,code,name,index,violence,population,fragmentation,tables,seriousness,implementation",
        "1,52019,ALBÁN,0.775,1,0.375,0.5,1,no data,no data",
    ]
    bad = CliRunner().invoke(app, [*args, "--weights", "speed=2"])
    assert bad.exit_code == 1


@given(st.dictionaries(st.text(min_size=1, max_size=3), st.floats(0, 1e6), min_size=1))
def test_percentiles_are_monotone_and_within_0_1(values: dict[str, float]) -> None:
    ranks = percentiles(values)
    assert set(ranks) == set(values) and all(0 < r <= 1 for r in ranks.values())
    for a in values:
        for b in values:
            if values[a] < values[b]:
                assert ranks[a] < ranks[b]
