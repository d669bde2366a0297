"""Ceasefires: what was in force where on a given day.

A lifecycle step counts from the first day its date may mean (a suspension "in March 2024"
counts from 1 March); when the day asked about falls inside such a step's window the answer is
marked ``uncertain``. A ceasefire whose planned end passed with no recorded extension or end is
``expired``: the registry does not say it was renewed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from pydantic import BaseModel

from peacemonitor.model import (
    Ceasefire,
    CeasefireEvent,
    CeasefireEventKind,
    CeasefireKind,
    PartialDate,
    PDate,
)
from peacemonitor.registry import Registry

LIVE = ("declared", "in-force", "partly-suspended", "suspended")


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
    planned_end: PDate | None
    in_force: list[str]
    suspended: list[str]
    end_reason: str | None
    instruments: list[str]
    uncertain: bool


@dataclass
class _Walk:
    phase: str = "not-yet"  # not-yet, declared, in-force, ended
    since: PartialDate | None = None
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


def _step(walk: _Walk, event: CeasefireEvent) -> None:
    kind = event.kind
    walk.since = event.date
    walk.planned_end = event.until or walk.planned_end
    walk.parties = list(event.parties) if event.parties else walk.parties
    if kind in (CeasefireEventKind.DECLARED, CeasefireEventKind.IN_FORCE):
        walk.phase = kind.value
        walk.scope = list(event.scope) if event.scope else walk.scope
    elif kind in (CeasefireEventKind.EXTENDED, CeasefireEventKind.SUSPENDED):
        walk.phase = "in-force"
        if kind is CeasefireEventKind.SUSPENDED:
            walk.suspended |= set(event.scope or walk.scope)
    elif kind is CeasefireEventKind.RESUMED:
        walk.phase = "in-force"
        walk.suspended -= set(event.scope or walk.suspended)
    else:
        walk.phase, walk.end_reason = "ended", event.reason


def state_on(ceasefire: Ceasefire, day: dt.date) -> CeasefireState:
    """Replay the lifecycle up to ``day``."""
    walk = _Walk(scope=list(ceasefire.scope), parties=list(ceasefire.parties))
    for event in ceasefire.events:
        if event.date.first > day:
            break
        _step(walk, event)
        walk.uncertain = walk.uncertain or event.date.last > day
    status = walk.status
    if status in LIVE and walk.planned_end and walk.planned_end.last < day:
        status, walk.since = "expired", walk.planned_end
    in_force = status in ("in-force", "partly-suspended")
    return CeasefireState(
        id=ceasefire.id,
        name=ceasefire.name,
        kind=ceasefire.kind,
        parties=walk.parties,
        table=ceasefire.table,
        as_of=day,
        status=status,
        since=walk.since,
        planned_end=walk.planned_end,
        in_force=walk.scope if in_force else [],
        suspended=sorted(walk.suspended) if in_force else [],
        end_reason=walk.end_reason,
        instruments=ceasefire.instruments,
        uncertain=walk.uncertain,
    )


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
