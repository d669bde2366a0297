"""peacemonitor: one place for a peace process — armed groups, tables, ceasefires, agreements —
joined to violence on the ground by municipality and month.

The library answers what the CLI and the API answer::

    from peacemonitor import Store, registry, tables
    reg = registry.from_store(Store(Path("peacemonitor.duckdb")))
    tables.list_tables(reg)
"""

from peacemonitor.store import Store

__all__ = ["Store"]
__version__ = "0.1.0"
