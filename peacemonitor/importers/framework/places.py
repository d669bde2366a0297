"""Places as stored, resolved once per distinct code, name pair or point during an import."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from peacemonitor.errors import PeacemonitorError
from peacemonitor.model import QuarantineReason, Unresolved

Place = tuple[str, str, str]
"""(territory_level, territory_code, resolution) as stored."""


class ResolutionLike(Protocol):
    """The parts of peacemonitor.gazetteer.Resolution importers read."""

    @property
    def level(self) -> Any: ...
    @property
    def code(self) -> str | None: ...
    @property
    def match(self) -> Any: ...
    @property
    def reason(self) -> Any: ...
    @property
    def detail(self) -> Any: ...


class PointResolver(Protocol):
    """The point side of a resolver: MGN boundaries and the point index built from them."""

    def point_index(self) -> object:
        """Load the point index (reads the store); a PeacemonitorError when none is loaded."""
        ...

    def resolve_point(self, lat: float, lon: float) -> ResolutionLike: ...

    def resolve_points(self, lat: Any, lon: Any, precision: Any, scheme: str) -> Any:
        """Arrays in, one resolution per point out (``PointResolutions``)."""
        ...


class Resolver(Protocol):
    """What importers need from the gazetteer (peacemonitor.gazetteer.Gazetteer). ``points``
    is its point side, or None for a resolver of names and codes only."""

    @property
    def points(self) -> PointResolver | None: ...

    def resolve_name(self, department: str | None, municipality: str | None) -> ResolutionLike: ...

    def resolve_code(self, code: str | int | float) -> ResolutionLike: ...


@dataclass(frozen=True, slots=True)
class Unplaced:
    """Why a place could not be resolved: becomes a quarantine reason."""

    reason: str
    detail: str


class PlaceCache:
    """Resolves each distinct code or name pair once per import: files repeat a few thousand
    places hundreds of thousands of times."""

    def __init__(self, resolver: Resolver, points: bool = False) -> None:
        self.resolver = resolver
        self.points = points  # the point index was loaded before the store was opened to write
        self._codes: dict[str, Place | Unplaced] = {}
        self._names: dict[tuple[str, str], Place | Unplaced] = {}

    def code(self, code: str) -> Place | Unplaced:
        found = self._codes.get(code)
        if found is None:
            found = self._codes[code] = _place(self.resolver.resolve_code(code), code)
        return found

    @property
    def locator(self) -> PointResolver | None:
        """The resolver's point side, when its point index was loaded for this import."""
        return self.resolver.points if self.points else None

    def point(self, lat: float, lon: float) -> Place | Unplaced:
        """A point inside a municipality's polygon, when the gazetteer can locate points (its
        boundaries are loaded); otherwise Unplaced, never an error."""
        locator = self.locator
        if locator is None:
            return Unplaced(
                QuarantineReason.TERRITORY_UNKNOWN, "no point index (boundaries not loaded)"
            )
        try:
            return _place(locator.resolve_point(lat, lon), f"point {lat}, {lon}")
        except PeacemonitorError as error:
            return Unplaced(QuarantineReason.TERRITORY_UNKNOWN, str(error))

    def name(self, department: str, municipality: str) -> Place | Unplaced:
        key = (department, municipality)
        found = self._names.get(key)
        if found is None:
            resolution = self.resolver.resolve_name(department, municipality)
            found = self._names[key] = _place(resolution, f"{department} / {municipality}")
        return found


def _place(resolution: ResolutionLike, asked: str) -> Place | Unplaced:
    if resolution.reason is not None or not resolution.code:
        reason = str(getattr(resolution.reason, "value", resolution.reason or Unresolved.UNKNOWN))
        detail = str(resolution.detail or "")
        return Unplaced(f"territory-{reason}", f"{asked!r}: {detail}".rstrip(": "))
    match = getattr(resolution.match, "value", resolution.match)
    level = getattr(resolution.level, "value", resolution.level)
    return (str(level), str(resolution.code), str(match))
