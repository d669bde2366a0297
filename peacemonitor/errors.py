"""Named errors. Each says what went wrong and what to do; the CLI prints them, no traceback."""

from __future__ import annotations

from pathlib import Path


class PeacemonitorError(Exception):
    """Base of every error the CLI turns into a one-line message and exit code 1."""


def where(file: str | Path, row: int | None = None, column: str | None = None) -> str:
    """ "homicidios_2011.xlsx, row 12, column CANTIDAD": the place a user opens to fix a file."""
    parts = [Path(file).name]
    if row is not None:
        parts.append(f"row {row}")
    if column:
        parts.append(f"column {column.strip()}")
    return ", ".join(parts)


class FileError(PeacemonitorError):
    """A problem at a place in a file: the one shape of every file, row and column error
    (imports, reference files, text decoding). The message starts with ``where``."""

    def __init__(
        self, file: str | Path, message: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.file, self.row, self.column, self.detail = str(file), row, column, message
        super().__init__(f"{where(file, row, column)}: {message}")


class StoreMissing(PeacemonitorError):
    """The store file does not exist yet."""


class StoreBusy(PeacemonitorError):
    """Another process held the store's lock for longer than the timeout."""


class SchemaTooNew(PeacemonitorError):
    """The store was written by a newer peacemonitor than this one."""


class SchemaOutdated(PeacemonitorError):
    """The store needs migrations that a read-only connection cannot apply."""


class NotFound(PeacemonitorError):
    """An id that is not in the registry."""


class RegistryNotLoaded(PeacemonitorError):
    """The store holds no registry yet."""
