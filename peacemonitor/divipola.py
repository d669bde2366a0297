"""DANE's DIVIPOLA lists: read (any of the known layouts) and loaded into the store with the
curated variants and code history of ``territory_data/``, in one transaction per file."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import yaml

from peacemonitor.files import file_sha256
from peacemonitor.model import COUNTRY_CODE, COUNTRY_NAME, TerritoryLevel
from peacemonitor.names import normalize_name
from peacemonitor.store import Store
from peacemonitor.territories import (
    InvalidCode,
    LoadReport,
    PlaceName,
    Territory,
    TerritoryFileInvalid,
    UnrecognisedFile,
    detect_layout,
    digits_of,
    place_key,
    read_text_table,
    record_load,
)

# --- reading DIVIPOLA files ------------------------------------------------------------------

KINDS = {
    "municipio": "municipality",
    "area no municipalizada": "non-municipalised-area",
    "isla": "island",
}

# Canonical field → normalised header, per layout. Detection picks the layout whose headers are
# all present; the file name plays no part.
DIVIPOLA_LAYOUTS: dict[str, dict[str, str]] = {
    "dane-divipola-municipios": {
        "dept_code": "cod dpto",
        "dept_name": "nom dpto",
        "code": "cod mpio",
        "name": "nom mpio",
        "kind": "tipo",
        "lat": "latitud",
        "lon": "longitud",
    },
    "datos-gov-co-gdxc-w37w": {
        "dept_code": "cod dpto",
        "dept_name": "dpto",
        "code": "cod mpio",
        "name": "nom mpio",
        "kind": "tipo municipio",
        "lat": "latitud",
        "lon": "longitud",
    },
    "dane-divipola-codigos": {
        "dept_code": "codigo departamento",
        "code": "codigo municipio",
        "dept_name": "nombre departamento",
        "name": "nombre municipio",
        "kind": "tipo municipio isla area no municipalizada",
    },
    "dane-divipola-departamentos": {
        "dept_code": "cod dpto",
        "dept_name": "nom dpto",
        "lat": "latitud",
        "lon": "longitud",
    },
}

# Layouts whose names may replace a name already stored (the older CRC copy may not).
_AUTHORITATIVE = {
    "dane-divipola-municipios",
    "datos-gov-co-gdxc-w37w",
    "dane-divipola-departamentos",
}


@dataclass
class DivipolaFile:
    """A DIVIPOLA file read into canonical rows, before anything touches the store."""

    layout: str
    territories: list[Territory]
    names: list[PlaceName]
    report: LoadReport


def read_divipola(path: Path) -> DivipolaFile:
    """Read a DIVIPOLA list (any layout in DIVIPOLA_LAYOUTS) into territories and names."""
    header, rows, encoding = read_text_table(path)
    layout = detect_layout(header, DIVIPOLA_LAYOUTS)
    if layout is None:
        raise UnrecognisedFile(f"{path.name}: not a DIVIPOLA list (header {header[:5]})")
    columns = {normalize_name(cell): i for i, cell in enumerate(header)}
    fields = {key: columns[head] for key, head in DIVIPOLA_LAYOUTS[layout].items()}
    result = DivipolaFile(
        layout, [], [], LoadReport("divipola", layout, str(path), encoding=encoding)
    )
    seen_departments: dict[str, Territory] = {}
    for number, row in enumerate(rows, start=2):
        result.report.rows_read += 1
        cells = _cells(row, fields, header)
        if not any(cells.values()) or not re.fullmatch(r"\d+", cells["dept_code"]):
            result.report.non_data[number] = _non_data_reason(row)
            continue
        _read_divipola_row(path, number, cells, layout, result, seen_departments)
    result.territories.extend(seen_departments.values())
    return result


def _cells(row: Sequence[str], fields: dict[str, int], header: Sequence[str]) -> dict[str, str]:
    return {key: (row[i].strip() if i < len(row) else "") for key, i in fields.items()}


def _non_data_reason(row: Sequence[str]) -> str:
    text = " ".join(cell.strip() for cell in row if cell.strip())
    return f"not a data row: {text[:80]!r}" if text else "blank row"


def _read_divipola_row(
    path: Path,
    number: int,
    cells: dict[str, str],
    layout: str,
    result: DivipolaFile,
    departments: dict[str, Territory],
) -> None:
    """One data row: a municipality (and its department), or a department in the department list."""
    dept_code = _code_cell(path, number, "dept_code", cells["dept_code"], 2)
    lat, lon = _coordinate(path, number, cells, "lat"), _coordinate(path, number, cells, "lon")
    if "code" not in cells:
        departments[dept_code] = Territory(
            dept_code,
            TerritoryLevel.DEPARTMENT,
            cells["dept_name"],
            dept_code,
            "department",
            lat,
            lon,
        )
        result.names.append(PlaceName(dept_code, cells["dept_name"], "official", source=layout))
        result.report.rows_stored += 1
        return
    code = _code_cell(path, number, "code", cells["code"], 5)
    if code[:2] != dept_code:
        raise TerritoryFileInvalid(
            path, f"municipality {code} is not in department {dept_code}", number, "code"
        )
    kind = KINDS.get(normalize_name(cells["kind"]))
    if kind is None:
        raise TerritoryFileInvalid(path, f"unknown type {cells['kind']!r}", number, "kind")
    if not cells["name"]:
        raise TerritoryFileInvalid(path, "empty municipality name", number, "name")
    result.territories.append(
        Territory(code, TerritoryLevel.MUNICIPALITY, cells["name"], dept_code, kind, lat, lon)
    )
    result.names.append(PlaceName(code, cells["name"], "official", source=layout))
    if dept_code not in departments:
        departments[dept_code] = Territory(
            dept_code, TerritoryLevel.DEPARTMENT, cells["dept_name"], dept_code, "department"
        )
        result.names.append(PlaceName(dept_code, cells["dept_name"], "official", source=layout))
    result.report.rows_stored += 1


def _code_cell(path: Path, number: int, column: str, text: str, width: int) -> str:
    try:
        digits = digits_of(text)
    except InvalidCode:
        raise TerritoryFileInvalid(path, f"{text!r} is not a code", number, column) from None
    if len(digits) > width:
        raise TerritoryFileInvalid(path, f"{text!r} has more than {width} digits", number, column)
    return digits.zfill(width)


def _coordinate(path: Path, number: int, cells: dict[str, str], column: str) -> float | None:
    text = cells.get(column)
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise TerritoryFileInvalid(path, f"{text!r} is not a number", number, column) from None
    limit = 90 if column == "lat" else 180
    if not -limit <= value <= limit:
        raise TerritoryFileInvalid(path, f"{value} is out of range", number, column)
    return value


# --- curated data ----------------------------------------------------------------------------


def _curated(name: str) -> dict[str, Any]:
    text = (resources.files("peacemonitor") / "territory_data" / name).read_text(encoding="utf-8")
    loaded = yaml.safe_load(text)
    assert isinstance(loaded, dict)
    return loaded


def curated_names() -> list[PlaceName]:
    """The variants in territory_data/variants.yaml, each with its source."""
    data = _curated("variants.yaml")
    return [
        PlaceName(str(e["code"]), e["name"], e["kind"], e.get("filed_under"), e["source"])
        for section in ("departments", "municipalities")
        for e in data.get(section) or []
    ]


def curated_history() -> list[tuple[Territory, str]]:
    """Retired codes from territory_data/history.yaml, with their sources."""
    return [
        (
            Territory(
                str(e["code"]),
                TerritoryLevel.MUNICIPALITY,
                e["name"],
                str(e["department_code"]),
                e["kind"],
                successor=str(e["successor"]),
                valid_until=str(e["valid_until"]),
            ),
            e["source"],
        )
        for e in _curated("history.yaml")["codes"]
    ]


# --- loading into the store ------------------------------------------------------------------

_UPSERT = """
INSERT INTO territories
SELECT code, level, name, department_code, kind, lat, lon, successor, valid_until FROM incoming
ON CONFLICT (code) DO UPDATE SET
    level = excluded.level,
    name = CASE WHEN {authoritative} THEN excluded.name ELSE territories.name END,
    department_code = excluded.department_code,
    kind = excluded.kind,
    lat = COALESCE(excluded.lat, territories.lat),
    lon = COALESCE(excluded.lon, territories.lon)
"""


def _territory_frame(territories: Sequence[Territory]) -> Any:
    import pandas as pd

    columns = [
        "code",
        "level",
        "name",
        "department_code",
        "kind",
        "lat",
        "lon",
        "successor",
        "valid_until",
    ]
    records = [
        (
            t.code,
            t.level.value,
            t.name,
            t.department_code,
            t.kind,
            t.lat,
            t.lon,
            t.successor,
            t.valid_until,
        )
        for t in territories
    ]
    frame = pd.DataFrame(records, columns=columns)
    return frame.astype({"lat": "float64", "lon": "float64"})


def _upsert_territories(
    db: duckdb.DuckDBPyConnection, territories: Sequence[Territory], authoritative: bool
) -> None:
    if not territories:
        return
    db.register("incoming", _territory_frame(territories))
    try:
        db.execute(_UPSERT.format(authoritative="true" if authoritative else "false"))
    finally:
        db.unregister("incoming")


def _insert_names(db: duckdb.DuckDBPyConnection, names: Sequence[PlaceName]) -> None:
    import pandas as pd

    if not names:
        return
    rows = [(n.code, n.name, place_key(n.name), n.kind, n.filed_under, n.source) for n in names]
    columns = ["code", "name", "normalized", "kind", "filed_under", "source"]
    db.register("incoming_names", pd.DataFrame(rows, columns=columns, dtype=object))
    try:
        db.execute("INSERT INTO territory_names SELECT * FROM incoming_names")
    finally:
        db.unregister("incoming_names")


def _ensure_country(db: duckdb.DuckDBPyConnection) -> None:
    db.execute(
        "INSERT INTO territories (code, level, name, department_code, kind) "
        "VALUES (?, 'country', ?, NULL, 'country') ON CONFLICT (code) DO NOTHING",
        [COUNTRY_CODE, COUNTRY_NAME],
    )


def apply_curated(db: duckdb.DuckDBPyConnection) -> int:
    """Replace the curated variants and retired codes; entries for codes not loaded are skipped."""
    known = {row[0] for row in db.execute("SELECT code FROM territories").fetchall()}
    history = [(t, source) for t, source in curated_history() if t.department_code in known]
    db.execute("DELETE FROM territory_names WHERE source LIKE 'curated:%'")
    _upsert_territories(db, [t for t, _ in history], authoritative=True)
    if history:  # DuckDB's executemany refuses an empty parameter list
        db.executemany(
            "UPDATE territories SET successor = ?, valid_until = ? WHERE code = ?",
            [(t.successor, t.valid_until, t.code) for t, _ in history],
        )
    known |= {t.code for t, _ in history}
    names = [
        PlaceName(n.code, n.name, n.kind, n.filed_under, f"curated: {n.source}")
        for n in curated_names()
        if n.code in known
    ]
    names += [PlaceName(t.code, t.name, "official", None, f"curated: {s}") for t, s in history]
    _insert_names(db, names)
    return len(names)


def load_divipola(store: Store, path: Path) -> LoadReport:
    """Load one DIVIPOLA file in one transaction; loading it again changes nothing."""
    read = read_divipola(path)
    sha = file_sha256(path)
    with store.write() as db:
        _ensure_country(db)
        _upsert_territories(db, read.territories, read.layout in _AUTHORITATIVE)
        db.execute("DELETE FROM territory_names WHERE source = ?", [read.layout])
        _insert_names(db, read.names)
        read.report.detail["curated_names"] = apply_curated(db)
        record_load(db, read.report, sha)
    return read.report
