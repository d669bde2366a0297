"""The ceasefire and negotiation-table pages: what a ceasefire did to violence (the interrupted
time series with its fit, the event study, every estimate with its sentence), its violations
log, and a table's agreements with their implementation, red lines with their breaches and
ceasefires with their headline estimate.

Effects come from ``effects.ceasefire_effect`` with the quick estimators only (interrupted time
series and event study): the panel ones (DiD, stacked, synthetic control) take minutes on a
regional ceasefire and stay in ``peacemonitor ceasefire effect``. One effect is computed once per
ceasefire, filters and store version (``Context.cached``) and shared by both pages.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from peacemonitor.ceasefires import CeasefireState
from peacemonitor.effects import CeasefireEffect, EffectEstimate, Method, NoSource
from peacemonitor.implementation import AgreementImplementation
from peacemonitor.model import RedLine
from peacemonitor.scorecard import Evidence
from peacemonitor.tables import TableDetail
from peacemonitor.violations import Violation
from peacemonitor.web.context import Context
from peacemonitor.web.process import CeasefirePage
from peacemonitor.web.status import SourceNote

# Tried in order when the URL names no outcome: the first one a source reports by municipality.
DEFAULT_OUTCOMES = ("homicide", "state-group", "group-group", "civilians", "coercion")
METHODS = (Method.ITS, Method.EVENT_STUDY)
COVERAGE_FROM = "2000-01"  # a default outcome must be covered by municipality since then
IMPLEMENTATION_LABEL = "our coding from reported events"


class EffectView(BaseModel):
    """A ceasefire's effect on one outcome from one source, or why there is none."""

    ceasefire: str
    outcome: str | None = Field(description="the view or category estimated (URL or default)")
    source: str | None
    methods: list[str] = Field(description="the estimators run for the page")
    effect: CeasefireEffect | None = Field(description="ceasefire_effect's answer, unchanged")
    reason: str | None = Field(description="why there is no estimate at all (no source)")
    sources: list[SourceNote]
    filters: dict[str, str] = Field(description="what the estimates are of, for the source line")

    @property
    def choices(self) -> list[str]:
        """The outcomes the page offers: the defaults, and the one shown when it is another."""
        extra = [self.outcome] if self.outcome and self.outcome not in DEFAULT_OUTCOMES else []
        return [*DEFAULT_OUTCOMES, *extra]

    @property
    def its(self) -> EffectEstimate | None:
        return self.estimate("its-start")

    @property
    def study(self) -> EffectEstimate | None:
        return self.estimate("event-study")

    def estimate(self, method: str) -> EffectEstimate | None:
        found = [e for e in self.effect.estimates if e.method == method] if self.effect else []
        return found[0] if found else None

    @property
    def why_not(self) -> str:
        """Why the headline (ITS at the start) has no number."""
        its = self.its
        if self.reason:
            return self.reason
        if its is not None and its.reason:
            return its.reason
        first = self.effect.estimates[0] if self.effect and self.effect.estimates else None
        return (first.reason if first else None) or "no estimate"


class CeasefireView(CeasefirePage):
    effect: EffectView
    violations: list[Violation]
    violations_empty: str | None = Field(description="why the log is empty, when it is")


class Headline(BaseModel):
    """A table's ceasefire with its headline estimate (the ITS level change) or why none."""

    ceasefire: CeasefireState
    outcome: str | None
    source: str | None
    estimate: EffectEstimate | None
    reason: str | None


class YearBreaches(BaseModel):
    """One calendar year of a red line: breaches recorded, or "no data" when no source that
    names armed groups covers the whole year (no data is not zero breaches)."""

    year: int
    first: dt.date
    last: dt.date
    status: str = Field(description="measured, or no data")
    breaches: list[Evidence]


class RedLineBreaches(BaseModel):
    """A red line with the breaches recorded in observations, year by year from its start."""

    red_line: RedLine
    actors: list[str] = Field(description="whose events count: its actors, else the table's")
    detail: str
    years: list[YearBreaches]


class TableView(TableDetail):
    implementation: list[AgreementImplementation]
    implementation_label: str = IMPLEMENTATION_LABEL
    red_line_breaches: list[RedLineBreaches]
    effects: list[Headline]


# --- effects -----------------------------------------------------------------------------------


def default_outcome(ctx: Context) -> tuple[str, str] | None:
    """The first outcome of ``DEFAULT_OUTCOMES`` whose source (the one reporting most, as
    ``ceasefire_effect`` chooses it) covers some month by municipality; None when none does."""
    from peacemonitor.effects import choose_source
    from peacemonitor.panels import NoCoverage, choose_unit, covered_months
    from peacemonitor.views import categories_for

    window = (COVERAGE_FROM, f"{ctx.filters.day:%Y-%m}")
    for outcome in DEFAULT_OUTCOMES:
        categories = categories_for(outcome)
        try:
            source = choose_source(ctx.store, categories)
            unit = choose_unit(ctx.store, categories, source)
            months = covered_months(ctx.store, categories, source, unit, window)[0]
        except (NoSource, NoCoverage):
            continue
        if months:
            return outcome, source
    return None


def _compute_effect(ctx: Context, ceasefire_id: str) -> EffectView:
    from peacemonitor.effects import ceasefire_effect
    from peacemonitor.web.status import source_notes

    outcome, source = ctx.filters.outcome, ctx.filters.source
    if outcome is None:
        found = default_outcome(ctx)
        if found is None:
            reason = "no source in the store covers violence by municipality"
            return _no_effect(ceasefire_id, None, None, reason)
        outcome, source = found[0], source or found[1]
    try:
        effect = ceasefire_effect(
            ctx.store, ctx.registry(), ceasefire_id, outcome, source, list(METHODS)
        )
    except NoSource as error:
        return _no_effect(ceasefire_id, outcome, source, str(error))
    filters = {"outcome": outcome, "source": effect.source}
    if effect.first_month:
        filters["months"] = f"{effect.first_month}..{effect.last_month}"
    return EffectView(
        ceasefire=ceasefire_id,
        outcome=outcome,
        source=effect.source,
        methods=[m.value for m in METHODS],
        effect=effect,
        reason=None,
        sources=source_notes(ctx.store, [effect.source]),
        filters=filters,
    )


def _no_effect(
    ceasefire_id: str, outcome: str | None, source: str | None, reason: str
) -> EffectView:
    filters = {k: v for k, v in (("outcome", outcome), ("source", source)) if v}
    return EffectView(
        ceasefire=ceasefire_id,
        outcome=outcome,
        source=source,
        methods=[m.value for m in METHODS],
        effect=None,
        reason=reason,
        sources=[],
        filters=filters,
    )


def effect(ctx: Context, ceasefire_id: str) -> EffectView:
    """The page's effect, cached per ceasefire, filters and store version."""
    found: EffectView = ctx.cached(
        "effect", lambda: _compute_effect(ctx, ceasefire_id), ceasefire_id
    )
    return found


# --- pages -------------------------------------------------------------------------------------


def ceasefire(ctx: Context, key: str) -> CeasefireView:
    """Lifecycle and scope (``process.ceasefire``), the effect and the violations log."""
    from peacemonitor.violations import empty_reason, violations
    from peacemonitor.web import process

    page = process.ceasefire(ctx, key)
    key = page.ceasefire.id
    log = violations(ctx.store, ctx.registry(), key)
    return CeasefireView(
        **dict(page),
        effect=effect(ctx, key),
        violations=log,
        violations_empty=None if log else empty_reason(ctx.store, ctx.registry(), key),
    )


def red_line_breaches(ctx: Context, line: RedLine, groups: list[str]) -> RedLineBreaches:
    """Breaches of one red line, year by year from its start (or the table's first step) to the
    page's day: observations of its categories naming its actors (the table's armed groups when
    it names none), as the scorecard counts them — "no data" for a year no source naming armed
    groups covers whole."""
    table = ctx.registry().tables[line.table]
    starts = [c.date.first for c in table.status_history]
    first = line.since.first if line.since else min(starts, default=ctx.filters.day)
    actors = list(line.actors) or groups
    if not line.categories:
        detail = "the registry names no kind of event for this red line to look for"
        return RedLineBreaches(red_line=line, actors=actors, detail=detail, years=[])
    years = [
        _year_breaches(ctx, line, actors, year, first)
        for year in range(first.year, ctx.filters.day.year + 1)
    ]
    measured = [y for y in years if y.status == "measured"]
    found = sum(len(y.breaches) for y in measured)
    detail = (
        f"{found} observation(s) naming {', '.join(actors)} in {len(measured)} year(s) covered"
        if measured
        else "no source that names armed groups covers any year since it was set"
    )
    return RedLineBreaches(red_line=line, actors=actors, detail=detail, years=years)


def _year_breaches(
    ctx: Context, line: RedLine, actors: list[str], year: int, since: dt.date
) -> YearBreaches:
    from peacemonitor.scorecard import NO_DATA, attributed, attribution_covered

    first, last = max(dt.date(year, 1, 1), since), min(dt.date(year, 12, 31), ctx.filters.day)
    categories = tuple(line.categories)
    base = {"year": year, "first": first, "last": last}
    if not attribution_covered(ctx.store, categories, dt.date(year, 1, 1), dt.date(year, 12, 31)):
        return YearBreaches(**base, status=NO_DATA, breaches=[])
    rows = attributed(ctx.store, actors, categories, first, last)
    breaches = [
        Evidence(
            kind="observation",
            ref=f"{r['source']}:{r['record_id']}",
            date=str(r["day"]),
            detail=f"{r['category']} in {r['territory']}",
        )
        for r in rows
    ]
    return YearBreaches(**base, status="measured", breaches=breaches)


def headline(ctx: Context, state: CeasefireState) -> Headline:
    found = effect(ctx, state.id)
    its = found.its
    answered = its is not None and its.answerable
    return Headline(
        ceasefire=state,
        outcome=found.outcome,
        source=found.source,
        estimate=its if answered else None,
        reason=None if answered else found.why_not,
    )


def table(ctx: Context, key: str) -> TableView:
    """The table (``tables.table_detail``) with implementation, red-line breaches and effects."""
    from peacemonitor.implementation import agreement_implementation
    from peacemonitor.scorecard import subject_actors
    from peacemonitor.web import process

    detail = process.table(ctx, key)
    registry = ctx.registry()
    groups = subject_actors(registry, detail.table.id)[1]
    return TableView(
        **dict(detail),
        implementation=[
            agreement_implementation(registry, registry.agreements[a.agreement.id])
            for a in detail.agreements
        ],
        red_line_breaches=[red_line_breaches(ctx, r, groups) for r in detail.red_lines],
        effects=[headline(ctx, c) for c in detail.ceasefires],
    )
