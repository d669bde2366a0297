"""Named errors. Each says what went wrong and what to do; the CLI prints them, no traceback."""

from __future__ import annotations


class PeacemonitorError(Exception):
    """Base of every error the CLI turns into a one-line message and exit code 1."""


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
