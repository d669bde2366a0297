"""Estimators of a ceasefire's effect on monthly counts, each built on the field's libraries.

Every estimator takes a *design*: the panel frame of ``panels.assign`` — one row per municipality
(``code``) and month (``t``) with ``count``, ``treated`` (0/1 that month), ``role`` (treated,
neighbour, control), ``cohort`` (first treated month) and ``exposed`` (a neighbour while a bordering
municipality was treated). All effects are **rate ratios**: 0.8 means 20% fewer events than the
comparison implies. What each assumes, and when not to trust it, is in docs/methods.md.

- ``its``: interrupted time series on the treated municipalities' monthly total — statsmodels GLM
  Poisson (negative binomial when overdispersed) with trend and month-of-year seasonality, level
  and slope changes at the start and at the end, HAC errors.
- ``did``: two-way fixed-effects Poisson (pyfixest ``fepois``; municipality and month effects,
  errors clustered by municipality), treated versus controls, neighbours excluded.
- ``event_study``: the same model with leads and lags of the first treated month; leads jointly
  Wald-tested (the pre-trend test every other panel result reports).
- ``stacked``: stacked difference-in-differences (Cengiz et al. 2019; Wing, Freedman & Hollingsworth
  2024): one sub-panel per start month with never-treated controls only, so staggered starts are
  never compared with already-treated units (the bias of TWFE shown by Goodman-Bacon 2021).
- ``spillover``: ``did`` with neighbours as the exposed group against the same controls.
- ``synth``: synthetic control (pysyncon) for few treated municipalities, placebo-in-space p-value.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from peacemonitor.panels import CONTROL, NEIGHBOUR, TREATED

if TYPE_CHECKING:
    import pandas as pd

Z95 = 1.959964
POWER_Z = Z95 + 0.841621  # two-sided 5% test, 80% power
MIN_EVENTS = 20
MIN_PRE_MONTHS = 12
PRE_TREND_ALPHA = 0.05
EVENT_WINDOW = 12
SYNTH_MAX_TREATED = 10
SYNTH_DONORS = 40


class EventTime(BaseModel):
    """One lead or lag of an event study: months since the first treated month."""

    k: int = Field(description="months relative to the first treated month (-1 is the reference)")
    rate_ratio: float
    ci_low: float
    ci_high: float


class FitPoint(BaseModel):
    """One month of an interrupted time series: what was counted, what the model fits, and what
    it predicts had the ceasefire never begun (its start and end terms set to zero)."""

    month: str = Field(description="YYYY-MM")
    observed: float = Field(description="events counted in the treated municipalities")
    fitted: float = Field(description="the fitted model's expected count")
    counterfactual: float = Field(description="expected count without the ceasefire's terms")
    share: float = Field(description="share of treated municipalities under it that month (0-1)")


class Estimate(BaseModel):
    """One estimator's answer, or why it cannot give one."""

    method: str = Field(
        description="its-start, its-end, did, event-study, stacked, spillover, synth"
    )
    estimand: str
    answerable: bool
    reason: str | None = Field(default=None, description="why no number, when answerable is false")
    rate_ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    pre_trend_p: float | None = Field(default=None, description="joint Wald test of the leads")
    pre_trend: str = "not tested"
    units_treated: int = 0
    units_comparison: int = 0
    months: int = 0
    events: float = Field(default=0.0, description="events (in the unit counted) used")
    mde: float | None = Field(
        default=None, description="smallest fall (as a share) detectable at 5% with 80% power"
    )
    model: str = ""
    path: list[EventTime] = []
    fit: list[FitPoint] = Field(
        default=[], description="its-start only: the monthly series, fitted and counterfactual"
    )


def _exp(value: float) -> float:
    return math.exp(max(min(value, 700.0), -700.0))


def _ratio(coef: float, se: float, critical: float = Z95) -> dict[str, float]:
    return {
        "rate_ratio": _exp(coef),
        "ci_low": _exp(coef - critical * se),
        "ci_high": _exp(coef + critical * se),
        "mde": 1 - _exp(-(critical + POWER_Z - Z95) * se),
    }


def critical_value(treated_clusters: int, control_clusters: int) -> float:
    """The 97.5% point of Student's t with min(G_treated, G_control) − 1 degrees of freedom:
    clustered errors are too small when few clusters are treated (Donald & Lang 2007; Conley &
    Taber 2011), and this widens the interval exactly then, leaving large panels at ≈ 1.96."""
    from scipy import stats

    df = max(min(treated_clusters, control_clusters) - 1, 1)
    return float(stats.t.ppf(0.975, df))


def refuse(method: str, estimand: str, reason: str, **counts: Any) -> Estimate:
    """An estimate that says why the data cannot answer instead of printing a number."""
    return Estimate(method=method, estimand=estimand, answerable=False, reason=reason, **counts)


# --- difference in differences -----------------------------------------------------------------


def _informative(frame: pd.DataFrame) -> pd.DataFrame:
    """Drop units with no event in the window: their fixed effect is −∞ and they carry nothing."""
    totals = frame.groupby("code")["count"].transform("sum")
    return frame[totals > 0]


@dataclass(frozen=True)
class _Fit:
    coef: float
    se: float
    p: float


def _fepois(frame: pd.DataFrame, formula: str, term: str) -> _Fit | None:
    import pyfixest as pf

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = pf.fepois(formula, data=frame, vcov={"CRV1": "code"}, copy_data=False)
        except Exception:  # noqa: BLE001 - a failed fit is reported as "cannot answer"
            return None
    tidy = fit.tidy()
    if term not in tidy.index or not math.isfinite(tidy.loc[term, "Std. Error"]):
        return None
    row = tidy.loc[term]
    return _Fit(float(row["Estimate"]), float(row["Std. Error"]), float(row["Pr(>|t|)"]))


def _sizes(frame: pd.DataFrame, exposed_role: str) -> dict[str, Any]:
    roles = frame.groupby("role")["code"].nunique()
    return {
        "units_treated": int(roles.get(exposed_role, 0)),
        "units_comparison": int(roles.get(CONTROL, 0)),
        "months": int(frame["t"].nunique()),
        "events": float(frame.loc[frame["role"] == exposed_role, "count"].sum()),
    }


def _contrast(
    design: pd.DataFrame, method: str, estimand: str, exposed_role: str, column: str, fe: str
) -> Estimate:
    frame = _informative(design[design["role"].isin([exposed_role, CONTROL])])
    sizes = _sizes(frame, exposed_role)
    if not sizes["units_treated"]:
        return refuse(method, estimand, f"no {exposed_role} municipality with events", **sizes)
    if not sizes["units_comparison"]:
        return refuse(
            method, estimand, "no control municipality: the scope covers them all", **sizes
        )
    if sizes["events"] < MIN_EVENTS:
        return refuse(method, estimand, f"too few events ({sizes['events']:g})", **sizes)
    fit = _fepois(frame, f"count ~ {column} | {fe}", column)
    if fit is None:
        return refuse(method, estimand, "the model could not be estimated", **sizes)
    critical = critical_value(sizes["units_treated"], sizes["units_comparison"])
    model = (
        f"pyfixest fepois, {fe.replace('+', 'and')} fixed effects, errors clustered by code, "
        f"t critical value {critical:.2f}"
    )
    return Estimate(
        method=method,
        estimand=estimand,
        answerable=True,
        p_value=fit.p,
        model=model,
        **_ratio(fit.coef, fit.se, critical),
        **sizes,
    )


def did(design: pd.DataFrame) -> Estimate:
    """Two-way fixed-effects Poisson: treated months against controls (neighbours left out)."""
    return _contrast(
        design,
        "did",
        "rate ratio in treated municipalities while the ceasefire applied, against controls",
        TREATED,
        "treated",
        "code + t",
    )


def spillover(design: pd.DataFrame) -> Estimate:
    """Neighbours while a bordering municipality was treated, against the same controls."""
    return _contrast(
        design,
        "spillover",
        "rate ratio in neighbouring municipalities while the ceasefire applied next door",
        NEIGHBOUR,
        "exposed",
        "code + t",
    )


def stacked(design: pd.DataFrame, window: int = EVENT_WINDOW) -> Estimate:
    """Stacked DiD: one sub-panel per cohort, never-treated controls, cohort-specific effects."""
    import pandas as pd

    controls = design[design["role"] == CONTROL]
    stacks = []
    for cohort, group in design[design["role"] == TREATED].groupby("cohort"):
        span = (group["t"] >= cohort - window) & (group["t"] <= cohort + window)
        near = (controls["t"] >= cohort - window) & (controls["t"] <= cohort + window)
        stacks.append(pd.concat([group[span], controls[near]]).assign(stack=int(cohort)))
    if not stacks:
        return refuse("stacked", "stacked rate ratio", "no treated municipality")
    frame = pd.concat(stacks, ignore_index=True)
    frame["code"] = frame["code"].astype(str) + ":" + frame["stack"].astype(str)
    estimate = _contrast(
        frame,
        "stacked",
        f"rate ratio while treated, cohorts stacked (±{window} months) with never-treated controls",
        TREATED,
        "treated",
        "code + t^stack",
    )
    estimate.units_treated = int(design.loc[design["role"] == TREATED, "code"].nunique())
    return estimate


# --- event study -------------------------------------------------------------------------------


def _relative(design: pd.DataFrame, window: int) -> pd.DataFrame:
    frame = _informative(design[design["role"].isin([TREATED, CONTROL])]).copy()
    rel = (frame["t"] - frame["cohort"]).clip(-window, window)
    frame["rel"] = rel.fillna(-1).astype(int)
    return frame


def event_study(design: pd.DataFrame, window: int = EVENT_WINDOW) -> Estimate:
    """Leads and lags of the first treated month (ends binned); leads jointly Wald-tested."""
    import pyfixest as pf

    estimand = f"rate ratio k months from the first treated month (k = -{window}..{window})"
    frame = _relative(design, window)
    sizes = _sizes(frame, TREATED)
    if not sizes["units_treated"] or not sizes["units_comparison"]:
        return refuse("event-study", estimand, "needs treated and control municipalities", **sizes)
    if sizes["events"] < MIN_EVENTS:
        return refuse("event-study", estimand, f"too few events ({sizes['events']:g})", **sizes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = pf.fepois("count ~ i(rel, ref=-1) | code + t", data=frame, vcov={"CRV1": "code"})
            tidy = fit.tidy()
        except Exception:  # noqa: BLE001
            return refuse("event-study", estimand, "the model could not be estimated", **sizes)
    ks = [int(float(name.split("::")[-1].rstrip("]"))) for name in tidy.index]
    path = [
        EventTime(k=k, **{key: v for key, v in _ratio(c, s).items() if key != "mde"})
        for k, c, s in zip(ks, tidy["Estimate"], tidy["Std. Error"], strict=True)
        if math.isfinite(s)
    ]
    pre_p = _lead_test(frame)
    return Estimate(
        method="event-study",
        estimand=estimand,
        answerable=True,
        pre_trend_p=pre_p,
        pre_trend=_pre_trend_text(pre_p),
        model="pyfixest fepois, i(rel, ref=-1), code and month fixed effects, clustered by code",
        path=path,
        **sizes,
    )


def _lead_test(frame: pd.DataFrame) -> float | None:
    """Joint Wald test that the leads are zero, on leads binned (−12..−10, −9..−6, −5..−2; −1
    the reference; every month from the start one term): twelve monthly leads cannot be
    tested jointly with errors clustered on a handful of treated municipalities. The statistic is
    referred to F(q, min(G_treated, G_control) − 1), like the intervals' critical values."""
    import numpy as np
    import pyfixest as pf
    from scipy import stats

    rel = frame["rel"]
    frame = frame.assign(lead=((rel + 1) // 4).where(rel < -1, 0).astype(int))
    frame["after"] = (frame["rel"] >= 0).astype(int)
    if frame["lead"].nunique() < 2:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = pf.fepois(
                "count ~ i(lead, ref=0) + after | code + t", data=frame, vcov={"CRV1": "code"}
            )
            names = list(fit.tidy().index)
            leads = [i for i, name in enumerate(names) if name.startswith("lead::")]
            restriction = np.zeros((len(leads), len(names)))
            restriction[range(len(leads)), leads] = 1
            test = fit.wald_test(R=restriction, distribution="chi2")
        except Exception:  # noqa: BLE001
            return None
    treated = frame.loc[frame["cohort"].notna(), "code"].nunique()
    controls = frame.loc[frame["cohort"].isna(), "code"].nunique()
    df = max(min(treated, controls) - 1, 1)
    p = float(stats.f.sf(float(test["statistic"]) / len(leads), len(leads), df))
    return p if math.isfinite(p) else None


def _pre_trend_text(p: float | None) -> str:
    if p is None:
        return "not tested: no lead months"
    verdict = "failed" if p < PRE_TREND_ALPHA else "passed"
    return f"{verdict} (joint Wald test of the leads, p = {p:.3f})"


def with_pre_trend(estimate: Estimate, study: Estimate) -> Estimate:
    """Attach the event study's pre-trend test; withhold the number when the test fails."""
    estimate.pre_trend_p, estimate.pre_trend = study.pre_trend_p, study.pre_trend
    if estimate.answerable and study.pre_trend_p is not None:
        if study.pre_trend_p < PRE_TREND_ALPHA:
            estimate.answerable = False
            estimate.reason = (
                "failed pre-trend: treated and control municipalities already diverged before "
                f"the start (p = {study.pre_trend_p:.3f}), so the comparison is not credible"
            )
            estimate.rate_ratio = estimate.ci_low = estimate.ci_high = None
    return estimate


# --- interrupted time series -------------------------------------------------------------------


def _its_matrix(series: pd.DataFrame) -> tuple[pd.DataFrame, int | None, int | None]:
    """Trend, month-of-year, and the start and end terms, for the treated units' total."""
    import pandas as pd

    on = series["share"] > 0
    start = int(series.loc[on, "t"].min()) if on.any() else None
    stop = int(series.loc[on, "t"].max()) if on.any() else None
    t = series["t"] - series["t"].min()
    X = pd.DataFrame({"const": 1.0, "trend": t / 12.0}, index=series.index)
    months = pd.get_dummies(
        (series["t"] % 12).astype(int), prefix="m", drop_first=True, dtype=float
    )
    X = X.join(months)
    if start is not None:
        X["level_start"] = series["share"]
        X["slope_start"] = ((series["t"] - start).clip(lower=0) / 12.0) * (series["t"] <= stop)
        after = (series["t"] > stop).astype(float)
        if after.sum() >= 3:
            X["level_end"] = after
            X["slope_end"] = (series["t"] - stop).clip(lower=0) / 12.0
        else:
            stop = None
    return X, start, stop


@dataclass(frozen=True)
class _Series:
    params: Any
    bse: Any
    pvalues: Any
    df: int


def _its_fit(y: Any, X: pd.DataFrame) -> tuple[_Series, str]:
    """Poisson GLM, or negative binomial when the Poisson's Pearson χ²/df exceeds 1.5. Errors:
    the larger of Newey–West HAC (small-sample corrected) and the model-based (quasi-Poisson)
    ones — HAC alone is too small on a few dozen months, as the simulation showed."""
    import statsmodels.api as sm

    lags = max(1, int(4 * (len(y) / 100) ** (2 / 9)))
    hac = {"cov_type": "HAC", "cov_kwds": {"maxlags": lags, "use_correction": True}}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        glm = sm.GLM(y, X, family=sm.families.Poisson())
        quasi = glm.fit(scale="X2")
        dispersion = float(quasi.scale)
        if dispersion <= 1.5:
            robust, plain = glm.fit(**hac), quasi
            name = f"statsmodels GLM Poisson (Pearson dispersion {dispersion:.2f})"
        else:
            model = sm.NegativeBinomial(y, X)
            robust = model.fit(disp=0, maxiter=200, **hac)
            plain = model.fit(disp=0, maxiter=200)
            name = f"statsmodels negative binomial (Pearson dispersion {dispersion:.1f})"
    bse = plain.bse.combine(robust.bse, max)
    df = max(int(len(y) - X.shape[1]), 1)
    pvalues = 2 * _t_sf((plain.params / bse).abs(), df)
    series = _Series(plain.params, bse, pvalues, df)
    return series, name + f", larger of HAC ({lags} lags) and model errors, t({df})"


def _t_sf(values: Any, df: int) -> Any:
    from scipy import stats

    return values.map(lambda v: float(stats.t.sf(v, df)))


def its(design: pd.DataFrame) -> list[Estimate]:
    """Level change at the start (and at the end, when it ended inside the window)."""
    treated = design[design["role"] == TREATED]
    series = treated.groupby("t").agg(count=("count", "sum"), share=("treated", "mean"))
    series = series.reset_index()
    sizes = {
        "units_treated": int(treated["code"].nunique()),
        "months": len(series),
        "events": float(series["count"].sum()),
    }
    estimand = "rate ratio of the level change when the ceasefire began, against the pre-trend"
    if series.empty or not (series["share"] > 0).any():
        return [refuse("its-start", estimand, "the ceasefire applied in no covered month", **sizes)]
    X, start, stop = _its_matrix(series)
    pre = int((series["t"] < start).sum())
    if pre < MIN_PRE_MONTHS:
        return [refuse("its-start", estimand, f"only {pre} covered months before it", **sizes)]
    if sizes["events"] < MIN_EVENTS:
        return [refuse("its-start", estimand, f"too few events ({sizes['events']:g})", **sizes)]
    fit, name = _its_fit(series["count"].to_numpy(), X)
    results = [_its_term(fit, "level_start", "its-start", estimand, name, sizes)]
    if results[0].answerable:
        results[0].fit = fit_points(series, X, fit.params)
    if stop is not None:
        end = "rate ratio of the level change when it ended, against its trend while in force"
        results.append(_its_term(fit, "level_end", "its-end", end, name, sizes))
    return results


INTERVENTION_TERMS = ("level_start", "slope_start", "level_end", "slope_end")


def month_label(t: int) -> str:
    """A running month number (``panels.month_index``) back to "YYYY-MM"."""
    return f"{t // 12:04d}-{t % 12 + 1:02d}"


def fit_points(series: pd.DataFrame, X: pd.DataFrame, params: Any) -> list[FitPoint]:
    """The fitted series and its counterfactual: the same model with every start and end term
    at zero — the pre-period trend and seasonality carried on, as the estimate assumes."""
    import numpy as np

    coefs = np.asarray([float(params[c]) for c in X.columns])
    without = X.copy()
    for term in INTERVENTION_TERMS:
        if term in without:
            without[term] = 0.0
    fitted = np.exp(np.clip(X.to_numpy(dtype=float) @ coefs, -700, 700))
    counterfactual = np.exp(np.clip(without.to_numpy(dtype=float) @ coefs, -700, 700))
    return [
        FitPoint(
            month=month_label(int(t)),
            observed=float(count),
            fitted=float(f),
            counterfactual=float(c),
            share=float(share),
        )
        for t, count, share, f, c in zip(
            series["t"], series["count"], series["share"], fitted, counterfactual, strict=True
        )
    ]


def _its_term(
    fit: _Series, term: str, method: str, estimand: str, name: str, sizes: dict[str, Any]
) -> Estimate:
    from scipy import stats

    coef, se = float(fit.params[term]), float(fit.bse[term])
    if not math.isfinite(se) or se <= 0:
        return refuse(method, estimand, "the model could not be estimated", **sizes)
    return Estimate(
        method=method,
        estimand=estimand,
        answerable=True,
        p_value=float(fit.pvalues[term]),
        pre_trend="not applicable: the counterfactual is the extrapolated pre-period trend",
        model=name + "; trend and month-of-year terms",
        **_ratio(coef, se, float(stats.t.ppf(0.975, fit.df))),
        **sizes,
    )


# --- synthetic control -------------------------------------------------------------------------


def synth(design: pd.DataFrame) -> Estimate:
    """Synthetic control of the treated municipalities' mean (pysyncon), for few treated units;
    significance by the rank of its post/pre error ratio among placebo donors."""
    estimand = "rate ratio of treated to synthetic-control counts while the ceasefire applied"
    treated = design[design["role"] == TREATED]
    n = int(treated["code"].nunique())
    if not n:
        return refuse("synth", estimand, "no treated municipality")
    if n > SYNTH_MAX_TREATED:
        return refuse(
            "synth",
            estimand,
            f"{n} treated municipalities: synthetic control is for few treated units",
            units_treated=n,
        )
    wide = _synth_wide(design, treated)
    if wide is None:
        return refuse("synth", estimand, "too few pre-period months or donors", units_treated=n)
    pre, post = wide
    ratio, p, weights = _synth_fit(pre, post)
    events = float(treated["count"].sum())
    if ratio is None:
        return refuse(
            "synth", estimand, "the synthetic control predicts no events", units_treated=n
        )
    return Estimate(
        method="synth",
        estimand=estimand,
        answerable=True,
        rate_ratio=ratio,
        p_value=p,
        pre_trend="not applicable: fit judged by pre-period error",
        units_treated=n,
        units_comparison=weights,
        months=len(pre) + len(post),
        events=events,
        model="pysyncon Synth on monthly counts; placebo-in-space p-value; no interval",
    )


def _synth_wide(design: pd.DataFrame, treated: pd.DataFrame) -> tuple[Any, Any] | None:
    start = treated.loc[treated["treated"] == 1, "t"].min()
    on = set(treated.loc[treated["treated"] == 1, "t"])
    controls = design[design["role"] == CONTROL]
    wide = controls.pivot_table(index="t", columns="code", values="count", aggfunc="sum")
    wide["__treated__"] = treated.groupby("t")["count"].mean()
    pre_rows = wide.index < start
    if pre_rows.sum() < MIN_PRE_MONTHS or wide.shape[1] < 6:
        return None
    level = wide.loc[pre_rows, "__treated__"].mean()
    donors = (wide.loc[pre_rows].drop(columns="__treated__").mean() - level).abs()
    keep = list(donors.nsmallest(SYNTH_DONORS).index) + ["__treated__"]
    wide = wide[keep]
    return wide.loc[pre_rows], wide.loc[wide.index.isin(on)]


def _synth_fit(pre: pd.DataFrame, post: pd.DataFrame) -> tuple[float | None, float | None, int]:
    import numpy as np

    ratios, target = [], None
    for unit in ["__treated__", *[c for c in pre.columns if c != "__treated__"][:20]]:
        weights = _synth_weights(pre, unit)
        donors = [c for c in pre.columns if c not in (unit, "__treated__")]
        fitted_pre, fitted_post = pre[donors] @ weights, post[donors] @ weights
        rmse_pre = float(np.sqrt(((pre[unit] - fitted_pre) ** 2).mean()))
        rmse_post = float(np.sqrt(((post[unit] - fitted_post) ** 2).mean()))
        ratios.append(rmse_post / max(rmse_pre, 1e-9))
        if unit == "__treated__":
            expected = float(fitted_post.sum())
            target = float(post[unit].sum()) / expected if expected > 0 else None
            used = int((weights > 1e-3).sum())
    p = float(np.mean([r >= ratios[0] for r in ratios]))
    return target, p, used


def _synth_weights(pre: pd.DataFrame, unit: str) -> Any:
    import numpy as np
    import pandas as pd
    from pysyncon import Synth

    donors = [c for c in pre.columns if c not in (unit, "__treated__")]
    Z0, Z1 = pre[donors], pre[unit]
    model = Synth()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # the predictors are the pre-period months themselves, equally weighted (custom V):
        # the weights minimise the pre-period error, and the outer Nelder–Mead search over V,
        # which cost minutes per fit, is not needed
        model.fit(X0=Z0, X1=Z1, Z0=Z0, Z1=Z1, custom_V=np.ones(len(Z0)))
    weights = model.W
    return pd.Series(weights, index=donors).fillna(0.0).to_numpy()
