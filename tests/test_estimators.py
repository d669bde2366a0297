"""The estimators, proved on synthetic panels with a known truth (never shown as data)."""

from __future__ import annotations

import time

import numpy as np
import pandas as pd
import pytest

from peacemonitor import estimators as est
from peacemonitor.simulation import PANELS, SCENARIOS, Scenario, World, draw, evaluate


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_simulation(scenario: Scenario) -> None:
    """200 panels per scenario: intervals cover the truth 90–99% of the time and false
    positives stay at or under 7%; the time taken is printed (run with -s to see it)."""
    began = time.perf_counter()
    outcome = evaluate(scenario, panels=PANELS)
    print(f"\n{scenario.name}: {outcome} ({time.perf_counter() - began:.1f} s)")
    assert outcome.answered >= 0.9 * PANELS
    assert 0.90 <= outcome.coverage <= 0.99
    if scenario.truth == 1.0:
        assert outcome.rejections <= 0.07


def _design(rng: np.random.Generator, **world: object) -> pd.DataFrame:
    return draw(World(**world), rng)  # type: ignore[arg-type]


def test_a_pre_existing_divergence_fails_the_pre_trend_and_withholds_the_number() -> None:
    rng = np.random.default_rng(3)
    design = _design(rng, effect=1.0, level=2.0)
    treated = design["role"] == "treated"
    trend = np.exp(0.08 * (design["t"] - 18))  # treated rise steadily, before and after
    design.loc[treated, "count"] = rng.poisson(8 * trend[treated]).astype(float)
    study = est.event_study(design)
    assert study.pre_trend_p is not None and study.pre_trend_p < 0.05
    result = est.with_pre_trend(est.did(design), study)
    assert not result.answerable and result.rate_ratio is None
    assert result.reason is not None and result.reason.startswith("failed pre-trend")


def test_a_good_pre_period_passes_and_keeps_the_number() -> None:
    design = _design(np.random.default_rng(4), effect=0.7, level=2.0)
    study = est.event_study(design)
    result = est.with_pre_trend(est.did(design), study)
    assert study.pre_trend.startswith("passed")
    assert result.answerable and result.rate_ratio is not None
    assert result.ci_low < 0.7 < result.ci_high  # type: ignore[operator]
    assert [p.k for p in study.path] == [k for k in range(-12, 13) if k != -1]


def test_too_few_events_says_so_instead_of_a_number() -> None:
    design = _design(np.random.default_rng(5), level=-4.0)
    result = est.did(design)
    assert not result.answerable and result.rate_ratio is None
    assert result.reason is not None and result.reason.startswith("too few events")


def test_no_controls_when_the_scope_covers_everything() -> None:
    design = _design(np.random.default_rng(6), level=2.0)
    design["role"] = "treated"
    result = est.did(design)
    assert result.reason == "no control municipality: the scope covers them all"


def test_synth_runs_for_few_treated_and_refuses_many() -> None:
    design = _design(np.random.default_rng(7), effect=0.5, level=2.0, block=2)
    result = est.synth(design)
    assert result.answerable and result.units_treated == 4
    assert result.rate_ratio is not None and 0.3 < result.rate_ratio < 0.8
    many = _design(np.random.default_rng(8), block=4)
    assert est.synth(many).reason == (
        "16 treated municipalities: synthetic control is for few treated units"
    )


def test_critical_value_widens_only_with_few_treated_clusters() -> None:
    assert est.critical_value(5, 500) == pytest.approx(2.776, abs=1e-3)
    assert est.critical_value(500, 500) == pytest.approx(1.965, abs=1e-3)


def test_its_carries_its_fit_and_the_counterfactual_without_the_ceasefire() -> None:
    design = _design(np.random.default_rng(9), effect=0.5, level=2.0)
    start = est.its(design)[0]
    treated = design[design["role"] == "treated"]
    observed = treated.groupby("t")["count"].sum()
    assert [p.month for p in start.fit] == [est.month_label(int(t)) for t in observed.index]
    assert [p.observed for p in start.fit] == [float(v) for v in observed]
    on = [p for p in start.fit if p.share > 0]
    off = [p for p in start.fit if p.share == 0 and p.month < on[0].month]
    # before the start the model and its counterfactual are the same curve
    assert all(abs(p.fitted - p.counterfactual) < 1e-9 * p.fitted for p in off)
    # while it applies, their ratio is the level change the estimate reports (slope aside)
    first = on[0]
    assert first.fitted / first.counterfactual == pytest.approx(start.rate_ratio, rel=0.2)
    # a Poisson-family fit with a constant reproduces the total it was fitted on
    assert sum(p.fitted for p in start.fit) == pytest.approx(float(observed.sum()), rel=0.02)
    assert est.month_label(2024 * 12 + 2) == "2024-03"


def test_a_refused_its_carries_no_fit() -> None:
    design = _design(np.random.default_rng(5), level=-4.0)
    assert [e.fit for e in est.its(design)] == [[]]
