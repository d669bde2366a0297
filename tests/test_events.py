"""The shared event-file machinery: distinct values computed once and broadcast back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from peacemonitor.importers.events import attributes_column, distinct_keys, first_rows

small_ints = st.lists(st.integers(0, 40), max_size=300)


@given(small_ints)
def test_first_rows_finds_each_codes_first_occurrence(values: list[int]) -> None:
    code, uniques = pd.factorize(np.array(values, dtype=np.int64))
    expected = [values.index(u) for u in uniques.tolist()]
    assert first_rows(code).tolist() == expected


texts = st.one_of(st.none(), st.sampled_from(["a", "b", "ELN", "", "Clan del Golfo"]))


@given(st.lists(st.tuples(texts, texts, st.one_of(st.none(), st.integers(0, 3))), max_size=200))
def test_distinct_keys_rebuild_every_row(
    rows: list[tuple[str | None, str | None, int | None]],
) -> None:
    columns = [pa.array([r[i] for r in rows]) for i in range(3)] if rows else [pa.array([])] * 3
    inverse, keys = distinct_keys(*columns)
    assert [keys[i] for i in inverse.tolist()] == rows
    assert len(keys) == len(set(rows))


def test_distinct_keys_survive_codes_that_would_overflow() -> None:
    """Eight columns of 300 distinct values: the combined code is re-numbered on the way."""
    rng = np.random.default_rng(3)
    columns = [pa.array(rng.integers(0, 300, 2_000).astype(str)) for _ in range(8)]
    inverse, keys = distinct_keys(*columns)
    rows = list(zip(*(c.to_pylist() for c in columns), strict=True))
    assert [keys[i] for i in inverse.tolist()] == rows


def test_attributes_of_some_rows_are_those_rows_attributes() -> None:
    fields = {"kind": pa.array(["x", "y", "x", "z"] * 10), "n": pa.array([1, 2, 1, 3] * 10)}
    rows = np.arange(1, 40, 2)  # the odd rows: y, z, y, z ...
    name, array = attributes_column(fields, rows)
    assert name == "attributes_json"
    assert array.to_pylist() == ['{"kind": "y", "n": 2}', '{"kind": "z", "n": 3}'] * 10
    name, array = attributes_column({"n": pa.array(range(40))}, rows)  # all distinct: a struct
    assert name == "attributes"
    assert array.to_pylist() == [{"n": r} for r in rows.tolist()]
