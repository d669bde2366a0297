"""Registry checks beyond the schema: references resolve, dates are in a possible order,
names are unambiguous. Each problem names file, record and field."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from peacemonitor.model import MAPPED_SOURCES, Cited, PartialDate, PresenceKind
from peacemonitor.names import normalize_name
from peacemonitor.registry_records import Problem, Registry, record_id

Finding = tuple[str, str]  # (field path, message)


def check(registry: Registry) -> list[Problem]:
    """Every problem in a parsed registry, in file order."""
    problems = []
    for kind, record in registry.records():
        rid = record_id(record)
        file, line = registry.origin.get((kind, rid), ("?", None))
        for check_one in CHECKS:
            for path, message in check_one(registry, kind, record):
                problems.append(Problem(file, line, rid, path, message))
    problems += _alias_clashes(registry)
    problems += _mapping_clashes(registry)
    return problems


def _before(a: PartialDate | None, b: PartialDate | None) -> bool:
    """True only when ``a`` is certainly after ``b``: partial dates that overlap are fine."""
    return a is not None and b is not None and a.first > b.last


def _walk(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """Every nested model with its dotted path."""
    if isinstance(value, BaseModel):
        yield path, value
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _walk(item, f"{path}.{index}")


def _citations(registry: Registry, kind: str, record: BaseModel) -> Iterator[Finding]:
    """Every citation names a known source."""
    for path, node in _walk(record, ""):
        if isinstance(node, Cited):
            for index, citation in enumerate(node.sources):
                if not registry.has("sources", citation.source):
                    where = f"{path}.sources.{index}.source".lstrip(".")
                    yield where, f"unknown source {citation.source!r}"


_REFERENCES: dict[str, str] = {
    "actor": "actors",
    "actors": "actors",
    "parties": "actors",
    "responsible": "actors",
    "table": "tables",
}


def _references(registry: Registry, kind: str, record: BaseModel) -> Iterator[Finding]:
    """Ids that point at other records exist."""
    for path, node in _walk(record, ""):
        for name, target in _REFERENCES.items():
            value = getattr(node, name, None) if name in type(node).model_fields else None
            ids = value if isinstance(value, list) else [value] if isinstance(value, str) else []
            for ref in ids:
                if isinstance(ref, str) and not registry.has(target, ref):
                    where = f"{path}.{name}".lstrip(".")
                    yield where, f"unknown {target[:-1]} {ref!r}"


def _spans(registry: Registry, kind: str, record: BaseModel) -> Iterator[Finding]:
    """since ≤ until, period_start ≤ period_end, a step's planned end after the step."""
    pairs = (("since", "until"), ("period_start", "period_end"), ("date", "until"))
    for path, node in _walk(record, ""):
        for start, end in pairs:
            a, b = getattr(node, start, None), getattr(node, end, None)
            if isinstance(a, PartialDate) and isinstance(b, PartialDate) and _before(a, b):
                yield f"{path}.{end}".lstrip("."), f"{end} {b} is before {start} {a}"


def _sequence(items: list[Any], attribute: str, label: str) -> Iterator[Finding]:
    for index in range(1, len(items)):
        previous, current = getattr(items[index - 1], attribute), getattr(items[index], attribute)
        if _before(previous, current):
            yield (
                f"{label}.{index}.{attribute}",
                f"{current} comes after {previous} in the list but is earlier: "
                "keep history in order",
            )


def _histories(registry: Registry, kind: str, record: BaseModel) -> Iterator[Finding]:
    """Status histories and ceasefire lifecycles are in date order."""
    if kind == "tables":
        yield from _sequence(record.status_history, "date", "status_history")  # type: ignore[attr-defined]
        yield from _sequence(record.scope_changes, "date", "scope_changes")  # type: ignore[attr-defined]
    if kind == "ceasefires":
        yield from _sequence(record.events, "date", "events")  # type: ignore[attr-defined]
    if kind == "agreements":
        for index, provision in enumerate(record.provisions):  # type: ignore[attr-defined]
            yield from _sequence(
                provision.implementation, "as_of", f"provisions.{index}.implementation"
            )


def _lineage_dates(registry: Registry, kind: str, record: BaseModel) -> Iterator[Finding]:
    """An actor cannot split from a group before that group was founded."""
    if kind != "actors":
        return
    for index, relation in enumerate(record.relations):  # type: ignore[attr-defined]
        target = registry.actors.get(relation.actor)
        if target is not None and _before(target.founded, relation.since):
            yield (
                f"relations.{index}.since",
                f"{relation.since} is before {relation.actor} was founded ({target.founded})",
            )
        if relation.actor == record.id:  # type: ignore[attr-defined]
            yield f"relations.{index}.actor", "an actor cannot relate to itself"


def _existed(registry: Registry, actor_id: str, day: PartialDate) -> str | None:
    """Why ``actor_id`` cannot be a party on ``day`` (it did not exist yet), or None."""
    actor = registry.actors.get(actor_id)
    start = actor.existed_from() if actor is not None else None
    if start is not None and start.first > day.last:
        return f"{actor_id} did not exist before {start}, so it cannot be a party on {day}"
    return None


def _parties_existed(registry: Registry, kind: str, record: BaseModel) -> Iterator[Finding]:
    """A ceasefire's or a table's parties existed when they became parties: a faction cannot
    sign before it split from its parent (ceasefire parties join at steps that name them)."""
    if kind == "ceasefires":
        events = record.events  # type: ignore[attr-defined]
        for actor in record.parties:  # type: ignore[attr-defined]
            if (why := _existed(registry, actor, events[0].date)) is not None:
                yield "parties", why
        for index, event in enumerate(events):
            for actor in event.parties or []:
                if (why := _existed(registry, actor, event.date)) is not None:
                    yield f"events.{index}.parties", why
    if kind == "tables":
        opened = record.status_history[0].date  # type: ignore[attr-defined]
        for index, party in enumerate(record.parties):  # type: ignore[attr-defined]
            if (why := _existed(registry, party.actor, party.since or opened)) is not None:
                yield f"parties.{index}.since", why


PROCESS_DATASETS = ("pax", "ceasefires")


def _overrides(registry: Registry, kind: str, record: BaseModel) -> Iterator[Finding]:
    """A link override names a process dataset, and registry records of its kind that exist."""
    if kind != "link_overrides":
        return
    if record.dataset not in PROCESS_DATASETS:  # type: ignore[attr-defined]
        yield "dataset", f"unknown dataset {record.dataset!r}; use {list(PROCESS_DATASETS)}"  # type: ignore[attr-defined]
    target = f"{record.kind.value}s"  # type: ignore[attr-defined]
    for name in ("remove", "add"):
        ref = getattr(record, name)
        if ref is not None and not registry.has(target, ref):
            yield name, f"unknown {target[:-1]} {ref!r}"


def _presence_reported(registry: Registry, kind: str, record: BaseModel) -> Iterator[Finding]:
    """The registry holds presence a source reports; presence derived from events is computed
    from observations and never written here, so the two kinds cannot mix."""
    if kind != "actors":
        return
    for index, presence in enumerate(record.presence):  # type: ignore[attr-defined]
        if presence.kind is not PresenceKind.REPORTED:
            yield (
                f"presence.{index}.kind",
                "derived presence comes from observations, not the registry",
            )


def _alias_clashes(registry: Registry) -> list[Problem]:
    """One normalised name must lead to one actor, or importers cannot map actor strings."""
    owners: dict[str, str] = {}
    problems = []
    for actor in registry.actors.values():
        names = {normalize_name(n) for n in [actor.name, *(a.name for a in actor.aliases)]}
        for name in sorted(names):
            other = owners.setdefault(name, actor.id)
            if other != actor.id:
                file, line = registry.origin.get(("actors", actor.id), ("?", None))
                problems.append(
                    Problem(file, line, actor.id, "aliases", f"name {name!r} is also {other!r}'s")
                )
    return problems


def _mapping_source(registry: Registry, kind: str, record: BaseModel) -> Iterator[Finding]:
    """A mapping names an event source whose actor names are stored."""
    if kind == "actor_mappings" and record.source not in MAPPED_SOURCES:  # type: ignore[attr-defined]
        yield "source", f"unknown event source {record.source!r}; use {', '.join(MAPPED_SOURCES)}"  # type: ignore[attr-defined]


def _overlap(a: Any, b: Any) -> bool:
    """Two mappings' periods (since/until, open ends) share a day."""
    return not (_before(a.since, b.until) or _before(b.since, a.until))


def _mapping_clashes(registry: Registry) -> list[Problem]:
    """One source name maps to one set of actors at a time, or derived presence is ambiguous."""
    problems: list[Problem] = []
    seen: dict[tuple[str, str], list[Any]] = {}
    for mapping in registry.actor_mappings.values():
        key = (mapping.source, normalize_name(mapping.name))
        for other in seen.get(key, []):
            if _overlap(mapping, other):
                file, line = registry.origin.get(("actor_mappings", mapping.id), ("?", None))
                message = f"{mapping.source} name {mapping.name!r} is also mapped by {other.id!r}"
                problems.append(Problem(file, line, mapping.id, "name", message + " then"))
        seen.setdefault(key, []).append(mapping)
    return problems


CHECKS: tuple[Callable[[Registry, str, BaseModel], Iterator[Finding]], ...] = (
    _citations,
    _references,
    _spans,
    _histories,
    _lineage_dates,
    _parties_existed,
    _overrides,
    _presence_reported,
    _mapping_source,
)
