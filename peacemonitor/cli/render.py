"""Printing library results as a table, JSON or CSV, or writing them as Parquet. JSON is the same
shape the API serves; CSV and Parquet hold the same named columns, Parquet with typed values."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel

from peacemonitor.errors import PeacemonitorError


class Format(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    PARQUET = "parquet"


OutputOpt = Annotated[
    Path | None, typer.Option("--output", "-o", help="File to write (needed by --format parquet).")
]


class OutputNeeded(PeacemonitorError):
    """Parquet is binary: it goes to a file, never to the terminal."""


def to_jsonable(value: Any) -> Any:
    """Pydantic models, lists of them and plain data, as JSON-ready Python values."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, indent=2)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(_cell(v) for v in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def rows_of(items: Sequence[Any], columns: Sequence[str]) -> list[list[str]]:
    """The named columns of each item (JSON values), as text cells."""
    data = to_jsonable(list(items))
    return [[_cell(row.get(c)) for c in columns] for row in data]


def table_text(rows: list[list[str]], columns: Sequence[str], title: str | None = None) -> str:
    """A rich table rendered to plain text (no colour), wide enough not to wrap ids."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    console = Console(
        width=160, no_color=True, force_terminal=False, record=True, file=io.StringIO()
    )
    console.print(table)
    return console.export_text().rstrip("\n")


def csv_text(rows: list[list[str]], columns: Sequence[str]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return out.getvalue().rstrip("\n")


def write_parquet(items: Sequence[Any], columns: Sequence[str], output: Path | None) -> None:
    """The named columns of each item as a Parquet file, values typed (lists stay lists)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    if output is None:
        raise OutputNeeded("--format parquet writes a file: give --output FILE")
    data = to_jsonable(list(items))
    table = pa.table({c: pa.array([row.get(c) for row in data]) for c in columns})
    pq.write_table(table, output)
    typer.echo(f"wrote {len(data)} row(s) to {output}")


def emit(
    items: Any,
    columns: Sequence[str],
    fmt: Format,
    title: str | None = None,
    output: Path | None = None,
) -> None:
    """Print ``items`` (a model or list of models) in ``fmt``; JSON keeps every field. Parquet
    writes the named columns to ``output``."""
    if fmt is Format.JSON:
        typer.echo(dumps(items))
        return
    listed = items if isinstance(items, list) else [items]
    if fmt is Format.PARQUET:
        write_parquet(listed, columns, output)
        return
    rows = rows_of(listed, columns)
    typer.echo(csv_text(rows, columns) if fmt is Format.CSV else table_text(rows, columns, title))
