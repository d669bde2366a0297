"""Before serving: a store that does not exist yet is created with the bundled registry.

This is the one write ``serve`` does, before the app starts; the app itself only reads. An
existing store is left as it is (an outdated one is reported by the pages, not migrated behind
the operator's back)."""

from __future__ import annotations

from peacemonitor.store import Store


def ensure_store(store: Store) -> str | None:
    """Create and fill a missing store; return what was done, or None when nothing was."""
    if store.path.exists():
        return None
    from peacemonitor import registry as reg
    from peacemonitor.process_records import save_registry

    store.migrate()
    directory = reg.bundled_directory()
    saved = save_registry(reg.load(directory), store, directory)
    return (
        f"{store.path}: created with the bundled registry ({saved.records} records); "
        "load data with `peacemonitor data load` and `peacemonitor import`"
    )
