"""``GET /api/indicator``: the rows of ``peacemonitor indicator`` as JSON, for the URL's filters.

The map and the territory page draw indicators; this is the table under them for a program to
read, with the same filters as every page (``category``, ``level``, ``by``, ``start``, ``end``,
``source``, ``territory``) and the one error shape. Cached per URL and store version like a page.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Annotated, Any, NoReturn

from fastapi import FastAPI, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel

from peacemonitor import indicators
from peacemonitor.model import Category, TerritoryLevel
from peacemonitor.web.context import Context
from peacemonitor.web.filters import Filters

FiltersQuery = Annotated[Filters, Query()]


class IndicatorRow(BaseModel):
    """One territory, period, source and unit: ``indicators.COLUMNS`` and the change."""

    territory_code: str
    territory_name: str | None
    period: str
    source: str
    unit: str
    count: float | None
    population: int | None
    population_vintage: str | None
    rate_per_100k: float | None
    note: str | None
    change: float | None = None
    change_pct: float | None = None


class IndicatorAnswer(BaseModel):
    """The query as read from the URL, and its rows (sorted by territory, period, source)."""

    category: Category
    level: TerritoryLevel
    by: indicators.Period
    start: str | None
    end: str | None
    source: str | None
    territory: str | None
    rows: list[IndicatorRow]


def query_of(filters: Filters) -> indicators.Query:
    """The indicator query of the URL's filters; a territory code without ``level`` gives its
    level (five digits a municipality, two a department)."""
    if not filters.category:
        _invalid("category", "Field required: a category, e.g. homicide")
    try:
        category = Category(filters.category)
    except ValueError:
        _invalid("category", "one of " + ", ".join(c.value for c in Category))
    level = filters.level
    if filters.territory and "level" not in filters.model_fields_set:
        level = TerritoryLevel.MUNICIPALITY if len(filters.territory) == 5 else level
    return indicators.Query(
        category=category,
        level=level,
        by=filters.by,
        start=filters.first,
        end=filters.last,
        source=filters.source,
        territory=filters.territory,
    )


def _invalid(where: str, message: str) -> NoReturn:
    raise RequestValidationError([{"loc": ("query", where), "msg": message, "type": "value"}])


def indicator(ctx: Context) -> IndicatorAnswer:
    """``indicators.indicator_with_change`` for the filters, as a model."""
    query = query_of(ctx.filters)
    frame = indicators.indicator_with_change(ctx.store, query)
    return IndicatorAnswer(
        category=query.category,
        level=query.level,
        by=query.by,
        start=ctx.filters.start,
        end=ctx.filters.end,
        source=query.source,
        territory=query.territory,
        rows=[IndicatorRow(**row) for row in indicators.records(frame)],
    )


def register(
    app: FastAPI,
    context: Callable[[Filters], AbstractContextManager[Context]],
    headers: Callable[[Context], dict[str, str]],
) -> None:
    @app.get("/api/indicator", response_model=IndicatorAnswer, name="api-indicator")
    def api_indicator(filters: FiltersQuery) -> Any:
        """Counts and rates per 100,000 by territory and period, one row per source and unit,
        with the change against the previous period: ``peacemonitor indicator`` as JSON."""
        query_of(filters)  # a bad filter answers 422 before the store is read
        with context(filters) as ctx:
            body = ctx.cached("indicator", lambda: indicator(ctx).model_dump_json())
            return Response(body, media_type="application/json", headers=headers(ctx))
