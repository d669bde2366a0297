"""The page registry: every page the dashboard serves, in one mapping a reader can see whole.

A page is a builder (``Context`` → a pydantic model, from library calls), a template that draws
the model, and a title. The app serves each twice from the same call: as HTML at ``path`` and as
JSON under ``/api/``. Adding a page is one entry here, one builder and one template.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from peacemonitor.web import analytics, groups, negotiation, overview, process, regions, search
from peacemonitor.web.maps import Outline


@dataclass(frozen=True)
class Page:
    name: str
    build: Callable[..., BaseModel]
    model: type[BaseModel]
    title: str  # an English msgid, translated per request
    keyed: bool = False  # takes an id or code: /name/{key}
    nav: bool = False  # listed in the top navigation

    @property
    def path(self) -> str:
        if self.name == "overview":
            return "/"
        return f"/{self.name}/{{key}}" if self.keyed else f"/{self.name}"

    @property
    def api_path(self) -> str:
        return f"/api/{self.name}/{{key}}" if self.keyed else f"/api/{self.name}"

    @property
    def template(self) -> str:
        return f"{self.name}.html"


PAGES: tuple[Page, ...] = (
    Page("overview", overview.overview, overview.Overview, "Overview", nav=True),
    Page("map", overview.map_view, overview.MapView, "Map", nav=True),
    Page("territory", overview.territory, overview.Territory, "Territory", keyed=True),
    Page("actors", process.actors, process.ActorList, "Armed groups", nav=True),
    Page("actor", groups.group, groups.GroupPage, "Armed group", keyed=True),
    Page("tables", process.tables, process.TableList, "Negotiation tables", nav=True),
    Page("table", negotiation.table, negotiation.TableView, "Negotiation table", keyed=True),
    Page("ceasefires", process.ceasefires, process.CeasefireList, "Ceasefires", nav=True),
    Page("ceasefire", negotiation.ceasefire, negotiation.CeasefireView, "Ceasefire", keyed=True),
    Page("sources", process.sources, process.SourceList, "Sources", nav=True),
    Page("coverage", process.data_coverage, process.CoveragePage, "Data coverage", nav=True),
    Page("search", search.search, search.SearchResult, "Search", nav=True),
    Page(
        "implementation",
        analytics.implementation_page,
        analytics.ImplementationPage,
        "Implementation",
        nav=True,
    ),
    Page("scorecard", analytics.scorecard_page, analytics.ScorecardPage, "Scorecard", nav=True),
    Page(
        "published",
        analytics.published_page,
        analytics.PublishedPage,
        "Published vs computed",
        nav=True,
    ),
    Page(
        "priorities",
        regions.priorities_page,
        regions.PrioritiesPage,
        "Regional priorities",
        nav=True,
    ),
    Page("network", regions.network_page, regions.NetworkPage, "Network", nav=True),
)


HIGHLIGHTED = ("actor", "ceasefire")  # pages with a map of where something applies


def outline_for(page: str, data: Any, ctx: Any) -> Outline | None:
    """The map outline a page draws: the choropleth's level, or departments for a presence or
    scope map; None when there is nothing to draw."""
    from peacemonitor.indicators import Level

    if page in HIGHLIGHTED:
        found: Outline = ctx.outline(Level.DEPARTMENT)
        return found if found.paths else None
    view = data if page == "map" else getattr(data, "map", None)
    if view is None or getattr(view, "data", None) is None:
        return None
    outline: Outline = ctx.outline(view.data.level)
    return outline
