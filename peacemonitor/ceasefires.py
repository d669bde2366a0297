"""Ceasefires: what was in force where on a given day.

A lifecycle step counts from the first day its date may mean (a suspension "in March 2024"
counts from 1 March) — or from ``not_before`` when a source bounds it further — and when the day
asked about falls inside such a step's window the answer is marked ``uncertain``. A step dated
more coarsely than another step inside its window (an extension dated "2024" beside one of
February 2024) never overrides that finer step: it counts only once the finer step and the term
it set are over. An ``ended`` step dated on the planned last day means the ceasefire lapsed at
the end of that day: it is in force on its last day and ended the day after.

Where the planned end passed with no recorded step, the registry does not say what happened:
the state is ``unknown`` from the next day, with ``last_known`` the state before. A live
ceasefire with no planned end and no end is flagged ``open_ended``. A state shows both when it
began (``since``: repeated suspensions do not reset it) and when the term it runs under began
(``term_since``: the declaration or the extension in force, with its ``instrument``). A
suspension belongs to the term it was made in: a later extension starts without it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel

from peacemonitor.model import (
    Ceasefire,
    CeasefireEvent,
    CeasefireEventKind,
    CeasefireKind,
    PartialDate,
    PDate,
    Precision,
)
from peacemonitor.registry import Registry

LIVE = ("declared", "in-force", "partly-suspended", "suspended")
IN_FORCE = ("in-force", "partly-suspended")
STATUSES = ("not-yet", *LIVE, "ended", "unknown")
_FINENESS = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}
_ONE_DAY = dt.timedelta(days=1)


class CeasefireState(BaseModel):
    """A ceasefire as it stood on ``as_of``."""

    id: str
    name: str
    kind: CeasefireKind
    parties: list[str]
    table: str | None
    as_of: dt.date
    status: str
    since: PDate | None
    term_since: PDate | None = None
    instrument: str | None = None
    planned_end: PDate | None
    open_ended: bool = False
    last_known: str | None = None
    in_force: list[str]
    suspended: list[str]
    end_reason: str | None
    instruments: list[str]
    uncertain: bool


@dataclass
class _Walk:
    phase: str = "not-yet"  # not-yet, declared, in-force, ended
    since: PartialDate | None = None
    term_since: PartialDate | None = None
    instrument: str | None = None
    planned_end: PartialDate | None = None
    scope: list[str] = field(default_factory=list)
    parties: list[str] = field(default_factory=list)
    suspended: set[str] = field(default_factory=set)
    end_reason: str | None = None
    uncertain: bool = False

    @property
    def status(self) -> str:
        """The phase, refined by suspensions: a suspension of part of the scope leaves the
        ceasefire ``partly-suspended``, of all of it ``suspended``."""
        if self.phase != "in-force" or not self.suspended:
            return self.phase
        return "suspended" if self.suspended >= set(self.scope) else "partly-suspended"


def _day_date(day: dt.date) -> PartialDate:
    return PartialDate(day.year, day.month, day.day, Precision.DAY)


def _window(event: CeasefireEvent) -> tuple[dt.date, dt.date]:
    """The days the step may fall on: its date, narrowed by ``not_before``/``not_after``."""
    first, last = event.date.first, event.date.last
    if event.not_before is not None:
        first = max(first, event.not_before.first)
    if event.not_after is not None:
        last = min(last, event.not_after.last)
    return first, last


def effective_first(event: CeasefireEvent, events: Sequence[CeasefireEvent]) -> dt.date:
    """The first day a step counts: the start of its window, after every finer step inside that
    window (and the term such a step set, when it ends inside the window); an ``ended`` step on
    a planned last day counts from the next day. Steps are listed in the order they happened, so
    only finer steps listed before this one hold it back; one listed after simply follows it."""
    first, last = _window(event)
    for other in events[: _index(event, events)]:
        if _FINENESS[other.date.precision] <= _FINENESS[event.date.precision]:
            continue
        if event.date.first <= other.date.first <= event.date.last:
            first = max(first, other.date.last + _ONE_DAY)
            if other.until is not None and other.until.last <= last:
                first = max(first, other.until.last + _ONE_DAY)
    if event.kind is CeasefireEventKind.ENDED and _ends_a_term(event, events):
        first = max(first, event.date.last + _ONE_DAY)
    return first


def _index(event: CeasefireEvent, events: Sequence[CeasefireEvent]) -> int:
    return next(i for i, e in enumerate(events) if e is event)


def _ends_a_term(event: CeasefireEvent, events: Sequence[CeasefireEvent]) -> bool:
    return event.date.precision is Precision.DAY and any(
        e.until == event.date for e in events if e is not event
    )


def _timeline(ceasefire: Ceasefire) -> list[tuple[dt.date, dt.date, CeasefireEvent]]:
    """(first day it counts, last day it may fall on, step), in the order steps take effect."""
    events = ceasefire.events
    steps = [(effective_first(e, events), _window(e)[1], e) for e in events]
    return sorted(steps, key=lambda step: step[0])


def _step(walk: _Walk, event: CeasefireEvent) -> None:
    kind = event.kind
    walk.parties = list(event.parties) if event.parties else walk.parties
    if kind in (CeasefireEventKind.DECLARED, CeasefireEventKind.IN_FORCE):
        walk.phase = kind.value
        walk.scope = list(event.scope) if event.scope else walk.scope
    elif kind is CeasefireEventKind.EXTENDED:
        walk.phase = "in-force"
    elif kind is CeasefireEventKind.SUSPENDED:
        walk.phase = "in-force"
        walk.suspended |= set(event.scope or walk.scope)
    elif kind is CeasefireEventKind.RESUMED:
        walk.phase = "in-force"
        walk.suspended -= set(event.scope or walk.suspended)
    else:
        walk.phase, walk.end_reason = "ended", event.reason
    if event.until is not None or kind is not CeasefireEventKind.SUSPENDED:
        _new_term(walk, event)


def _new_term(walk: _Walk, event: CeasefireEvent) -> None:
    """A declaration, an entry into force or an extension starts a term; a step that sets a
    planned end restates it."""
    if event.kind in (CeasefireEventKind.ENDED, CeasefireEventKind.RESUMED):
        return
    if event.until is not None or event.kind is CeasefireEventKind.EXTENDED:
        walk.suspended = set()  # a suspension belongs to the term it was made in
    walk.planned_end = event.until or walk.planned_end
    walk.term_since = event.date
    walk.instrument = event.instrument or (walk.instrument if event.until is None else None)


def _replay(ceasefire: Ceasefire, day: dt.date) -> _Walk:
    walk = _Walk(scope=list(ceasefire.scope), parties=list(ceasefire.parties))
    for first, last, event in _timeline(ceasefire):
        if first > day:
            break
        before = walk.status
        _step(walk, event)
        if walk.status != before:
            walk.since = event.date
        walk.uncertain = walk.uncertain or last > day
    return walk


def state_on(ceasefire: Ceasefire, day: dt.date) -> CeasefireState:
    """Replay the lifecycle up to ``day``."""
    walk = _replay(ceasefire, day)
    status, last_known = walk.status, None
    if status in LIVE and walk.planned_end and walk.planned_end.last < day:
        last_known = f"{status} until {walk.planned_end}"
        status, walk.since = "unknown", _day_date(walk.planned_end.last + _ONE_DAY)
    in_force = status in IN_FORCE
    return CeasefireState(
        id=ceasefire.id,
        name=ceasefire.name,
        kind=ceasefire.kind,
        parties=walk.parties,
        table=ceasefire.table,
        as_of=day,
        status=status,
        since=walk.since,
        term_since=walk.term_since,
        instrument=walk.instrument,
        planned_end=walk.planned_end,
        open_ended=status in LIVE and walk.planned_end is None,
        last_known=last_known,
        in_force=walk.scope if in_force else [],
        suspended=sorted(walk.suspended) if in_force else [],
        end_reason=walk.end_reason,
        instruments=ceasefire.instruments,
        uncertain=walk.uncertain,
    )


def all_parties(ceasefire: Ceasefire) -> list[str]:
    """Every actor that was a party at some step: those at the start and those who joined."""
    found = list(ceasefire.parties)
    for event in ceasefire.events:
        found += [p for p in event.parties or [] if p not in found]
    return found


def first_day(ceasefire: Ceasefire) -> dt.date:
    """The first day any step of the ceasefire counts."""
    return _timeline(ceasefire)[0][0]


def list_ceasefires(
    registry: Registry, day: dt.date | None = None, only_live: bool = False
) -> list[CeasefireState]:
    """Every ceasefire's state on ``day`` (today by default), optionally only those in force."""
    day = day or dt.date.today()
    states = [state_on(c, day) for c in sorted(registry.ceasefires.values(), key=lambda c: c.id)]
    states = [s for s in states if s.status != "not-yet"]
    live = ("declared", "in-force", "partly-suspended")
    return [s for s in states if s.status in live] if only_live else states


def get_ceasefire(registry: Registry, ceasefire_id: str) -> Ceasefire:
    """A ceasefire by id or name (``lookup.find``)."""
    from peacemonitor.lookup import find

    return find(
        registry.ceasefires,
        ceasefire_id,
        lambda c: [c.name],
        "ceasefire",
        "peacemonitor ceasefires",
    )
