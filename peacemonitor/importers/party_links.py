"""Imported process records (PA-X agreements, ETH/PRIO ceasefires) linked to the registry.

A dataset's record and a registry record are "the same" only when the comparison below says so;
every record that is not linked says why, so a reader sees what was compared. An actor link
carries its evidence — which words of which column matched which registry name — and respects
time: an actor named in a record dated before it existed (``Actor.existed_from``) is not linked
("Comandante Estado Mayor Central" in a 1990 EPL agreement is not the EMC, founded 2016). A
link the matching gets wrong is corrected by a ``LinkOverride`` in the registry. Linking reads the
registry the store holds (loaded once, before the import's write opens). ``link_agreement`` and
``link_ceasefire`` are the one code path both an import and a later relink
(``peacemonitor.process_records.relink``) take, so a relinked record reads as a fresh import would.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from peacemonitor.actor_names import ActorNames
from peacemonitor.importers.framework.batches import quarantine_batch
from peacemonitor.importers.framework.items import QuarantineBatch
from peacemonitor.model import LinkOverride, PartialDate, PartyRole
from peacemonitor.names import normalize_name

if TYPE_CHECKING:
    from peacemonitor.registry import Registry
    from peacemonitor.store import Store

GOVERNMENT = "gov-colombia"


@dataclass
class RegistryView:
    """What linking needs from the registry: actors' names, tables, agreements, ceasefires."""

    actors: ActorNames
    registry: Registry | None = None
    names: list[tuple[str, str]] = field(default_factory=list)  # (normalised name, actor id)
    # normalised name → the name as the registry spells it (the evidence shows that one)
    spelled: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_store(cls, store: Store) -> RegistryView:
        from peacemonitor.registry import from_store

        actors = ActorNames.from_store(store)
        try:
            registry = from_store(store)
        except Exception:  # no registry loaded: nothing links, and every record says so
            registry = None
        # longest names first; ties by name, so a record's actors come in the same order on every
        # import and relink (the store returns names in no set order)
        names = sorted(actors.names.items(), key=lambda item: (-len(item[0]), item[0]))
        with store.read() as db:
            rows = db.execute("SELECT normalized, min(name) FROM actor_names GROUP BY 1").fetchall()
        return cls(actors, registry, [(n, a) for n, a in names if len(n) >= 3], dict(rows))

    def actors_in(self, text: str | None) -> list[str]:
        """Registry actors whose name or alias appears, as whole words, in free text."""
        return [m.actor for m in self.matches_in(text, "")]

    def matches_in(self, text: str | None, column: str) -> list[Match]:
        """Each registry actor named in free text, with the words that named it."""
        if not text:
            return []
        words = f" {normalize_name(text)} "
        found: list[Match] = []
        for name, actor in self.names:
            if f" {name} " in words and actor not in {m.actor for m in found}:
                said = self.spelled.get(name, name)
                found.append(Match(actor, said, column, excerpt(text, name)))
        return found

    def existed_from(self, actor_id: str) -> PartialDate | None:
        actor = self.registry.actors.get(actor_id) if self.registry else None
        return actor.existed_from() if actor is not None else None

    def name_since(self, actor_id: str, name: str) -> PartialDate | None:
        """When an actor took up one of its aliases, where a source dates it."""
        actor = self.registry.actors.get(actor_id) if self.registry else None
        wanted = normalize_name(name)
        aliases = actor.aliases if actor is not None else []
        return next((a.since for a in aliases if normalize_name(a.name) == wanted), None)

    def overrides(self, dataset: str, record_id: str | None) -> list[LinkOverride]:
        """The registry's corrections of this record's links."""
        if self.registry is None or record_id is None:
            return []
        found = self.registry.link_overrides.values()
        return [o for o in found if (o.dataset, o.record) == (dataset, record_id)]


class Match(NamedTuple):
    """A registry actor named in a record: the registry name matched, the column and the words."""

    actor: str
    name: str
    column: str
    text: str

    def evidence(self) -> dict[str, str]:
        return {"column": self.column, "text": self.text, "name": self.name}


_WORD = re.compile(r"[^\W_]+")


def excerpt(text: str, name: str, context: int = 30) -> str:
    """The words of ``text`` that normalise to ``name``, with a little context either side."""
    tokens = [
        (piece, m.start(), m.end())
        for m in _WORD.finditer(text)
        for piece in normalize_name(m.group()).split()
    ]
    wanted = name.split()
    for i in range(len(tokens) - len(wanted) + 1):
        if [t[0] for t in tokens[i : i + len(wanted)]] == wanted:
            start, end = tokens[i][1], tokens[i + len(wanted) - 1][2]
            head = max(0, start - context)
            tail = min(len(text), end + context)
            before = ("…" if head else "") + text[head:start]
            after = text[end:tail] + ("…" if tail < len(text) else "")
            return f"{before}{text[start:end]}{after}"
    return text[: 2 * context]


def link(
    kind: str,
    target: str | None,
    reason: str | None = None,
    detail: str = "",
    evidence: dict[str, str] | None = None,
) -> dict:
    return {"kind": kind, "id": target, "reason": reason, "detail": detail, "evidence": evidence}


class Linked(NamedTuple):
    """A record's registry actors and its links, as both import and relink compute them."""

    actor_ids: list[str]
    links: list[dict[str, Any]]


def link_agreement(
    view: RegistryView,
    parties: str | None,
    title: str | None,
    day: dt.date,
    stage: str | None,
    record_id: str | None = None,
) -> Linked:
    """A PA-X agreement's actors (named in its parties text or title) and links: from the
    columns the record stores, so a relink needs nothing but the stored record."""
    found = view.matches_in(parties, "Part")
    found += [m for m in view.matches_in(title, "Agt") if m.actor not in {f.actor for f in found}]
    overrides = view.overrides("pax", record_id)
    actors, entries = screen_actors(view, found, day, overrides, parties)
    links = entries + table_links(view, day, actors) + agreement_links(view, day, actors, stage)
    return Linked(actors, apply_overrides(links, overrides))


def link_ceasefire(
    view: RegistryView, declared_by: str | None, day: dt.date, record_id: str | None = None
) -> Linked:
    """An ETH/PRIO ceasefire's declaring actor (looked up like an event actor) and links."""
    actor = view.actors.one(declared_by or "")
    said = declared_by or ""
    found = [Match(actor, said, "name", said)] if actor else []
    overrides = view.overrides("ceasefires", record_id)
    actors, entries = screen_actors(view, found, day, overrides, declared_by)
    links = entries + table_links(view, day, actors) + ceasefire_links(view, day, actors)
    return Linked(actors, apply_overrides(links, overrides))


def screen_actors(
    view: RegistryView,
    found: Sequence[Match],
    day: dt.date,
    overrides: Sequence[LinkOverride],
    raw: str | None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """The actors a record links to, and one actor link per name matched: an actor that did not
    exist yet on the record's date, named by a name it took up later, or that an override
    removes, is named but not linked."""
    removed = {o.remove: o for o in overrides if o.kind.value == "actor" and o.remove}
    actors: list[str] = []
    entries: list[dict[str, Any]] = []
    for match in found:
        start = view.existed_from(match.actor)
        if match.actor in removed:
            why = f"removed by registry override {removed[match.actor].id}"
            entries.append(link("actor", None, why, match.actor, match.evidence()))
        elif start is not None and day < start.first:
            detail = f"{match.actor} exists from {start}; the record is dated {day.isoformat()}"
            entries.append(link("actor", None, "named before it existed", detail, match.evidence()))
        elif (since := view.name_since(match.actor, match.name)) and day < since.first:
            detail = (
                f"{match.actor} is called {match.name!r} from {since}; "
                f"the record is dated {day.isoformat()}"
            )
            entries.append(
                link("actor", None, "named before the name was in use", detail, match.evidence())
            )
        else:
            actors.append(match.actor)
            entries.append(link("actor", match.actor, evidence=match.evidence()))
    for override in overrides:
        if override.kind.value == "actor" and override.add and override.add not in actors:
            actors.append(override.add)
            entries.append(link("actor", override.add, detail=f"set by override {override.id}"))
    if not entries:
        entries = actor_links(view, [], raw)
    return actors, entries


def apply_overrides(
    links: list[dict[str, Any]], overrides: Sequence[LinkOverride]
) -> list[dict[str, Any]]:
    """Table, agreement and ceasefire links as the registry's overrides correct them."""
    for override in overrides:
        kind = override.kind.value
        if kind == "actor":
            continue
        if override.remove:
            why = f"removed by registry override {override.id}"
            links = [
                link(kind, None, why, override.remove)
                if (e["kind"], e["id"]) == (kind, override.remove)
                else e
                for e in links
            ]
        if override.add:
            links = [e for e in links if e["kind"] != kind or e["id"] is not None]
            links.append(link(kind, override.add, detail=f"set by override {override.id}"))
    return links


def actor_links(view: RegistryView, actors: Sequence[str], raw: str | None) -> list[dict[str, Any]]:
    """One link per registry actor named; with no registry loaded, that (not the record) is why
    none is named."""
    if actors:
        return [link("actor", a) for a in actors]
    if view.registry is None:
        return [link("actor", None, "no registry in the store", raw or "")]
    return [link("actor", None, "no registry actor is named here", raw or "")]


def _armed(actors: Sequence[str]) -> list[str]:
    return [a for a in actors if a != GOVERNMENT]


def agreement_links(
    view: RegistryView, day: dt.date, actors: Sequence[str], stage: str | None
) -> list[dict[str, Any]]:
    """A registry agreement whose date covers this one's, whose parties (its table's, or those
    its title names) are this one's armed groups, and whose kind fits the PA-X stage."""
    if view.registry is None:
        return [link("agreement", None, "no registry in the store")]
    armed = set(_armed(actors))
    for agreement in view.registry.agreements.values():
        if not _covers(agreement.date, day) or not armed:
            continue
        theirs = set(_armed(_agreement_actors(view, agreement)))
        if theirs and theirs == armed and _kind_fits(agreement.kind, stage):
            return [link("agreement", agreement.id, detail=f"date {agreement.date}, same parties")]
    return [
        link(
            "agreement",
            None,
            "no registry agreement of these parties on this date",
            f"{day.isoformat()}, {', '.join(sorted(armed)) or 'no armed group named'}",
        )
    ]


def _agreement_actors(view: RegistryView, agreement: Any) -> list[str]:
    if agreement.table and view.registry and agreement.table in view.registry.tables:
        return [p.actor for p in view.registry.tables[agreement.table].parties]
    return view.actors_in(agreement.title)


def _kind_fits(kind: str, stage: str | None) -> bool:
    """'final …' agreements are PA-X's comprehensive ones, 'ceasefire' its ceasefire ones."""
    kind = kind.lower()
    if "final" in kind or "comprehensive" in kind:
        return stage == "SubComp"
    if "ceasefire" in kind:
        return stage == "Cea"
    return True


def _covers(date: PartialDate, day: dt.date) -> bool:
    return date.first <= day <= date.last


def table_links(view: RegistryView, day: dt.date, actors: Sequence[str]) -> list[dict[str, Any]]:
    """Registry tables whose armed-group parties include this record's, open on its date."""
    if view.registry is None:
        return [link("table", None, "no registry in the store")]
    armed = _armed(actors)
    if not armed:
        return [link("table", None, "no armed group named")]
    found, reasons = [], []
    for table in view.registry.tables.values():
        parties = {p.actor for p in table.parties if p.role is PartyRole.ARMED_GROUP}
        if not set(armed) & parties:
            continue
        opened = min(s.date for s in table.status_history)
        if day < opened.first:
            reasons.append(f"{table.id} opens {opened}")
            continue
        found.append(link("table", table.id, detail=f"opened {opened}"))
    if found:
        return found
    why = "; ".join(reasons) or f"no registry table with {', '.join(armed)}"
    return [link("table", None, "no registry table of these parties open on this date", why)]


def ceasefire_links(
    view: RegistryView, day: dt.date, actors: Sequence[str]
) -> list[dict[str, Any]]:
    """A registry ceasefire of these parties declared (or in force) from this very date."""
    if view.registry is None:
        return [link("ceasefire", None, "no registry in the store")]
    from peacemonitor.ceasefires import all_parties

    for ceasefire in view.registry.ceasefires.values():
        if not set(actors) or not set(actors) <= set(all_parties(ceasefire)):
            continue
        for event in ceasefire.events:
            if event.kind.value in ("declared", "in-force") and _covers(event.date, day):
                return [link("ceasefire", ceasefire.id, detail=f"{event.kind.value} {event.date}")]
    first = min((e.date for c in view.registry.ceasefires.values() for e in c.events), default=None)
    detail = f"{day.isoformat()}; the registry's ceasefires begin {first}" if first else ""
    return [link("ceasefire", None, "no registry ceasefire of this actor from this date", detail)]


_SPACE = re.compile(r"\s+")


def clean(value: Any) -> str | None:
    """A cell as one-line text (None when empty)."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _SPACE.sub(" ", str(value)).strip()
    return text or None


# --- records and held rows as Arrow ---------------------------------------------------------------

Held = tuple[int, str, str | None, str, dict[str, Any]]
"""(row, reason, column, detail, raw) of a row that is not stored."""


def records_table(records: list[dict[str, Any]], columns: Sequence[str]) -> Any:
    """Records (dicts) as an Arrow table of the given columns; JSON columns as text."""
    import json

    import pyarrow as pa

    from peacemonitor.importers.framework.items import jsonable

    data: dict[str, Any] = {}
    for name in columns:
        values = [r.get(name) for r in records]
        if name in ("links", "attributes"):
            data[name] = pa.array([json.dumps(jsonable(v), ensure_ascii=False) for v in values])
        elif name in ("actor_ids", "masked"):
            data[name] = pa.array(values, pa.list_(pa.string()))
        elif name == "row_number":
            data[name] = pa.array(values, pa.int64())
        elif name in ("date_first", "date_end"):
            data[name] = pa.array(values, pa.date32())
        else:
            data[name] = pa.array(values, pa.string())
    return pa.table(data)


def held_batch(held: list[Held]) -> QuarantineBatch:
    """Rows that are not stored as one quarantine batch (raw as JSON text)."""
    return quarantine_batch(held)
