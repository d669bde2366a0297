"""Violations log: what happened during a ceasefire, in its scope, involving its parties.

Classed as ceasefire monitors do: **hostilities between the parties** (two of its parties in one
event), **against civilians** (a party and a civilian target), and **unattributed, needing
verification** (a party with no known counterpart, or a fighting or civilian-targeting event with
no attributed actor at all, from a source that does attribute actors). A log entry is a lead to
check, never a verified breach. Each links to its source record — except ACLED, whose rows may not
be redistributed: its entries are monthly aggregates by department and class.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from peacemonitor.ceasefires import get_ceasefire, state_on
from peacemonitor.model import Ceasefire
from peacemonitor.registry import Registry
from peacemonitor.store import Store
from peacemonitor.views import VIEW_CATEGORIES, View

AGGREGATE_ONLY = ("acled", "acled-hdx")
_FIGHTING = {c.value for c in VIEW_CATEGORIES[View.STATE_GROUP] + VIEW_CATEGORIES[View.GROUP_GROUP]}
_CIVILIAN = {c.value for c in VIEW_CATEGORIES[View.CIVILIANS]}


class ViolationClass(StrEnum):
    BETWEEN_PARTIES = "hostilities-between-parties"
    AGAINST_CIVILIANS = "against-civilians"
    UNATTRIBUTED = "unattributed-needs-verification"


class Violation(BaseModel):
    """One observation (or, for ACLED, one month × department × class aggregate)."""

    ceasefire: str
    classification: ViolationClass
    date: dt.date = Field(description="the event's day; an aggregate's first day of the month")
    territory_code: str
    category: str
    source: str
    record_id: str | None = Field(description="the source's record id; null for aggregates")
    count: float
    unit: str
    actor_ids: list[str]
    events: int = Field(default=1, description="observations behind the entry (>1: aggregate)")


def classify(
    actors: list[str], parties: set[str], category: str, civilian: bool
) -> ViolationClass | None:
    """Between parties when two of them meet; against civilians when a party targets them;
    unattributed when the counterpart is unknown; None (not this ceasefire's) when one party
    met a known outsider: the state fighting another group breaks no truce with this one."""
    involved = set(actors) & parties
    if len(involved) >= 2:
        return ViolationClass.BETWEEN_PARTIES
    if involved and (civilian or category in _CIVILIAN):
        return ViolationClass.AGAINST_CIVILIANS
    if set(actors) - parties:
        return None
    return ViolationClass.UNATTRIBUTED


def _in_force(ceasefire: Ceasefire, day: dt.date, code: str) -> bool:
    state = state_on(ceasefire, day)
    inside = any(code == s or code.startswith(s) or s == "CO" for s in state.in_force)
    out = any(code == s or code.startswith(s) for s in state.suspended)
    return inside and not out


def _candidates(store: Store, parties: list[str], first: dt.date, last: dt.date) -> list[Any]:
    with store.read() as db:
        attributing = [
            r[0]
            for r in db.execute(
                "SELECT DISTINCT source FROM observations WHERE len(actor_ids) > 0"
            ).fetchall()
        ]
        return db.execute(
            """SELECT source, record_id, date_first, territory_code, category, unit, count,
                      coalesce(actor_ids, []), coalesce(civilian_targeting, false)
               FROM observations
               WHERE date_first BETWEEN $first AND $last AND date_precision = 'day'
                 AND (list_has_any(coalesce(actor_ids, []), $parties)
                      OR (len(coalesce(actor_ids, [])) = 0
                          AND source IN (SELECT unnest($attributing::VARCHAR[]))
                          AND category IN (SELECT unnest($fighting::VARCHAR[]))))
               ORDER BY date_first, source, record_id""",
            {
                "first": first,
                "last": last,
                "parties": parties,
                "attributing": attributing or [""],
                "fighting": sorted(_FIGHTING | _CIVILIAN),
            },
        ).fetchall()


def violations(store: Store, registry: Registry, ceasefire_id: str) -> list[Violation]:
    """The log, by date; ACLED entries aggregated (see the module docstring)."""
    ceasefire = get_ceasefire(registry, ceasefire_id)
    days = [e.date.first for e in ceasefire.events] + [
        e.until.last for e in ceasefire.events if e.until
    ]
    parties = set(ceasefire.parties) | {p for e in ceasefire.events for p in e.parties or []}
    found: list[Violation] = []
    aggregates: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for row in _candidates(store, sorted(parties), min(days), max(days)):
        source, record, day, code, category, unit, count, actors, civilian = row
        if not _in_force(ceasefire, day, code):
            continue
        kind = classify(list(actors), set(state_on(ceasefire, day).parties), category, civilian)
        if kind is None:
            continue
        if source in AGGREGATE_ONLY:
            key = (source, day.replace(day=1), code[:2], category, unit, kind)
            aggregates[key].append(count)
            continue
        found.append(
            Violation(
                ceasefire=ceasefire.id,
                classification=kind,
                date=day,
                territory_code=code,
                category=category,
                source=source,
                record_id=record,
                count=count,
                unit=unit,
                actor_ids=list(actors),
            )
        )
    for (source, month, department, category, unit, kind), counts in aggregates.items():
        found.append(
            Violation(
                ceasefire=ceasefire.id,
                classification=kind,
                date=month,
                territory_code=department,
                category=category,
                source=source,
                record_id=None,
                count=sum(counts),
                unit=unit,
                actor_ids=[],
                events=len(counts),
            )
        )
    return sorted(found, key=lambda v: (v.date, v.source, v.record_id or ""))


class AttributingSource(BaseModel):
    """A source whose observations name actors, and the days they span: only such a source can
    say who broke a ceasefire, so an empty log is read against these."""

    source: str
    first: dt.date
    last: dt.date
    observations: int


def attributing_sources(store: Store) -> list[AttributingSource]:
    """Every source in the store with observations that name an actor, with their date span."""
    with store.read() as db:
        rows = db.execute(
            "SELECT source, min(date_first), max(date_first), count(*) "
            "FROM observations WHERE len(coalesce(actor_ids, [])) > 0 GROUP BY source "
            "ORDER BY source"
        ).fetchall()
    return [AttributingSource(source=s, first=a, last=b, observations=n) for s, a, b, n in rows]


def empty_reason(store: Store, registry: Registry, ceasefire_id: str) -> str:
    """Why the log of a ceasefire is empty, from what the store holds: no source names actors,
    none covers the ceasefire's days, or those that do recorded nothing it applies to."""
    ceasefire = get_ceasefire(registry, ceasefire_id)
    first = min(e.date.first for e in ceasefire.events)
    last = max(
        [e.date.last for e in ceasefire.events]
        + [e.until.last for e in ceasefire.events if e.until]
    )
    found = attributing_sources(store)
    spans = ", ".join(f"{s.source} {s.first}..{s.last}" for s in found)
    if not found:
        return (
            "no source in the store attributes events to armed groups, so none can say whether "
            "the parties broke it"
        )
    if all(s.last < first or s.first > last for s in found):
        return (
            f"the sources that attribute events to armed groups ({spans}) do not reach its days "
            f"({first}..{last})"
        )
    return (
        f"the sources that attribute events to armed groups ({spans}) record no event of its "
        "parties, and no unattributed fighting, where and when it was in force"
    )
