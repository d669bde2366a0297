"""Territory vocabulary shared by the resolver and the reference-file readers: DIVIPOLA codes
and their parsing, the ``Resolution`` a lookup answers with, territories and place names, the
named errors, and the accounting of a reference-file load (``LoadReport``, ``record_load``).

Below ``divipola``, ``boundaries``, ``population`` and ``gazetteer``, so none of them needs
another to speak about a place.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import numpy as np

from peacemonitor.csvfiles import read_csv
from peacemonitor.errors import FileError, PeacemonitorError
from peacemonitor.model import COUNTRY_CODE, MatchKind, TerritoryLevel, Unresolved
from peacemonitor.names import normalize_name


class GazetteerNotLoaded(PeacemonitorError):
    """The store holds no DIVIPOLA list yet."""


class InvalidCode(PeacemonitorError):
    """A value that is not a DIVIPOLA code in any form we know."""


class TerritoryFileInvalid(FileError):
    """A reference file with a bad cell; the message names file, row and column."""


class UnrecognisedFile(PeacemonitorError):
    """A file whose contents match no layout the loaders know."""


# --- resolutions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Resolution:
    """Where a place landed: the level reached, the code and official name, and how or why not."""

    level: TerritoryLevel | None
    code: str | None
    name: str | None
    match: MatchKind | None
    reason: Unresolved | None = None
    score: float | None = None
    detail: str | None = None


UNRESOLVED = Resolution(None, None, None, None, Unresolved.UNKNOWN)


@dataclass(frozen=True, slots=True)
class PointResolutions:
    """Equal-length arrays, one entry per input point (``reason`` is None where resolved)."""

    code: np.ndarray
    level: np.ndarray
    match: np.ndarray
    reason: np.ndarray
    distance_km: np.ndarray

    def __len__(self) -> int:
        return len(self.code)

    def at(self, i: int) -> Resolution:
        """Point ``i`` as a Resolution (names are filled in by the gazetteer)."""
        level, match, reason = self.level[i], self.match[i], self.reason[i]
        distance = float(self.distance_km[i])
        return Resolution(
            level=TerritoryLevel(level) if level else None,
            code=self.code[i],
            name=None,
            match=MatchKind(match) if match else None,
            reason=Unresolved(reason) if reason else None,
            score=None if math.isnan(distance) else round(distance, 3),
        )


# --- names and codes ---------------------------------------------------------------------------

_MARKER = re.compile(r"\s*\((?:CT|CD|ANM)\)\s*$", re.IGNORECASE)


def place_key(text: str) -> str:
    """A place name's comparison form: 'Leticia (CT)' → 'leticia', 'BOGOTÁ, D.C.' → 'bogota d c'.

    The Police mark capitals "(CT)" and DANE's population file "(CD)"; neither is part of the name.
    """
    return normalize_name(_MARKER.sub("", text))


NUMBER = re.compile(r"^\s*(\d+)(?:\.0*)?\s*$")
_PCODE = re.compile(r"^\s*CO(\d{2}|\d{5})\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedCode:
    """A code in canonical text form; ``suffix``: the populated-centre digits of an 8-digit code."""

    code: str
    level: TerritoryLevel
    suffix: str | None = None


def digits_of(value: str | int | float) -> str:
    """The digits of a numeric code, refusing fractions and signs ('5001000.0' → '5001000')."""
    if isinstance(value, bool):
        raise InvalidCode(f"{value!r} is not a DIVIPOLA code")
    if isinstance(value, float):
        if not math.isfinite(value) or value < 0 or value != int(value):
            raise InvalidCode(f"{value!r} is not a DIVIPOLA code")
        return str(int(value))
    if isinstance(value, int):
        if value < 0:
            raise InvalidCode(f"{value!r} is not a DIVIPOLA code")
        return str(value)
    match = NUMBER.match(value)
    if not match:
        raise InvalidCode(f"{value!r} is not a DIVIPOLA code")
    return match.group(1)


def parse_code(value: str | int | float) -> ParsedCode:
    """Read a code in any form sources use: 5, "05", 5001, "05001", 5001000.0, "05001008", "CO05001"

    1–2 digits name a department, 4–5 a municipality, 7–8 a municipality plus the 3 digits of a
    populated centre (Police CODIGO DANE). Integers lose leading zeros, so lengths 1, 4 and 7 are
    padded. Anything else raises InvalidCode.
    """
    if isinstance(value, str):
        text = value.strip()
        if text.upper() in {"CO", "COL"}:
            return ParsedCode(COUNTRY_CODE, TerritoryLevel.COUNTRY)
        pcode = _PCODE.match(text)
        if pcode:
            value = pcode.group(1)
    digits = digits_of(value)
    if len(digits) <= 2:
        return ParsedCode(digits.zfill(2), TerritoryLevel.DEPARTMENT)
    if len(digits) in (4, 5):
        return ParsedCode(digits.zfill(5), TerritoryLevel.MUNICIPALITY)
    if len(digits) in (7, 8):
        padded = digits.zfill(8)
        return ParsedCode(padded[:5], TerritoryLevel.MUNICIPALITY, padded[5:])
    raise InvalidCode(
        f"{value!r} is not a DIVIPOLA code "
        "(2 digits department, 5 municipality, 8 populated centre)"
    )


# --- territories -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Territory:
    """One row of the ``territories`` table."""

    code: str
    level: TerritoryLevel
    name: str
    department_code: str | None
    kind: str
    lat: float | None = None
    lon: float | None = None
    successor: str | None = None
    valid_until: str | None = None


@dataclass(frozen=True, slots=True)
class PlaceName:
    """One row of ``territory_names``."""

    code: str
    name: str
    kind: str
    filed_under: str | None = None
    source: str | None = None


@dataclass
class LoadReport:
    """What a reference-file load read and where each row went."""

    dataset: str
    layout: str
    file: str
    rows_read: int = 0
    rows_stored: int = 0
    non_data: dict[int, str] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)
    encoding: str | None = None  # a CSV's text encoding; None for workbooks and JSON

    def summary(self) -> str:
        skipped = f", {len(self.non_data)} non-data rows" if self.non_data else ""
        read_as = f", read as {self.encoding}" if self.encoding else ""
        return (
            f"{Path(self.file).name}: {self.dataset} ({self.layout}), "
            f"{self.rows_read} rows read, {self.rows_stored} stored{skipped}{read_as}"
        )


class TextTable(NamedTuple):
    """A reference CSV: its header, its rows and the encoding it was read in."""

    header: list[str]
    rows: list[list[str]]
    encoding: str


def read_text_table(path: Path) -> TextTable:
    """Header and rows of a CSV, read by the one policy of ``csvfiles`` (delimiter and BOM
    detected; Windows-1252 only when the bytes prove it, else a named error, never mojibake)."""
    table = read_csv(path)
    if not table.rows:
        raise UnrecognisedFile(f"{path.name}: empty file")
    return TextTable(table.rows[0], table.rows[1:], table.encoding)


def detect_layout(header: Sequence[str], layouts: dict[str, dict[str, str]]) -> str | None:
    """The layout whose every header is present, preferring the one that uses most columns."""
    present = {normalize_name(cell) for cell in header}
    fitting = [name for name, fields in layouts.items() if set(fields.values()) <= present]
    return max(fitting, key=lambda name: len(layouts[name]), default=None)


def record_load(db: duckdb.DuckDBPyConnection, report: LoadReport, sha256: str) -> None:
    """Write the load's accounting row to ``territory_loads``."""
    db.execute(
        "INSERT INTO territory_loads "
        "VALUES (nextval('territory_load_ids'), ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            report.dataset,
            report.layout,
            Path(report.file).name,
            sha256,
            dt.datetime.now(dt.UTC).replace(tzinfo=None),
            report.rows_read,
            report.rows_stored,
            json.dumps({str(k): v for k, v in report.non_data.items()}, ensure_ascii=False),
            json.dumps(report.detail, ensure_ascii=False),
        ],
    )
