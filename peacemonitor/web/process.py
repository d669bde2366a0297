"""Pages about the peace process from the registry: armed groups, tables, ceasefires, sources,
and what the store covers. Each returns the library's own records, lightly wrapped."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from peacemonitor.actors import ActorSummary, list_actors
from peacemonitor.ceasefires import CeasefireState, get_ceasefire, list_ceasefires, state_on
from peacemonitor.coverage import Coverage, coverage
from peacemonitor.model import Ceasefire, Source
from peacemonitor.tables import TableDetail, TableSummary, list_tables, table_detail
from peacemonitor.web.context import Context
from peacemonitor.web.status import Missing, StoreStatus, store_status


class ActorList(BaseModel):
    as_of: dt.date
    actors: list[ActorSummary]


class TableList(BaseModel):
    as_of: dt.date
    tables: list[TableSummary]


class CeasefireList(BaseModel):
    as_of: dt.date
    ceasefires: list[CeasefireState]


class Step(BaseModel):
    """The ceasefire as it stood right after one lifecycle step: scope over time."""

    date: str
    kind: str
    state: CeasefireState


class CeasefirePage(BaseModel):
    ceasefire: Ceasefire
    state: CeasefireState
    steps: list[Step]


class SourceList(BaseModel):
    sources: list[Source]


class CoveragePage(BaseModel):
    status: StoreStatus
    missing: list[Missing]
    coverage: list[Coverage]


def actors(ctx: Context) -> ActorList:
    day = ctx.filters.day
    return ActorList(as_of=day, actors=list_actors(ctx.registry(), day))


def tables(ctx: Context) -> TableList:
    day = ctx.filters.day
    return TableList(as_of=day, tables=list_tables(ctx.registry(), day))


def table(ctx: Context, key: str) -> TableDetail:
    return table_detail(ctx.registry(), key, ctx.filters.day)


def ceasefires(ctx: Context) -> CeasefireList:
    day = ctx.filters.day
    return CeasefireList(as_of=day, ceasefires=list_ceasefires(ctx.registry(), day))


def ceasefire(ctx: Context, key: str) -> CeasefirePage:
    found = get_ceasefire(ctx.registry(), key)
    steps = [
        Step(date=str(e.date), kind=e.kind.value, state=state_on(found, e.date.first))
        for e in found.events
    ]
    return CeasefirePage(ceasefire=found, state=state_on(found, ctx.filters.day), steps=steps)


def sources(ctx: Context) -> SourceList:
    return SourceList(sources=sorted(ctx.registry().sources.values(), key=lambda s: s.id))


def data_coverage(ctx: Context) -> CoveragePage:
    status = store_status(ctx.store)
    rows = coverage(ctx.store) if status.exists and not status.error else []
    return CoveragePage(status=status, missing=status.missing, coverage=rows)
