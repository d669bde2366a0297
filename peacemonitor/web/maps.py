"""The choropleth: indicator values by department or municipality, drawn as SVG from the stored
boundaries — no tiles, no web map, nothing fetched from anywhere but this app.

Values come straight from ``indicators.indicator`` for the same filters, so the map and the
indicator table cannot disagree. A territory with no row is "no data" (hatched), which is drawn
differently from a covered 0 (white).
"""

from __future__ import annotations

import html
from typing import Any

from pydantic import BaseModel

from peacemonitor.coverage import HOME, LEVEL_ORDER, covered, merge, spans
from peacemonitor.indicators import Level, NoObservations, Period, Query, indicator, records
from peacemonitor.model import Category, PartialDate, TerritoryLevel
from peacemonitor.store import Store

# Viridis classes, light to dark: readable for the common colour-vision deficiencies.
PALETTE = ("#fde725", "#7ad151", "#22a884", "#2a788e", "#414487", "#440154")
ZERO_COLOUR = "#ffffff"
WIDTH = 600.0


class Area(BaseModel):
    code: str
    name: str | None
    value: float | None
    count: float | None
    rate_per_100k: float | None
    note: str | None = None


class MapData(BaseModel):
    """What the map shows: one category, source, unit and period at one level."""

    level: Level
    category: str
    period: str
    source: str
    unit: str
    metric: str
    areas: list[Area]
    breaks: list[float]


def map_data(
    store: Store,
    category: Category,
    level: Level,
    period: str,
    source: str,
    unit: str | None = None,
    metric: str = "count",
) -> MapData:
    """Indicator values for every territory of ``level`` in ``period`` (YYYY or YYYY-MM)."""
    by = Period.MONTH if len(period) == 7 else Period.YEAR
    when = PartialDate.parse(period)
    try:
        rows = records(indicator(store, Query(category, level, by, when, when, source)))
    except NoObservations:  # no event in the period: 0 where the source covers it, else no data
        rows = _zeros(store, category, level, when, source)
    unit = unit or (rows[0]["unit"] if rows else "")
    key = "rate_per_100k" if metric == "rate" else "count"
    areas = [
        Area(
            code=r["territory_code"],
            name=r["territory_name"],
            value=r[key],
            count=r["count"],
            rate_per_100k=r["rate_per_100k"],
            note=r["note"],
        )
        for r in rows
        if r["unit"] == unit
    ]
    values = [a.value for a in areas if a.value]
    return MapData(
        level=level,
        category=category.value,
        period=period,
        source=source,
        unit=unit,
        metric=metric,
        areas=areas,
        breaks=class_breaks(values),
    )


def _zeros(
    store: Store, category: Category, level: Level, when: PartialDate, source: str
) -> list[dict[str, Any]]:
    """A 0 row per territory of ``level`` when ``source`` covers the whole period there."""
    mine = {
        key: items
        for key, items in spans(store).items()
        if key[0] == source and key[1] == category.value and key[3] == HOME
    }
    found = [item for items in mine.values() for item in items]
    reach = max((LEVEL_ORDER.get(lvl, -1) for _, lvl in found), default=-1)
    intervals = merge(interval for interval, _ in found)
    if (
        reach < LEVEL_ORDER[_LEVEL_NAME[level]]
        or covered(intervals, when.first, when.last) != "full"
    ):
        return []
    unit = next(key[2] for key in mine)
    with store.read() as db:
        codes = db.execute(
            "SELECT code, name FROM territories WHERE level = ? AND successor IS NULL",
            [_LEVEL_NAME[level]],
        ).fetchall()
    return [
        {"territory_code": code, "territory_name": name, "unit": unit, "count": 0,
         "rate_per_100k": None, "note": None}
        for code, name in codes
    ]  # fmt: skip


_LEVEL_NAME = {
    Level.COUNTRY: "country",
    Level.DEPARTMENT: "department",
    Level.MUNICIPALITY: "municipality",
}


def class_breaks(values: list[float], classes: int = len(PALETTE)) -> list[float]:
    """Upper bounds of quantile classes of the positive values (distinct, ascending)."""
    ordered = sorted(v for v in values if v > 0)
    if not ordered:
        return []
    picks = {
        ordered[min(len(ordered) - 1, (len(ordered) * (i + 1)) // classes)] for i in range(classes)
    }
    picks.add(ordered[-1])
    return sorted(picks)


def colour(value: float | None, breaks: list[float]) -> str | None:
    """The fill of a value: None for no data (the page hatches it), white for 0."""
    if value is None:
        return None
    if value <= 0 or not breaks:
        return ZERO_COLOUR
    for index, bound in enumerate(breaks):
        if value <= bound:
            return PALETTE[min(index, len(PALETTE) - 1)]
    return PALETTE[-1]


# --- geometry → SVG paths --------------------------------------------------------------------


class Outline(BaseModel):
    """Projected SVG paths of one level's boundaries, with the viewBox that holds them."""

    paths: dict[str, str]
    width: float
    height: float


def outlines(store: Store, level: Level) -> Outline:
    """Equirectangular projection of the light boundaries (Colombia is near the equator, so
    the distortion is small), scaled to ``WIDTH`` and rounded to a tenth of a unit."""
    import shapely

    from peacemonitor.boundaries import geometries

    found = geometries(store, TerritoryLevel(level.value))
    if not found:
        return Outline(paths={}, width=WIDTH, height=WIDTH)
    minx, miny, maxx, maxy = shapely.total_bounds(list(found.values()))
    scale = WIDTH / (maxx - minx)
    project = lambda x, y: (round((x - minx) * scale, 1), round((maxy - y) * scale, 1))  # noqa: E731
    paths = {code: _path(geometry, project) for code, geometry in found.items()}
    return Outline(paths=paths, width=WIDTH, height=round((maxy - miny) * scale, 1))


def _path(geometry: Any, project: Any) -> str:
    parts = []
    for polygon in getattr(geometry, "geoms", [geometry]):
        for ring in [polygon.exterior, *polygon.interiors]:
            points = [project(x, y) for x, y in ring.coords]
            parts.append("M" + "L".join(f"{x},{y}" for x, y in points) + "Z")
    return "".join(parts)


def svg(outline: Outline, data: MapData | None, label: Any, href: str) -> str:
    """The map as inline SVG: one link per territory (keyboard-reachable) with its value as a
    tooltip; ``label(area)`` words the tooltip; ``href`` is a format string taking the code."""
    areas = {a.code: a for a in data.areas} if data else {}
    breaks = data.breaks if data else []
    shapes = []
    for code, path in outline.paths.items():
        area = areas.get(code)
        value = area.value if area else None
        fill = colour(value, breaks)
        title = html.escape(label(code, area))
        shapes.append(
            f'<a href="{html.escape(href.format(code=code))}" aria-label="{title}">'
            f'<path d="{path}" data-code="{code}" data-value="{"" if value is None else value}" '
            f'class="{"nodata" if fill is None else "area"}" '
            f'fill="{fill or "url(#nodata)"}"><title>{title}</title></path></a>'
        )
    return (
        f'<svg class="map" viewBox="0 0 {outline.width} {outline.height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg"><defs><pattern id="nodata" width="6" height="6" '
        'patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" '
        'fill="#e6e6e6"/><line x1="0" y1="0" x2="0" y2="6" stroke="#8c8c8c" stroke-width="2"/>'
        f"</pattern></defs>{''.join(shapes)}</svg>"
    )


# --- where something applies: presence, scope ------------------------------------------------

HIGHLIGHT = {"in": "#0072b2", "suspended": "#e69f00"}
# A group's presence by how it is known (Okabe–Ito): a cited report first, then events, then
# the user's own table — a department is drawn by the first way that reaches it.
HIGHLIGHT |= {"registry": "#0072b2", "events": "#d55e00", "user": "#009e73"}


def reach(codes: list[str], department: str) -> bool:
    """Whether a list of codes (country, departments, municipalities) touches the department."""
    return any(code == "CO" or code[:2] == department for code in codes)


def highlight_svg(outline: Outline, groups: dict[str, list[str]], label: Any) -> str:
    """Departments coloured by the first group (``in``, ``suspended``) whose codes reach them;
    the rest plain. ``label(code, group)`` words each department's tooltip."""
    shapes = []
    for code, path in outline.paths.items():
        group = next((g for g, codes in groups.items() if reach(codes, code)), None)
        fill = HIGHLIGHT.get(group or "", "#f2f2f2")
        title = html.escape(label(code, group))
        shapes.append(
            f'<path d="{path}" data-code="{code}" data-group="{group or ""}" fill="{fill}">'
            f"<title>{title}</title></path>"
        )
    return (
        f'<svg class="map" viewBox="0 0 {outline.width} {outline.height}" role="img" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(shapes)}</svg>'
    )
