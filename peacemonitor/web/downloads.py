"""CSV, Parquet and GeoJSON of what a chart or map shows, for the same filters.

Only aggregates ever leave here (counts by territory and period), so ACLED-derived rows carry
ACLED's attribution and nothing row-level.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from enum import StrEnum
from typing import Annotated, Any

from fastapi import FastAPI, Query
from fastapi.responses import Response

from peacemonitor.errors import NotFound
from peacemonitor.indicators import Level
from peacemonitor.web.context import Context
from peacemonitor.web.filters import Filters
from peacemonitor.web.overview import chart, map_view
from peacemonitor.web.status import ACLED_ATTRIBUTION, SOURCE_LABELS, acled_attributed

FiltersQuery = Annotated[Filters, Query()]


class TableFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"


class MapFormat(StrEnum):
    CSV = "csv"
    PARQUET = "parquet"
    GEOJSON = "geojson"


def _attribution(source: str) -> str:
    label = SOURCE_LABELS.get(source, source)
    return f"{label}. {ACLED_ATTRIBUTION}" if acled_attributed(source) else label


def series_rows(ctx: Context) -> list[dict[str, Any]]:
    """The chart's points as rows: for the country, or ``territory`` when set."""
    code = ctx.filters.territory
    level = Level.COUNTRY
    if code:
        level = Level.MUNICIPALITY if len(code) == 5 else Level.DEPARTMENT
    drawn = chart(ctx, level, code)
    return [
        {
            "territory_code": code or "CO",
            "outcome": s.outcome,
            "source": s.source,
            "unit": s.unit,
            "period": p.period,
            "metric": ctx.filters.metric,
            "value": p.value,
            "note": p.note,
            "attribution": _attribution(s.source),
        }
        for s in drawn.series
        for p in s.points
    ]


def map_rows(ctx: Context) -> tuple[list[dict[str, Any]], Any]:
    view = map_view(ctx)
    if view.data is None:
        raise NotFound("the map has nothing to show: " + "; ".join(m.command for m in view.missing))
    data = view.data
    rows = [
        {
            "territory_code": a.code,
            "territory_name": a.name,
            "category": data.category,
            "source": data.source,
            "unit": data.unit,
            "period": data.period,
            "count": a.count,
            "rate_per_100k": a.rate_per_100k,
            "note": a.note,
            "attribution": _attribution(data.source),
        }
        for a in data.areas
    ]
    return rows, data


def _table(rows: list[dict[str, Any]], fmt: str, name: str) -> Response:
    import pandas as pd

    frame = pd.DataFrame(rows)
    if fmt == "parquet":
        out = io.BytesIO()
        frame.to_parquet(out, index=False)
        body, media = out.getvalue(), "application/vnd.apache.parquet"
    else:
        body, media = frame.to_csv(index=False).encode(), "text/csv; charset=utf-8"
    disposition = f'attachment; filename="{name}.{fmt}"'
    return Response(body, media_type=media, headers={"Content-Disposition": disposition})


def _geojson(ctx: Context, rows: list[dict[str, Any]], level: Level) -> Response:
    import shapely

    from peacemonitor.boundaries import geometries
    from peacemonitor.model import TerritoryLevel

    shapes = geometries(ctx.store, TerritoryLevel(level.value))
    features = [
        {
            "type": "Feature",
            "geometry": json.loads(shapely.to_geojson(shapes[r["territory_code"]])),
            "properties": r,
        }
        for r in rows
        if r["territory_code"] in shapes
    ]
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    headers = {"Content-Disposition": 'attachment; filename="map.geojson"'}
    return Response(body, media_type="application/geo+json", headers=headers)


def register(app: FastAPI, context: Callable[[Filters], AbstractContextManager[Context]]) -> None:
    @app.get("/api/download/series.{fmt}", name="download-series")
    def download_series(fmt: TableFormat, filters: FiltersQuery) -> Response:
        """The chart's series (national, or ``territory``) as CSV or Parquet."""
        with context(filters) as ctx:
            return _table(series_rows(ctx), fmt.value, "series")

    @app.get("/api/download/map.{fmt}", name="download-map")
    def download_map(fmt: MapFormat, filters: FiltersQuery) -> Response:
        """The map's values as CSV, Parquet or GeoJSON (with the light boundaries)."""
        with context(filters) as ctx:
            rows, data = map_rows(ctx)
            if fmt is MapFormat.GEOJSON:
                return _geojson(ctx, rows, data.level)
            return _table(rows, fmt.value, "map")

    @app.get("/api/download/network.graphml", name="download-network")
    def download_network(filters: FiltersQuery) -> Response:
        """The network page's groups, tables and cited links as GraphML (Gephi, yEd)."""
        from peacemonitor.web.regions import graphml

        with context(filters) as ctx:
            headers = {"Content-Disposition": 'attachment; filename="network.graphml"'}
            return Response(graphml(ctx), media_type="application/xml", headers=headers)
