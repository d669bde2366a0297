"""The registry's records in memory: the ``Registry`` by kind and id, and the ``Problem`` a
check or a parse reports. Below both ``registry`` (files and store) and ``checks``, so the two
need not import each other."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel

from peacemonitor.errors import PeacemonitorError
from peacemonitor.model import (
    Actor,
    ActorMapping,
    Agreement,
    Ceasefire,
    Gesture,
    LinkOverride,
    NegotiationTable,
    RedLine,
    Source,
    Statistic,
)

KINDS: dict[str, type[BaseModel]] = {
    "sources": Source,
    "actors": Actor,
    "tables": NegotiationTable,
    "ceasefires": Ceasefire,
    "agreements": Agreement,
    "gestures": Gesture,
    "red_lines": RedLine,
    "statistics": Statistic,
    "actor_mappings": ActorMapping,
    "link_overrides": LinkOverride,
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong in a registry file."""

    file: str
    line: int | None
    record: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.record}: {self.field}: {self.message}"


class RegistryInvalid(PeacemonitorError):
    """The registry has problems; ``problems`` lists each with file, record and field."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        lines = "\n".join(str(p) for p in problems)
        super().__init__(f"{len(problems)} problem(s) in the registry:\n{lines}")


@dataclass
class Registry:
    """Every curated record by kind and id, plus where each came from."""

    sources: dict[str, Source] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    tables: dict[str, NegotiationTable] = field(default_factory=dict)
    ceasefires: dict[str, Ceasefire] = field(default_factory=dict)
    agreements: dict[str, Agreement] = field(default_factory=dict)
    gestures: dict[str, Gesture] = field(default_factory=dict)
    red_lines: dict[str, RedLine] = field(default_factory=dict)
    statistics: dict[str, Statistic] = field(default_factory=dict)
    actor_mappings: dict[str, ActorMapping] = field(default_factory=dict)
    link_overrides: dict[str, LinkOverride] = field(default_factory=dict)
    origin: dict[tuple[str, str], tuple[str, int | None]] = field(default_factory=dict)
    invalid: set[tuple[str, str]] = field(default_factory=set)

    def records(self) -> Iterator[tuple[str, BaseModel]]:
        """(kind, record) for every record, in a stable order."""
        for kind in KINDS:
            for record in getattr(self, kind).values():
                yield kind, record

    def has(self, kind: str, record_id: str) -> bool:
        """Whether an id exists, counting records that failed validation (their problems are
        reported once, not again at every reference to them)."""
        return record_id in getattr(self, kind) or (kind, record_id) in self.invalid

    def count(self) -> int:
        return sum(1 for _ in self.records())


def record_id(record: BaseModel) -> str:
    """Every registry kind has an ``id`` field."""
    return str(getattr(record, "id"))  # noqa: B009
