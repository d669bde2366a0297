"""Spillover event study on a suspension and two other tables, checkable by hand."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from analytics_fixtures import (
    massacre_store,
    registry_presence_only,  # noqa: F401 - used by pytestmark
    table,
    tiny_registry,
)

from peacemonitor.registry import Registry
from peacemonitor.spillover import break_events, spillover
from peacemonitor.store import Store

ROWS = """FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS
2024/04/01,19,CAUCA,19001,POPAYAN,1,3
2024/05/10,52,NARIÑO,52019,ALBAN,1,3
2024/06/15,52,NARIÑO,52019,ALBAN,1,3
2024/06/20,52,NARIÑO,52022,ALDANA,1,4
2024/08/31,19,CAUCA,19001,POPAYAN,1,3
"""

pytestmark = pytest.mark.usefixtures("registry_presence_only")


@pytest.fixture
def world(tmp_path: Path) -> tuple[Store, Registry]:
    reg = tiny_registry()
    # beta-table's area: beta's presence (Albán, Aldana) inside Nariño; gamma's: its scope
    reg.tables["beta-table"] = table("beta-table", ["52"], [{"actor": "beta"}])
    reg.tables["gamma-table"] = table(
        "gamma-table", ["19001"], [{"actor": "gov", "role": "government"}]
    )
    return massacre_store(tmp_path, ROWS), reg


def test_events_are_changes_into_suspension() -> None:
    events = break_events(tiny_registry().tables["alpha-table"])
    assert [(e.date, e.status) for e, _ in events] == [("2024-06-10", "suspended")]


def test_series_and_estimate(world: tuple[Store, Registry]) -> None:
    store, reg = world
    result = spillover(store, reg, "alpha-table", outcome="massacre", window=1)
    assert (result.source, result.unit, result.status) == ("massacres", "incidents", "estimated")
    series = {s.other_table: s for s in result.series}
    assert [(p.month, p.count) for p in series["beta-table"].points] == [
        ("2024-05", 1.0),
        ("2024-06", 2.0),
        ("2024-07", 0.0),
    ]
    assert (series["beta-table"].municipalities, series["gamma-table"].municipalities) == (2, 1)
    assert (series["beta-table"].before_mean, series["beta-table"].after_mean) == (1.0, 1.0)
    # two-way fixed effects on a balanced panel: the mean change from month -1 across series
    coefficients = {c.relative_month: c.estimate for c in result.coefficients}
    assert coefficients == {
        0: round((math.log(3) - math.log(2)) / 2, 4),
        1: round((0 - math.log(2)) / 2, 4),
    }


def test_no_data_outside_coverage(world: tuple[Store, Registry]) -> None:
    store, reg = world
    result = spillover(store, reg, "alpha-table", outcome="massacre", window=3)
    assert [s.no_data_months for s in result.series] == [2, 2]  # March and September 2024
    assert spillover(store, reg, "alpha-table", outcome="homicide").status == "no data"


def test_cli_table(world: tuple[Store, Registry], monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from peacemonitor.cli import analytics_commands as analytics
    from peacemonitor.cli import app

    store, reg = world
    monkeypatch.setattr(analytics, "_registry", lambda ctx: reg)
    args = ["--db", str(store.path), "spillover", "alpha-table", "--outcome", "massacre"]
    result = CliRunner().invoke(app, [*args, "--window", "1", "--format", "csv"])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "relative_month,estimate,std_error,ci_low,ci_high"
    assert [line.split(",")[:2] for line in result.output.splitlines()[1:]] == [
        ["0", "0.2027"],
        ["1", "-0.3466"],
    ]
