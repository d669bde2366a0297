"""Analytics pages: how far the agreements got (implementation), whether the negotiating groups
negotiate seriously (scorecard), and each published statistic beside what the store computes.

Each builder calls one library function with the inputs its CLI command takes, read from the
URL, and keeps that call's result whole in the page model (the JSON twin is the library's
answer); around it the page adds what the HTML needs to cite: each record's sources and
"unverified" mark, the source line with access dates and filters, and what to load when the
store lacks the observations a figure needs.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, Field

from peacemonitor.implementation import ImplementationReport, implementation
from peacemonitor.model import Cited
from peacemonitor.published import NO_DATA, ReconcileReport, reconcile
from peacemonitor.registry import Registry
from peacemonitor.scorecard import WEIGHTS, Scorecard, negotiating_groups, scorecard
from peacemonitor.web.context import Context
from peacemonitor.web.status import Missing, SourceNote, source_notes, store_status

FIRST_YEAR, LAST_YEAR = 2022, 2025  # the CLI `scorecard`'s --from-year and --to-year defaults

# What loads observations of a category, for "no data" on the published-vs-computed page: the
# sources whose importers or mappings (docs/imports.md, docs/mappings/) count it.
IMPORTS: dict[str, str] = {
    "homicide": "peacemonitor import police path/to/policia_homicidios_raw",
    "massacre": "peacemonitor import massacres path/to/masacres_2022_2025",
    "social-leader-killing": "peacemonitor import leaders path/to/lideres_sociales_2016_2017",
    "kidnapping": (
        "peacemonitor import table path/to/policia_agregados_2003_2026/hist_nacional_secuestro.json"
        " --mapping docs/mappings/police-national-kidnapping.yaml"
    ),
    "extortion": (
        "peacemonitor import table path/to/policia_agregados_2003_2026/hist_nacional_extorsion.json"
        " --mapping docs/mappings/police-national-extortion.yaml"
    ),
}
ANY_TABLE = "peacemonitor import table FILE --source S --category {category} --unit U --map …"


class Cite(BaseModel):
    """What the HTML shows beside a record: its wording, its sources and whether unverified."""

    text: str | None = None
    sources: list[str]
    unverified: bool = False


class RegistrySource(BaseModel):
    """A registry source cited on the page, for the source line (accessed as the registry
    records it)."""

    id: str
    publisher: str
    title: str
    accessed: str | None
    url: str | None


def _cite(record: Cited, text: str | None = None) -> Cite:
    return Cite(text=text, sources=[c.source for c in record.sources], unverified=record.unverified)


def registry_sources(registry: Registry, ids: Iterable[str]) -> list[RegistrySource]:
    """The registry's sources among ``ids``, sorted, for the page's source line."""
    found = [registry.sources[i] for i in sorted(set(ids)) if i in registry.sources]
    return [
        RegistrySource(
            id=s.id,
            publisher=s.publisher,
            title=s.title,
            accessed=str(s.accessed) if s.accessed else None,
            url=s.url,
        )
        for s in found
    ]


# --- implementation --------------------------------------------------------------------------


class ImplementationPage(BaseModel):
    scope: str | None = Field(description="the agreement or table id filtered on (`table`)")
    scopes: list[str] = Field(description="tables with agreements: the choices of the filter")
    report: ImplementationReport
    cited: dict[str, Cite] = Field(
        description="agreement id, or agreement/provision: wording, sources, unverified"
    )
    sources: list[RegistrySource]
    filters: dict[str, str]


def implementation_page(ctx: Context) -> ImplementationPage:
    """``implementation.implementation(registry, scope)`` with ``scope`` from ``table``."""
    registry, scope = ctx.registry(), ctx.filters.table
    report = implementation(registry, scope)
    cited = _agreements_cited(registry, report)
    return ImplementationPage(
        scope=scope,
        scopes=sorted({a.table for a in registry.agreements.values() if a.table}),
        report=report,
        cited=cited,
        sources=registry_sources(registry, _implementation_sources(report, cited)),
        filters=ctx.filters.described(),
    )


def _agreements_cited(registry: Registry, report: ImplementationReport) -> dict[str, Cite]:
    """Each agreement in the report (by id) and its provisions (agreement/provision)."""
    cited: dict[str, Cite] = {}
    for part in report.agreements:
        agreement = registry.agreements[part.agreement]
        cited[agreement.id] = _cite(agreement, agreement.title)
        for p in agreement.provisions:
            cited[f"{agreement.id}/{p.id}"] = _cite(p, p.text)
    return cited


def _implementation_sources(report: ImplementationReport, cited: dict[str, Cite]) -> list[str]:
    """Every source the page cites: agreements, provisions, steps, published aggregates."""
    found = [s for c in cited.values() for s in c.sources]
    for part in report.agreements:
        found += [s for line in part.provisions for step in line.steps for s in step.sources]
        found += [s for g in part.published for s in g.sources]
    return found


# --- scorecard -------------------------------------------------------------------------------


class ScorecardPage(BaseModel):
    subject: str | None = Field(description="one actor or table (`subject`); all groups if none")
    subjects: list[str] = Field(description="the negotiating groups: the choices of the filter")
    years: list[int]
    weights: dict[str, float]
    cards: list[Scorecard]
    cited: dict[str, Cite] = Field(
        description="evidence by kind:ref (gestures, red lines, ceasefires, provisions): sources"
    )
    sources: list[SourceNote] = Field(description="observation sources the evidence counts")
    registry_sources: list[RegistrySource]
    filters: dict[str, str]


def scorecard_years(ctx: Context) -> range:
    """The years of ``start``–``end`` (the CLI's 2022–2025 when not set)."""
    first, last = ctx.filters.first, ctx.filters.last
    return range(first.year if first else FIRST_YEAR, (last.year if last else LAST_YEAR) + 1)


def scorecard_page(ctx: Context) -> ScorecardPage:
    """``scorecard.scorecard`` per subject as the CLI `scorecard` calls it: ``subject`` or every
    negotiating group, years from ``start``/``end``, weights from ``weights``."""
    from peacemonitor.weights import parse_weights

    registry, store = ctx.registry(), ctx.store
    chosen = parse_weights(ctx.filters.weights, WEIGHTS)
    groups = negotiating_groups(registry)
    subjects = [ctx.filters.subject] if ctx.filters.subject else groups
    years = scorecard_years(ctx)
    cards = [scorecard(store, registry, s, years, chosen) for s in subjects]
    cited = _evidence_cited(registry, cards)
    observed = [
        e.ref.split(":")[0] if e.kind == "observation" else e.ref
        for card in cards
        for y in card.years
        for c in y.components
        for e in c.evidence
        if e.kind in ("observation", "count")
    ]
    return ScorecardPage(
        subject=ctx.filters.subject,
        subjects=groups,
        years=list(years),
        weights=chosen,
        cards=cards,
        cited=cited,
        sources=source_notes(store, observed),
        registry_sources=registry_sources(registry, (s for c in cited.values() for s in c.sources)),
        filters=ctx.filters.described(),
    )


def _evidence_cited(registry: Registry, cards: list[Scorecard]) -> dict[str, Cite]:
    """The registry record behind each piece of evidence, by ``kind:ref``."""
    found: dict[str, Cite] = {}
    for card in cards:
        for year in card.years:
            for component in year.components:
                for e in component.evidence:
                    record = _evidence_record(registry, e.kind, e.ref)
                    if record is not None:
                        found[f"{e.kind}:{e.ref}"] = _cite(record)
    return found


def _evidence_record(registry: Registry, kind: str, ref: str) -> Cited | None:
    if kind == "gesture":
        return registry.gestures.get(ref)
    if kind == "red-line":
        return registry.red_lines.get(ref)
    if kind == "ceasefire":
        return registry.ceasefires.get(ref)
    if kind == "provision":
        agreement, _, provision = ref.partition("/")
        found = registry.agreements.get(agreement)
        return next((p for p in found.provisions if p.id == provision), None) if found else None
    return None


# --- published vs computed -------------------------------------------------------------------


class PublishedPage(BaseModel):
    report: ReconcileReport
    indicators: list[str] = Field(description="indicators with statistics: the filter's choices")
    missing: list[Missing] = Field(
        description="what to load for the statistics the store cannot compute yet"
    )
    cited: dict[str, Cite] = Field(description="statistic id: its sources, unverified")
    sources: list[SourceNote] = Field(description="the sources the computed figures come from")
    registry_sources: list[RegistrySource]
    filters: dict[str, str]


def published_page(ctx: Context) -> PublishedPage:
    """``published.reconcile`` as the CLI `reconcile` calls it (``indicator``, ``computable``)."""
    registry, store = ctx.registry(), ctx.store
    report = reconcile(store, registry, ctx.filters.indicator, ctx.filters.computable)
    cited = {
        s.id: _cite(s, s.statement)
        for s in registry.statistics.values()
        if s.id in {r.statistic for r in report.rows}
    }
    computed = [c.source for r in report.rows for c in r.computed if c.coverage != NO_DATA]
    return PublishedPage(
        report=report,
        indicators=sorted({s.indicator for s in registry.statistics.values()}),
        missing=to_load(ctx, report),
        cited=cited,
        sources=source_notes(store, computed),
        registry_sources=registry_sources(registry, (s for c in cited.values() for s in c.sources)),
        filters=ctx.filters.described(),
    )


def to_load(ctx: Context, report: ReconcileReport) -> list[Missing]:
    """The store's own gaps, then an import for each category with a statistic the store has
    no data for, and the massacre list when the government's first year cannot be counted."""
    found = list(store_status(ctx.store).missing)
    lacking = [r.category.value for r in report.rows if r.status == NO_DATA and r.category]
    categories = sorted(set(lacking))
    if report.government_year is None and "massacre" not in categories:
        categories.append("massacre")
    for category in categories:
        command = IMPORTS.get(category, ANY_TABLE.format(category=category))
        if all(m.command != command for m in found):
            found.append(Missing(what=category, command=command))
    return found
