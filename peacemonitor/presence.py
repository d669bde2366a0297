"""Where a group is: presence records, each labelled with how it is known.

Who is where decides which municipalities a ceasefire treats, so presence is never one blended
map. Three ways of knowing stay apart, and every record says which:

- ``registry``: presence a cited source reports (``Actor.presence`` in the curated registry), a
  snapshot dated ``as_of``;
- ``events``: derived from events in a window before the day asked — UCDP sides and ACLED actor
  names mapped to registry actors through the registry's ``actor_mappings`` table (never through
  guesswork on names), one record per actor, territory and source;
- ``user``: a table the user imported with ``peacemonitor import presence FILE``, each row a
  period (from, to) with the user's source.

Asked ``as_of`` a day, registry reports and events count when dated inside the
``window_months`` before it; a user's period counts when it contains the day. Without a day,
everything counts.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from peacemonitor.errors import NotFound, PeacemonitorError
from peacemonitor.model import (
    MAPPED_SOURCES,
    Actor,
    ActorMapping,
    MatchKind,
    TerritoryLevel,
    territory_level,
)
from peacemonitor.names import normalize_name
from peacemonitor.registry import Registry
from peacemonitor.store import Store

if TYPE_CHECKING:
    import duckdb

    from peacemonitor.gazetteer import Gazetteer

HOWS = ("registry", "events", "user")
COUNTRY = "CO"


class UnknownHow(PeacemonitorError):
    """A way of knowing presence that is not registry, events or user."""


@dataclass(frozen=True)
class PresenceRecord:
    """One actor in one territory over a period, from one source, known one way (``how``)."""

    actor_id: str
    territory_code: str
    territory_level: TerritoryLevel
    territory_name: str | None
    first: dt.date | None
    last: dt.date | None
    source: str
    how: str
    events: int | None = None
    detail: str | None = None


def presence(
    store: Store,
    registry: Registry,
    actor_id: str | None = None,
    as_of: dt.date | None = None,
    window_months: int = 24,
    how: set[str] | None = None,
) -> list[PresenceRecord]:
    """Every presence record of ``actor_id`` (all actors when None), sorted by actor, how,
    territory and source. ``how`` limits the ways of knowing (all three by default)."""
    wanted = _hows(how)
    if actor_id is not None and actor_id not in registry.actors:
        raise NotFound(f"no actor {actor_id!r}; `peacemonitor actors` lists them")
    start = months_before(as_of, window_months) if as_of else None
    names = territory_names(store)
    found: list[PresenceRecord] = []
    if "registry" in wanted:
        found += _from_registry(registry, actor_id, start, as_of, names)
    if "events" in wanted:
        found += _from_events(store, registry, actor_id, start, as_of, names)
    if "user" in wanted:
        found += _from_user(store, actor_id, as_of, names)
    return sorted(found, key=lambda r: (r.actor_id, HOWS.index(r.how), r.territory_code, r.source))


def _hows(how: set[str] | None) -> set[str]:
    if how is None:
        return set(HOWS)
    unknown = sorted(set(how) - set(HOWS))
    if unknown:
        raise UnknownHow(f"unknown presence kind {', '.join(unknown)}: use {', '.join(HOWS)}")
    return set(how)


def months_before(day: dt.date, months: int) -> dt.date:
    """The day ``months`` calendar months before ``day`` (clamped to the month's end)."""
    import calendar

    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def territory_names(store: Store) -> dict[str, str]:
    """Every territory code the store knows → its official name."""
    with store.read() as db:
        return dict(db.execute("SELECT code, name FROM territories").fetchall())


def resolve_actor(registry: Registry, text: str) -> Actor:
    """An actor by id, name or alias, as `peacemonitor actor` finds it (``actors.get_actor``)."""
    from peacemonitor.actors import get_actor

    return get_actor(registry, text)


_ACCEPTED = {MatchKind.CODE, MatchKind.EXACT_NAME, MatchKind.VARIANT, MatchKind.SUCCESSOR}


def resolve_territory(gazetteer: Gazetteer, text: str, department: str) -> tuple[str, str] | str:
    """(level, code) of a code or name; otherwise why not. Fuzzy matches are refused: a user's
    own table should name places exactly, and a guess would put a group in the wrong place."""
    if text.upper() == "CO":
        return TerritoryLevel.COUNTRY.value, "CO"
    if text.isdigit():
        found = gazetteer.resolve_code(text)
    elif department:
        found = gazetteer.resolve_name(department, text)
    elif "," in text:
        municipality, _, dept = text.rpartition(",")
        found = gazetteer.resolve_name(dept, municipality)
    else:
        found = gazetteer.resolve_department(text)
        if found.code is None or found.match not in _ACCEPTED:
            found = gazetteer.resolve_name(None, text)
    if found.code is None or found.reason is not None or found.level is None:
        return found.detail or f"{text!r} not recognised"
    if found.match not in _ACCEPTED:
        return f"{text!r} only matches {found.code} {found.name} approximately: write it exactly"
    return found.level.value, found.code


# --- registry ----------------------------------------------------------------------------------


def _from_registry(
    registry: Registry,
    actor_id: str | None,
    start: dt.date | None,
    as_of: dt.date | None,
    names: dict[str, str],
) -> list[PresenceRecord]:
    records = []
    for actor in _actors(registry, actor_id):
        for item in actor.presence:
            if as_of and start and not (item.as_of.first <= as_of and item.as_of.last >= start):
                continue
            cited = ", ".join(dict.fromkeys(c.source for c in item.sources))
            for code in item.territories:
                records.append(
                    PresenceRecord(
                        actor_id=actor.id,
                        territory_code=code,
                        territory_level=territory_level(code),
                        territory_name=names.get(code),
                        first=item.as_of.first,
                        last=item.as_of.last,
                        source=cited,
                        how="registry",
                        detail=item.detail,
                    )
                )
    return records


def _actors(registry: Registry, actor_id: str | None) -> list[Actor]:
    if actor_id is None:
        return sorted(registry.actors.values(), key=lambda a: a.id)
    return [registry.actors[actor_id]]


# --- events ------------------------------------------------------------------------------------


def mapping_index(registry: Registry) -> dict[tuple[str, str], list[ActorMapping]]:
    """(source, normalised name) → the registry's mappings of that name."""
    index: dict[tuple[str, str], list[ActorMapping]] = defaultdict(list)
    for mapping in registry.actor_mappings.values():
        index[(mapping.source, normalize_name(mapping.name))].append(mapping)
    return dict(index)


def mapped_actors(
    index: dict[tuple[str, str], list[ActorMapping]],
    source: str,
    name: str,
    first: dt.date,
    last: dt.date,
) -> list[str]:
    """The registry actors a source's actor name stands for on events dated first..last."""
    actors: list[str] = []
    for mapping in index.get((source, normalize_name(name)), []):
        if mapping.since and mapping.since.first > last:
            continue
        if mapping.until and mapping.until.last < first:
            continue
        actors += [a for a in mapping.actors if a not in actors]
    return actors


_EVENT_GROUPS = """
    SELECT source, name, territory_level, territory_code, strftime(date_first, '%Y-%m') AS month,
           min(date_first) AS first, max(date_first) AS last, count(*) AS events
    FROM (
        SELECT source, unnest(actor_raw) AS name, territory_level, territory_code, date_first
        FROM observations
        WHERE source IN (SELECT unnest($sources::VARCHAR[]))
          AND territory_level IN ('municipality', 'department')
          AND date_first BETWEEN $first AND $last
    )
    GROUP BY ALL
"""


def event_actor_groups(
    db: duckdb.DuckDBPyConnection, first: dt.date | None, last: dt.date | None
) -> list[tuple[Any, ...]]:
    """(source, raw name, level, code, month, first, last, events) of the mapped sources'
    events placed in a department or municipality between ``first`` and ``last``."""
    params = {
        "sources": list(MAPPED_SOURCES),
        "first": first or dt.date(1, 1, 1),
        "last": last or dt.date(9999, 12, 31),
    }
    return db.execute(_EVENT_GROUPS, params).fetchall()


def _from_events(
    store: Store,
    registry: Registry,
    actor_id: str | None,
    start: dt.date | None,
    as_of: dt.date | None,
    names: dict[str, str],
) -> list[PresenceRecord]:
    index = mapping_index(registry)
    with store.read() as db:
        groups = event_actor_groups(db, start, as_of)
    found: dict[tuple[str, str, str, str], list[Any]] = {}
    for source, name, level, code, _month, first, last, events in groups:
        for actor in mapped_actors(index, source, name, first, last):
            if actor_id is not None and actor != actor_id:
                continue
            item = found.setdefault((actor, source, level, code), [first, last, 0, set()])
            item[0], item[1] = min(item[0], first), max(item[1], last)
            item[2] += events
            item[3].add(name)
    return [
        PresenceRecord(
            actor_id=actor,
            territory_code=code,
            territory_level=TerritoryLevel(level),
            territory_name=names.get(code),
            first=first,
            last=last,
            source=source,
            how="events",
            events=events,
            detail="as " + ", ".join(sorted(raw)),
        )
        for (actor, source, level, code), (first, last, events, raw) in found.items()
    ]


# --- user --------------------------------------------------------------------------------------


def _from_user(
    store: Store, actor_id: str | None, as_of: dt.date | None, names: dict[str, str]
) -> list[PresenceRecord]:
    sql = (
        "SELECT actor_id, territory_code, territory_level, date_first, date_last, source, "
        "file_name, row_number FROM user_presence "
        "WHERE ($actor IS NULL OR actor_id = $actor) AND ($day IS NULL OR "
        "((date_first IS NULL OR date_first <= $day) AND (date_last IS NULL OR date_last >= $day)))"
    )
    with store.read() as db:
        rows = db.execute(sql, {"actor": actor_id, "day": as_of}).fetchall()
    return [
        PresenceRecord(
            actor_id=actor,
            territory_code=code,
            territory_level=TerritoryLevel(level),
            territory_name=names.get(code),
            first=first,
            last=last,
            source=source,
            how="user",
            detail=f"{file_name}, row {row}",
        )
        for actor, code, level, first, last, source, file_name, row in rows
    ]


# --- areas -------------------------------------------------------------------------------------


def area(store: Store, records: Iterable[PresenceRecord]) -> list[str]:
    """The current municipalities the records cover: a department stands for all its
    municipalities, Colombia for every one; other countries and absorbed codes drop out."""
    return municipalities_of(store, {r.territory_code for r in records})


def municipalities_of(store: Store, codes: Iterable[str]) -> list[str]:
    """Current municipality codes inside ``codes`` (municipalities, departments or "CO")."""
    wanted = set(codes)
    with store.read() as db:
        rows = db.execute(
            "SELECT code, department_code FROM territories "
            "WHERE level = 'municipality' AND successor IS NULL"
        ).fetchall()
    whole = COUNTRY in wanted
    return sorted(code for code, dept in rows if whole or code in wanted or dept in wanted)
