"""Named errors of an import: each names the file, and the row and column when known."""

from __future__ import annotations

from peacemonitor.errors import FileError, PeacemonitorError
from peacemonitor.errors import where as where


class ImportFailed(FileError):
    """A file could not be imported; the store is unchanged."""


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
