"""Panels: coverage honoured, treatment replayed from the registry, neighbours from boundaries."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import world_store

from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.model import Category
from peacemonitor.panels import (
    CONTROL,
    NEIGHBOUR,
    TREATED,
    NoCoverage,
    Panel,
    adjacency,
    assign,
    build_panel,
    expand,
    treated_by_month,
)
from peacemonitor.registry import load
from peacemonitor.runner import import_file
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"


@pytest.fixture
def massacres(store: Store) -> Store:
    load_divipola(store, DATA / "divipola_small.csv")
    import_file(store, "massacres", DATA / "massacres_small.csv", Gazetteer.from_store(store))
    return store


def test_uncovered_months_are_absent_and_covered_ones_zero(massacres: Store) -> None:
    panel = build_panel(massacres, (Category.MASSACRE,), "massacres", ("2017-11", "2018-02"))
    assert panel.unit == "incidents"
    assert panel.months == ["2018-01", "2018-02"]
    assert panel.excluded_months == ["2017-11", "2017-12"]
    medellin = panel.frame[panel.frame["code"] == "05001"]
    assert medellin[["month", "count"]].values.tolist() == [["2018-01", 1.0], ["2018-02", 0.0]]


def test_no_coverage_is_a_named_error(massacres: Store) -> None:
    with pytest.raises(NoCoverage, match="covers no month of 2010-01..2010-12"):
        build_panel(massacres, (Category.MASSACRE,), "massacres", ("2010-01", "2010-12"))
    with pytest.raises(NoCoverage, match="no homicide observations from massacres"):
        build_panel(massacres, (Category.HOMICIDE,), "massacres", ("2018-01", "2018-02"))


def test_scope_expands_to_municipalities() -> None:
    codes = ["05001", "05088", "19001", "76001"]
    assert expand(["CO"], codes) == set(codes)
    assert expand(["19", "05088"], codes) == {"19001", "05088"}


def test_suspended_departments_leave_treatment_while_suspended() -> None:
    emc = load().ceasefires["cf-emc-embf-2023-2025"]
    codes = ["05001", "19001", "52001", "76001"]
    months = ["2023-09", "2023-11", "2024-03", "2024-04"]
    treated = treated_by_month(emc, months, codes)
    assert treated == {
        "2023-09": set(),
        "2023-11": set(codes),
        "2024-03": set(codes),  # suspended on the 17th: the 15th was still in force
        "2024-04": {"05001"},
    }
    assert treated_by_month(emc, ["2023-11"], codes, presence=["19", "05001"]) == {
        "2023-11": {"19001", "05001"}
    }


def test_roles_and_exposure() -> None:
    import pandas as pd

    frame = pd.DataFrame(
        {"code": ["a", "a", "b", "b", "c", "c"], "month": ["2024-01", "2024-02"] * 3}
    ).assign(t=[0, 1] * 3, count=0.0)
    panel = Panel(frame, "s", "events", (Category.HOMICIDE,), ["2024-01", "2024-02"])
    design = assign(panel, {"2024-01": set(), "2024-02": {"a"}}, {"a": {"b"}, "b": {"a"}})
    assert design["role"].tolist() == [TREATED] * 2 + [NEIGHBOUR] * 2 + [CONTROL] * 2
    assert design["treated"].tolist() == [0, 1, 0, 0, 0, 0]
    assert design["exposed"].tolist() == [0, 0, 0, 1, 0, 0]
    assert design["cohort"].tolist()[:2] == [1.0, 1.0]


def test_adjacency_from_the_real_boundaries(shared_data: Path, tmp_path: Path) -> None:
    store = world_store(
        tmp_path / "adjacent.duckdb",
        shared_data / "divipola" / "DIVIPOLA-_C_digos_municipios.csv",
        shared_data / "boundaries_mgn2018" / "co_2018_MGN_MPIO_POLITICO.geojson",
        boundary_detail="full",
        registry=False,
    )
    found = adjacency(store)
    assert len(found) == 1122
    assert "05088" in found["05001"] and "05001" in found["05088"]  # Medellín – Bello
    assert "11001" not in found["05001"]
    assert all(code not in near for code, near in found.items())
