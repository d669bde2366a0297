"""The gazetteer: every way a source names a Colombian place, turned into a DIVIPOLA code.

Sources disagree on spelling ("VALLE", "Leticia (CT)", "Tumaco"), on code form (5001, "05001",
5001000.0) and sometimes on the department (the Police file Bogotá under Cundinamarca). The
gazetteer holds DANE's official list, the curated variants and code history in
``territory_data/``, and answers with a :class:`Resolution` that says how it matched, or why it
could not. The rules are documented in docs/territories.md.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import yaml

from peacemonitor.errors import PeacemonitorError
from peacemonitor.model import MatchKind, TerritoryLevel, Unresolved
from peacemonitor.names import normalize_name
from peacemonitor.store import Store

if TYPE_CHECKING:
    from peacemonitor.boundaries import PointIndex

COUNTRY_CODE = "CO"
COUNTRY_NAME = "COLOMBIA"
FUZZY_MIN_SCORE = 90.0
"""A fuzzy candidate needs at least this rapidfuzz ``ratio`` (0–100) …"""
FUZZY_MARGIN = 10.0
"""… and must lead the best candidate for any other code by this many points."""


class GazetteerNotLoaded(PeacemonitorError):
    """The store holds no DIVIPOLA list yet."""


class InvalidCode(PeacemonitorError):
    """A value that is not a DIVIPOLA code in any form we know."""


class TerritoryFileInvalid(PeacemonitorError):
    """A reference file with a bad cell; the message names file, row and column."""

    def __init__(self, file: Path | str, row: int | None, column: str | None, message: str) -> None:
        self.file, self.row, self.column = str(file), row, column
        where = f"{Path(file).name}"
        where += f", row {row}" if row is not None else ""
        where += f", column {column!r}" if column else ""
        super().__init__(f"{where}: {message}")


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


_NUMBER = re.compile(r"^\s*(\d+)(?:\.0*)?\s*$")
_PCODE = re.compile(r"^\s*CO(\d{2}|\d{5})\s*$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class ParsedCode:
    """A code in canonical text form; ``suffix``: the populated-centre digits of an 8-digit code."""

    code: str
    level: TerritoryLevel
    suffix: str | None = None


def _digits(value: str | int | float) -> str:
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
    match = _NUMBER.match(value)
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
    digits = _digits(value)
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


OFFICIAL_KINDS = frozenset({"official"})


@dataclass
class _NameIndex:
    """Lookup tables built once from the names: department keys, municipality keys per department"""

    departments: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    in_department: dict[tuple[str, str], dict[str, str]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    national: dict[str, dict[str, str]] = field(default_factory=lambda: defaultdict(dict))
    fuzzy_choices: dict[str, dict[str, list[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(list))
    )

    def add_municipality(self, name: PlaceName) -> None:
        key = place_key(name.name)
        if not key:
            return
        department = name.filed_under or name.code[:2]
        _prefer_official(self.in_department[(department, key)], name.code, name.kind)
        if name.filed_under is None:
            _prefer_official(self.national[key], name.code, name.kind)
            self.fuzzy_choices[department][key].append(name.code)


def _prefer_official(found: dict[str, str], code: str, kind: str) -> None:
    """Record that ``code`` goes by this key; an official name outranks a variant."""
    if found.get(code) not in OFFICIAL_KINDS:
        found[code] = kind


class Gazetteer:
    """Territories and names in memory; resolve codes, names and points to territories.

    Build with :meth:`from_store`. Name resolutions are cached per distinct (department,
    municipality) pair, because importers see a few thousand pairs millions of times.
    """

    def __init__(
        self,
        territories: Iterable[Territory],
        names: Iterable[PlaceName],
        store: Store | None = None,
    ) -> None:
        self.territories = {t.code: t for t in territories}
        self._index = _NameIndex()
        self._store = store
        self._points: PointIndex | None = None
        self._name_cache: dict[tuple[str | None, str | None], Resolution] = {}
        for name in names:
            self._add_name(name)

    def _add_name(self, name: PlaceName) -> None:
        territory = self.territories.get(name.code)
        if territory is None:
            return
        if territory.level is TerritoryLevel.DEPARTMENT:
            self._index.departments[place_key(name.name)].add(name.code)
        elif territory.level is TerritoryLevel.MUNICIPALITY:
            self._index.add_municipality(name)

    @classmethod
    def from_store(cls, store: Store) -> Gazetteer:
        """The gazetteer the store holds; GazetteerNotLoaded when no DIVIPOLA file was loaded."""
        with store.read() as db:
            rows = db.execute(
                "SELECT code, level, name, department_code, kind, lat, lon, successor, valid_until "
                "FROM territories"
            ).fetchall()
            names = db.execute(
                "SELECT code, name, kind, filed_under, source FROM territory_names"
            ).fetchall()
        if not any(row[1] == TerritoryLevel.MUNICIPALITY for row in rows):
            raise GazetteerNotLoaded(
                f"{store.path} holds no DIVIPOLA list: run `peacemonitor data load PATH` "
                "(PATH: the divipola folder or file)"
            )
        territories = [_territory_from_row(row) for row in rows]
        return cls(territories, [PlaceName(*row) for row in names], store)

    # --- codes ---------------------------------------------------------------------------------

    def territory(self, code: str) -> Territory | None:
        return self.territories.get(code)

    def country(self) -> Resolution:
        """Colombia, for places known only to be in the country."""
        name = (
            self.territories[COUNTRY_CODE].name
            if COUNTRY_CODE in self.territories
            else COUNTRY_NAME
        )
        return Resolution(TerritoryLevel.COUNTRY, COUNTRY_CODE, name, MatchKind.COUNTRY_ONLY)

    def _found(self, code: str, match: MatchKind, **extra: Any) -> Resolution:
        """A resolution to ``code``, following its successor when the code no longer exists."""
        territory = self.territories[code]
        if territory.successor and territory.successor in self.territories:
            successor = self.territories[territory.successor]
            note = (
                f"{code} {territory.name} was absorbed by {successor.code} {successor.name}"
                f" on {territory.valid_until}"
            )
            detail = "; ".join(d for d in (extra.pop("detail", None), note) if d)
            return Resolution(
                successor.level,
                successor.code,
                successor.name,
                MatchKind.SUCCESSOR,
                detail=detail,
                **extra,
            )
        return Resolution(territory.level, territory.code, territory.name, match, **extra)

    def resolve_code(self, code: str | int | float) -> Resolution:
        """A code in any form (see :func:`parse_code`) → its territory; old codes → successor."""
        if code is None or (isinstance(code, float) and math.isnan(code)):
            return replace(UNRESOLVED, detail="no code given")
        try:
            parsed = parse_code(code)
        except InvalidCode as error:
            return replace(UNRESOLVED, detail=str(error))
        if parsed.code not in self.territories:
            return replace(UNRESOLVED, detail=f"{parsed.code} is not in the gazetteer")
        detail = None
        if parsed.suffix and parsed.suffix != "000":
            detail = f"populated centre {parsed.suffix} of municipality {parsed.code}"
        return self._found(parsed.code, MatchKind.CODE, detail=detail)

    # --- names ---------------------------------------------------------------------------------

    def resolve_name(self, department: str | None, municipality: str | None) -> Resolution:
        """(department, municipality) names → a territory; cached per distinct pair."""
        pair = (department, municipality)
        cached = self._name_cache.get(pair)
        if cached is None:
            cached = self._resolve_name(department, municipality)
            self._name_cache[pair] = cached
        return cached

    def resolve_names(self, departments: Any, municipalities: Any) -> list[Resolution]:
        """Many (department, municipality) pairs (sequences, arrays or pandas Series of equal
        length, None/NaN for missing): each distinct pair is resolved once."""
        import pandas as pd

        dept_ids, dept_values = pd.factorize(_as_array(departments))
        muni_ids, muni_values = pd.factorize(_as_array(municipalities))
        keys = (dept_ids.astype(np.int64) + 1) * (len(muni_values) + 1) + muni_ids + 1
        distinct, ids = np.unique(keys, return_inverse=True)
        resolved = np.empty(len(distinct), dtype=object)
        for i, key in enumerate(distinct):
            d, m = divmod(int(key), len(muni_values) + 1)
            resolved[i] = self.resolve_name(
                None if d == 0 else dept_values[d - 1], None if m == 0 else muni_values[m - 1]
            )
        return list(resolved[ids])

    def _resolve_name(self, department: str | None, municipality: str | None) -> Resolution:
        department = _blank_to_none(department)
        municipality = _blank_to_none(municipality)
        dept = self.resolve_department(department) if department else None
        if municipality is None:
            if dept is None:
                return replace(UNRESOLVED, detail="no place name given")
            return dept
        if dept is None or dept.code is None:
            found = self._municipality_nationally(municipality)
            if dept is not None:
                return replace(found, detail="; ".join(d for d in (dept.detail, found.detail) if d))
            return found
        return self._municipality_in(dept, municipality)

    def resolve_department(self, department: str) -> Resolution:
        """A department's name, variant or 2-digit code → the department (exact, then fuzzy)."""
        if _NUMBER.match(department):
            found = self.resolve_code(department)
            if found.level is TerritoryLevel.DEPARTMENT:
                return found
        key = place_key(department)
        codes = self._index.departments.get(key, set())
        if len(codes) == 1:
            code = next(iter(codes))
            official = place_key(self.territories[code].name) == key
            return self._found(code, MatchKind.EXACT_NAME if official else MatchKind.VARIANT)
        choices = {k: sorted(v) for k, v in self._index.departments.items()}
        fuzzy = _fuzzy(key, choices)
        if fuzzy is not None:
            code, score = fuzzy
            return self._found(code, MatchKind.FUZZY, score=score)
        return replace(UNRESOLVED, detail=f"department {department!r} not recognised")

    def _municipality_in(self, dept: Resolution, municipality: str) -> Resolution:
        """Look for the municipality inside the resolved department, then explain a miss."""
        assert dept.code is not None
        key = place_key(municipality)
        found = self._pick(self._index.in_department.get((dept.code, key), {}))
        if found is not None:
            return found
        fuzzy = _fuzzy(key, self._index.fuzzy_choices.get(dept.code, {}))
        if fuzzy is not None:
            code, score = fuzzy
            return self._found(code, MatchKind.FUZZY, score=score)
        elsewhere = self._index.national.get(key, {})
        detail = f"{municipality!r} is not a municipality of {dept.name}"
        if elsewhere:
            detail += f"; a place of that name is in {self._describe(elsewhere)}"
        return replace(dept, reason=Unresolved.UNKNOWN, detail=detail)

    def _municipality_nationally(self, municipality: str) -> Resolution:
        """A municipality name without a (known) department: only a unique name resolves."""
        key = place_key(municipality)
        candidates = self._index.national.get(key, {})
        found = self._pick(candidates)
        if found is not None:
            return found
        if not candidates:
            national = {k: list(codes) for k, codes in self._index.national.items()}
            fuzzy = _fuzzy(key, national)
            if fuzzy is not None:
                return self._found(fuzzy[0], MatchKind.FUZZY, score=fuzzy[1])
            return replace(UNRESOLVED, detail=f"no municipality named {municipality!r}")
        return replace(
            self.country(),
            reason=Unresolved.AMBIGUOUS,
            detail=f"{municipality!r} could be {self._describe(candidates)}: give the department",
        )

    def _pick(self, candidates: dict[str, str]) -> Resolution | None:
        """The one code among ``candidates`` (official names first); None for 0 or 2+ codes."""
        official = [code for code, kind in candidates.items() if kind in OFFICIAL_KINDS]
        chosen = official if official else list(candidates)
        if len(chosen) != 1:
            return None
        code = chosen[0]
        match = MatchKind.EXACT_NAME if official else MatchKind.VARIANT
        return self._found(code, match)

    def _describe(self, codes: Iterable[str]) -> str:
        """'05664 SAN PEDRO DE LOS MILAGROS (ANTIOQUIA), 70717 SAN PEDRO (SUCRE)'."""
        parts = []
        for code in sorted(codes):
            territory = self.territories[code]
            dept = self.territories.get(code[:2])
            parts.append(f"{code} {territory.name} ({dept.name if dept else code[:2]})")
        return ", ".join(parts)

    # --- points --------------------------------------------------------------------------------

    def point_index(self) -> PointIndex:
        """The cached point index of the store's detailed municipal boundaries (loaded once)."""
        if self._points is None:
            from peacemonitor.boundaries import BoundariesNotLoaded, PointIndex

            if self._store is None:
                raise BoundariesNotLoaded("this gazetteer was not read from a store")
            self._points = PointIndex.from_store(self._store)
        return self._points

    def resolve_points(
        self, lat: np.ndarray, lon: np.ndarray, precision: np.ndarray, scheme: str
    ) -> PointResolutions:
        """Vectorised point resolution; see :func:`peacemonitor.boundaries.resolve_points`."""
        from peacemonitor.boundaries import resolve_points

        return resolve_points(self.point_index(), lat, lon, precision, scheme, self._successors())

    def _successors(self) -> dict[str, str]:
        return {c: t.successor for c, t in self.territories.items() if t.successor}

    def resolve_point(
        self, lat: float, lon: float, precision: float | None = None, scheme: str | None = None
    ) -> Resolution:
        """One point; without a precision the point is taken as exact (scheme is then ignored)."""
        if precision is None:
            scheme = "exact"
        elif scheme is None:
            from peacemonitor.boundaries import InvalidPrecisionScheme

            raise InvalidPrecisionScheme("a precision needs its scheme: 'ucdp' or 'acled'")
        result = self.resolve_points(
            np.array([lat], dtype=float),
            np.array([lon], dtype=float),
            np.array([np.nan if precision is None else precision], dtype=float),
            scheme,
        ).at(0)
        if result.code is None:
            return result
        return replace(result, name=self.territories[result.code].name)

    def resolve(
        self,
        *,
        department: str | None = None,
        municipality: str | None = None,
        code: str | int | float | None = None,
        lat: float | None = None,
        lon: float | None = None,
        precision: float | None = None,
        scheme: str | None = None,
    ) -> Resolution:
        """The one entry point for a single place. What wins when clues disagree:

        1. a code that resolves wins over everything (it is the source's own DIVIPOLA assignment);
        2. then a point precise enough for a municipality that falls inside one (point-in-polygon):
           sources' admin names are often derived from the same coordinates against older or
           coarser boundaries, so the point against DANE's polygons is the more direct evidence;
        3. then the names; a point too imprecise, or only near a municipality, loses to a name
           that reaches the municipality.

        Whatever loses is kept in ``detail`` when it points elsewhere.
        """
        clues: list[tuple[str, Resolution]] = []
        if code is not None and str(code).strip():
            clues.append(("code", self.resolve_code(code)))
        if lat is not None and lon is not None:
            clues.append(("point", self.resolve_point(lat, lon, precision, scheme)))
        if department or municipality:
            clues.append(("name", self.resolve_name(department, municipality)))
        if not clues:
            return replace(UNRESOLVED, detail="nothing to resolve: give names, a code or a point")
        return _arbitrate(clues)


def _arbitrate(clues: Sequence[tuple[str, Resolution]]) -> Resolution:
    """Pick the winning clue (see :meth:`Gazetteer.resolve`) and note the others that disagree."""

    def rank(item: tuple[str, Resolution]) -> tuple[int, int]:
        label, found = item
        reached = found.level is TerritoryLevel.MUNICIPALITY and found.reason is None
        strong = label == "code" or (label == "point" and found.match is not MatchKind.NEAREST)
        order = {"code": 0, "point": 1, "name": 2}[label]
        return (0 if reached and strong else 1 if reached else 2, order)

    ordered = sorted(clues, key=rank)
    winner_label, winner = ordered[0]
    notes = [
        f"{label} gives {found.code or 'nothing'} ({found.match or found.reason})"
        for label, found in ordered[1:]
        if found.code != winner.code
    ]
    if not notes:
        return winner
    detail = "; ".join(d for d in (winner.detail, f"{winner_label} wins", *notes) if d)
    return replace(winner, detail=detail)


def _as_array(values: Any) -> Any:
    """A pandas Series as it is (factorizing it is fast), anything else as an object array."""
    import pandas as pd

    return values if isinstance(values, pd.Series) else np.asarray(values, dtype=object)


def _blank_to_none(value: str | None) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _fuzzy(key: str, choices: dict[str, Any]) -> tuple[str, float] | None:
    """The code whose name clearly wins a fuzzy comparison, or None.

    ``choices`` maps a name key to its codes. Scores are rapidfuzz ``ratio``; the best code must
    reach FUZZY_MIN_SCORE and beat every other code by FUZZY_MARGIN.
    """
    from rapidfuzz import fuzz, process

    if not key or not choices:
        return None
    best: dict[str, float] = {}
    for choice, score, _ in process.extract(key, list(choices), scorer=fuzz.ratio, limit=10):
        for code in choices[choice]:
            best[code] = max(best.get(code, 0.0), float(score))
    ranked = sorted(best.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < FUZZY_MIN_SCORE:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < FUZZY_MARGIN:
        return None
    return ranked[0][0], round(ranked[0][1], 1)


def _territory_from_row(row: Sequence[Any]) -> Territory:
    code, level, name, department, kind, lat, lon, successor, valid_until = row
    return Territory(
        code, TerritoryLevel(level), name, department, kind, lat, lon, successor, valid_until
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
class LoadReport:
    """What a reference-file load read and where each row went."""

    dataset: str
    layout: str
    file: str
    rows_read: int = 0
    rows_stored: int = 0
    non_data: dict[int, str] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)

    def summary(self) -> str:
        skipped = f", {len(self.non_data)} non-data rows" if self.non_data else ""
        return (
            f"{Path(self.file).name}: {self.dataset} ({self.layout}), "
            f"{self.rows_read} rows read, {self.rows_stored} stored{skipped}"
        )


@dataclass
class DivipolaFile:
    """A DIVIPOLA file read into canonical rows, before anything touches the store."""

    layout: str
    territories: list[Territory]
    names: list[PlaceName]
    report: LoadReport


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_text_table(path: Path) -> tuple[list[str], list[list[str]]]:
    """Header and rows of a CSV whose delimiter (',' or ';') and BOM are detected."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    if not rows:
        raise UnrecognisedFile(f"{path.name}: empty file")
    return rows[0], rows[1:]


def detect_layout(header: Sequence[str], layouts: dict[str, dict[str, str]]) -> str | None:
    """The layout whose every header is present, preferring the one that uses most columns."""
    present = {normalize_name(cell) for cell in header}
    fitting = [name for name, fields in layouts.items() if set(fields.values()) <= present]
    return max(fitting, key=lambda name: len(layouts[name]), default=None)


def read_divipola(path: Path) -> DivipolaFile:
    """Read a DIVIPOLA list (any layout in DIVIPOLA_LAYOUTS) into territories and names."""
    header, rows = read_text_table(path)
    layout = detect_layout(header, DIVIPOLA_LAYOUTS)
    if layout is None:
        raise UnrecognisedFile(f"{path.name}: not a DIVIPOLA list (header {header[:5]})")
    columns = {normalize_name(cell): i for i, cell in enumerate(header)}
    fields = {key: columns[head] for key, head in DIVIPOLA_LAYOUTS[layout].items()}
    result = DivipolaFile(layout, [], [], LoadReport("divipola", layout, str(path)))
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
            path, number, "code", f"municipality {code} is not in department {dept_code}"
        )
    kind = KINDS.get(normalize_name(cells["kind"]))
    if kind is None:
        raise TerritoryFileInvalid(path, number, "kind", f"unknown type {cells['kind']!r}")
    if not cells["name"]:
        raise TerritoryFileInvalid(path, number, "name", "empty municipality name")
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
        digits = _digits(text)
    except InvalidCode:
        raise TerritoryFileInvalid(path, number, column, f"{text!r} is not a code") from None
    if len(digits) > width:
        raise TerritoryFileInvalid(path, number, column, f"{text!r} has more than {width} digits")
    return digits.zfill(width)


def _coordinate(path: Path, number: int, cells: dict[str, str], column: str) -> float | None:
    text = cells.get(column)
    if not text:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise TerritoryFileInvalid(path, number, column, f"{text!r} is not a number") from None
    limit = 90 if column == "lat" else 180
    if not -limit <= value <= limit:
        raise TerritoryFileInvalid(path, number, column, f"{value} is out of range")
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


def load_divipola(store: Store, path: Path) -> LoadReport:
    """Load one DIVIPOLA file in one transaction; loading it again changes nothing."""
    read = read_divipola(path)
    sha = sha256_of(path)
    with store.write() as db:
        _ensure_country(db)
        _upsert_territories(db, read.territories, read.layout in _AUTHORITATIVE)
        db.execute("DELETE FROM territory_names WHERE source = ?", [read.layout])
        _insert_names(db, read.names)
        read.report.detail["curated_names"] = apply_curated(db)
        record_load(db, read.report, sha)
    return read.report


# --- loading any reference file --------------------------------------------------------------


def reference_files(path: Path) -> Iterator[Path]:
    """The files under ``path`` (or ``path`` itself) in the order they must load: DIVIPOLA first."""
    if path.is_file():
        yield path
        return
    if not path.is_dir():
        raise UnrecognisedFile(f"{path}: no such file or directory")
    candidates = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    yield from sorted(candidates, key=lambda p: (_load_order(p), str(p)))


def _load_order(path: Path) -> int:
    """DIVIPOLA lists before population and boundaries, which are checked against them."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        try:
            header, _ = read_text_table(path)
        except (UnrecognisedFile, OSError):
            return 9
        return 0 if detect_layout(header, DIVIPOLA_LAYOUTS) else 1
    return 1 if suffix in (".xls", ".xlsx") else 2


def load_file(store: Store, path: Path, boundary_detail: str | None = None) -> list[LoadReport]:
    """Load one reference file, recognised by its contents; [] for a file that is none of ours.

    A workbook may hold several population tables (DANE's sheet and a reshaped copy): each
    distinct layout is loaded as its own vintage. ``boundary_detail`` ('full' or 'light')
    overrides the detail a boundary file's vertex count implies.
    """
    suffix = path.suffix.lower()
    if suffix in (".json", ".geojson", ".topojson"):
        from peacemonitor import boundaries

        if not boundaries.is_boundary_file(path):
            return []
        return boundaries.load_boundaries(store, path, boundary_detail)
    if suffix in (".csv", ".txt"):
        header, _ = read_text_table(path)
        if detect_layout(header, DIVIPOLA_LAYOUTS):
            return [load_divipola(store, path)]
    if suffix in (".csv", ".txt", ".xls", ".xlsx"):
        from peacemonitor import population

        if population.is_population_file(path):
            sheets = population.population_sheets(path)
            return [population.load_population(store, path, sheet=sheet) for sheet in sheets]
    return []


def load_path(
    store: Store, path: Path, boundary_detail: str | None = None
) -> tuple[list[LoadReport], list[Path]]:
    """Load every reference file under ``path``; returns the reports and the files skipped."""
    reports, skipped = [], []
    for file in reference_files(path):
        if file.suffix.lower() == ".md":
            skipped.append(file)
            continue
        loaded = load_file(store, file, boundary_detail)
        if loaded:
            reports.extend(loaded)
        else:
            skipped.append(file)
    return reports, skipped
