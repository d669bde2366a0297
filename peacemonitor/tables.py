"""Negotiation tables: their status on any day, and everything hanging off them
(parties, ceasefires, agreements and their provisions' implementation, red lines, gestures)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from peacemonitor.ceasefires import CeasefireState, state_on
from peacemonitor.model import (
    Agreement,
    Gesture,
    ImplementationLevel,
    NegotiationTable,
    PartyRole,
    PDate,
    Precision,
    Provision,
    RedLine,
    StatusChange,
    TableLevel,
    TableParty,
    TableStatus,
    TableTrack,
)
from peacemonitor.registry import Registry, date_key

ENDED = (TableStatus.CONCLUDED, TableStatus.BROKEN_OFF)
_FINENESS = {Precision.YEAR: 0, Precision.MONTH: 1, Precision.DAY: 2}


class TableSummary(BaseModel):
    """A table as it stood on ``as_of``."""

    id: str
    name: str
    level: TableLevel
    track: TableTrack
    as_of: dt.date
    status: TableStatus
    status_since: PDate
    latest_step: PDate | None = Field(
        default=None, description="the last recorded step (it may restate the status)"
    )
    status_uncertain: bool
    open_ended: bool = Field(
        default=False, description="no end (concluded or broken off) is recorded: still open"
    )
    armed_groups: list[str]
    scope: list[str]
    venue: str | None


LEVEL_CODING = (
    "our coding from reported events (0-3, Kroc-style scale); not the Kroc Institute's assessment"
)


class ProvisionView(BaseModel):
    provision: Provision
    level: ImplementationLevel | None
    level_as_of: PDate | None
    level_coding: str = Field(default=LEVEL_CODING, description="who assigned the level, and how")
    implemented_before_signed: bool


class DelegationHead(BaseModel):
    """The latest head a party's delegation is recorded with, whatever newer entries omit."""

    actor: str
    head: str
    as_of: PDate


class AgreementView(BaseModel):
    agreement: Agreement
    provisions: list[ProvisionView]


class TableDetail(BaseModel):
    table: NegotiationTable
    state: TableSummary | None
    parties_now: list[TableParty]
    heads: list[DelegationHead] = Field(
        default=[], description="each party's latest recorded delegation head on the day"
    )
    ceasefires: list[CeasefireState]
    agreements: list[AgreementView]
    red_lines: list[RedLine]
    gestures: list[Gesture]


def get_table(registry: Registry, table_id: str) -> NegotiationTable:
    """A table by id or name (``lookup.find``)."""
    from peacemonitor.lookup import find

    return find(registry.tables, table_id, lambda t: [t.name], "table", "peacemonitor tables")


def _active(party: TableParty, day: dt.date) -> bool:
    started = party.since is None or party.since.first <= day
    return started and (party.until is None or party.until.last >= day)


def scope_on(table: NegotiationTable, day: dt.date) -> list[str]:
    """The territories the table covered on ``day``: its last scope change, else its scope."""
    changes = [c for c in table.scope_changes if c.date.first <= day]
    return list(changes[-1].scope) if changes else list(table.scope)


def _counts_from(history: list[StatusChange], index: int) -> dt.date:
    """The first day a status change counts: a change dated more coarsely than one listed
    before it inside its window (a suspension dated "2025" after one of March 2025) counts only
    after that finer change."""
    change = history[index]
    first = change.date.first
    for other in history[:index]:
        finer = _FINENESS[other.date.precision] > _FINENESS[change.date.precision]
        if finer and change.date.first <= other.date.first <= change.date.last:
            first = max(first, other.date.last + dt.timedelta(days=1))
    return first


def summary_on(table: NegotiationTable, day: dt.date) -> TableSummary | None:
    """The table's status on ``day``, or None if its history had not begun. ``status_since`` is
    when the status began: a second "suspended" after a first does not reset it; the step that
    last restated it is ``latest_step``."""
    history = table.status_history
    reached = [i for i in range(len(history)) if _counts_from(history, i) <= day]
    if not reached:
        return None
    order = sorted(reached, key=lambda i: (_counts_from(history, i), i))
    change = history[order[-1]]
    start = change
    for index in reversed(order[:-1]):
        if history[index].status is not change.status:
            break
        start = history[index]
    return TableSummary(
        id=table.id,
        name=table.name,
        level=table.level,
        track=table.track,
        as_of=day,
        status=change.status,
        status_since=start.date,
        latest_step=change.date,
        status_uncertain=change.date.last > day,
        open_ended=change.status not in ENDED,
        armed_groups=[
            p.actor for p in table.parties if p.role is PartyRole.ARMED_GROUP and _active(p, day)
        ],
        scope=scope_on(table, day),
        venue=change.venue or table.venue,
    )


def list_tables(registry: Registry, day: dt.date | None = None) -> list[TableSummary]:
    """Every table whose history had begun by ``day`` (today by default), with its status."""
    day = day or dt.date.today()
    tables = sorted(registry.tables.values(), key=lambda t: t.id)
    return [s for t in tables if (s := summary_on(t, day)) is not None]


def provision_view(agreement: Agreement, provision: Provision) -> ProvisionView:
    """Latest implementation level, and whether implementation began before signature."""
    latest = max(provision.implementation, key=lambda s: date_key(s.as_of), default=None)
    early = any(
        s.level >= ImplementationLevel.MINIMAL and s.as_of.last < agreement.date.first
        for s in provision.implementation
    )
    return ProvisionView(
        provision=provision,
        level=latest.level if latest else None,
        level_as_of=latest.as_of if latest else None,
        implemented_before_signed=early,
    )


def agreement_view(agreement: Agreement) -> AgreementView:
    return AgreementView(
        agreement=agreement, provisions=[provision_view(agreement, p) for p in agreement.provisions]
    )


def delegation_heads(table: NegotiationTable, day: dt.date) -> list[DelegationHead]:
    """Each party's latest recorded head as of ``day``: an entry naming only members (Al
    Jazeera's "a delegate") does not hide the head other sources record."""
    latest: dict[str, DelegationHead] = {}
    dated = sorted(table.delegations, key=lambda d: date_key(d.as_of))
    for delegation in dated:
        if delegation.head and delegation.as_of.first <= day:
            latest[delegation.actor] = DelegationHead(
                actor=delegation.actor, head=delegation.head, as_of=delegation.as_of
            )
    return list(latest.values())


def table_detail(registry: Registry, table_id: str, day: dt.date | None = None) -> TableDetail:
    """A table with its parties, ceasefires, agreements, red lines and gestures."""
    table = get_table(registry, table_id)
    day = day or dt.date.today()
    by_date = lambda items: sorted(items, key=lambda r: date_key(r.date))  # noqa: E731
    return TableDetail(
        table=table,
        state=summary_on(table, day),
        parties_now=[p for p in table.parties if _active(p, day)],
        heads=delegation_heads(table, day),
        ceasefires=[
            state_on(c, day)
            for c in sorted(registry.ceasefires.values(), key=lambda c: c.id)
            if c.table == table_id
        ],
        agreements=[
            agreement_view(a) for a in by_date(registry.agreements.values()) if a.table == table_id
        ],
        red_lines=[r for r in registry.red_lines.values() if r.table == table_id],
        gestures=[g for g in by_date(registry.gestures.values()) if g.table == table_id],
    )
