"""Registry actors by every name a source may give them: the store's ``actor_names``, read once
per import, and the rules that match a source's actor string ('A; B', 'Group: full name',
'Name (2022-)') to one registry id."""

from __future__ import annotations

import re

from peacemonitor.names import normalize_name
from peacemonitor.store import Store

_PERIOD = re.compile(r"\s*\((?:\d{4}\s*-\s*(?:\d{4})?|[^)]*)\)\s*$")


class ActorNames:
    """Registry actor ids by every normalised name and alias (the store's ``actor_names``).
    A name two actors share maps to neither: an unmapped actor keeps its raw string only."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self._cache: dict[str, tuple[str, ...]] = {}

    @classmethod
    def from_store(cls, store: Store) -> ActorNames:
        with store.read() as db:
            rows = db.execute("SELECT DISTINCT normalized, actor_id FROM actor_names").fetchall()
        owners: dict[str, set[str]] = {}
        for normalized, actor in rows:
            owners.setdefault(normalized, set()).add(actor)
        return cls({k: next(iter(v)) for k, v in owners.items() if len(v) == 1})

    def lookup(self, raw: str | None) -> tuple[str, ...]:
        """Ids for a cell that may list several actors ('A; B', UCDP's 'ELN, FARC')."""
        if not raw:
            return ()
        found = self._cache.get(raw)
        if found is None:
            ids: list[str] = []
            for piece in re.split(r";|, ", raw):
                actor = self.one(piece.strip())
                if actor and actor not in ids:
                    ids.append(actor)
            found = self._cache[raw] = tuple(ids)
        return found

    def one(self, name: str) -> str | None:
        """The id of one actor string: the name as given, then without a trailing period in
        brackets ('Military Forces of Colombia (2022-)'), then either side of ACLED's
        'Group: full name' colon (the specific side first)."""
        if not name:
            return None
        candidates = [name, _PERIOD.sub("", name)]
        if ":" in name:
            left, _, right = name.partition(":")
            candidates += [right, _PERIOD.sub("", right), left]
        for candidate in candidates:
            actor = self.names.get(normalize_name(candidate))
            if actor:
                return actor
        return None
