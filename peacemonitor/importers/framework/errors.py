"""Named errors of an import: each names the file, and the row and column when known."""

from __future__ import annotations

from pathlib import Path

from peacemonitor.errors import PeacemonitorError


def where(file: str | Path, row: int | None = None, column: str | None = None) -> str:
    """ "homicidios_2011.xlsx, row 12, column CANTIDAD": the place a user opens to fix a file."""
    parts = [Path(file).name]
    if row is not None:
        parts.append(f"row {row}")
    if column is not None:
        parts.append(f"column {column.strip()}")
    return ", ".join(parts)


class ImportFailed(PeacemonitorError):
    """A file could not be imported; the store is unchanged."""

    def __init__(
        self, file: str | Path, message: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.file, self.row, self.column = str(file), row, column
        super().__init__(f"{where(file, row, column)}: {message}")


class UnknownSource(PeacemonitorError):
    """No importer is registered under that name."""


class BadFile(ImportFailed):
    """The file cannot be read at all: not the format it claims, wrong encoding, truncated."""


class UnknownLayout(ImportFailed):
    """No header row of a known layout, or a header that lacks a required column."""


class TotalMismatch(ImportFailed):
    """The file's own TOTAL row disagrees with the sum of its rows."""


class AccountingError(ImportFailed):
    """Rows went missing or were counted twice: an importer bug, never committed."""


class OverlapsStoredFile(ImportFailed):
    """A file of a source without ids of its own covers periods a stored file of the source
    covers: a re-issue, to be imported with --revise, or a mistake."""


class TerritoriesUnavailable(PeacemonitorError):
    """Imports need the gazetteer (DIVIPOLA) and it is not loaded."""
