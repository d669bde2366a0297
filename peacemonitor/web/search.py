"""Search any actor, table, ceasefire or place by name or alias, accents and case aside."""

from __future__ import annotations

from pydantic import BaseModel

from peacemonitor.names import normalize_name
from peacemonitor.registry import Registry
from peacemonitor.store import Store
from peacemonitor.web.context import Context

LIMIT = 50


class Hit(BaseModel):
    kind: str  # actor | table | ceasefire | territory
    id: str
    name: str
    matched: str


class SearchResult(BaseModel):
    q: str
    hits: list[Hit]


def _registry_hits(registry: Registry, key: str) -> list[Hit]:
    found = []
    for actor in registry.actors.values():
        for name in [actor.name, actor.id, *(a.name for a in actor.aliases)]:
            if key in normalize_name(name):
                found.append(Hit(kind="actor", id=actor.id, name=actor.name, matched=name))
                break
    for kind, records in (("table", registry.tables), ("ceasefire", registry.ceasefires)):
        for record in records.values():
            for name in (record.name, record.id):
                if key in normalize_name(name):
                    found.append(Hit(kind=kind, id=record.id, name=record.name, matched=name))
                    break
    return found


def _place_hits(store: Store, key: str) -> list[Hit]:
    with store.read() as db:
        rows = db.execute(
            "SELECT t.code, any_value(t.name), min(n.name) FROM territory_names n "
            "JOIN territories t ON t.code = n.code WHERE n.normalized LIKE ? "
            "AND t.successor IS NULL GROUP BY t.code ORDER BY t.code LIMIT ?",
            [f"%{key}%", LIMIT],
        ).fetchall()
    return [Hit(kind="territory", id=c, name=n, matched=m) for c, n, m in rows]


def search(ctx: Context) -> SearchResult:
    """Hits for the filters' ``q`` among registry records and gazetteer names."""
    q = (ctx.filters.q or "").strip()
    key = normalize_name(q)
    if not key:
        return SearchResult(q=q, hits=[])
    hits = _registry_hits(ctx.registry(), key) + _place_hits(ctx.store, key)
    return SearchResult(q=q, hits=hits[:LIMIT])
