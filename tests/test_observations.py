"""The observation record is defined once: the migrated table and the batch builder follow it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from peacemonitor import observations
from peacemonitor.importers.framework.batches import BatchBuilder
from peacemonitor.store import Store


def test_the_migrated_table_has_exactly_the_defined_columns_and_types(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.duckdb")
    store.migrate()
    with store.read() as db:
        found = db.execute(
            "SELECT column_name, data_type FROM information_schema.columns "
            "WHERE table_name = 'observations' ORDER BY ordinal_position"
        ).fetchall()
    assert found == [(c.name, c.sql) for c in observations.COLUMNS]


def test_every_column_says_what_it_means() -> None:
    assert all(c.meaning for c in observations.COLUMNS)
    assert set(observations.CORE) <= set(observations.BY_NAME)


def test_a_built_batch_has_the_defined_arrow_types() -> None:
    builder = BatchBuilder()
    place = ("municipality", "05001", "exact")
    builder.add(1, "id-1", "", "homicide", "victims", 2.0, dt.date(2020, 1, 5), "day", place)
    table = builder.flush()
    assert table is not None
    for name in table.column_names:
        wanted = observations.BY_NAME[name].arrow
        assert table.schema.field(name).type == pa.type_for_alias(wanted), name
