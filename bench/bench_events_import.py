"""Import 1M synthetic conflict events (ACLED and UCDP CSV layouts) end to end, against baselines.

    python bench/bench_events_import.py [--rows N] [--big-rows N] [--kinds acled,ucdp]

The files are generated (synthetic, never shown as real data): points drawn inside Colombia's
municipal polygons (the store's MGN 2018 geometry), clustered on a few thousand locations as real
event data is, with mixed location precision and realistic actor strings. For each layout, in one
run and one process:

* ours: ``peacemonitor.runner.import_files`` — parse, resolve places (point in polygon within the
  precision rules), map categories and actors, store with the accounting;
* (a) DuckDB's bare ``read_csv`` of the same file, streamed to Arrow and dropped;
* (b) a straightforward pandas + geopandas pipeline doing the same work (read, parse dates,
  ``sjoin`` the points, cut to department by precision, map categories and actors with dicts,
  append to a DuckDB table).

Peak memory of an import is measured in a child process (its peak RSS), for the 1M file and a
file ``--big-rows`` long, to show it is bounded by the batch size, not the file size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from peacemonitor.importers.ucdp import GED_49

ACLED_COLUMNS = (
    "data_id,iso,event_id_cnty,event_id_no_cnty,event_date,year,time_precision,event_type,"
    "sub_event_type,actor1,assoc_actor_1,inter1,actor2,assoc_actor_2,inter2,interaction,region,"
    "country,admin1,admin2,admin3,location,latitude,longitude,geo_precision,source,source_scale,"
    "notes,fatalities,timestamp,iso3"
).split(",")
# The GED 49-column layout, as the importer itself defines it.
UCDP_COLUMNS = GED_49

# (event type, sub-event type, inter1, inter2, weight): a plausible Colombian mix.
ACLED_EVENTS = [
    ("Battles", "Armed clash", 1, 2, 12),
    ("Battles", "Armed clash", 2, 3, 8),
    ("Violence against civilians", "Attack", 3, 7, 20),
    ("Violence against civilians", "Abduction/forced disappearance", 2, 7, 5),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", 2, 1, 6),
    ("Explosions/Remote violence", "Grenade", 3, 7, 3),
    ("Protests", "Peaceful protest", 6, 0, 25),
    ("Riots", "Mob violence", 5, 7, 4),
    ("Strategic developments", "Arrests", 1, 3, 10),
    ("Strategic developments", "Looting/property destruction", 3, 0, 7),
]
ACTORS = {
    1: ["Military Forces of Colombia (2022-)", "Police Forces of Colombia (2022-)"],
    2: [
        "ELN: National Liberation Army",
        "FARC Dissidents: Central General Staff",
        "Segunda Marquetalia",
    ],  # fmt: skip
    3: [
        "Clan del Golfo",
        "Unidentified Armed Group (Colombia)",
        "Comandos de la Frontera",
        "Los Shottas",
    ],  # fmt: skip
    5: ["Rioters (Colombia)"],
    6: ["Protesters (Colombia)"],
    7: ["Civilians (Colombia)"],
    0: [""],
}
UCDP_DYADS = [
    (1, "Government of Colombia", "FARC", 40),
    (1, "Government of Colombia", "ELN", 15),
    (3, "AUC", "Civilians", 10),
    (3, "FARC", "Civilians", 8),
    (2, "AUC", "FARC", 4),
    (3, "ELN", "Civilians", 3),
    (1, "Government of Colombia", "FARC dissidents", 2),
]


# --- generating the synthetic files ------------------------------------------------------------


def land_locations(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``n`` distinct points inside Colombia's municipalities and their codes, drawn per
    municipality in proportion to its area (rejection sampling inside each polygon's box)."""
    import shapely

    from peacemonitor.boundaries import PointIndex
    from peacemonitor.store import Store

    index = PointIndex.from_store(Store(_reference_store()))
    assert index.geometries is not None
    geoms = index.geometries
    rng = np.random.default_rng(seed)
    area = shapely.area(geoms)
    picks = rng.choice(len(geoms), size=n, p=area / area.sum())
    lon, lat, code = np.empty(n), np.empty(n), np.empty(n, dtype=object)
    for g in np.unique(picks):
        slots = np.flatnonzero(picks == g)
        xmin, ymin, xmax, ymax = shapely.bounds(geoms[g])
        got: list[tuple[float, float]] = []
        while len(got) < len(slots):
            x, y = rng.uniform(xmin, xmax, 64), rng.uniform(ymin, ymax, 64)
            inside = shapely.contains_xy(geoms[g], x, y)
            got += list(zip(x[inside], y[inside], strict=True))
        lon[slots], lat[slots] = np.array(got[: len(slots)]).T
        code[slots] = index.codes[g]
    return lat.round(4), lon.round(4), code


def _reference_store() -> Path:
    path = os.environ.get("BENCH_REFERENCE_STORE")
    if not path:
        raise SystemExit("internal: the reference store is made by main()")
    return Path(path)


def _weighted(rng: np.random.Generator, table: list[Any], n: int) -> np.ndarray:
    weights = np.array([row[-1] for row in table], dtype=float)
    return rng.choice(len(table), size=n, p=weights / weights.sum())


def generate(kind: str, rows: int, path: Path, locations: int = 20_000, seed: int = 1) -> None:
    """Write ``rows`` synthetic events in the ACLED export-tool or UCDP GED 49-column layout,
    in chunks so generating 5M rows stays small too."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    lat, lon, _ = land_locations(locations, seed)
    rng = np.random.default_rng(seed)
    popularity = rng.zipf(1.6, locations).astype(float)
    popularity /= popularity.sum()
    make = _acled_chunk if kind == "acled" else _ucdp_chunk
    options = pacsv.WriteOptions(include_header=True, quoting_style="needed")
    with path.open("wb") as sink:
        for start in range(0, rows, 250_000):
            n = min(250_000, rows - start)
            where = rng.choice(locations, size=n, p=popularity)
            columns = make(rng, start, n, lat[where], lon[where])
            table = pa.table({k: np.full(n, "") if v is None else v for k, v in columns.items()})
            pacsv.write_csv(table, sink, options)
            options = pacsv.WriteOptions(include_header=False, quoting_style="needed")


def _days(rng: np.random.Generator, n: int) -> np.ndarray:
    start = np.datetime64("2018-01-01")
    return start + rng.integers(0, 365 * 7, n).astype("timedelta64[D]")


def _acled_chunk(
    rng: np.random.Generator, start: int, n: int, lat: np.ndarray, lon: np.ndarray
) -> dict[str, Any]:
    ids = np.arange(start + 1, start + n + 1)
    kinds = _weighted(rng, ACLED_EVENTS, n)
    days = _days(rng, n)
    month_names = np.array([dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)])
    years = days.astype("datetime64[Y]").astype(int) + 1970
    months = days.astype("datetime64[M]").astype(int) % 12
    day_of_month = (days - days.astype("datetime64[M]")).astype(int) + 1
    event_date = np.char.add(
        np.char.add(np.char.add(day_of_month.astype(str), " "), month_names[months]),
        np.char.add(" ", years.astype(str)),
    )
    inter1 = np.array([ACLED_EVENTS[k][2] for k in range(len(ACLED_EVENTS))])[kinds]
    inter2 = np.array([ACLED_EVENTS[k][3] for k in range(len(ACLED_EVENTS))])[kinds]
    actor1, actor2 = _actors(rng, inter1), _actors(rng, inter2)
    precision = rng.choice([1, 2, 3], size=n, p=[0.7, 0.2, 0.1])
    columns: dict[str, Any] = {c: None for c in ACLED_COLUMNS}
    columns.update(
        data_id=ids + 9_000_000,
        iso=np.full(n, 170),
        event_id_cnty=np.char.add("COL", ids.astype(str)),
        event_id_no_cnty=ids,
        event_date=event_date,
        year=years,
        time_precision=rng.choice([1, 2, 3], size=n, p=[0.9, 0.08, 0.02]),
        event_type=np.array([e[0] for e in ACLED_EVENTS])[kinds],
        sub_event_type=np.array([e[1] for e in ACLED_EVENTS])[kinds],
        actor1=actor1,
        assoc_actor_1=np.where(rng.random(n) < 0.1, "Indigenous Group (Colombia)", ""),
        inter1=inter1,
        actor2=actor2,
        assoc_actor_2=np.full(n, ""),
        inter2=inter2,
        interaction=inter1 * 10 + inter2,
        region=np.full(n, "South America"),
        country=np.full(n, "Colombia"),
        admin1=np.full(n, "Synthetic"),
        admin2=np.full(n, "Synthetic"),
        admin3=np.full(n, ""),
        location=np.full(n, "Synthetic place"),
        latitude=lat,
        longitude=lon,
        geo_precision=precision,
        source=np.full(n, "Synthetic Source; El Synthetic"),
        source_scale=np.full(n, "National"),
        notes=np.full(n, "Synthetic event: not a real event. Generated for the import benchmark."),
        fatalities=rng.poisson(0.4, n),
        timestamp=np.full(n, 1650394649),
        iso3=np.full(n, "COL"),
    )
    return columns


def _actors(rng: np.random.Generator, inter: np.ndarray) -> np.ndarray:
    out = np.empty(len(inter), dtype=object)
    for code, names in ACTORS.items():
        slots = np.flatnonzero(inter == code)
        out[slots] = np.array(names, dtype=object)[rng.integers(0, len(names), len(slots))]
    return out.astype(str)


def _ucdp_chunk(
    rng: np.random.Generator, start: int, n: int, lat: np.ndarray, lon: np.ndarray
) -> dict[str, Any]:
    ids = np.arange(start + 1, start + n + 1)
    dyads = _weighted(rng, UCDP_DYADS, n)
    days = _days(rng, n)
    violence = np.array([d[0] for d in UCDP_DYADS])[dyads]
    side_a = np.array([d[1] for d in UCDP_DYADS])[dyads]
    side_b = np.array([d[2] for d in UCDP_DYADS])[dyads]
    best = rng.poisson(2.0, n)
    low = np.maximum(best - rng.integers(0, 2, n), 0)
    high = best + rng.integers(0, 3, n)
    deaths_a = rng.binomial(best, 0.3)
    deaths_b = rng.binomial(best - deaths_a, 0.5)
    civilians = best - deaths_a - deaths_b
    precision = rng.choice([1, 2, 3, 4, 5, 6], size=n, p=[0.37, 0.12, 0.32, 0.14, 0.01, 0.04])
    iso_days = days.astype(str)
    columns: dict[str, Any] = {c: None for c in UCDP_COLUMNS}
    columns.update(
        id=ids,
        relid=np.char.add("COL-synthetic-", ids.astype(str)),
        year=days.astype("datetime64[Y]").astype(int) + 1970,
        active_year=np.ones(n, dtype=int),
        code_status=np.full(n, "Clear"),
        type_of_violence=violence,
        dyad_name=np.char.add(np.char.add(side_a, " - "), side_b),
        side_a=side_a,
        side_b=side_b,
        number_of_sources=np.ones(n, dtype=int),
        source_article=np.full(n, 'Synthetic "article"; not a real source'),
        where_prec=precision,
        where_coordinates=np.full(n, "Synthetic place"),
        adm_1=np.full(n, "Synthetic department"),
        adm_2=np.full(n, "Synthetic municipality"),
        latitude=lat,
        longitude=lon,
        country=np.full(n, "Colombia"),
        country_id=np.full(n, 100),
        region=np.full(n, "Americas"),
        event_clarity=np.ones(n, dtype=int),
        date_prec=np.ones(n, dtype=int),
        date_start=iso_days,
        date_end=iso_days,
        deaths_a=deaths_a,
        deaths_b=deaths_b,
        deaths_civilians=civilians,
        deaths_unknown=np.zeros(n, dtype=int),
        best=best,
        high=high,
        low=low,
        gwnoa=np.full(n, 100),
    )
    return columns


# --- the three contenders ------------------------------------------------------------------------


def bare_parse(path: Path) -> float:
    """(a) DuckDB's own read_csv of every column, streamed to Arrow and dropped."""
    import duckdb

    start = time.perf_counter()
    connection = duckdb.connect()
    reader = connection.sql(f"SELECT * FROM read_csv('{path}')").to_arrow_reader(100_000)
    rows = sum(batch.num_rows for batch in reader)
    connection.close()
    assert rows > 0
    return time.perf_counter() - start


def ours(kind: str, path: Path, reference: Path, folder: Path) -> tuple[float, Any]:
    """peacemonitor's import into a copy of the reference store (territories, registry)."""
    from peacemonitor.gazetteer import Gazetteer
    from peacemonitor.runner import import_files
    from peacemonitor.store import Store

    target = folder / f"ours-{kind}.duckdb"
    shutil.copy(reference, target)
    store = Store(target)
    start = time.perf_counter()
    gazetteer = Gazetteer.from_store(store)
    (report,) = import_files(store, kind, [path], gazetteer)
    seconds = time.perf_counter() - start
    if isinstance(report, Exception):
        raise SystemExit(f"import failed: {report}")
    assert report.accounted == report.rows_read
    target.unlink()
    return seconds, report


def pandas_pipeline(kind: str, path: Path, reference: Path, folder: Path) -> float:
    """(b) The straightforward way: pandas reads, geopandas joins points to polygons, dicts map
    categories and actors, DuckDB stores the frame."""
    import duckdb
    import geopandas as gpd
    import pandas as pd

    from peacemonitor.boundaries import PointIndex
    from peacemonitor.categories import UCDP_TYPE_OF_VIOLENCE, acled_category
    from peacemonitor.store import Store

    index = PointIndex.from_store(Store(reference))
    with duckdb.connect(str(reference), read_only=True) as db:
        names = dict(db.execute("SELECT normalized, actor_id FROM actor_names").fetchall())
    assert index.geometries is not None
    polygons = gpd.GeoDataFrame({"code": index.codes}, geometry=list(index.geometries), crs=4326)
    start = time.perf_counter()
    frame = pd.read_csv(path, low_memory=False)
    if kind == "acled":
        frame["day"] = pd.to_datetime(frame["event_date"], format="%d %B %Y")
        precision, municipal, regional = frame["geo_precision"], 2, 3
        keys = list(zip(frame["event_type"], frame["sub_event_type"], frame["inter1"],
                        frame["inter2"], strict=True))  # fmt: skip
        mapping = {k: acled_category(*k) for k in set(keys)}
        frame["category"] = [getattr(mapping[k], "value", None) for k in keys]
        sides = ("actor1", "actor2")
    else:
        frame["day"] = pd.to_datetime(frame["date_start"])
        precision, municipal, regional = frame["where_prec"], 3, 5
        frame["category"] = frame["type_of_violence"].map(
            {k: v.value for k, v in UCDP_TYPE_OF_VIOLENCE.items()}
        )
        sides = ("side_a", "side_b")
    points = gpd.GeoDataFrame(
        frame, geometry=gpd.points_from_xy(frame["longitude"], frame["latitude"]), crs=4326
    )
    joined = gpd.sjoin(points, polygons, how="left", predicate="within")
    joined = joined[~joined.index.duplicated()]
    code = joined["code"].astype(object)
    code = code.where(precision <= municipal, code.str[:2])
    frame["territory_code"] = code.where(precision <= regional, "CO")
    for side in sides:
        normal = frame[side].fillna("").str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True)
        frame[f"{side}_id"] = normal.str.strip().map(names)
    out = frame[["category", "day", "territory_code", *(f"{s}_id" for s in sides)]]
    with duckdb.connect(str(folder / "pandas.duckdb")) as db:
        db.register("out", out)
        db.execute("CREATE OR REPLACE TABLE events AS SELECT * FROM out")
    return time.perf_counter() - start


# --- memory, in a child process ----------------------------------------------------------------


def peak_rss_mb(kind: str, path: Path, reference: Path, folder: Path) -> float:
    """Peak resident memory of a child process that runs only our import of ``path``."""
    child = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), str(reference), str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
    if child.returncode:
        raise SystemExit(child.stderr)
    return float(child.stdout.strip().splitlines()[-1])


def child(kind: str, path: Path, reference: Path, folder: Path) -> None:
    ours(kind, path, reference, folder)
    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


# --- main --------------------------------------------------------------------------------------


def shared_data() -> Path:
    configured = os.environ.get("PEACEMONITOR_SHARED_DATA")
    return (
        Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"
    )


def reference_store(folder: Path, data: Path) -> Path:
    """DIVIPOLA, the full MGN municipal geometry (the point index) and the registry."""
    from peacemonitor.reference import load_path
    from peacemonitor.registry import bundled_directory, load, save
    from peacemonitor.store import Store

    store = Store(folder / "reference.duckdb")
    store.migrate()
    load_path(store, data / "divipola")
    load_path(store, data / "boundaries_mgn2018" / "colombia_2018.topojson")
    save(load(), store, bundled_directory())
    return store.path


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--big-rows", type=int, default=5_000_000)
    parser.add_argument("--data", type=Path, default=shared_data())
    parser.add_argument("--kinds", default="acled,ucdp")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, path, reference, folder = args.child
        os.environ["BENCH_REFERENCE_STORE"] = reference
        child(kind, Path(path), Path(reference), Path(folder))
        return
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        reference = reference_store(folder, args.data)
        os.environ["BENCH_REFERENCE_STORE"] = str(reference)
        for kind in args.kinds.split(","):
            run(kind, args, reference, folder)


def run(kind: str, args: argparse.Namespace, reference: Path, folder: Path) -> None:
    path = folder / f"{kind}_{args.rows}.csv"
    generate(kind, args.rows, path)
    size = path.stat().st_size / 1e6
    print(f"\n{kind.upper()}: {args.rows:,} synthetic events, {size:,.0f} MB CSV")
    parse = bare_parse(path)
    seconds, report = ours(kind, path, reference, folder)
    baseline = pandas_pipeline(kind, path, reference, folder)
    rate = args.rows / seconds
    print(f"  (a) DuckDB read_csv, all columns   {parse:7.2f} s")
    print(f"  ours: parse, places, categories,   {seconds:7.2f} s  {rate:>10,.0f} events/s")
    print(f"        actors, store + accounting   (stored {report.rows_stored:,}, "
          f"quarantined {sum(report.rows_quarantined.values()):,})")  # fmt: skip
    print(f"  (b) pandas + geopandas             {baseline:7.2f} s")
    print(f"  ours / bare parse  {seconds / parse:5.2f}x   (goal <= 2)")
    print(f"  pandas / ours      {baseline / seconds:5.2f}x   (goal >= 4)")
    print(f"  events/s           {rate:,.0f}   (goal >= 400,000)")
    small = peak_rss_mb(kind, path, reference, folder)
    print(f"  peak RSS, {args.rows:,} rows: {small:,.0f} MB")
    path.unlink()
    if args.big_rows:
        big = folder / f"{kind}_{args.big_rows}.csv"
        generate(kind, args.big_rows, big)
        large = peak_rss_mb(kind, big, reference, folder)
        mb = big.stat().st_size / 1e6
        print(f"  peak RSS, {args.big_rows:,} rows: {large:,.0f} MB (file {mb:,.0f} MB)")
        big.unlink()


if __name__ == "__main__":
    main()
