"""MGN boundaries and fast point location: which municipality a coordinate falls in.

Reading: TopoJSON is decoded here (quantized, delta-encoded arcs stitched into rings), GeoJSON via
shapely; each file's layers are recognised by their properties (``MPIO_CCNCT`` municipalities,
``DPTO_CCDGO`` departments). A file with at least FULL_MIN_VERTICES vertices is the 'full'
geometry used for point-in-polygon; lighter files are kept as 'light' geometry for maps.

Point location is a hot path (millions of events), so :class:`PointIndex` is built once, when the
full municipal layer is loaded, and cached in the store. It is a regular grid over the country:
a cell that no boundary touches belongs wholly to one municipality (or to none) and answers
directly; a cell a boundary crosses keeps the boundary segments inside it, the municipalities
they belong to, and which of them holds the cell's centre. A point in such a cell walks the
straight line from the centre to itself: each crossing of a municipality's segment flips whether
the point is inside that municipality. Everything is numpy arrays; no per-point Python.

Why over 600 lines: the TopoJSON decoding, the grid index and the vectorised point resolution
share one array representation of the rings; the next split, if it grows, is the reader
(TopoJSON/GeoJSON → rings) apart from ``PointIndex``.
"""

from __future__ import annotations

import io
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import shapely

from peacemonitor.errors import PeacemonitorError
from peacemonitor.files import file_sha256
from peacemonitor.model import COUNTRY_CODE, MatchKind, TerritoryLevel, Unresolved
from peacemonitor.store import Store
from peacemonitor.territories import (
    LoadReport,
    PointResolutions,
    TerritoryFileInvalid,
    UnrecognisedFile,
    record_load,
)

FULL_MIN_VERTICES = 50_000
"""A boundary file with at least this many vertices is detailed enough for point-in-polygon."""
CELL_DEGREES = 0.01
"""Grid cell size of the point index (about 1.1 km)."""
NEAREST_MAX_KM = 5.0
"""A point outside every polygon but this close to one (coast, river) goes to the nearest."""
INDEX_FORMAT = 1
KM_PER_DEGREE = 111.195

MUNICIPALITY_CODE = "MPIO_CCNCT"
DEPARTMENT_CODE = "DPTO_CCDGO"


class BoundariesNotLoaded(PeacemonitorError):
    """The store has no detailed municipal boundaries (hence no point index)."""


class InvalidPrecisionScheme(PeacemonitorError):
    """A precision scheme other than 'ucdp', 'acled' or 'exact'."""


# --- reading -----------------------------------------------------------------------------------


@dataclass
class Layer:
    """One boundary layer of a file: codes, names and shapely geometries, in the same order."""

    level: TerritoryLevel
    codes: list[str]
    names: list[str]
    geometries: np.ndarray
    vertices: int


def decode_arcs(topology: dict[str, Any]) -> list[np.ndarray]:
    """The arcs of a TopoJSON topology as absolute lon/lat arrays (undoing quantization)."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        points = np.asarray(arc, dtype=float)[:, :2]
        if transform:
            points = np.cumsum(points, axis=0) * transform["scale"] + transform["translate"]
        arcs.append(points)
    return arcs


def _ring(indices: Sequence[int], arcs: list[np.ndarray]) -> np.ndarray:
    """Stitch arcs into one ring; ``~i`` (negative) means arc i reversed."""
    parts = []
    for n, index in enumerate(indices):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(arc if n == 0 else arc[1:])
    return np.concatenate(parts)


def _polygon(rings: Sequence[Sequence[int]], arcs: list[np.ndarray]) -> shapely.Polygon:
    shell, *holes = (_ring(r, arcs) for r in rings)
    return shapely.Polygon(shell, holes)


def topo_geometry(geometry: dict[str, Any], arcs: list[np.ndarray]) -> shapely.Geometry | None:
    """A TopoJSON Polygon or MultiPolygon as a shapely geometry (None for a null geometry)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        return _polygon(geometry["arcs"], arcs)
    if kind == "MultiPolygon":
        return shapely.MultiPolygon([_polygon(p, arcs) for p in geometry["arcs"]])
    return None


def _features(path: Path, data: dict[str, Any]) -> list[tuple[dict[str, Any], Any]]:
    """(properties, geometry) of every feature: TopoJSON objects or a GeoJSON FeatureCollection."""
    if data.get("type") == "Topology":
        arcs = decode_arcs(data)
        return [
            (g.get("properties") or {}, topo_geometry(g, arcs))
            for obj in data.get("objects", {}).values()
            for g in obj.get("geometries", [])
        ]
    if data.get("type") == "FeatureCollection":
        return [
            (
                f.get("properties") or {},
                shapely.geometry.shape(f["geometry"]) if f.get("geometry") else None,
            )
            for f in data["features"]
        ]
    raise UnrecognisedFile(f"{path.name}: neither TopoJSON nor a GeoJSON FeatureCollection")


def is_boundary_file(path: Path) -> bool:
    """True for TopoJSON or GeoJSON whose first feature carries an MGN code property."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError, OSError):
        return False
    if not isinstance(data, dict):
        return False
    if data.get("type") == "Topology":
        objects = data.get("objects", {}).values()
        first = [(g.get("properties") or {}) for o in objects for g in o.get("geometries", [])[:1]]
    elif data.get("type") == "FeatureCollection":
        first = [(f.get("properties") or {}) for f in data.get("features", [])[:1]]
    else:
        return False
    return any(MUNICIPALITY_CODE in p or DEPARTMENT_CODE in p for p in first)


def read_layers(path: Path) -> list[Layer]:
    """The municipal and department layers of a boundary file, recognised by their properties."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise UnrecognisedFile(f"{path.name}: not JSON ({error})") from None
    grouped: dict[TerritoryLevel, list[tuple[str, str, Any]]] = {}
    for number, (props, geometry) in enumerate(_features(path, data), start=1):
        level, code, name = _identify(path, number, props)
        if geometry is None or geometry.is_empty:
            raise TerritoryFileInvalid(path, f"{code} has no geometry", number, "geometry")
        grouped.setdefault(level, []).append((code, name, geometry))
    if not grouped:
        raise UnrecognisedFile(f"{path.name}: no MGN municipality or department features")
    return [_layer(level, items) for level, items in grouped.items()]


def _identify(path: Path, number: int, props: dict[str, Any]) -> tuple[TerritoryLevel, str, str]:
    if MUNICIPALITY_CODE in props:
        code, level, width, name = (
            props[MUNICIPALITY_CODE],
            TerritoryLevel.MUNICIPALITY,
            5,
            "MPIO_CNMBR",
        )
    elif DEPARTMENT_CODE in props:
        code, level, width, name = (
            props[DEPARTMENT_CODE],
            TerritoryLevel.DEPARTMENT,
            2,
            "DPTO_CNMBR",
        )
    else:
        raise UnrecognisedFile(f"{path.name}: feature {number} has no MGN code property")
    text = str(code).strip()
    if not text.isdigit() or len(text) != width:
        column = MUNICIPALITY_CODE if width == 5 else DEPARTMENT_CODE
        raise TerritoryFileInvalid(path, f"{code!r} is not a {width}-digit code", number, column)
    return level, text, str(props.get(name) or "")


def _layer(level: TerritoryLevel, items: list[tuple[str, str, Any]]) -> Layer:
    geometries = np.array([g for _, _, g in items], dtype=object)
    vertices = int(shapely.get_num_coordinates(geometries).sum())
    return Layer(level, [c for c, _, _ in items], [n for _, n, _ in items], geometries, vertices)


# --- the point index ---------------------------------------------------------------------------


def _segments(geometries: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ring edge as (x0, y0, x1, y1), and the index of the geometry it bounds."""
    parts, part_owner = shapely.get_parts(geometries, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, coord_ring = shapely.get_coordinates(rings, return_index=True)
    same = coord_ring[1:] == coord_ring[:-1]
    starts, ends = coords[:-1][same], coords[1:][same]
    owner = part_owner[ring_part[coord_ring[:-1][same]]]
    return np.hstack([starts, ends]), owner


@dataclass
class _Grid:
    x0: float
    y0: float
    cell: float
    nx: int
    ny: int

    def cells_of(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return np.floor((x - self.x0) / self.cell), np.floor((y - self.y0) / self.cell)


def _segment_cells(segs: np.ndarray, grid: _Grid) -> tuple[np.ndarray, np.ndarray]:
    """(segment, cell) pairs where the segment touches the closed cell square (exact test)."""
    x0, y0, x1, y1 = segs.T
    ix0, iy0 = grid.cells_of(np.minimum(x0, x1), np.minimum(y0, y1))
    ix1, iy1 = grid.cells_of(np.maximum(x0, x1), np.maximum(y0, y1))
    wide, high = (ix1 - ix0 + 1).astype(np.int64), (iy1 - iy0 + 1).astype(np.int64)
    counts = wide * high
    seg = np.repeat(np.arange(len(segs)), counts)
    offset = _ramp(counts)
    cx = (ix0[seg] + offset % wide[seg]).astype(np.int64)
    cy = (iy0[seg] + offset // wide[seg]).astype(np.int64)
    touches = _touches(segs[seg], grid.x0 + cx * grid.cell, grid.y0 + cy * grid.cell, grid.cell)
    return seg[touches], cy[touches] * grid.nx + cx[touches]


def _touches(segs: np.ndarray, bx: np.ndarray, by: np.ndarray, size: float) -> np.ndarray:
    """True where a segment (whose bounding box overlaps the box) meets the closed box."""
    x0, y0, x1, y1 = segs.T
    dx, dy = x1 - x0, y1 - y0
    sides = [dx * (cy - y0) - dy * (cx - x0) for cx in (bx, bx + size) for cy in (by, by + size)]
    stacked = np.stack(sides)
    apart = np.asarray((stacked > 0).all(axis=0) | (stacked < 0).all(axis=0))
    return ~apart


def _centre_labels(segs: np.ndarray, owner: np.ndarray, grid: _Grid) -> np.ndarray:
    """For every cell, the geometry containing its centre (-1 for none): even-odd scanlines.

    An edge crosses the scanline at height yc when ``(y0 <= yc) != (y1 <= yc)``; evaluated the
    same way for both edges at a vertex, so every closed ring crosses each scanline an even
    number of times and crossings pair up into inside spans.
    """
    x0, y0, x1, y1 = segs.T
    first = np.floor((np.minimum(y0, y1) - grid.y0) / grid.cell - 0.5).astype(np.int64) - 1
    last = np.floor((np.maximum(y0, y1) - grid.y0) / grid.cell - 0.5).astype(np.int64) + 1
    counts = last - first + 1
    seg = np.repeat(np.arange(len(segs)), counts)
    row = first[seg] + _ramp(counts)
    yc = grid.y0 + (row + 0.5) * grid.cell
    keep = (y0[seg] <= yc) != (y1[seg] <= yc)
    seg, row, yc = seg[keep], row[keep], yc[keep]
    xs = x0[seg] + (yc - y0[seg]) / (y1[seg] - y0[seg]) * (x1[seg] - x0[seg])
    order = np.lexsort((xs, owner[seg], row))
    row, who, xs = row[order], owner[seg][order], xs[order]
    col0 = np.clip(np.ceil((xs[0::2] - grid.x0) / grid.cell - 0.5), 0, grid.nx).astype(np.int64)
    col1 = np.clip(np.ceil((xs[1::2] - grid.x0) / grid.cell - 0.5), 0, grid.nx).astype(np.int64)
    spans = np.maximum(col1 - col0, 0)
    rows, whos = np.repeat(row[0::2], spans), np.repeat(who[0::2], spans)
    cols = np.repeat(col0, spans) + _ramp(spans)
    ok = (rows >= 0) & (rows < grid.ny)
    labels = np.full(grid.nx * grid.ny, -1, dtype=np.int32)
    labels[rows[ok] * grid.nx + cols[ok]] = whos[ok]
    return labels


def _ramp(counts: np.ndarray) -> np.ndarray:
    """0, 1, …, n-1 for each n in ``counts``, concatenated (the offsets np.repeat leaves out)."""
    total = int(counts.sum())
    return np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)


@dataclass
class PointIndex:
    """A grid index over municipal polygons; see the module docstring for how it answers."""

    codes: np.ndarray  # geometry index → code
    grid: _Grid
    cells: np.ndarray  # per cell: ≥ 0 geometry, -1 none, -(2 + b) boundary cell b
    cand_offsets: np.ndarray  # boundary cell b → its candidates cand[off[b]:off[b+1]]
    cand: np.ndarray  # geometry index of each candidate
    centre_slot: np.ndarray  # boundary cell b → slot (within its candidates) holding the centre
    seg_offsets: np.ndarray  # boundary cell b → its segments segs[off[b]:off[b+1]]
    segs: np.ndarray  # (x0, y0, x1, y1)
    seg_slot: np.ndarray  # candidate slot of each segment's geometry
    geometries: np.ndarray | None = None  # the polygons, for 'nearest' (loaded on demand)

    @classmethod
    def build(
        cls, codes: Sequence[str], geometries: np.ndarray, cell: float = CELL_DEGREES
    ) -> PointIndex:
        """Build the index from polygons (one per code)."""
        xmin, ymin, xmax, ymax = shapely.total_bounds(geometries)
        x0, y0 = math.floor(xmin / cell) * cell - cell, math.floor(ymin / cell) * cell - cell
        grid = _Grid(x0, y0, cell, int((xmax - x0) / cell) + 2, int((ymax - y0) / cell) + 2)
        segs, owner = _segments(geometries)
        seg_of_pair, cell_of_pair = _segment_cells(segs, grid)
        labels = _centre_labels(segs, owner, grid)
        return cls._assemble(
            np.asarray(codes), grid, segs, owner, seg_of_pair, cell_of_pair, labels, geometries
        )

    @classmethod
    def _assemble(
        cls,
        codes: np.ndarray,
        grid: _Grid,
        segs: np.ndarray,
        owner: np.ndarray,
        seg_of_pair: np.ndarray,
        cell_of_pair: np.ndarray,
        labels: np.ndarray,
        geometries: np.ndarray,
    ) -> PointIndex:
        """Number the boundary cells and lay out their candidates and segments as CSR arrays."""
        boundary, pair_b = np.unique(cell_of_pair, return_inverse=True)
        cells = labels.copy()
        cells[boundary] = -2 - np.arange(len(boundary), dtype=np.int32)
        # candidates: owners of the cell's segments, plus the centre's geometry
        centre = labels[boundary]
        cand_b = np.concatenate([pair_b, np.flatnonzero(centre >= 0)])
        cand_g = np.concatenate([owner[seg_of_pair], centre[centre >= 0]])
        key = np.unique(cand_b.astype(np.int64) * len(codes) + cand_g)
        cand_b, cand_g = key // len(codes), (key % len(codes)).astype(np.int32)
        cand_offsets = np.searchsorted(cand_b, np.arange(len(boundary) + 1))
        slot_of = key  # sorted (b, g) keys: a candidate's slot is its position minus the offset
        centre_slot = np.full(len(boundary), -1, dtype=np.int16)
        has = centre >= 0
        pos = np.searchsorted(
            slot_of, np.flatnonzero(has).astype(np.int64) * len(codes) + centre[has]
        )
        centre_slot[has] = pos - cand_offsets[np.flatnonzero(has)]
        order = np.argsort(pair_b, kind="stable")
        seg_b, seg_i = pair_b[order], seg_of_pair[order]
        seg_offsets = np.searchsorted(seg_b, np.arange(len(boundary) + 1))
        seg_pos = np.searchsorted(slot_of, seg_b.astype(np.int64) * len(codes) + owner[seg_i])
        seg_slot = (seg_pos - cand_offsets[seg_b]).astype(np.int16)
        return cls(
            codes,
            grid,
            cells.astype(np.int32),
            cand_offsets,
            cand_g,
            centre_slot,
            seg_offsets,
            segs[seg_i],
            seg_slot,
            geometries,
        )

    # --- answering -----------------------------------------------------------------------------

    def locate(self, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
        """The geometry index containing each point, -1 where none does."""
        x, y = np.asarray(lon, dtype=float), np.asarray(lat, dtype=float)
        fx, fy = self.grid.cells_of(x, y)
        inside = (fx >= 0) & (fx < self.grid.nx) & (fy >= 0) & (fy < self.grid.ny)
        flat = np.where(inside, fy * self.grid.nx + fx, 0).astype(np.int64)
        found = np.where(inside, self.cells[flat], -1)
        pending = np.flatnonzero(found <= -2)
        if len(pending):
            found[pending] = self._walk(x[pending], y[pending], -2 - found[pending], flat[pending])
        return found

    def _walk(self, x: np.ndarray, y: np.ndarray, b: np.ndarray, flat: np.ndarray) -> np.ndarray:
        """Exact answer in boundary cells: parity of crossings on the segment centre → point."""
        cx = self.grid.x0 + (flat % self.grid.nx + 0.5) * self.grid.cell
        cy = self.grid.y0 + (flat // self.grid.nx + 0.5) * self.grid.cell
        start, count = self.seg_offsets[b], self.seg_offsets[b + 1] - self.seg_offsets[b]
        point = np.repeat(np.arange(len(b)), count)
        seg = np.repeat(start, count) + _ramp(count)
        crosses = _crosses(self.segs[seg], x[point], y[point], cx[point], cy[point])
        width = int(np.max(self.cand_offsets[1:] - self.cand_offsets[:-1]))
        parity = np.zeros((len(b), width), dtype=np.int8)
        np.add.at(parity, (point[crosses], self.seg_slot[seg[crosses]]), 1)
        inside = (parity % 2).astype(bool)
        has_centre = self.centre_slot[b] >= 0
        rows = np.flatnonzero(has_centre)
        inside[rows, self.centre_slot[b][rows]] ^= True
        ncand = self.cand_offsets[b + 1] - self.cand_offsets[b]
        inside &= np.arange(width)[None, :] < ncand[:, None]
        slot = inside.argmax(axis=1)
        return np.where(inside.any(axis=1), self.cand[self.cand_offsets[b] + slot], -1)

    def nearest(
        self, lon: np.ndarray, lat: np.ndarray, max_km: float
    ) -> tuple[np.ndarray, np.ndarray]:
        """(geometry index or -1, distance km) of the nearest polygon within ``max_km``."""
        if self.geometries is None:
            raise BoundariesNotLoaded("the point index was loaded without its polygons")
        tree = shapely.STRtree(self.geometries)
        points = shapely.points(lon, lat)
        found = np.full(len(points), -1, dtype=np.int64)
        km = np.full(len(points), np.nan)
        if not len(points):
            return found, km
        pairs, _ = tree.query_nearest(
            points, max_distance=max_km / KM_PER_DEGREE * 2, return_distance=True, all_matches=False
        )
        which, geom = pairs
        distance = _km(points[which], self.geometries[geom])
        near = distance <= max_km
        found[which[near]], km[which[near]] = geom[near], distance[near]
        return found, km

    # --- storage -------------------------------------------------------------------------------

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        g = self.grid
        np.savez_compressed(
            buffer,
            codes=self.codes.astype(str),
            grid=np.array([g.x0, g.y0, g.cell, g.nx, g.ny]),
            cells=self.cells,
            cand_offsets=self.cand_offsets,
            cand=self.cand,
            centre_slot=self.centre_slot,
            seg_offsets=self.seg_offsets,
            segs=self.segs,
            seg_slot=self.seg_slot,
        )
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, payload: bytes, geometries: np.ndarray | None = None) -> PointIndex:
        data = np.load(io.BytesIO(payload))
        x0, y0, cell, nx, ny = data["grid"]
        return cls(
            data["codes"],
            _Grid(float(x0), float(y0), float(cell), int(nx), int(ny)),
            data["cells"],
            data["cand_offsets"],
            data["cand"],
            data["centre_slot"],
            data["seg_offsets"],
            data["segs"],
            data["seg_slot"],
            geometries,
        )

    @classmethod
    def from_store(cls, store: Store) -> PointIndex:
        """The cached index and the full municipal polygons; BoundariesNotLoaded if absent."""
        with store.read() as db:
            row = db.execute(
                "SELECT payload FROM point_index "
                "WHERE name = 'municipalities' AND format_version = ?",
                [INDEX_FORMAT],
            ).fetchone()
            wkb = db.execute(
                "SELECT code, geometry FROM boundaries "
                "WHERE level = 'municipality' AND detail = 'full'"
            ).fetchall()
        if row is None:
            raise BoundariesNotLoaded(
                f"{store.path} has no detailed municipal boundaries: run `peacemonitor data load "
                "PATH` with the MGN TopoJSON (e.g. colombia_2018.topojson)"
            )
        index = cls.from_bytes(row[0])
        by_code = {code: blob for code, blob in wkb}
        index.geometries = shapely.from_wkb([by_code[str(c)] for c in index.codes])
        return index


def _crosses(
    segs: np.ndarray, px: np.ndarray, py: np.ndarray, cx: np.ndarray, cy: np.ndarray
) -> np.ndarray:
    """True where segment (x0, y0)–(x1, y1) properly crosses the segment from c to p."""
    x0, y0, x1, y1 = segs.T

    def side(ax: Any, ay: Any, bx: Any, by: Any, qx: Any, qy: Any) -> np.ndarray:
        return (bx - ax) * (qy - ay) - (by - ay) * (qx - ax) >= 0

    return (side(x0, y0, x1, y1, px, py) != side(x0, y0, x1, y1, cx, cy)) & (
        side(cx, cy, px, py, x0, y0) != side(cx, cy, px, py, x1, y1)
    )


def _km(points: np.ndarray, geometries: np.ndarray) -> np.ndarray:
    """Distance in km from points to geometries, scaling longitude by cos(latitude)."""
    lines = shapely.shortest_line(points, geometries)
    coords = shapely.get_coordinates(lines).reshape(-1, 2, 2)
    lat = np.radians(coords[:, :, 1].mean(axis=1))
    dx = (coords[:, 1, 0] - coords[:, 0, 0]) * np.cos(lat)
    dy = coords[:, 1, 1] - coords[:, 0, 1]
    return np.hypot(dx, dy) * KM_PER_DEGREE


# --- precision and resolution ------------------------------------------------------------------

MUNICIPALITY, DEPARTMENT, COUNTRY = 2, 1, 0


def precision_levels(precision: np.ndarray, scheme: str) -> np.ndarray:
    """How far down each point may resolve: 2 municipality, 1 department, 0 country.

    UCDP ``where_prec``: 1–3 (exact, within 25 km, municipality) → municipality; 4–5 (department,
    or part of a region) → department; 6–7 (country, international waters) → country.
    ACLED ``geo_precision``: 1–2 → municipality; 3 (a larger region's centroid) → department.
    'exact': every point is exact. A missing precision counts as the least precise.
    """
    value = np.asarray(precision, dtype=float)
    if scheme == "exact":
        return np.full(value.shape, MUNICIPALITY, dtype=np.int8)
    if scheme == "ucdp":
        bins = [(value <= 3, MUNICIPALITY), (value <= 5, DEPARTMENT)]
    elif scheme == "acled":
        bins = [(value <= 2, MUNICIPALITY), (value <= 3, DEPARTMENT)]
    else:
        raise InvalidPrecisionScheme(f"precision scheme {scheme!r}: use 'ucdp', 'acled' or 'exact'")
    return np.select([c for c, _ in bins], [v for _, v in bins], default=COUNTRY).astype(np.int8)


def resolve_points(
    index: PointIndex,
    lat: np.ndarray,
    lon: np.ndarray,
    precision: np.ndarray,
    scheme: str,
    successors: dict[str, str] | None = None,
) -> PointResolutions:
    """Resolve points to municipalities, departments or the country as their precision allows.

    Works on integer geometry indices and small lookup tables until the end, so a million points
    cost a few vectorised passes.
    """
    lat, lon = np.asarray(lat, dtype=float), np.asarray(lon, dtype=float)
    levels = precision_levels(np.broadcast_to(precision, lat.shape), scheme)
    found = index.locate(lon, lat)
    km = np.full(len(lat), np.nan)
    outside = np.flatnonzero((found < 0) & np.isfinite(lat) & np.isfinite(lon))
    if len(outside):
        near, dist = index.nearest(lon[outside], lat[outside], NEAREST_MAX_KM)
        found[outside], km[outside] = near, dist
    table = _Outcomes.of(index.codes, successors or {})
    return table.resolutions(found, levels, km)


_LEVELS = np.array(
    [
        TerritoryLevel.MUNICIPALITY.value,
        TerritoryLevel.DEPARTMENT.value,
        TerritoryLevel.COUNTRY.value,
        None,
    ],
    dtype=object,
)
_MATCHES = np.array(
    [
        MatchKind.POINT_IN_POLYGON.value,
        MatchKind.NEAREST.value,
        MatchKind.SUCCESSOR.value,
        MatchKind.COUNTRY_ONLY.value,
        None,
    ],
    dtype=object,
)
_REASONS = np.array(
    [None, Unresolved.TOO_IMPRECISE.value, Unresolved.OUTSIDE_COUNTRY.value], dtype=object
)


@dataclass
class _Outcomes:
    """Per geometry: its current municipality code, department code, and whether it is retired.

    The last entry stands for 'no geometry', so index -1 picks it."""

    municipality: np.ndarray
    department: np.ndarray
    retired: np.ndarray

    @classmethod
    def of(cls, codes: np.ndarray, successors: dict[str, str]) -> _Outcomes:
        current = [successors.get(str(c), str(c)) for c in codes]
        municipality = np.array([*current, None], dtype=object)
        department = np.array([*(c[:2] for c in current), None], dtype=object)
        retired = np.array([str(c) in successors for c in codes] + [False])
        return cls(municipality, department, retired)

    def resolutions(
        self, found: np.ndarray, levels: np.ndarray, km: np.ndarray
    ) -> PointResolutions:
        """Cut each answer to the level its precision allows, with match kinds and reasons."""
        missing = found < 0
        country = levels == COUNTRY
        dept = (levels == DEPARTMENT) & ~missing
        code = np.where(dept, self.department[found], self.municipality[found])
        code[country] = COUNTRY_CODE
        level = np.where(dept, 1, 0)
        level[country], level[missing & ~country] = 2, 3
        match = np.where(np.isnan(km), 0, 1)
        match[self.retired[found]] = 2
        match[country], match[missing & ~country] = 3, 4
        reason = np.where(dept | country, 1, 0)
        reason[missing & ~country] = 2
        return PointResolutions(code, _LEVELS[level], _MATCHES[match], _REASONS[reason], km)


# --- loading -----------------------------------------------------------------------------------


def _known(store: Store) -> set[str]:
    with store.read() as db:
        return {row[0] for row in db.execute("SELECT code FROM territories").fetchall()}


def load_boundaries(store: Store, path: Path, detail: str | None = None) -> list[LoadReport]:
    """Load a boundary file's layers as 'full' or 'light' geometry (decided by vertex count unless
    given); loading full municipal geometry also (re)builds the cached point index."""
    if detail not in (None, "full", "light"):
        raise UnrecognisedFile(f"boundary detail {detail!r}: use 'full' or 'light'")
    layers = read_layers(path)
    total = sum(layer.vertices for layer in layers)
    detail = detail or ("full" if total >= FULL_MIN_VERTICES else "light")
    known = _known(store)
    for layer in layers:
        unknown = sorted(set(layer.codes) - known)
        if unknown:
            municipal = layer.level is TerritoryLevel.MUNICIPALITY
            column = MUNICIPALITY_CODE if municipal else DEPARTMENT_CODE
            listed = ", ".join(unknown[:10])
            message = f"{len(unknown)} code(s) not in the gazetteer: {listed}"
            raise TerritoryFileInvalid(path, message, column=column)
    sha = file_sha256(path)
    index = _build_index(layers) if detail == "full" else None
    reports = []
    with store.write() as db:
        for layer in layers:
            reports.append(_store_layer(db, path, layer, detail))
            record_load(db, reports[-1], sha)
        _fill_points(db, layers)
        if index is not None:
            db.execute("DELETE FROM point_index WHERE name = 'municipalities'")
            db.execute(
                "INSERT INTO point_index VALUES ('municipalities', ?, ?, ?)",
                [sha, INDEX_FORMAT, index.to_bytes()],
            )
    return reports


def _build_index(layers: list[Layer]) -> PointIndex | None:
    for layer in layers:
        if layer.level is TerritoryLevel.MUNICIPALITY:
            return PointIndex.build(layer.codes, layer.geometries)
    return None


def _store_layer(db: Any, path: Path, layer: Layer, detail: str) -> LoadReport:
    import pandas as pd

    frame = pd.DataFrame(
        {
            "code": layer.codes,
            "level": layer.level.value,
            "detail": detail,
            "name": layer.names,
            "source_file": path.name,
            "geometry": shapely.to_wkb(layer.geometries),
        }
    )
    db.execute("DELETE FROM boundaries WHERE level = ? AND detail = ?", [layer.level.value, detail])
    db.register("incoming_boundaries", frame)
    try:
        db.execute("INSERT INTO boundaries SELECT * FROM incoming_boundaries")
    finally:
        db.unregister("incoming_boundaries")
    report = LoadReport("boundaries", f"mgn-{layer.level.value}-{detail}", str(path))
    report.rows_read = report.rows_stored = len(layer.codes)
    report.detail = {"level": layer.level.value, "detail": detail, "vertices": layer.vertices}
    return report


def _fill_points(db: Any, layers: list[Layer]) -> None:
    """Give territories without a DANE representative point one inside their polygon."""
    missing = {
        row[0] for row in db.execute("SELECT code FROM territories WHERE lat IS NULL").fetchall()
    }
    for layer in layers:
        for code, geometry in zip(layer.codes, layer.geometries, strict=True):
            if code in missing:
                point = shapely.point_on_surface(geometry)
                db.execute(
                    "UPDATE territories SET lat = ?, lon = ? WHERE code = ?",
                    [point.y, point.x, code],
                )


def geometries(store: Store, level: TerritoryLevel, detail: str = "light") -> dict[str, Any]:
    """Shapely geometries by code for maps (``detail`` 'light') or analysis ('full')."""
    with store.read() as db:
        rows = db.execute(
            "SELECT code, geometry FROM boundaries WHERE level = ? AND detail = ? ORDER BY code",
            [level.value, detail],
        ).fetchall()
    return dict(zip([r[0] for r in rows], shapely.from_wkb([r[1] for r in rows]), strict=True))


class NoBoundaries(PeacemonitorError):
    """A map was asked for at a level whose boundaries are not loaded."""


def feature_collection(
    store: Store, level: TerritoryLevel, rows: Sequence[dict[str, Any]]
) -> dict[str, Any]:
    """Rows keyed by ``territory_code`` as a GeoJSON FeatureCollection over the stored map
    boundaries; rows of territories without a boundary (the country) are left out."""
    shapes = geometries(store, level)
    if not shapes:
        raise NoBoundaries(
            f"no {level.value} boundaries in {store.path}: run `peacemonitor data load PATH` "
            "(PATH: the MGN boundaries folder)"
        )
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(shapely.to_geojson(shapes[row["territory_code"]])),
            "properties": dict(row),
        }
        for row in rows
        if row.get("territory_code") in shapes
    ]
    return {"type": "FeatureCollection", "features": features}
