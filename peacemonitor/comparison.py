"""Compare an outcome between two windows over a set of territories: counts, rates, rate ratio.

"Did violence fall where the ceasefire applied?" starts with this comparison, done honestly:

- one source at a time (sources are never summed), one unit (incidents or victims, never both);
- months a source does not cover are "no data", never 0: each window reports the months it
  covers, and the rates and the ratio use covered months only;
- rates are per 100,000 people per year, over person-years from the DANE vintage named;
- the rate ratio (after ÷ before) comes from a count model on territory-months (territory-years
  for a source that dates rows by year only) with the population as exposure: Poisson, or
  negative binomial (NB2) when a dispersion test finds the counts overdispersed (Dean's test
  for the NB2 alternative, one-sided 5%). The result says which, with the test. statsmodels
  fits both; nothing is hand-rolled.

The territory set may be codes, names, an actor's presence area or a ceasefire's scope on a day;
departments and Colombia stand for their current municipalities, and observations a source
places only at department level cannot be counted in them — the result says how many there were.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from peacemonitor.errors import PeacemonitorError
from peacemonitor.indicators import Level, NoObservations, Period, Query, indicator
from peacemonitor.model import PartialDate, Precision
from peacemonitor.store import Store
from peacemonitor.views import categories_for, min_victims

if TYPE_CHECKING:
    import pandas as pd

    from peacemonitor.registry import Registry

DISPERSION_ALPHA = 0.05


class ComparisonError(PeacemonitorError):
    """A comparison that cannot be made as asked (windows, source, unit, territories)."""


# --- windows -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Window:
    """Whole months from ``first`` to ``last``; the monthly counts cannot split a month."""

    first: dt.date
    last: dt.date

    @classmethod
    def parse(cls, text: str) -> Window:
        """ "2022-01:2022-12", "2022:2023", "2023-08-01:2024-07-31" → a window of whole months."""
        start, sep, end = text.partition(":")
        if not sep or not start or not end:
            raise ComparisonError(f"window {text!r}: write FROM:TO, e.g. 2022-01:2022-12")
        try:
            first, last = PartialDate.parse(start), PartialDate.parse(end)
        except ValueError as error:
            raise ComparisonError(f"window {text!r}: {error}") from None
        if first.precision is Precision.DAY and first.first.day != 1:
            raise ComparisonError(f"window {text!r}: starts mid-month; windows are whole months")
        if last.precision is Precision.DAY and (last.first + dt.timedelta(days=1)).day != 1:
            raise ComparisonError(f"window {text!r}: ends mid-month; windows are whole months")
        if first.first > last.last:
            raise ComparisonError(f"window {text!r}: ends before it starts")
        return cls(first.first, last.last)

    @property
    def whole_years(self) -> bool:
        return (self.first.month, self.first.day, self.last.month, self.last.day) == (1, 1, 12, 31)

    def periods(self, by: Period) -> list[str]:
        """The window's period labels at ``by``: "2023-08", or "2023" for whole years."""
        if by is Period.YEAR:
            return [str(year) for year in range(self.first.year, self.last.year + 1)]
        return self.months

    @property
    def months(self) -> list[str]:
        labels, year, month = [], self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            labels.append(f"{year:04d}-{month:02d}")
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return labels

    def __str__(self) -> str:
        return f"{self.first.isoformat()}..{self.last.isoformat()}"


# --- results -----------------------------------------------------------------------------------


class WindowResult(BaseModel):
    """One window over the territory set. ``count`` None: the source covers none of it."""

    label: str
    first: dt.date
    last: dt.date
    months: int
    months_covered: int
    count: float | None
    person_years: float | None
    rate_per_100k_year: float | None
    population_vintages: list[str]


class DispersionTest(BaseModel):
    method: str
    statistic: float
    p_value: float


class RateRatio(BaseModel):
    """after ÷ before, from a count model on territory-months (``units`` rows). ``crude`` is
    the ratio of the two windows' rates, which the Poisson estimate equals; the negative
    binomial weighs territories differently, so its estimate may differ from it."""

    crude: float
    estimate: float
    low: float | None
    high: float | None
    model: str  # poisson | negative-binomial
    converged: bool
    exposure: str  # population (person-years) | months (no population loaded)
    period: str  # month | year: what one unit (territory-period) spans
    dispersion: DispersionTest | None
    units: int


class Comparison(BaseModel):
    outcome: str
    categories: list[str]
    source: str
    unit: str
    min_victims: int | None
    territories: list[str]
    territory_label: str
    before: WindowResult
    after: WindowResult
    rate_ratio: RateRatio | None
    notes: list[str]


# --- territories -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Territories:
    """The current municipalities compared, and what the user asked for in words."""

    codes: list[str]
    label: str


def territories(
    store: Store,
    registry: Registry | None = None,
    names: Sequence[str] = (),
    actor: str | None = None,
    ceasefire: str | None = None,
    on: dt.date | None = None,
    window_months: int = 24,
) -> Territories:
    """Resolve codes or exact names, an actor's presence area (as of ``on``) and a ceasefire's
    scope in force on ``on`` (suspended parts left out) into municipalities; their union."""
    from peacemonitor.presence import municipalities_of

    wanted: set[str] = set()
    excluded: set[str] = set()
    labels = []
    if names:
        wanted |= set(_resolve_names(store, names))
        labels.append(", ".join(names))
    if actor is not None:
        codes, label = _actor_area(store, _need(registry), actor, on, window_months)
        wanted |= codes
        labels.append(label)
    if ceasefire is not None:
        scope, suspended, label = _ceasefire_scope(_need(registry), ceasefire, _need_day(on))
        wanted |= scope
        excluded |= suspended
        labels.append(label)
    if not labels:
        raise ComparisonError("name the territories: codes or names, an actor or a ceasefire")
    dropped = set(municipalities_of(store, excluded)) if excluded else set()
    codes_found = [c for c in municipalities_of(store, wanted) if c not in dropped]
    if not codes_found:
        raise ComparisonError(f"no municipality in {'; '.join(labels)}")
    return Territories(codes_found, "; ".join(labels))


def _need(registry: Registry | None) -> Registry:
    if registry is None:
        raise ComparisonError("an actor or a ceasefire needs the registry")
    return registry


def _need_day(on: dt.date | None) -> dt.date:
    if on is None:
        raise ComparisonError("a ceasefire's scope needs a day")
    return on


def _resolve_names(store: Store, names: Sequence[str]) -> list[str]:
    from peacemonitor.gazetteer import Gazetteer
    from peacemonitor.presence import resolve_territory

    gazetteer = Gazetteer.from_store(store)
    codes = []
    for name in names:
        found = resolve_territory(gazetteer, name, "")
        if isinstance(found, str):
            raise ComparisonError(f"territory {name!r}: {found}")
        codes.append(found[1])
    return codes


def _actor_area(
    store: Store, registry: Registry, actor: str, on: dt.date | None, window_months: int
) -> tuple[set[str], str]:
    from peacemonitor.presence import presence, resolve_actor

    found = resolve_actor(registry, actor)
    records = presence(store, registry, found.id, on, window_months)
    if not records:
        day = f" as of {on}" if on else ""
        raise ComparisonError(f"no presence recorded for {found.id}{day}")
    hows = sorted({r.how for r in records})
    day = f" as of {on}" if on else ""
    return {r.territory_code for r in records}, f"{found.id} presence{day} ({', '.join(hows)})"


def _ceasefire_scope(
    registry: Registry, ceasefire: str, on: dt.date
) -> tuple[set[str], set[str], str]:
    """(scope in force, suspended parts, label) of a ceasefire on ``on``."""
    from peacemonitor.ceasefires import get_ceasefire, state_on

    state = state_on(get_ceasefire(registry, ceasefire), on)
    if not state.in_force:
        raise ComparisonError(f"ceasefire {ceasefire} is {state.status} on {on}: no scope")
    label = f"ceasefire {ceasefire} in force on {on}"
    if state.suspended:
        label += f" (suspended in {', '.join(state.suspended)} left out)"
    return set(state.in_force), set(state.suspended), label


# --- the comparison ----------------------------------------------------------------------------


def compare(
    store: Store,
    outcome: str,
    where: Territories,
    before: Window,
    after: Window,
    source: str | None = None,
    unit: str | None = None,
) -> Comparison:
    """Counts, rates and the rate ratio of ``outcome`` in ``where``, ``after`` vs ``before``."""
    categories = categories_for(outcome)
    source = source or _only_source(store, categories)
    threshold = min_victims(outcome, source)
    notes = _notes(store, categories, source, where, before, after)
    by = _period(store, categories, source, before, after, notes)
    panel = _panel(store, categories, source, threshold, before, after, by)
    unit = _unit(panel, unit, source)
    panel = panel[(panel["unit"] == unit) & panel["territory_code"].isin(where.codes)]
    results = [_window(panel, before, "before", by), _window(panel, after, "after", by)]
    notes += [n for r in results for n in _coverage_note(r)]
    ratio = _ratio(panel, (before, after), results, by, notes)
    return Comparison(
        outcome=outcome,
        categories=[c.value for c in categories],
        source=source,
        unit=unit,
        min_victims=threshold,
        territories=where.codes,
        territory_label=where.label,
        before=results[0],
        after=results[1],
        rate_ratio=ratio,
        notes=notes,
    )


def _only_source(store: Store, categories: Sequence[Any]) -> str:
    """The one source recording these categories; otherwise the user must choose."""
    with store.read() as db:
        rows = db.execute(
            "SELECT DISTINCT source FROM observations "
            "WHERE category IN (SELECT unnest(?::VARCHAR[])) ORDER BY 1",
            [[c.value for c in categories]],
        ).fetchall()
    sources = [r[0] for r in rows]
    if len(sources) == 1:
        return str(sources[0])
    if not sources:
        raise NoObservations(f"no {', '.join(c.value for c in categories)} observations stored")
    raise ComparisonError(
        f"sources are never summed: choose one with --source ({', '.join(sources)})"
    )


def _panel(
    store: Store,
    categories: Sequence[Any],
    source: str,
    threshold: int | None,
    before: Window,
    after: Window,
    by: Period,
) -> pd.DataFrame:
    """Municipality-periods of the source, categories added (absent where not covered)."""
    import pandas as pd

    start, end = min(before.first, after.first), max(before.last, after.last)
    frames = []
    for category in categories:
        query = Query(
            category,
            level=Level.MUNICIPALITY,
            by=by,
            start=PartialDate.parse(start),
            end=PartialDate.parse(end),
            source=source,
            min_victims=threshold,
        )
        try:
            frames.append(indicator(store, query))
        except NoObservations:
            continue
    if not frames:
        raise NoObservations(
            f"{source} has no {', '.join(c.value for c in categories)} observations"
        )
    frame = pd.concat(frames, ignore_index=True)
    keys = ["territory_code", "period", "unit"]
    return frame.groupby(keys, as_index=False).agg(
        count=("count", "sum"),
        population=("population", "first"),
        population_vintage=("population_vintage", "first"),
    )


def _unit(panel: pd.DataFrame, unit: str | None, source: str) -> str:
    units = sorted(panel["unit"].unique())
    if unit is None and len(units) == 1:
        return str(units[0])
    if unit is not None and unit in units:
        return unit
    raise ComparisonError(
        f"{source} counts in {', '.join(units)}: choose one with --unit (never summed)"
    )


def _window(panel: pd.DataFrame, window: Window, label: str, by: Period) -> WindowResult:
    rows = panel[panel["period"].isin(window.periods(by))]
    months = len(window.months)
    covered = int(rows["period"].nunique()) * (12 if by is Period.YEAR else 1)
    if not covered:
        return WindowResult(
            label=label,
            first=window.first,
            last=window.last,
            months=months,
            months_covered=0,
            count=None,
            person_years=None,
            rate_per_100k_year=None,
            population_vintages=[],
        )
    counted = rows[rows["population"].notna() & (rows["population"] > 0)]
    per_year = 1 if by is Period.YEAR else 12
    years = float(counted["population"].astype(float).sum() / per_year) if len(counted) else None
    rate = float(counted["count"].sum()) * 100_000 / years if years else None
    return WindowResult(
        label=label,
        first=window.first,
        last=window.last,
        months=months,
        months_covered=covered,
        count=float(rows["count"].sum()),
        person_years=round(years, 1) if years else None,
        rate_per_100k_year=round(rate, 3) if rate is not None else None,
        population_vintages=sorted(counted["population_vintage"].dropna().unique().tolist()),
    )


def _coverage_note(result: WindowResult) -> list[str]:
    if result.count is None:
        return [f"{result.label}: no data (the source covers none of {result.months} months)"]
    if result.months_covered < result.months:
        return [
            f"{result.label}: the source covers {result.months_covered} of {result.months} "
            "months; counts and rates are of the covered months"
        ]
    return []


def _period(
    store: Store,
    categories: Sequence[Any],
    source: str,
    before: Window,
    after: Window,
    notes: list[str],
) -> Period:
    """Months, unless the source dates rows only by year (yearly tables): then whole-year
    windows are compared by year, and other windows leave those rows out, saying so."""
    with store.read() as db:
        row = db.execute(
            "SELECT count(*) FILTER (date_precision = 'year'), count(*) FROM observations "
            "WHERE source = ? AND category IN (SELECT unnest(?::VARCHAR[])) "
            "AND (date_first BETWEEN ? AND ? OR date_first BETWEEN ? AND ?)",
            [source, [c.value for c in categories], *_bounds(before), *_bounds(after)],
        ).fetchone()
    yearly, total = (int(row[0]), int(row[1])) if row else (0, 0)
    if not yearly:
        return Period.MONTH
    if before.whole_years and after.whole_years:
        notes.append(f"{source} dates some rows by year only: compared by year")
        return Period.YEAR
    if yearly == total:
        raise ComparisonError(
            f"{source} dates these rows by year only: compare whole years (e.g. 2022:2022)"
        )
    notes.append(
        f"{yearly} {source} observations dated only by year are not in these monthly windows; "
        "use whole-year windows to count them"
    )
    return Period.MONTH


def _bounds(window: Window) -> tuple[dt.date, dt.date]:
    """The window's days, widened to whole years: a row dated "2023" stands on 1 January."""
    return dt.date(window.first.year, 1, 1), window.last


def _notes(
    store: Store,
    categories: Sequence[Any],
    source: str,
    where: Territories,
    before: Window,
    after: Window,
) -> list[str]:
    """Observations placed only at department level in the territories' departments."""
    departments = sorted({code[:2] for code in where.codes})
    with store.read() as db:
        row = db.execute(
            "SELECT count(*) FROM observations WHERE source = ? AND territory_level = 'department' "
            "AND category IN (SELECT unnest(?::VARCHAR[])) "
            "AND territory_code IN (SELECT unnest(?::VARCHAR[])) "
            "AND (date_first BETWEEN ? AND ? OR date_first BETWEEN ? AND ?)",
            [
                source,
                [c.value for c in categories],
                departments,
                before.first,
                before.last,
                after.first,
                after.last,
            ],
        ).fetchone()
    count = int(row[0]) if row else 0
    if not count:
        return []
    return [
        f"{count} {source} observations in these departments are placed only at department "
        "level and are not counted"
    ]


# --- the rate ratio ----------------------------------------------------------------------------


def _ratio(
    panel: pd.DataFrame,
    windows: tuple[Window, Window],
    results: list[WindowResult],
    by: Period,
    notes: list[str],
) -> RateRatio | None:
    before, after = results
    if before.count is None or after.count is None:
        notes.append("no rate ratio: a window has no data")
        return None
    populated = bool(before.person_years and after.person_years)
    frame = _units(panel, windows, by, populated)
    exposure = "population" if populated else "months"
    if exposure == "months":
        notes.append("no population for these territories and years: the ratio is per month")
    if frame.loc[frame["after"] == 0, "count"].sum() == 0:
        notes.append("no rate ratio: no event in the before window")
        return None
    return rate_ratio(
        frame["count"].to_numpy(float),
        frame[exposure].to_numpy(float),
        frame["after"].to_numpy(int),
        exposure,
        period=by.value,
    )


def _units(
    panel: pd.DataFrame, windows: tuple[Window, Window], by: Period, populated: bool
) -> pd.DataFrame:
    """Territory-periods of both windows with their exposure: person-years and months."""
    in_before = panel["period"].isin(windows[0].periods(by))
    in_after = panel["period"].isin(windows[1].periods(by))
    frame = panel[in_before | in_after].copy()
    frame["after"] = in_after[in_before | in_after].astype(int).to_numpy()
    months = 12 if by is Period.YEAR else 1
    frame["months"] = float(months)
    frame["population"] = frame["population"].astype(float) * months / 12
    if populated:
        frame = frame[frame["population"] > 0]
    return frame


def rate_ratio(
    counts: Any, exposure: Any, after: Any, exposure_name: str, period: str = "month"
) -> RateRatio:
    """after ÷ before rate ratio with its 95% interval from a count model with ``exposure``
    as offset: Poisson, switching to negative binomial (NB2) when Dean's test finds the counts
    overdispersed. When no event falls after, the estimate is 0 and the interval undefined."""
    import numpy as np
    import statsmodels.api as sm
    from statsmodels.discrete.diagnostic import PoissonDiagnostic

    counts, exposure, after = np.asarray(counts), np.asarray(exposure), np.asarray(after)
    units = len(counts)
    if counts[after == 1].sum() == 0:
        return RateRatio(
            crude=0.0,
            estimate=0.0,
            low=None,
            high=None,
            model="poisson",
            converged=True,
            exposure=exposure_name,
            period=period,
            dispersion=None,
            units=units,
        )
    design = sm.add_constant(after.astype(float), has_constant="add")
    offset = np.log(exposure)
    with warnings.catch_warnings():  # the optimisers' overflow warnings on the way to a fit
        warnings.simplefilter("ignore")
        poisson = sm.Poisson(counts, design, offset=offset).fit(disp=0)
        dispersion = _dispersion(PoissonDiagnostic(poisson))
        fit, model = poisson, "poisson"
        if dispersion.statistic > 0 and dispersion.p_value < DISPERSION_ALPHA:
            fit = sm.NegativeBinomial(counts, design, offset=offset).fit(disp=0, maxiter=200)
            model = "negative-binomial"
    low, high = fit.conf_int()[1]
    before, later = after == 0, after == 1
    crude = (counts[later].sum() / exposure[later].sum()) / (
        counts[before].sum() / exposure[before].sum()
    )
    return RateRatio(
        crude=round(float(crude), 4),
        estimate=round(math.exp(fit.params[1]), 4),
        low=round(math.exp(low), 4),
        high=round(math.exp(high), 4),
        model=model,
        converged=bool(fit.mle_retvals.get("converged", True)),
        exposure=exposure_name,
        period=period,
        dispersion=dispersion,
        units=units,
    )


def _dispersion(diagnostic: Any) -> DispersionTest:
    """Dean's test against NB2 (variance mu + a·mu²), one-sided: only overdispersion counts."""
    from scipy.stats import norm

    result = diagnostic.test_dispersion()
    index = list(result.method).index("Dean A")
    statistic = float(result.statistic[index])
    return DispersionTest(
        method="Dean's test (NB2 alternative), one-sided",
        statistic=round(statistic, 4),
        p_value=float(norm.sf(statistic)),
    )
