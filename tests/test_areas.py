"""Areas: the presence seam, expansion of territory codes, months and their coverage."""

from __future__ import annotations

import datetime as dt

from analytics_fixtures import tiny_registry

from peacemonitor import areas
from peacemonitor.areas import add_months, expand, month_range, registry_presence
from peacemonitor.store import Store

KNOWN = ["19001", "52001", "52019", "52022"]


def test_expand() -> None:
    assert expand(["CO"], KNOWN) == set(KNOWN)
    assert expand(["52"], KNOWN) == {"52001", "52019", "52022"}
    assert expand(["19001", "VE", "99999"], KNOWN) == {"19001"}


def test_months() -> None:
    assert add_months(dt.date(2024, 11, 20), 3) == dt.date(2025, 2, 1)
    assert add_months(dt.date(2024, 1, 5), -1) == dt.date(2023, 12, 1)
    assert month_range(dt.date(2024, 11, 20), dt.date(2025, 1, 1)) == [
        dt.date(2024, 11, 1),
        dt.date(2024, 12, 1),
        dt.date(2025, 1, 1),
    ]


def test_registry_presence_and_window() -> None:
    reg = tiny_registry()
    records = registry_presence(reg, "beta")
    assert [(r.territory_code, r.first, r.how) for r in records] == [
        ("52019", dt.date(2024, 1, 1), "registry"),
        ("52022", dt.date(2024, 1, 1), "registry"),
    ]
    assert registry_presence(reg, "beta", as_of=dt.date(2027, 1, 1), window_months=24) == []
    assert len(registry_presence(reg, "beta", as_of=dt.date(2025, 1, 1))) == 2


def test_the_seam_asks_the_presence_module(store: Store) -> None:
    """One kind of knowing at a time: the registry's presence through the seam is the
    registry's cited presence; no events are stored, so events give none."""
    reg = tiny_registry()
    through = areas.presence(store, reg, "alpha", how="registry")
    direct = registry_presence(reg, "alpha")
    assert [(r.territory_code, r.how) for r in through] == [
        (r.territory_code, r.how) for r in direct
    ]
    assert through
    assert areas.presence(store, reg, "alpha", how="events") == []
