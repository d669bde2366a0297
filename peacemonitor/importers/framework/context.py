"""What an importer is given for one file, and what an importer is (the ``Importer`` protocol)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from peacemonitor.importers.framework.items import DEFAULT_BATCH_ROWS, Item
from peacemonitor.importers.framework.places import PlaceCache
from peacemonitor.importers.tabular import Sheets, read_file

if TYPE_CHECKING:
    from peacemonitor.store import Store


@dataclass(frozen=True)
class ImportContext:
    """What an importer may use: the file, its checksum, the places, the batch size.

    ``digest`` may be a Future: the checksum of a large file is computed in a thread while the
    importer parses it, and only waited for where a row-derived identity needs it."""

    path: Path
    digest: str | Future[str]
    places: PlaceCache
    encoding: str | None = None
    batch_rows: int = DEFAULT_BATCH_ROWS
    prefetched: Future[tuple[Sheets, str | None]] | None = None
    decoded: list[str] = field(default_factory=list)

    @property
    def sha256(self) -> str:
        return self.digest if isinstance(self.digest, str) else self.digest.result()

    def record_id(self, row: int) -> str:
        """The identity of a row without a source id: never its content, always its place."""
        return f"{self.sha256}:{row}"

    def sheets(self) -> Sheets:
        """The file's sheets as rows (a CSV is one sheet), read ahead when the framework could."""
        sheets, encoding = (
            self.prefetched.result()
            if self.prefetched is not None
            else read_file(self.path, self.encoding)
        )
        if encoding is not None:
            self.decoded_as(encoding)
        return sheets

    def decoded_as(self, encoding: str) -> None:
        """Note the text encoding the file was read in, for the import report."""
        self.decoded.append(encoding)

    @property
    def text_encoding(self) -> str | None:
        """The encoding the file's text was read in; None for a workbook."""
        return self.decoded[-1] if self.decoded else None


@dataclass(frozen=True)
class QuarantineRow:
    """A stored quarantined row handed back to its importer by `quarantine retry`."""

    row: int
    layout: str | None
    record_id: str | None
    raw: dict[str, Any]


class Importer(Protocol):
    """A source's importer. ``read`` yields the items above for one file; ``retry`` yields a
    batch or a Quarantined for one stored quarantined row, after places or aliases improved.

    Its capabilities, which the runner honours: ``uses_points`` (load the gazetteer's point
    index first), ``streams`` (the importer reads the file itself, in batches: the runner must
    not read it whole ahead of time), ``revises`` (its records carry the source's own ids, so a
    new version of a file may replace them: ``import --revise``), ``prepare(store)`` (read
    what the importer needs from the store — actor names, the registry — once, before any write
    transaction opens), ``exact_coverage`` (each batch covers exactly the run of periods it
    holds: the file's coverage keeps the gaps between runs — aggregate tables) and
    ``listed_places`` (the file covers only the places it lists: coverage level ``places``, no
    zeros filled elsewhere — the Paz Total panel). ``BaseImporter`` gives the defaults: none.
    """

    source: str
    uses_points: bool
    streams: bool
    revises: bool
    exact_coverage: bool
    listed_places: bool

    def prepare(self, store: Store) -> None: ...

    def read(self, ctx: ImportContext) -> Iterator[Item]: ...

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Item]: ...


class BaseImporter:
    """The default capabilities of an importer: places by name or code only, the file read
    whole ahead of time, no revisions, nothing to read from the store first."""

    uses_points: bool = False
    streams: bool = False
    revises: bool = False
    exact_coverage: bool = False
    listed_places: bool = False

    def prepare(self, store: Store) -> None:
        """Nothing to read from the store before the import."""
