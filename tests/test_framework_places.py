"""The place cache: each code, name pair or point resolved once; points only when the
resolver has a point side and its index was loaded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from peacemonitor.importers.framework.places import PlaceCache, Unplaced
from peacemonitor.model import MatchKind, TerritoryLevel, Unresolved
from peacemonitor.territories import Resolution

FOUND = Resolution(TerritoryLevel.MUNICIPALITY, "05001", "MEDELLÍN", MatchKind.CODE)
MISSED = Resolution(None, None, None, None, Unresolved.UNKNOWN, detail="no such place")


@dataclass
class Counting:
    """A resolver that counts its calls; ``located`` is its point side (or None)."""

    calls: list[Any] = field(default_factory=list)
    located: Any = None

    @property
    def points(self) -> Any:
        return self.located

    def resolve_code(self, code: str | int | float) -> Resolution:
        self.calls.append(code)
        return FOUND if code == "05001" else MISSED

    def resolve_name(self, department: str | None, municipality: str | None) -> Resolution:
        self.calls.append((department, municipality))
        return FOUND

    def point_index(self) -> object:
        return object()

    def resolve_point(self, lat: float, lon: float) -> Resolution:
        self.calls.append((lat, lon))
        return FOUND

    def resolve_points(self, lat: Any, lon: Any, precision: Any, scheme: str) -> Any:
        raise NotImplementedError


def test_each_code_and_name_is_resolved_once() -> None:
    resolver = Counting()
    cache = PlaceCache(resolver)
    places = [cache.code("05001") for _ in range(3)] + [cache.name("ANT", "MED") for _ in range(2)]
    assert (
        places == [("municipality", "05001", "code")] * 3 + [("municipality", "05001", "code")] * 2
    )
    assert resolver.calls == ["05001", ("ANT", "MED")]


def test_an_unresolved_place_becomes_a_quarantine_reason() -> None:
    assert PlaceCache(Counting()).code("99999") == Unplaced(
        "territory-unknown", "'99999': no such place"
    )


def test_points_need_a_point_side_and_a_loaded_index() -> None:
    no_side = PlaceCache(Counting(), points=True)
    assert no_side.locator is None
    assert isinstance(no_side.point(6.2, -75.6), Unplaced)
    with_side = Counting()
    with_side.located = with_side
    assert PlaceCache(with_side, points=False).locator is None
    cache = PlaceCache(with_side, points=True)
    assert cache.locator is with_side
    assert cache.point(6.2, -75.6) == ("municipality", "05001", "code")
