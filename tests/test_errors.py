"""The one shape of a file, row and column error: ``where(file, row, column)`` first."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacemonitor.csvfiles import TextUndecodable
from peacemonitor.errors import FileError, PeacemonitorError, where
from peacemonitor.importers.framework.errors import BadFile, ImportFailed, UnknownLayout
from peacemonitor.territories import TerritoryFileInvalid


@pytest.mark.parametrize(
    ("row", "column", "expected"),
    [
        (None, None, "h.xlsx"),
        (12, None, "h.xlsx, row 12"),
        (None, "CANTIDAD", "h.xlsx, column CANTIDAD"),
        (12, " CANTIDAD ", "h.xlsx, row 12, column CANTIDAD"),
        (12, "", "h.xlsx, row 12"),
    ],
)
def test_where_names_the_place_to_fix(row: int | None, column: str | None, expected: str) -> None:
    assert where(Path("/data/police/h.xlsx"), row, column) == expected


@pytest.mark.parametrize(
    "kind", [ImportFailed, BadFile, UnknownLayout, TerritoryFileInvalid, TextUndecodable]
)
def test_every_file_error_takes_the_same_arguments(kind: type[FileError]) -> None:
    error = kind(Path("/x/m.csv"), "'six' is not a number", 3, "lat")
    assert isinstance(error, PeacemonitorError)
    assert str(error) == "m.csv, row 3, column lat: 'six' is not a number"
    assert (error.file, error.row, error.column, error.detail) == (
        "/x/m.csv",
        3,
        "lat",
        "'six' is not a number",
    )
