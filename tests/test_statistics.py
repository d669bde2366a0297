"""Published statistics: filtered in period order, shown with statement, place and source."""

from __future__ import annotations

import pytest

from peacemonitor.registry import Registry, load
from peacemonitor.statistics import list_statistics, statistic_view


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load()


def test_filters_keep_period_order(registry: Registry) -> None:
    found = list_statistics(registry, indicator="social-leaders-killed", territory="19")
    assert found and {s.territory for s in found} == {"19"}
    starts = [str(s.period_start) for s in found]
    assert starts == sorted(starts)


def test_a_departmental_figure_names_its_department(registry: Registry) -> None:
    view = statistic_view(
        registry.statistics["insightcrime-homicide-rate-2023-cauca"], registry, {"19": "CAUCA"}
    )
    assert (view.territory, view.territory_name, view.period) == ("19", "CAUCA", "2023")
    assert view.statement.startswith("Cauca had a homicide rate of 53.3 per 100,000 in 2023")
    assert view.unverified is False


def test_an_unverified_second_hand_figure_says_so(registry: Registry) -> None:
    view = statistic_view(registry.statistics["statista-homicide-rate-2024"], registry)
    assert (view.qualifier, view.unverified, view.territory_name) == ("about", True, "Colombia")


def test_a_period_runs_from_start_to_end(registry: Registry) -> None:
    view = statistic_view(
        registry.statistics["somos-defensores-defenders-killed-2016-2023"], registry
    )
    assert view.period == "2016..2023-11"
    assert view.source.startswith(registry.sources[view_source_id(registry)].publisher)


def view_source_id(registry: Registry) -> str:
    return registry.statistics["somos-defensores-defenders-killed-2016-2023"].sources[0].source
