"""Resolve 1M points inside Colombia against the detailed MGN municipal geometry.

Prints points/s for peacemonitor's cached grid index (``PointIndex.locate``, and the full
``Gazetteer.resolve_points`` with precision rules) and for ``geopandas.sjoin`` on the same points
and polygons in the same run, with the ratio, and checks both give the same municipalities.

    python bench/bench_points.py [--points 1000000] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

from peacemonitor.boundaries import PointIndex
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.reference import load_path
from peacemonitor.store import Store


def shared_data() -> Path:
    configured = os.environ.get("PEACEMONITOR_SHARED_DATA")
    return (
        Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"
    )


def land_points(geometries: np.ndarray, n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``n`` points uniform over the union of the polygons (rejection sampling in the bbox)."""
    rng = np.random.default_rng(seed)
    land = shapely.union_all(geometries)
    shapely.prepare(land)
    xmin, ymin, xmax, ymax = land.bounds
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x, y = rng.uniform(xmin, xmax, 2 * n), rng.uniform(ymin, ymax, 2 * n)
        keep = shapely.contains_xy(land, x, y)
        lon, lat = np.concatenate([lon, x[keep]]), np.concatenate([lat, y[keep]])
    return lon[:n], lat[:n]


def timed(label: str, n: int, func, repeat: int = 3):  # type: ignore[no-untyped-def]
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - start)
    print(f"{label:<44} {best:8.3f} s  {n / best:>12,.0f} points/s")
    return best, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=shared_data())
    args = parser.parse_args()

    store = Store(Path(tempfile.mkdtemp()) / "bench.duckdb")
    store.migrate()
    load_path(store, args.data / "divipola")
    start = time.perf_counter()
    load_path(store, args.data / "boundaries_mgn2018" / "colombia_2018.topojson")
    print(f"load full TopoJSON + build and store the index   {time.perf_counter() - start:.2f} s")
    start = time.perf_counter()
    gazetteer = Gazetteer.from_store(store)
    index = gazetteer.point_index()
    print(f"read the cached index from the store             {time.perf_counter() - start:.2f} s")
    assert index.geometries is not None
    start = time.perf_counter()
    PointIndex.build(list(index.codes), index.geometries)
    print(f"index build alone                                {time.perf_counter() - start:.2f} s")

    n = args.points
    lon, lat = land_points(index.geometries, n)
    print(f"\n{n:,} points inside Colombia's {len(index.codes)} MGN 2018 municipalities\n")
    ours, found = timed("peacemonitor PointIndex.locate", n, lambda: index.locate(lon, lat))
    precision = np.ones(n)
    full, _ = timed(
        "peacemonitor Gazetteer.resolve_points (ucdp)",
        n,
        lambda: gazetteer.resolve_points(lat, lon, precision, "ucdp"),
    )

    import geopandas as gpd

    polygons = gpd.GeoDataFrame({"code": index.codes}, geometry=list(index.geometries), crs=4326)
    points = gpd.GeoDataFrame(geometry=gpd.points_from_xy(lon, lat), crs=4326)
    base, joined = timed(
        "geopandas.sjoin (predicate='within')",
        n,
        lambda: gpd.sjoin(points, polygons, how="left", predicate="within"),
        repeat=1,
    )
    joined = joined[~joined.index.duplicated()]
    theirs = joined["index_right"].fillna(-1).to_numpy().astype(int)
    agree = (theirs == found).mean()
    print(f"\nratio locate / sjoin          {base / ours:6.1f}x")
    print(f"ratio resolve_points / sjoin  {base / full:6.1f}x")
    print(f"same municipality as sjoin    {agree:.6%} ({(theirs != found).sum()} differ)")


if __name__ == "__main__":
    main()
