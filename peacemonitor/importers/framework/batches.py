"""Observations collected as tuples and handed over as Arrow tables, bounded in size."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from peacemonitor import observations
from peacemonitor.importers.framework.items import DEFAULT_BATCH_ROWS, QuarantineBatch, jsonable
from peacemonitor.importers.framework.places import Place

if TYPE_CHECKING:
    import pyarrow as pa


CORE_COLUMNS = observations.CORE
OPTIONAL_COLUMNS = observations.OPTIONAL
_CORE_TYPES = tuple(observations.BY_NAME[name].arrow for name in CORE_COLUMNS)


class BatchBuilder:
    """Collects observations as tuples and hands them over as one Arrow table.

    Tuples, not objects, because the Police files alone are 250k rows: one append per row is
    the cheapest thing Python can do. A full tuple is ``(row, record_id, part, category, unit,
    count, date, precision, level, code, resolution, *attributes, *sensitive)``; columns named
    in ``constants`` (the same for every row of the builder, e.g. the category) are left out of
    the tuple — ``layout`` lists what remains, in order, for fast paths that append to ``rows``
    directly. A record_id of None means "<file sha256>:<row>", filled in by the framework.
    Attributes and sensitive values are fixed per builder (one layout), become Arrow structs
    and are stored as JSON by DuckDB.
    """

    def __init__(
        self,
        attribute_keys: Sequence[str] = (),
        sensitive_keys: Sequence[str] = (),
        size: int = DEFAULT_BATCH_ROWS,
        constants: dict[str, Any] | None = None,
    ) -> None:
        self.attribute_keys = tuple(attribute_keys)
        self.sensitive_keys = tuple(sensitive_keys)
        self.size = size
        self.constants = dict(constants or {})
        core = [c for c in CORE_COLUMNS if c not in self.constants]
        self.layout = tuple(core) + self.attribute_keys + self.sensitive_keys
        self._keep = [i for i, c in enumerate(CORE_COLUMNS) if c not in self.constants]
        self.rows: list[tuple[Any, ...]] = []

    def add(
        self,
        row: int,
        record_id: str | None,
        part: str,
        category: str,
        unit: str,
        count: float,
        date: dt.date,
        precision: str,
        place: Place,
        attributes: tuple[Any, ...] = (),
        sensitive: tuple[Any, ...] = (),
    ) -> None:
        """One observation; ``attributes``/``sensitive`` in the order of the builder's keys.
        Values of constant columns are ignored (the constant wins)."""
        core: tuple[Any, ...] = (
            row,
            record_id,
            part,
            category,
            unit,
            count,
            date,
            precision,
            *place,
        )
        if self.constants:
            core = tuple(core[i] for i in self._keep)
        self.rows.append(core + attributes + sensitive)

    @property
    def full(self) -> bool:
        return len(self.rows) >= self.size

    def __len__(self) -> int:
        return len(self.rows)

    def flush(self) -> pa.Table | None:
        """The collected rows as an Arrow table (None when empty); the builder starts afresh."""
        import pyarrow as pa

        if not self.rows:
            return None
        size = len(self.rows)
        columns = dict(zip(self.layout, zip(*self.rows, strict=True), strict=True))
        self.rows.clear()  # in place: fast paths hold a bound ``rows.append``
        arrays, names = [], []
        for name, kind in zip(CORE_COLUMNS, _CORE_TYPES, strict=True):
            values = columns[name] if name in columns else [self.constants[name]] * size
            if name == "record_id" and not any(values):
                continue  # every id derived from the row: the framework fills them in
            arrays.append(pa.array(values, type=getattr(pa, kind)()))
            names.append(name)
        for name, keys in (("attributes", self.attribute_keys), ("sensitive", self.sensitive_keys)):
            if keys:
                fields = [pa.array(columns[k]) for k in keys]
                arrays.append(pa.StructArray.from_arrays(fields, keys))
                names.append(name)
        return pa.table(arrays, names=names)


Held = tuple[int, str, str | None, str, dict[str, Any]]
"""A row held back: (row number, reason, column, detail, raw values)."""


def quarantine_batch(held: Sequence[Held], sensitive: Sequence[str] = ()) -> QuarantineBatch:
    """Rows that are not stored, as one quarantine batch (raw values as JSON text);
    ``sensitive`` names the raw keys redacted in listings, the same for every row."""
    import json

    import pyarrow as pa

    raws = [json.dumps(jsonable(h[4]), ensure_ascii=False) for h in held]
    return QuarantineBatch(
        pa.table(
            {
                "row_number": pa.array([h[0] for h in held], pa.int64()),
                "record_id": pa.nulls(len(held), pa.string()),
                "reason": pa.array([h[1] for h in held], pa.string()),
                "column_name": pa.array([h[2] for h in held], pa.string()),
                "detail": pa.array([h[3] for h in held], pa.string()),
                "raw": pa.array(raws, pa.string()),
                "sensitive_columns": pa.array([list(sensitive)] * len(held), pa.list_(pa.string())),
            }
        )
    )
