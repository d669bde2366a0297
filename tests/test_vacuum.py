"""Vacuum risk if alpha leaves: who is here and next door, rivals, and the trend."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from analytics_fixtures import (
    massacre_store,
    registry_presence_only,  # noqa: F401 - used by pytestmark
    tiny_registry,
)

from peacemonitor.areas import touching
from peacemonitor.registry import Registry
from peacemonitor.store import Store
from peacemonitor.vacuum import rivals_of, vacuum

NEXT_DOOR = {"52001": {"52019", "52022"}, "52019": {"52001"}}

pytestmark = pytest.mark.usefixtures("registry_presence_only")


@pytest.fixture
def world(tmp_path: Path) -> tuple[Store, Registry]:
    return massacre_store(tmp_path), tiny_registry()


def test_touching_boxes() -> None:
    shapes = {
        "a": shapely.box(0, 0, 1, 1),
        "b": shapely.box(1, 0, 2, 1),
        "c": shapely.box(5, 5, 6, 6),
    }
    assert touching(shapes, ["a", "b", "c"]) == {"a": {"b"}, "b": {"a"}, "c": set()}


def test_rivals_either_direction() -> None:
    reg = tiny_registry()
    assert rivals_of(reg, "alpha") == {"beta"} and rivals_of(reg, "beta") == {"alpha"}


def test_risk_per_municipality(world: tuple[Store, Registry]) -> None:
    store, reg = world
    result = vacuum(store, reg, "alpha", range(2022, 2024), "massacre", adjacency=NEXT_DOOR)
    got = {
        m.code: (m.groups_here, m.groups_near, m.rivals, m.rising, m.points, m.risk)
        for m in result.municipalities
    }
    assert got == {
        # nobody here; beta next door (a rival); massacres 2 → 0
        "52001": ([], ["beta"], ["beta"], False, 2.0, "medium"),
        # beta here (2 points), a rival (1), massacres 0 → 2 (1)
        "52019": (["beta"], [], ["beta"], True, 4.0, "high"),
    }
    assert [(y.year, y.count) for y in result.municipalities[1].violence] == [(2022, 0), (2023, 2)]
    assert result.note == "2 municipalities: 1 high, 1 medium, 0 low"


def test_weights_and_missing_boundaries(world: tuple[Store, Registry]) -> None:
    store, reg = world
    result = vacuum(store, reg, "alpha", range(2022, 2024), "massacre", {"rival": 0}, NEXT_DOOR)
    assert [m.points for m in result.municipalities] == [1.0, 3.0]
    from peacemonitor.boundaries import BoundariesNotLoaded

    with pytest.raises(BoundariesNotLoaded, match="peacemonitor data load"):
        vacuum(store, reg, "alpha")


@pytest.mark.shared_data
def test_real_boundaries_give_symmetric_neighbours(shared_data: Path, tmp_path: Path) -> None:
    from conftest import world_store

    from peacemonitor.areas import neighbours

    store = world_store(
        tmp_path / "b.duckdb", shared_data / "divipola", shared_data / "boundaries_mgn2018"
    )
    with store.read() as db:
        narino = [
            r[0]
            for r in db.execute(
                "SELECT code FROM territories WHERE level = 'municipality' AND code LIKE '52%'"
            ).fetchall()
        ]
    found = neighbours(store, narino)
    assert len(found) == 64 and all(found[c] for c in narino)
    assert all(c in found.get(n, {c}) for c in narino for n in found[c] if n.startswith("52"))
