"""Boundaries: TopoJSON decoding, the grid point index, precision rules, and the real MGN files.

``tiny.topojson`` is synthetic: Medellín (05001) is the square lon -76..-75, lat 3..4 with a hole
filled by an enclave, San Pedro (05664, lon -75.6..-75.4, lat 3.4..3.6); Cali (76001) is the
square east of it, sharing the arc at lon -75.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from peacemonitor.boundaries import (
    BoundariesNotLoaded,
    InvalidPrecisionScheme,
    PointIndex,
    decode_arcs,
    geometries,
    load_boundaries,
    precision_levels,
    read_layers,
)
from peacemonitor.gazetteer import (
    Gazetteer,
    TerritoryFileInvalid,
    UnrecognisedFile,
    load_divipola,
    load_path,
)
from peacemonitor.model import MatchKind, TerritoryLevel, Unresolved
from peacemonitor.store import Store

FIXTURES = Path(__file__).parent / "data" / "territories"
TINY = FIXTURES / "tiny.topojson"


@pytest.fixture(scope="module")
def tiny_store(tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = Store(tmp_path_factory.mktemp("boundaries") / "tiny.duckdb", timeout=10)
    store.migrate()
    load_divipola(store, FIXTURES / "dl_municipios.csv")
    load_boundaries(store, TINY, detail="full")
    return store


@pytest.fixture(scope="module")
def gaz(tiny_store: Store) -> Gazetteer:
    return Gazetteer.from_store(tiny_store)


@pytest.fixture(scope="module")
def tiny_layers() -> tuple[list[str], np.ndarray]:
    municipal = next(layer for layer in read_layers(TINY) if layer.level == "municipality")
    return municipal.codes, municipal.geometries


def test_arcs_are_dequantized_and_undeltaed() -> None:
    arcs = decode_arcs(json.loads(TINY.read_text(encoding="utf-8")))
    assert arcs[0].tolist() == [[-75.0, 3.0], [-75.0, 4.0]]
    assert arcs[3][-1].tolist() == pytest.approx([-75.6, 3.4])


def test_layers_are_recognised_by_properties(tiny_layers: tuple[list[str], np.ndarray]) -> None:
    codes, geoms = tiny_layers
    assert codes == ["05001", "76001", "05664"]
    assert [round(g.area, 6) for g in geoms] == [0.96, 1.0, 0.04]  # the hole is cut out
    assert all(shapely.is_valid(geoms))


@settings(max_examples=50, deadline=None)
@given(st.integers(min_value=0, max_value=2**31))
def test_index_agrees_with_shapely(tiny_layers: tuple[list[str], np.ndarray], seed: int) -> None:
    codes, geoms = tiny_layers
    rng = np.random.default_rng(seed)
    lon, lat = rng.uniform(-76.3, -73.7, 2000), rng.uniform(2.7, 4.3, 2000)
    # include points exactly on the grid and on polygon edges
    lon[:50], lat[:50] = np.round(lon[:50], 2), np.round(lat[:50], 2)
    index = PointIndex.build(codes, geoms, cell=0.07)
    truth = np.full(len(lon), -1)
    for i, geometry in enumerate(geoms):
        truth[shapely.contains_xy(geometry, lon, lat)] = i
    found = index.locate(lon, lat)
    interior = ~shapely.intersects_xy(shapely.union_all(shapely.boundary(geoms)), lon, lat)
    assert (found == truth)[interior].all()


def test_index_round_trips_through_bytes(tiny_layers: tuple[list[str], np.ndarray]) -> None:
    codes, geoms = tiny_layers
    index = PointIndex.build(codes, geoms)
    again = PointIndex.from_bytes(index.to_bytes())
    lon, lat = np.array([-75.5, -74.5, -75.9, -70.0]), np.array([3.5, 3.5, 3.1, 3.5])
    assert again.locate(lon, lat).tolist() == index.locate(lon, lat).tolist() == [2, 1, 0, -1]


@pytest.mark.parametrize(
    ("scheme", "values", "levels"),
    [
        ("ucdp", [1, 2, 3, 4, 5, 6, 7, np.nan], [2, 2, 2, 1, 1, 0, 0, 0]),
        ("acled", [1, 2, 3, np.nan], [2, 2, 1, 0]),
        ("exact", [np.nan], [2]),
    ],
)
def test_precision_levels(scheme: str, values: list[float], levels: list[int]) -> None:
    assert precision_levels(np.array(values), scheme).tolist() == levels


def test_unknown_scheme_is_refused() -> None:
    with pytest.raises(InvalidPrecisionScheme):
        precision_levels(np.array([1.0]), "gdelt")


def test_points_resolve_as_precision_allows(gaz: Gazetteer) -> None:
    lat = np.array([3.5, 3.5, 3.5, 3.5, 3.5, 3.5, 3.5])
    lon = np.array([-75.5, -74.5, -75.9, -75.5, -75.5, -70.0, -73.99])
    prec = np.array([1, 2, 3, 4, 6, 1, 1])
    found = gaz.resolve_points(lat, lon, prec, "ucdp")
    assert found.code.tolist() == ["05664", "76001", "05001", "05", "CO", None, "76001"]
    assert found.level.tolist() == [
        "municipality",
        "municipality",
        "municipality",
        "department",
        "country",
        None,
        "municipality",
    ]
    assert found.match.tolist() == [
        "point-in-polygon",
        "point-in-polygon",
        "point-in-polygon",
        "point-in-polygon",
        "country-only",
        None,
        "nearest",
    ]
    assert found.reason.tolist() == [
        None,
        None,
        None,
        "too-imprecise",
        "too-imprecise",
        "outside-country",
        None,
    ]
    assert found.distance_km[6] == pytest.approx(1.11, abs=0.01)


def test_single_point_and_name_disagreement(gaz: Gazetteer) -> None:
    assert gaz.resolve_point(3.5, -75.5).name == "SAN PEDRO DE LOS MILAGROS"
    found = gaz.resolve(department="VALLE", municipality="Cali", lat=3.5, lon=-75.5)
    assert (found.code, found.match) == ("05664", MatchKind.POINT_IN_POLYGON)
    assert found.detail == "point wins; name gives 76001 (exact-name)"
    imprecise = gaz.resolve(
        department="VALLE", municipality="Cali", lat=3.5, lon=-75.5, precision=4, scheme="ucdp"
    )
    assert (imprecise.code, imprecise.match) == ("76001", MatchKind.EXACT_NAME)
    assert imprecise.detail == "name wins; point gives 05 (point-in-polygon)"


def test_light_geometry_is_kept_for_maps(tiny_store: Store) -> None:
    shapes = geometries(tiny_store, TerritoryLevel.DEPARTMENT, detail="full")
    assert sorted(shapes) == ["05", "76"]


def test_no_boundaries_says_what_to_load(store: Store) -> None:
    load_divipola(store, FIXTURES / "dl_municipios.csv")
    with pytest.raises(BoundariesNotLoaded, match="run `peacemonitor data load PATH`"):
        Gazetteer.from_store(store).resolve_point(3.5, -75.5)


def test_unknown_code_in_boundaries_is_refused(store: Store, tmp_path: Path) -> None:
    load_divipola(store, FIXTURES / "dl_municipios.csv")
    bad = tmp_path / "b.topojson"
    bad.write_text(TINY.read_text(encoding="utf-8").replace('"76001"', '"76002"'), "utf-8")
    with pytest.raises(TerritoryFileInvalid, match="1 code.s. not in the gazetteer: 76002"):
        load_boundaries(store, bad)


def test_json_without_mgn_features_is_refused(tmp_path: Path) -> None:
    other = tmp_path / "x.geojson"
    other.write_text('{"type": "FeatureCollection", "features": []}', "utf-8")
    with pytest.raises(UnrecognisedFile):
        read_layers(other)


# --- real data ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Gazetteer:
    store = Store(tmp_path_factory.mktemp("mgn") / "real.duckdb", timeout=30)
    store.migrate()
    load_path(store, shared_data / "divipola")
    load_path(store, shared_data / "boundaries_mgn2018")
    return Gazetteer.from_store(store)


@pytest.mark.shared_data
def test_real_boundary_codes_all_map(real: Gazetteer) -> None:
    assert real._store is not None
    with real._store.read() as db:
        rows = db.execute(
            "SELECT detail, b.level, count(*), count(t.code) FROM boundaries b "
            "LEFT JOIN territories t USING (code) GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert rows == [
        ("full", "department", 33, 33),
        ("full", "municipality", 1122, 1122),
        ("light", "department", 33, 33),
        ("light", "municipality", 1122, 1122),
    ]


@pytest.mark.shared_data
def test_real_reference_points_fall_in_their_municipality(real: Gazetteer) -> None:
    towns = [t for t in real.territories.values() if t.level == "municipality"]
    lat = np.array([t.lat for t in towns], dtype=float)
    lon = np.array([t.lon for t in towns], dtype=float)
    found = real.resolve_points(lat, lon, np.ones(len(towns)), "ucdp")
    expected = [t.successor or t.code for t in towns]
    assert found.code.tolist() == expected


@pytest.mark.shared_data
def test_real_simplified_geojson_misplaces_tumaco(real: Gazetteer, shared_data: Path) -> None:
    path = shared_data / "boundaries_mgn2018" / "co_2018_MGN_MPIO_POLITICO.geojson"
    layer = next(layer for layer in read_layers(path) if layer.level == "municipality")
    simplified = dict(zip(layer.codes, layer.geometries, strict=True))
    tumaco = _point(real, "52835")
    assert not shapely.contains_xy(simplified["52835"], *tumaco)
    assert real.resolve_point(tumaco[1], tumaco[0]).code == "52835"


@pytest.mark.shared_data
def test_real_index_matches_strtree(real: Gazetteer) -> None:
    index = real.point_index()
    assert index.geometries is not None
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(-79.5, -66.8, 100_000), rng.uniform(-4.3, 12.5, 100_000)
    pairs = shapely.STRtree(index.geometries).query(
        shapely.points(lon, lat), predicate="intersects"
    )
    truth = np.full(len(lon), -1)
    truth[pairs[0]] = pairs[1]
    assert (index.locate(lon, lat) == truth).all()


@pytest.mark.shared_data
def test_real_cli_point_example(real: Gazetteer) -> None:
    found = real.resolve_point(6.25, -75.57)
    assert (found.code, found.name, found.match) == (
        "05001",
        "MEDELLÍN",
        MatchKind.POINT_IN_POLYGON,
    )
    assert real.resolve_point(6.25, -75.57, 4, "ucdp").reason is Unresolved.TOO_IMPRECISE


def _point(gaz: Gazetteer, code: str) -> tuple[float, float]:
    territory = gaz.territories[code]
    assert territory.lon is not None and territory.lat is not None
    return territory.lon, territory.lat
