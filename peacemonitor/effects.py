"""Did this ceasefire reduce violence, and which kind? The library function behind
``peacemonitor ceasefire effect``.

It builds the municipality × month panel of one outcome (a view or a category, see
``views.categories_for``) from one source, marks where and when the ceasefire applied (its scope
replayed from the registry, suspensions honoured, optionally intersected with the parties'
presence), sets the treated municipalities' neighbours apart, and runs the estimators of
``estimators``. Every estimate says what it relied on, and where the data cannot answer it says so
instead of giving a number. Sentences are written for a journalist to quote, caveats included.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from peacemonitor import estimators as est
from peacemonitor.ceasefires import get_ceasefire, state_on
from peacemonitor.errors import PeacemonitorError
from peacemonitor.model import Category, Ceasefire
from peacemonitor.panels import (
    NoCoverage,
    Panel,
    adjacency,
    assign,
    build_panel,
    presence_codes,
    treated_by_month,
)
from peacemonitor.registry import Registry
from peacemonitor.store import Store
from peacemonitor.views import View, categories_for

if TYPE_CHECKING:
    import pandas as pd

MONTHS_BEFORE = 24
MONTHS_AFTER = 12


class Method(StrEnum):
    ITS = "its"
    DID = "did"
    SYNTH = "synth"
    EVENT_STUDY = "event-study"  # the event study alone (DID runs it too, for its pre-trend)
    ALL = "all"


Methods = Method | Collection[Method]


def _wanted(method: Methods) -> set[Method]:
    """The estimators asked for: one method, or several (the dashboard asks for ITS and the
    event study, which answer quickly, and leaves out the heavier panel estimators)."""
    found = {method} if isinstance(method, Method) else set(method)
    return set(Method) - {Method.ALL} if Method.ALL in found else found


class EffectEstimate(est.Estimate):
    """An estimate with the sentence a journalist could quote."""

    sentence: str = ""


class CeasefireEffect(BaseModel):
    """Every estimate of one ceasefire's effect on one outcome from one source."""

    ceasefire: str
    name: str
    outcome: str = Field(description="the view or category asked for")
    categories: list[str]
    source: str
    unit: str
    treated_from: str = Field(description="how treated municipalities were chosen")
    first_month: str | None
    last_month: str | None
    coverage: list[str] = Field(description="the source's coverage the estimates relied on")
    excluded_months: list[str] = Field(description="window months left out: not fully covered")
    estimates: list[EffectEstimate]
    caveats: list[str]


class NoSource(PeacemonitorError):
    """No source reports the outcome at municipality level."""


def _month(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _shift(month: str, months: int) -> str:
    year, number = (int(x) for x in month.split("-"))
    index = year * 12 + number - 1 + months
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def active_months(ceasefire: Ceasefire) -> list[str]:
    """Months whose 15th found the ceasefire in force somewhere (suspensions aside)."""
    days = [e.date.first for e in ceasefire.events] + [
        e.until.last for e in ceasefire.events if e.until
    ]
    month, last, found = _month(min(days)), _month(max(days)), []
    while month <= last:
        year, number = (int(x) for x in month.split("-"))
        if state_on(ceasefire, dt.date(year, number, 15)).in_force:
            found.append(month)
        month = _shift(month, 1)
    return found


def choose_source(store: Store, categories: tuple[Category, ...]) -> str:
    """The source with the most municipal observations of the outcome (sources never summed)."""
    with store.read() as db:
        row = db.execute(
            "SELECT source FROM observations WHERE territory_level = 'municipality' AND category "
            "IN (SELECT unnest(?::VARCHAR[])) GROUP BY source ORDER BY count(*) DESC LIMIT 1",
            [[c.value for c in categories]],
        ).fetchone()
    if row is None:
        names = ", ".join(c.value for c in categories)
        raise NoSource(f"no source in the store reports {names} by municipality")
    return str(row[0])


def ceasefire_effect(
    store: Store,
    registry: Registry,
    ceasefire_id: str,
    outcome: str = View.STATE_GROUP.value,
    source: str | None = None,
    method: Methods = Method.ALL,
    presence: Iterable[Any] | None = None,
    months_before: int = MONTHS_BEFORE,
    months_after: int = MONTHS_AFTER,
) -> CeasefireEffect:
    """Estimate the ceasefire's effect on ``outcome`` from ``source`` (the best-covered one by
    default). ``presence`` (territory codes or ``presence.presence`` records) narrows the treated
    municipalities to where the parties are; without it the registry's scope is taken whole."""
    ceasefire = get_ceasefire(registry, ceasefire_id)
    categories = categories_for(outcome)
    source = source or choose_source(store, categories)
    months = active_months(ceasefire)
    base = _base(ceasefire, outcome, categories, source, presence)
    if not months:
        return _unanswerable(base, "the registry records no month in which it was in force")
    window = (_shift(months[0], -months_before), _shift(months[-1], months_after))
    try:
        panel = build_panel(store, categories, source, window)
    except NoCoverage as error:
        return _unanswerable(base, str(error))
    design = design_for(store, panel, ceasefire, presence)
    estimates = run(design, method)
    result = base | {
        "unit": panel.unit,
        "first_month": panel.months[0],
        "last_month": panel.months[-1],
        "coverage": panel.coverage,
        "excluded_months": panel.excluded_months,
    }
    return _finish(result, estimates)


def design_for(
    store: Store, panel: Panel, ceasefire: Ceasefire, presence: Iterable[Any] | None
) -> pd.DataFrame:
    """The panel with treatment, roles and exposure assigned (see ``panels.assign``)."""
    codes = panel.frame["code"].unique()
    treated = treated_by_month(ceasefire, panel.months, codes, presence)
    return assign(panel, treated, adjacency(store))


def run(design: pd.DataFrame, method: Methods = Method.ALL) -> list[est.Estimate]:
    """The estimators ``method`` names, panel ones carrying the event study's pre-trend test."""
    wanted = _wanted(method)
    found: list[est.Estimate] = []
    if Method.ITS in wanted:
        found += est.its(design)
    if wanted & {Method.DID, Method.EVENT_STUDY}:
        study = est.event_study(design)
        if Method.DID in wanted:
            for estimate in (est.did(design), est.stacked(design), est.spillover(design)):
                found.append(est.with_pre_trend(estimate, study))
        found.append(study)
    if Method.SYNTH in wanted:
        found.append(est.synth(design))
    return found


def _base(
    ceasefire: Ceasefire,
    outcome: str,
    categories: tuple[Category, ...],
    source: str,
    presence: Iterable[Any] | None,
) -> dict[str, Any]:
    codes = presence_codes(presence)
    how = (
        "the registry's scope (suspensions honoured) — presence not applied"
        if codes is None
        else f"the registry's scope intersected with the parties' presence ({len(codes)} codes)"
    )
    return {
        "ceasefire": ceasefire.id,
        "name": ceasefire.name,
        "outcome": outcome,
        "categories": [c.value for c in categories],
        "source": source,
        "unit": "",
        "treated_from": how,
        "first_month": None,
        "last_month": None,
        "coverage": [],
        "excluded_months": [],
        "caveats": _caveats(categories, codes is None),
    }


def _unanswerable(base: dict[str, Any], reason: str) -> CeasefireEffect:
    estimate = est.refuse("all", "any effect", reason)
    return _finish(base, [estimate])


def _finish(result: dict[str, Any], estimates: list[est.Estimate]) -> CeasefireEffect:
    quoted = [EffectEstimate(**e.model_dump(), sentence=sentence(e, result)) for e in estimates]
    return CeasefireEffect(**(result | {"estimates": quoted}))


CAVEATS = {
    "association": "An estimate is an association under the method's assumptions "
    "(docs/methods.md), not proof that the ceasefire caused the change.",
    "coverage": "Months the source does not fully cover are left out, never counted as 0.",
    "scope": "Treated municipalities are the ceasefire's whole registered scope: presence is "
    "coarse, so places where the parties were absent dilute any effect toward none.",
    "homicide": "Homicides mix all kinds of violence: most are not about the armed conflict.",
}
"""The fixed caveats, by name: the web pages translate them word for word."""


def _caveats(categories: tuple[Category, ...], scope_only: bool) -> list[str]:
    notes = [CAVEATS["association"], CAVEATS["coverage"]]
    if scope_only:
        notes.append(CAVEATS["scope"])
    if Category.HOMICIDE in categories:
        notes.append(CAVEATS["homicide"])
    return notes


# --- sentences ---------------------------------------------------------------------------------

_COMPARISON = {
    "its-start": "than the trend before it predicted",
    "its-end": "than the trend while it was in force predicted",
    "did": "than in municipalities outside its scope, relative to each one's usual level",
    "stacked": "than in municipalities never covered, comparing each start date separately",
    "spillover": "in neighbouring municipalities than in municipalities farther away",
    "synth": "than in a synthetic comparison built from similar municipalities",
}


def _pct(ratio: float) -> str:
    change = (ratio - 1) * 100
    return f"{abs(change):.0f}% {'higher' if change >= 0 else 'lower'}"


def sentence(estimate: est.Estimate, result: dict[str, Any]) -> str:
    """One quotable sentence with its interval and the caveat that matters most."""
    what = f"{result['outcome']} ({result['source']}, {result.get('unit') or 'counts'})"
    name = result["name"]
    if not estimate.answerable:
        return f"The data cannot say how {what} changed under {name}: {estimate.reason}."
    if estimate.method == "event-study":
        return (
            f"Month by month around the start of {name}, {what} moved as shown in the event "
            f"study; the test for differences before the start {estimate.pre_trend}."
        )
    assert estimate.rate_ratio is not None
    during = "after it ended" if estimate.method == "its-end" else "while it applied"
    interval = (
        f" (95% interval: {_pct(estimate.ci_low)} to {_pct(estimate.ci_high)})"
        if estimate.ci_low is not None and estimate.ci_high is not None
        else f" (placebo p = {estimate.p_value:.2f}, no interval)"
    )
    significant = estimate.ci_low is not None and (
        estimate.ci_low > 1 or (estimate.ci_high or 0) < 1
    )
    hedge = "" if significant else "; the interval includes no change"
    return (
        f"{what.capitalize()} were {_pct(estimate.rate_ratio)} {during} "
        f"{_COMPARISON.get(estimate.method, '')}{interval}{hedge} — an association, not proof "
        f"of cause."
    )


def parties_presence(
    store: Store, registry: Registry, ceasefire_id: str, how: set[str] | None = None
) -> list[Any]:
    """Where the ceasefire's armed parties were from two years before it began to its last
    recorded step (``presence.presence`` records of every party but the state): what narrows
    the treated units, since a nationwide ceasefire otherwise leaves no control."""
    from peacemonitor.presence import presence

    ceasefire = get_ceasefire(registry, ceasefire_id)
    start = min(e.date.first for e in ceasefire.events)
    end = max(
        [e.date.last for e in ceasefire.events]
        + [e.until.last for e in ceasefire.events if e.until]
    )
    window = (end.year - start.year) * 12 + end.month - start.month + MONTHS_BEFORE
    parties = [p for p in ceasefire.parties if _armed(registry, p)]
    return [
        record
        for party in parties
        for record in presence(store, registry, party, as_of=end, window_months=window, how=how)
    ]


def _armed(registry: Registry, actor_id: str) -> bool:
    actor = registry.actors.get(actor_id)
    return actor is not None and actor.kind.value not in ("state", "state-force")
