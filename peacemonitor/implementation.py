"""Implementation tracker: what was agreed, and how far each provision got.

Levels are the Kroc scale (0 not started … 3 complete) as the registry codes them from reported
events, provision by provision, each step with its sources. That coding is ours: it is never
presented as the Kroc Institute's. For the 2016 accord, whose 578 stipulations the registry does
not code one by one, the Kroc Institute's published aggregates are shown beside our coding,
labelled as published figures, when the registry cites them.

Counts by level, theme and responsible party use each provision's latest level; "over time"
replays the steps so that a provision counts from the day it was agreed (or from its first
implementation step, when that came before the signature).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel, Field

from peacemonitor.errors import NotFound
from peacemonitor.model import (
    ActorKind,
    Agreement,
    ImplementationStatus,
    PartyRole,
    Provision,
    Statistic,
)
from peacemonitor.registry import Registry, date_key

OUR_CODING = (
    "our coding: Kroc-scale levels (0 not started, 1 minimal, 2 intermediate, 3 complete) "
    "assigned by the registry from reported events, each step cited"
)
KROC_AGREEMENT = "farc-2016-final-agreement"
KROC_INDICATOR_PREFIX = "accord-2016-stipulations-"
NOT_CODED = "not coded"
LEVELS = ("0", "1", "2", "3", NOT_CODED)
ARMED_KINDS = frozenset(
    {
        ActorKind.INSURGENCY,
        ActorKind.DISSIDENT_FACTION,
        ActorKind.CRIMINAL_ORGANISATION,
        ActorKind.URBAN_GANG,
        ActorKind.PARAMILITARY,
    }
)


class Step(BaseModel):
    """One dated implementation level with its evidence."""

    as_of: str
    level: int
    sources: list[str]
    unverified: bool
    note: str | None


class ProvisionLine(BaseModel):
    agreement: str
    table: str | None
    provision: str
    theme: str
    responsible: list[str]
    party: str = Field(
        description="government, armed-group, both, other (third parties only) or not stated"
    )
    level: int | None = Field(description="latest coded level; null when never coded")
    level_as_of: str | None
    implemented_before_signed: bool
    steps: list[Step]
    sources: list[str]


class Breakdown(BaseModel):
    """Provisions of one theme or party, counted by latest level ("not coded" when none)."""

    key: str
    provisions: int
    by_level: dict[str, int]


class Snapshot(BaseModel):
    """The provisions agreed (or already being implemented) by ``as_of``, by level that day."""

    as_of: str
    provisions: int
    by_level: dict[str, int]


class PublishedAggregate(BaseModel):
    """A figure the Kroc Institute published, as the registry cites it: not our coding."""

    statistic: str
    indicator: str
    value: float | None
    unit: str
    as_of: str | None
    publisher: str
    sources: list[str]
    label: str = "published by the Kroc Institute (Peace Accords Matrix), as cited"


class AgreementImplementation(BaseModel):
    agreement: str
    table: str | None
    date: str
    title: str
    coding: str = OUR_CODING
    provisions: list[ProvisionLine]
    by_level: dict[str, int]
    before_signed: list[str]
    published: list[PublishedAggregate] = []
    published_note: str | None = None


class ImplementationReport(BaseModel):
    """Implementation of the agreements in scope (one agreement, one table's, or all)."""

    scope: str
    coding: str = OUR_CODING
    agreements: list[AgreementImplementation]
    by_level: dict[str, int]
    by_theme: list[Breakdown]
    by_party: list[Breakdown]
    over_time: list[Snapshot]


def level_key(level: int | None) -> str:
    return NOT_CODED if level is None else str(level)


def count_levels(levels: Iterable[int | None]) -> dict[str, int]:
    """Provisions per level, every level present (0 when none), "not coded" last."""
    found = Counter(level_key(level) for level in levels)
    return {key: found.get(key, 0) for key in LEVELS}


def _steps(provision: Provision) -> list[ImplementationStatus]:
    return sorted(provision.implementation, key=lambda s: date_key(s.as_of))


def _step(status: ImplementationStatus) -> Step:
    return Step(
        as_of=str(status.as_of),
        level=int(status.level),
        sources=[c.source for c in status.sources],
        unverified=status.unverified,
        note=status.note,
    )


def party_of(registry: Registry, table: str | None, responsible: list[str]) -> str:
    """government / armed-group / both / other / not stated, from who is named responsible."""
    if not responsible:
        return "not stated"
    kinds = {_side(registry, table, actor) for actor in responsible}
    if {"government", "armed-group"} <= kinds:
        return "both"
    for side in ("government", "armed-group"):
        if side in kinds:
            return side
    return "other"


def _side(registry: Registry, table: str | None, actor_id: str) -> str:
    """An actor's side: its role at the agreement's table, else its kind (a government party
    at any table counts as government; an armed kind as armed group)."""
    tables = [registry.tables[table]] if table in registry.tables else []
    tables += list(registry.tables.values())
    for t in tables:
        for party in t.parties:
            if party.actor == actor_id and party.role is PartyRole.GOVERNMENT:
                return "government"
            if party.actor == actor_id and party.role is PartyRole.ARMED_GROUP:
                return "armed-group"
    actor = registry.actors.get(actor_id)
    return "armed-group" if actor is not None and actor.kind in ARMED_KINDS else "other"


def provision_line(registry: Registry, agreement: Agreement, provision: Provision) -> ProvisionLine:
    steps = _steps(provision)
    latest = steps[-1] if steps else None
    return ProvisionLine(
        agreement=agreement.id,
        table=agreement.table,
        provision=provision.id,
        theme=provision.theme,
        responsible=list(provision.responsible),
        party=party_of(registry, agreement.table, provision.responsible),
        level=int(latest.level) if latest else None,
        level_as_of=str(latest.as_of) if latest else None,
        implemented_before_signed=any(
            s.level >= 1 and s.as_of.last < agreement.date.first for s in steps
        ),
        steps=[_step(s) for s in steps],
        sources=[c.source for c in provision.sources],
    )


def published_aggregates(registry: Registry) -> list[PublishedAggregate]:
    """The registry's statistics on the 2016 accord that came from the Kroc Institute."""
    found = [s for s in registry.statistics.values() if _is_kroc(s)]
    found.sort(key=lambda s: (date_key(s.period_end), s.indicator))
    return [
        PublishedAggregate(
            statistic=s.id,
            indicator=s.indicator,
            value=s.value,
            unit=s.unit,
            as_of=str(s.period_end) if s.period_end else None,
            publisher=next(c.originally for c in s.sources if c.originally),
            sources=[c.source for c in s.sources],
        )
        for s in found
    ]


def _is_kroc(statistic: Statistic) -> bool:
    return statistic.indicator.startswith(KROC_INDICATOR_PREFIX) and any(
        "kroc" in (c.originally or "").lower() for c in statistic.sources
    )


def agreement_implementation(registry: Registry, agreement: Agreement) -> AgreementImplementation:
    lines = [provision_line(registry, agreement, p) for p in agreement.provisions]
    result = AgreementImplementation(
        agreement=agreement.id,
        table=agreement.table,
        date=str(agreement.date),
        title=agreement.title,
        provisions=lines,
        by_level=count_levels(line.level for line in lines),
        before_signed=[line.provision for line in lines if line.implemented_before_signed],
    )
    if agreement.id == KROC_AGREEMENT:
        result.published = published_aggregates(registry)
        result.published_note = _kroc_note(result)
    return result


def _kroc_note(result: AgreementImplementation) -> str:
    ours = (
        f"our coding covers {len(result.provisions)} provision(s)"
        if result.provisions
        else "the registry codes none of its provisions one by one (our coding: no data)"
    )
    theirs = (
        "the Kroc Institute's aggregates below are published figures, not our coding"
        if result.published
        else "the Kroc Institute's aggregates are not in the registry"
    )
    return f"{ours}; {theirs}"


def _breakdown(lines: list[ProvisionLine], key: str) -> list[Breakdown]:
    groups: dict[str, list[ProvisionLine]] = {}
    for line in lines:
        groups.setdefault(getattr(line, key), []).append(line)
    return [
        Breakdown(
            key=name,
            provisions=len(items),
            by_level=count_levels(i.level for i in items),
        )
        for name, items in sorted(groups.items())
    ]


def over_time(agreements: list[Agreement]) -> list[Snapshot]:
    """A snapshot at each date something changed: a signature or an implementation step (a date
    known to the month or year is taken at its first day and labelled as the source gives it)."""
    dates = {a.date for a in agreements if a.provisions} | {
        s.as_of for a in agreements for p in a.provisions for s in p.implementation
    }
    labels = {d.first: str(d) for d in sorted(dates, key=lambda d: (d.first, -len(str(d))))}
    return [_snapshot(agreements, day, label) for day, label in sorted(labels.items())]


def _snapshot(agreements: list[Agreement], day: dt.date, label: str) -> Snapshot:
    levels: list[int | None] = []
    for agreement in agreements:
        for provision in agreement.provisions:
            reached = [s for s in _steps(provision) if s.as_of.first <= day]
            if reached:
                levels.append(int(reached[-1].level))
            elif agreement.date.first <= day:
                levels.append(None)
    return Snapshot(as_of=label, provisions=len(levels), by_level=count_levels(levels))


def in_scope(registry: Registry, scope: str | None) -> list[Agreement]:
    """One agreement by id, a table's agreements by table id, or every agreement."""
    ordered = sorted(registry.agreements.values(), key=lambda a: (date_key(a.date), a.id))
    if scope is None:
        return ordered
    if scope in registry.agreements:
        return [registry.agreements[scope]]
    if scope in registry.tables:
        return [a for a in ordered if a.table == scope]
    raise NotFound(
        f"no agreement or table {scope!r}; `peacemonitor tables` lists tables, "
        "`peacemonitor implementation` every agreement"
    )


def implementation(registry: Registry, scope: str | None = None) -> ImplementationReport:
    """Provisions by level, theme, responsible party and over time, for the agreements in scope."""
    agreements = in_scope(registry, scope)
    parts = [agreement_implementation(registry, a) for a in agreements]
    lines = [line for part in parts for line in part.provisions]
    return ImplementationReport(
        scope=scope or "all",
        agreements=parts,
        by_level=count_levels(line.level for line in lines),
        by_theme=_breakdown(lines, "theme"),
        by_party=_breakdown(lines, "party"),
        over_time=over_time(agreements),
    )
