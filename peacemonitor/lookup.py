"""Finding a registry record the way a person names it: by id, name or alias.

A user types `actor EMC` or `actor "Comuneros del Sur"`, not `emc` or `comuneros-del-sur`. Names
are compared without case, accents or punctuation (``names.normalize_name``). An id or a whole
name that matches one record wins; else a name that holds what was typed as whole words; several
candidates are listed, never guessed between.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from peacemonitor.errors import NotFound
from peacemonitor.names import normalize_name

T = TypeVar("T")


class Ambiguous(NotFound):
    """A name that several records go by: the candidates are listed."""


def find(
    records: Mapping[str, T],
    query: str,
    names: Callable[[T], Iterable[str]],
    what: str,
    listing: str,
) -> T:
    """The one record of ``records`` (id → record) that ``query`` names."""
    if query in records:
        return records[query]
    wanted = normalize_name(query)
    if not wanted:
        raise NotFound(f"no {what} {query!r}; `{listing}` lists them")
    named = {key: {normalize_name(n) for n in [key, *names(r)]} for key, r in records.items()}
    exact = [key for key, found in named.items() if wanted in found]
    if len(exact) == 1:
        return records[exact[0]]
    words = f" {wanted} "
    partial = exact or [k for k, found in named.items() if any(words in f" {n} " for n in found)]
    if len(partial) == 1:
        return records[partial[0]]
    if partial:
        listed = "; ".join(
            f"{key} ({next(iter(names(records[key])), key)})" for key in sorted(partial)
        )
        raise Ambiguous(f"{what} {query!r} could be any of: {listed} — give one of these ids")
    raise NotFound(f"no {what} {query!r}; `{listing}` lists them")


def _first(names: Iterable[str], default: str) -> str:
    return next(iter(names), default)
