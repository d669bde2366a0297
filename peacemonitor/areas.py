"""Areas: where a group or a table is, and how much violence happened there.

Presence comes through one seam, :func:`presence`, which asks ``peacemonitor.presence`` (the
registry's cited presence, presence derived from mapped events, and the user's tables); tests
pin it to the registry's cited presence (``registry_presence``). Analyses never read
``Actor.presence`` themselves.

Violence in an area is counted one source and one unit at a time (never summed across sources),
month by month; a month the source does not cover is ``None`` ("no data"), never 0.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from peacemonitor.coverage import HOME, Interval, covered, merge, spans
from peacemonitor.model import Category, NegotiationTable, PartyRole, territory_level
from peacemonitor.registry import Registry
from peacemonitor.store import Store
from peacemonitor.tables import scope_on


class PresenceLike(Protocol):
    """What analyses read of a presence record (``peacemonitor.presence.PresenceRecord``)."""

    actor_id: str
    territory_code: str
    territory_level: str
    first: dt.date
    last: dt.date
    how: str


@dataclass(frozen=True)
class PresenceRecord:
    """A group present in a territory from ``first`` to ``last``, and how we know."""

    actor_id: str
    territory_code: str
    territory_level: str
    territory_name: str | None
    first: dt.date
    last: dt.date
    source: str
    how: str


def presence(
    store: Store,
    registry: Registry,
    actor_id: str | None = None,
    as_of: dt.date | None = None,
    window_months: int = 24,
    how: str | None = None,
) -> list[Any]:
    """Presence records (``peacemonitor.presence``): the one seam the analyses read presence
    through, so a test can pin it to the registry's cited presence alone."""
    from peacemonitor.presence import presence as records

    found: list[Any] = records(
        store, registry, actor_id, as_of=as_of, window_months=window_months,
        how={how} if how else None,
    )  # fmt: skip
    return found


def registry_presence(
    registry: Registry,
    actor_id: str | None = None,
    as_of: dt.date | None = None,
    window_months: int = 24,
) -> list[PresenceRecord]:
    """The registry's cited presence, reported within ``window_months`` before ``as_of``."""
    actors = [registry.actors[actor_id]] if actor_id in registry.actors else []
    if actor_id is None:
        actors = sorted(registry.actors.values(), key=lambda a: a.id)
    earliest = as_of - dt.timedelta(days=31 * window_months) if as_of else None
    return [
        PresenceRecord(
            actor_id=actor.id,
            territory_code=code,
            territory_level=territory_level(code).value,
            territory_name=None,
            first=item.as_of.first,
            last=item.as_of.last,
            source="; ".join(c.source for c in item.sources),
            how="registry",
        )
        for actor in actors
        for item in actor.presence
        if as_of is None or (earliest is not None and earliest <= item.as_of.first <= as_of)
        for code in item.territories
    ]


# --- territories -----------------------------------------------------------------------------


def municipalities(store: Store) -> dict[str, str]:
    """Current municipalities (absorbed codes excluded) → official name."""
    with store.read() as db:
        rows = db.execute(
            "SELECT code, name FROM territories WHERE level = 'municipality' AND successor IS NULL"
        ).fetchall()
    return dict(rows)


def expand(codes: Iterable[str], known: Iterable[str]) -> set[str]:
    """Municipality codes a list of territory codes covers: "CO" all, "52" Nariño's, "52835"
    itself; codes outside Colombia (e.g. "VE") cover none."""
    known = set(known)
    found: set[str] = set()
    for code in codes:
        if code == "CO":
            found |= known
        elif len(code) == 2 and code.isdigit():
            found |= {m for m in known if m.startswith(code)}
        elif code in known:
            found.add(code)
    return found


def actor_area(store: Store, registry: Registry, actor_id: str, known: Iterable[str]) -> set[str]:
    """Municipalities where the group is present, by the presence seam."""
    return expand((p.territory_code for p in presence(store, registry, actor_id)), known)


def table_area(
    store: Store, registry: Registry, table: NegotiationTable, day: dt.date, known: Iterable[str]
) -> set[str]:
    """A table's territory: where its armed groups are present inside its scope that day; its
    scope when no presence is known (a national table's scope alone is the whole country)."""
    known = set(known)
    scope = expand(scope_on(table, day), known)
    groups = [p.actor for p in table.parties if p.role is PartyRole.ARMED_GROUP]
    present = set().union(*(actor_area(store, registry, g, known) for g in groups))
    return (present & scope) or scope


# --- violence --------------------------------------------------------------------------------


def month_label(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    months, day = [], dt.date(first.year, first.month, 1)
    while day <= last:
        months.append(day)
        day = add_months(day, 1)
    return months


def home_spans(store: Store) -> dict[tuple[str, str, str], list[tuple[Interval, str]]]:
    """Coverage spans of Colombian data: (source, category, unit) → [((first, last), level)]."""
    return {
        (source, category, unit): items
        for (source, category, unit, country), items in spans(store).items()
        if country == HOME
    }


def sources_for(store: Store, categories: Iterable[Category]) -> list[tuple[str, str]]:
    """(source, unit) pairs that observe any of the categories at municipality level."""
    wanted = {c.value for c in categories}
    return sorted(
        {
            (source, unit)
            for (source, category, unit), items in home_spans(store).items()
            if category in wanted and any(level == "municipality" for _, level in items)
        }
    )


def coverage_of(
    store: Store, categories: Iterable[Category], source: str, unit: str
) -> list[tuple[dt.date, dt.date]]:
    wanted = {c.value for c in categories}
    return merge(
        interval
        for (s, category, u), items in home_spans(store).items()
        if s == source and u == unit and category in wanted
        for interval, _ in items
    )


def monthly_counts(
    store: Store,
    categories: Iterable[Category],
    source: str,
    unit: str,
    codes: Iterable[str],
    first: dt.date,
    last: dt.date,
) -> dict[str, float | None]:
    """Month label → the source's count in the municipalities (None where not covered)."""
    categories = list(categories)
    intervals = coverage_of(store, categories, source, unit)
    with store.read() as db:
        rows = db.execute(
            """
            SELECT strftime(date_first, '%Y-%m'), sum(count) FROM observations
            WHERE source = $source AND unit = $unit AND date_precision <> 'year'
              AND category IN (SELECT unnest($categories::VARCHAR[]))
              AND territory_code IN (SELECT unnest($codes::VARCHAR[]))
              AND date_first BETWEEN $first AND $last
            GROUP BY ALL
            """,
            {
                "source": source,
                "unit": unit,
                "categories": [c.value for c in categories],
                "codes": sorted(codes),
                "first": first,
                "last": last,
            },
        ).fetchall()
    found = dict(rows)
    result: dict[str, float | None] = {}
    for month in month_range(first, last):
        end = add_months(month, 1) - dt.timedelta(days=1)
        result[month_label(month)] = (
            float(found.get(month_label(month), 0.0)) if covered(intervals, month, end) else None
        )
    return result


# --- neighbours ------------------------------------------------------------------------------

#: Simplified ("light") boundaries of neighbours do not always share vertices: borders closer
#: than this many degrees (about 100 m) count as shared.
TOUCH_TOLERANCE = 0.001


def touching(
    geometries: dict[str, Any], codes: Iterable[str], tolerance: float = TOUCH_TOLERANCE
) -> dict[str, set[str]]:
    """Code → codes of the geometries within ``tolerance`` of it (itself excluded)."""
    import shapely

    names = list(geometries)
    tree = shapely.STRtree([geometries[n] for n in names])
    found: dict[str, set[str]] = {}
    for code in codes:
        if code not in geometries:
            continue
        hits = tree.query(geometries[code], predicate="dwithin", distance=tolerance)
        found[code] = {names[i] for i in hits} - {code}
    return found


def neighbours(store: Store, codes: Iterable[str]) -> dict[str, set[str]]:
    """Municipalities bordering each of ``codes``, from the stored boundaries (light detail, else
    full); raises BoundariesNotLoaded when the store has none."""
    from peacemonitor.boundaries import BoundariesNotLoaded, geometries
    from peacemonitor.model import TerritoryLevel

    shapes = geometries(store, TerritoryLevel.MUNICIPALITY, "light") or geometries(
        store, TerritoryLevel.MUNICIPALITY, "full"
    )
    if not shapes:
        raise BoundariesNotLoaded(
            "no municipal boundaries in the store: run `peacemonitor data load` on the MGN files"
        )
    return touching(shapes, codes)
