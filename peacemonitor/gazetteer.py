"""The gazetteer: every way a source names a Colombian place, turned into a DIVIPOLA code.

Sources disagree on spelling ("VALLE", "Leticia (CT)", "Tumaco"), on code form (5001, "05001",
5001000.0) and sometimes on the department (the Police file Bogotá under Cundinamarca). The
gazetteer holds DANE's official list, the curated variants and code history in
``territory_data/``, and answers with a :class:`Resolution` that says how it matched, or why it
could not. The rules are documented in docs/territories.md.

This module is the resolver. Territory vocabulary lives in ``territories``, DIVIPOLA reading in
``divipola``, and the loading of reference files in ``reference``; the loaders and the errors
callers catch (``load_divipola``, ``load_file``, ``load_path``, ``reference_files``,
``TerritoryFileInvalid``, ``UnrecognisedFile``) stay importable from here for existing callers.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from peacemonitor.boundaries import (
    BoundariesNotLoaded,
    InvalidPrecisionScheme,
    PointIndex,
    resolve_points,
)
from peacemonitor.divipola import load_divipola as load_divipola
from peacemonitor.errors import PeacemonitorError
from peacemonitor.model import COUNTRY_CODE, COUNTRY_NAME, MatchKind, TerritoryLevel, Unresolved
from peacemonitor.reference import load_file as load_file
from peacemonitor.reference import load_path as load_path
from peacemonitor.reference import reference_files as reference_files
from peacemonitor.store import Store
from peacemonitor.territories import (
    NUMBER,
    UNRESOLVED,
    GazetteerNotLoaded,
    InvalidCode,
    PlaceName,
    PointResolutions,
    Resolution,
    Territory,
    parse_code,
    place_key,
)
from peacemonitor.territories import TerritoryFileInvalid as TerritoryFileInvalid
from peacemonitor.territories import UnrecognisedFile as UnrecognisedFile


class PlaceNotResolved(PeacemonitorError):
    """A place typed by a person names no territory, or several."""


FUZZY_MIN_SCORE = 90.0
"""A fuzzy candidate needs at least this rapidfuzz ``ratio`` (0–100) …"""
FUZZY_MARGIN = 10.0
"""… and must lead the best candidate for any other code by this many points."""

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
        if NUMBER.match(department):
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

    # --- one place typed by a person -------------------------------------------------------

    def lookup(self, text: str) -> list[Resolution]:
        """What a person typed (a code, a municipality or a department alone) → the territory.

        One answer when it resolves or cannot; several, each marked ``ambiguous``, when the text
        names more than one territory (listed so that the person can choose). Abbreviations
        ("N. DE SANTANDER", "NTE SANTANDER") are expanded first; a department with a single
        municipality (Bogotá, D.C.) is that municipality.
        """
        if NUMBER.match(text) or _PCODE_LIKE.match(text):
            return [self.resolve_code(text)]
        typed = place_key(text)
        key = _expand_abbreviations(typed)
        municipalities = self._index.national.get(key, {})
        departments = self._departments_named(key)
        found = self._choose(municipalities, departments)
        if found and key != typed and found[0].match is MatchKind.EXACT_NAME:
            return [replace(r, match=MatchKind.VARIANT, detail=f"read as {key!r}") for r in found]
        if found:
            return found
        fallback = self._municipality_nationally(text)
        if fallback.reason is None:
            return [fallback]
        department = self.resolve_department(key)
        if department.reason is None:
            return [department]
        if fallback.reason is Unresolved.AMBIGUOUS:
            return [fallback]
        return [replace(fallback, detail=f"no municipality or department named {text!r}")]

    def find_one(self, text: str) -> Resolution:
        """The one territory ``text`` names; PlaceNotResolved (listing candidates) otherwise."""
        found = self.lookup(text)
        if len(found) == 1 and found[0].reason is None:
            return found[0]
        if len(found) > 1:
            names = ", ".join(
                f"{r.code} {r.name}"
                + (f" ({d})" if (d := self.department_of(r.code or "")) else "")
                for r in found
            )
            raise PlaceNotResolved(f"{text!r} could be {names}: give a code")
        raise PlaceNotResolved(f"{text!r}: {found[0].detail}")

    def _describe_one(self, found: Resolution) -> str:
        department = self.department_of(found.code or "")
        return f"{found.code} {found.name}" + (f" ({department})" if department else "")

    def _departments_named(self, key: str) -> dict[str, str]:
        """Department codes whose name (or curated variant) has this key, loosely compared."""
        loose = _loose(key)
        found: dict[str, str] = {}
        for name_key, codes in self._index.departments.items():
            if name_key == key or _loose(name_key) == loose:
                for code in codes:
                    official = place_key(self.territories[code].name) == name_key
                    _prefer_official(found, code, "official" if official else "variant")
        return found

    def _choose(
        self, municipalities: dict[str, str], departments: dict[str, str]
    ) -> list[Resolution]:
        """The one territory these name matches point to, or all of them when they disagree."""
        candidates = {**municipalities}
        for code, kind in departments.items():
            only = self._sole_municipality(code)
            _prefer_official(candidates, only or code, kind)
        official = [code for code, kind in candidates.items() if kind in OFFICIAL_KINDS]
        departments_exact = [c for c in candidates if len(c) == 2]
        chosen = official or list(candidates)
        if len(chosen) > 1 and departments_exact and not official:
            chosen = departments_exact
        if len(chosen) == 1:
            code = chosen[0]
            match = MatchKind.EXACT_NAME if official else MatchKind.VARIANT
            return [self._found(code, match)]
        return [
            replace(
                self._found(code, _MATCH_OF.get(kind, MatchKind.VARIANT)),
                reason=Unresolved.AMBIGUOUS,
            )
            for code, kind in sorted(candidates.items())
        ]

    def _sole_municipality(self, department: str) -> str | None:
        """The municipality of a department that has only one (Bogotá, D.C.), else None."""
        codes = [
            t.code
            for t in self.territories.values()
            if t.level is TerritoryLevel.MUNICIPALITY
            and t.code[:2] == department
            and t.successor is None
        ]
        return codes[0] if len(codes) == 1 else None

    def department_of(self, code: str) -> str | None:
        """The name of the department a municipality code belongs to."""
        territory = self.territories.get(code[:2]) if len(code) == 5 else None
        return territory.name if territory else None

    # --- points --------------------------------------------------------------------------------

    @property
    def points(self) -> Gazetteer:
        """Its point side is itself: points resolve once MGN boundaries are loaded."""
        return self

    def point_index(self) -> PointIndex:
        """The cached point index of the store's detailed municipal boundaries (loaded once)."""
        if self._points is None:
            if self._store is None:
                raise BoundariesNotLoaded("this gazetteer was not read from a store")
            self._points = PointIndex.from_store(self._store)
        return self._points

    def resolve_points(
        self, lat: np.ndarray, lon: np.ndarray, precision: np.ndarray, scheme: str
    ) -> PointResolutions:
        """Vectorised point resolution; see :func:`peacemonitor.boundaries.resolve_points`."""
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


_PCODE_LIKE = re.compile(r"^\s*CO\d{2,5}\s*$", re.IGNORECASE)

ABBREVIATIONS = {"n": "norte", "nte": "norte", "sta": "santa", "sto": "santo", "dpto": ""}
"""Words people shorten in place names ("N. DE SANTANDER", "NTE SANTANDER", "STA MARTA")."""

_MATCH_OF = {"official": MatchKind.EXACT_NAME}

_FILLERS = frozenset({"de", "del", "la", "las", "los", "el", "y"})


def _expand_abbreviations(key: str) -> str:
    return " ".join(w for w in (ABBREVIATIONS.get(w, w) for w in key.split()) if w)


def _loose(key: str) -> str:
    """A key without filler words: 'norte santander' and 'norte de santander' compare equal."""
    return " ".join(w for w in key.split() if w not in _FILLERS)


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
