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

from peacemonitor.errors import NotFound
from peacemonitor.model import (
    Ceasefire,
    CeasefireEvent,
    CeasefireEventKind,
    CeasefireKind,
    PartialDate,
    PDate,
)
from peacemonitor.registry import Registry

LIVE = ("declared", "in-force", "partly-suspended")


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
    status: str = "not-yet"
    since: PartialDate | None = None
    planned_end: PartialDate | None = None
    scope: list[str] = field(default_factory=list)
    suspended: set[str] = field(default_factory=set)
    end_reason: str | None = None
    uncertain: bool = False


def _step(walk: _Walk, event: CeasefireEvent) -> None:
    kind = event.kind
    walk.since = event.date
    if event.until is not None:
        walk.planned_end = event.until
    if kind in (CeasefireEventKind.DECLARED, CeasefireEventKind.IN_FORCE):
        walk.status = kind.value
        walk.scope = list(event.scope) if event.scope else walk.scope
    elif kind is CeasefireEventKind.EXTENDED:
        walk.status = "partly-suspended" if walk.suspended else "in-force"
    elif kind is CeasefireEventKind.SUSPENDED:
        walk.suspended |= set(event.scope or walk.scope)
        walk.status = "suspended" if walk.suspended >= set(walk.scope) else "partly-suspended"
    elif kind is CeasefireEventKind.RESUMED:
        walk.suspended -= set(event.scope or walk.suspended)
        walk.status = "partly-suspended" if walk.suspended else "in-force"
    else:
        walk.status, walk.end_reason = "ended", event.reason


def state_on(ceasefire: Ceasefire, day: dt.date) -> CeasefireState:
    """Replay the lifecycle up to ``day``."""
    walk = _Walk(scope=list(ceasefire.scope))
    for event in ceasefire.events:
        if event.date.first > day:
            break
        _step(walk, event)
        walk.uncertain = walk.uncertain or event.date.last > day
    if walk.status in LIVE and walk.planned_end and walk.planned_end.last < day:
        walk.status, walk.since = "expired", walk.planned_end
    live = walk.status in LIVE
    return CeasefireState(
        id=ceasefire.id,
        name=ceasefire.name,
        kind=ceasefire.kind,
        parties=ceasefire.parties,
        table=ceasefire.table,
        as_of=day,
        status=walk.status,
        since=walk.since,
        planned_end=walk.planned_end,
        in_force=walk.scope if live and walk.status != "declared" else [],
        suspended=sorted(walk.suspended) if live else [],
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
    return [s for s in states if s.status in LIVE] if only_live else states


def get_ceasefire(registry: Registry, ceasefire_id: str) -> Ceasefire:
    try:
        return registry.ceasefires[ceasefire_id]
    except KeyError:
        raise NotFound(
            f"no ceasefire {ceasefire_id!r}; `peacemonitor ceasefires` lists them"
        ) from None
