"""Benchmark: each ceasefire-effect method over ~1M observations, against a plain pandas +
statsmodels version of the same estimate in the same run (a script, not a test).

Usage: python bench/bench_effects.py [observations]

Synthetic observations (never shown as data): 1,121 municipalities × 48 months, a treated block of
300 municipalities from month 24 with a true rate ratio of 0.8. Steps timed: aggregating the
observations into the municipality × month panel (DuckDB, as `panels.build_panel` does, vs pandas
groupby), then each estimator (pyfixest / statsmodels as in `estimators`, vs statsmodels GLM with
dummy fixed effects). Prints seconds and the ratio baseline / ours.

Measured 30 Nov 2026 on the shared 2-core machine (1M observations): panel 0.06 s (pandas 0.05);
its 0.01 s (statsmodels 0.01); did 0.74 s (statsmodels GLM with dummies 186 s, ratio 253, same
rate ratio 0.8023); event study 2.08 s; stacked 0.14 s; spillover 0.07 s. Every method but the
event study is under 2 s; no baseline is run for the event study, stacked and spillover (they are
the DiD baseline with more dummies).
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import statsmodels.api as sm
import statsmodels.formula.api as smf

from peacemonitor import estimators as est

UNITS, MONTHS, TREATED, START = 1121, 48, 300, 24


def observations(n: int, rng: np.random.Generator) -> pd.DataFrame:
    level = rng.normal(0, 1, UNITS)
    cell = np.exp(level[:, None] + 0.2 * np.sin(np.arange(MONTHS) / 12 * 2 * np.pi)[None, :])
    cell[:TREATED, START:] *= 0.8
    weights = (cell / cell.sum()).ravel()
    picks = rng.choice(UNITS * MONTHS, size=n, p=weights)
    return pd.DataFrame({"code": (picks // MONTHS).astype(str), "t": picks % MONTHS})


def panel_duckdb(obs: pd.DataFrame) -> pd.DataFrame:
    counts = duckdb.sql("SELECT code, t, count(*) AS count FROM obs GROUP BY ALL").df()
    grid = pd.MultiIndex.from_product(
        [[str(i) for i in range(UNITS)], range(MONTHS)], names=["code", "t"]
    ).to_frame(index=False)
    return grid.merge(counts, how="left", on=["code", "t"]).fillna({"count": 0.0})


def panel_pandas(obs: pd.DataFrame) -> pd.DataFrame:
    counts = obs.groupby(["code", "t"]).size().rename("count")
    index = pd.MultiIndex.from_product([[str(i) for i in range(UNITS)], range(MONTHS)])
    return (
        counts.reindex(index, fill_value=0).astype(float).rename_axis(["code", "t"]).reset_index()
    )


def design(panel: pd.DataFrame) -> pd.DataFrame:
    code = panel["code"].astype(int)
    treated_unit = code < TREATED
    near = (code >= TREATED) & (code < TREATED + 100)
    panel = panel.assign(
        role=np.where(treated_unit, "treated", np.where(near, "neighbour", "control")),
        cohort=np.where(treated_unit, float(START), np.nan),
        treated=(treated_unit & (panel["t"] >= START)).astype(int),
        exposed=(near & (panel["t"] >= START)).astype(int),
        month=panel["t"].map(lambda t: f"{2000 + t // 12}-{t % 12 + 1:02d}"),
    )
    return panel


def baseline_did(frame: pd.DataFrame) -> float:
    frame = frame[frame["role"].isin(["treated", "control"])]
    frame = frame[frame.groupby("code")["count"].transform("sum") > 0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fit = smf.glm(
            "count ~ treated + C(code) + C(t)", data=frame, family=sm.families.Poisson()
        ).fit(cov_type="cluster", cov_kwds={"groups": frame["code"].astype(int)})
    return float(np.exp(fit.params["treated"]))


def baseline_its(frame: pd.DataFrame) -> float:
    series = frame[frame["role"] == "treated"].groupby("t")["count"].sum().reset_index()
    series["after"] = (series["t"] >= START).astype(float)
    series["moy"] = series["t"] % 12
    fit = smf.glm("count ~ t + C(moy) + after", data=series, family=sm.families.Poisson()).fit(
        cov_type="HAC", cov_kwds={"maxlags": 3}
    )
    return float(np.exp(fit.params["after"]))


def timed(function: Callable[[], Any]) -> tuple[float, Any]:
    began = time.perf_counter()
    value = function()
    return time.perf_counter() - began, value


def main(argv: list[str]) -> int:
    n = int(argv[0]) if argv else 1_000_000
    obs = observations(n, np.random.default_rng(1))
    rows = []
    ours, panel = timed(lambda: panel_duckdb(obs))
    base, _ = timed(lambda: panel_pandas(obs))
    rows.append(("panel (aggregate 1M observations)", ours, base, ""))
    frame = design(panel)
    timed(lambda: est.did(frame.head(2000)))  # compile pyfixest's numba kernels once
    for name, ours_fn, base_fn in (
        ("its", lambda: est.its(frame)[0].rate_ratio, lambda: baseline_its(frame)),
        ("did", lambda: est.did(frame).rate_ratio, lambda: baseline_did(frame)),
        ("event-study", lambda: est.event_study(frame).pre_trend_p, None),
        ("stacked", lambda: est.stacked(frame).rate_ratio, None),
        ("spillover", lambda: est.spillover(frame).rate_ratio, None),
    ):
        ours, value = timed(ours_fn)
        base, check = timed(base_fn) if base_fn else (float("nan"), None)
        rows.append(
            (name, ours, base, f"ours {value:.4f}" + (f", baseline {check:.4f}" if check else ""))
        )
    print(f"{n:,} observations, {UNITS} municipalities x {MONTHS} months")
    print(f"{'step':38} {'ours s':>8} {'baseline s':>11} {'ratio':>7}  values")
    for name, ours, base, note in rows:
        ratio = base / ours if base == base else float("nan")
        print(f"{name:38} {ours:8.2f} {base:11.2f} {ratio:7.1f}  {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
