"""The public JSON shapes: what `--format json` prints and what the API will serve.

One mapping from a shape's name to the model that defines it; docs/json.md is generated from it
(and a test keeps the two in step), so a change of shape is a visible change of contract.
"""

from __future__ import annotations

import dataclasses
import json
import re
import typing
from typing import TYPE_CHECKING

from pydantic import BaseModel, TypeAdapter

from peacemonitor.actors import ActorDetail, ActorSummary
from peacemonitor.ceasefires import CeasefireState
from peacemonitor.comparison import Comparison
from peacemonitor.coverage import Coverage
from peacemonitor.effects import CeasefireEffect
from peacemonitor.fetches import FetchRecord
from peacemonitor.implementation import ImplementationReport
from peacemonitor.importers.framework.report import ImportReport
from peacemonitor.network import Network
from peacemonitor.police_releases import Reconciliation
from peacemonitor.presence import PresenceRecord
from peacemonitor.priorities import Priorities
from peacemonitor.process_records import ImportedAgreement, ImportedCeasefire
from peacemonitor.published import ReconcileReport
from peacemonitor.quarantine import QuarantineCount, QuarantineEntry
from peacemonitor.scorecard import Scorecard
from peacemonitor.spillover import Spillover
from peacemonitor.statistics import StatisticView
from peacemonitor.tables import TableDetail, TableSummary
from peacemonitor.vacuum import Vacuum
from peacemonitor.violations import Violation
from peacemonitor.web.analytics import ImplementationPage, PublishedPage, ScorecardPage
from peacemonitor.web.errors import ApiError
from peacemonitor.web.groups import GroupPage
from peacemonitor.web.indicator import IndicatorAnswer
from peacemonitor.web.negotiation import CeasefireView, TableView
from peacemonitor.web.overview import MapView, Overview, Territory
from peacemonitor.web.process import CoveragePage
from peacemonitor.web.regions import NetworkPage, PrioritiesPage
from peacemonitor.web.search import SearchResult

if TYPE_CHECKING:
    import pandas as pd

SHAPES: dict[str, tuple[str, object]] = {
    "actors": ("`peacemonitor actors`: a list of actor summaries", list[ActorSummary]),
    "actor": ("`peacemonitor actor ID`: one actor with lineage and links", ActorDetail),
    "tables": (
        "`peacemonitor tables [--as-of]`: tables and their status that day",
        list[TableSummary],
    ),
    "table": ("`peacemonitor table ID`: one table with everything hanging off it", TableDetail),
    "ceasefires": (
        "`peacemonitor ceasefires [--as-of]`: ceasefire states that day",
        list[CeasefireState],
    ),
    "ceasefire-effect": (
        "`peacemonitor ceasefire effect ID`: estimates of a ceasefire's effect on one outcome",
        CeasefireEffect,
    ),
    "ceasefire-violations": (
        "`peacemonitor ceasefire violations ID`: the violations log",
        list[Violation],
    ),
    "stats": ("`peacemonitor stats`: published statistics, as shown", list[StatisticView]),
    "import": (
        "`peacemonitor import SOURCE FILE...`: where every row of each file went",
        list[ImportReport],
    ),
    "quarantine": (
        "`peacemonitor quarantine`: rows not stored, counted by file and reason",
        list[QuarantineCount],
    ),
    "quarantine-list": (
        "`peacemonitor quarantine --list`: rows not stored, with why (sensitive cells redacted)",
        list[QuarantineEntry],
    ),
    "coverage": ("`peacemonitor coverage`: what each source covers", list[Coverage]),
    "reconcile-police": (
        "`peacemonitor reconcile-police CATEGORY`: the Police exports against its aggregates",
        Reconciliation,
    ),
    "fetches": (
        "`peacemonitor data fetches`: what was fetched from which publisher, when",
        list[FetchRecord],
    ),
    "imported-agreements": (
        "`peacemonitor imported agreements`: PA-X records and their registry links",
        list[ImportedAgreement],
    ),
    "imported-ceasefires": (
        "`peacemonitor imported ceasefires`: ETH/PRIO records and their registry links",
        list[ImportedCeasefire],
    ),
    "implementation": (
        "`peacemonitor implementation [ID]`: provisions by level, theme, party and over time "
        "(our coding), with the Kroc Institute's published aggregates for the 2016 accord",
        ImplementationReport,
    ),
    "reconcile": (
        "`peacemonitor reconcile`: each published statistic beside what the monitor computes, "
        "with the reasons they differ, and the government's first year counted both ways",
        ReconcileReport,
    ),
    "network": (
        "`peacemonitor network`: groups and tables as nodes, cited relations and table parties "
        "as edges",
        Network,
    ),
    "spillover": (
        "`peacemonitor spillover TABLE`: violence in the other tables' territories around the "
        "table's suspensions (event study)",
        Spillover,
    ),
    "scorecard": (
        "`peacemonitor scorecard ACTOR|TABLE`: seriousness per year, each component with its "
        "evidence and weight (without an argument: a list, one per negotiating group)",
        Scorecard,
    ),
    "priorities": (
        "`peacemonitor priorities`: territories ranked by the index, each component and weight",
        Priorities,
    ),
    "vacuum": (
        "`peacemonitor vacuum ACTOR`: who is present in and around the group's area, the "
        "violence trend and a risk level per municipality",
        Vacuum,
    ),
    "presence": (
        "`peacemonitor presence ACTOR`: where an actor is, each record with how it is known",
        list[PresenceRecord],
    ),
    "compare": (
        "`peacemonitor compare OUTCOME`: two windows over a territory set, with the rate ratio",
        Comparison,
    ),
    "api-overview": ("`GET /api/overview`: the dashboard's first page", Overview),
    "api-map": ("`GET /api/map`: the map's values (equal to `indicator`)", MapView),
    "api-territory": ("`GET /api/territory/{code}`: one department or municipality", Territory),
    "api-ceasefire": (
        "`GET /api/ceasefire/{id}`: lifecycle, scope over time, effect and violations log",
        CeasefireView,
    ),
    "api-table": (
        "`GET /api/table/{id}`: the table with implementation, red-line breaches and effects",
        TableView,
    ),
    "api-coverage": ("`GET /api/coverage`: what the store holds and covers", CoveragePage),
    "api-search": ("`GET /api/search?q=`: actors, tables, ceasefires, places", SearchResult),
    "api-indicator": (
        "`GET /api/indicator?category=`: `peacemonitor indicator` rows for the URL's filters",
        IndicatorAnswer,
    ),
    "api-error": ("every API error, whatever its cause", ApiError),
    "api-implementation": (
        "`GET /api/implementation?table=`: the implementation report for an agreement or table, "
        "each provision's wording, sources and unverified mark",
        ImplementationPage,
    ),
    "api-scorecard": (
        "`GET /api/scorecard?subject=&start=&end=&weights=`: one scorecard per subject (every "
        "negotiating group by default), with the evidence's citations and sources",
        ScorecardPage,
    ),
    "api-published": (
        "`GET /api/published?indicator=&computable=`: the published-vs-computed report, what to "
        "load for what has no data, and the sources cited",
        PublishedPage,
    ),
    "api-priorities": (
        "`GET /api/priorities?priority_weights=`: the priorities ranking for the weights in the "
        "URL, with its map",
        PrioritiesPage,
    ),
    "api-network": ("`GET /api/network`: the network with its drawing's layout", NetworkPage),
    "api-actor": (
        "`GET /api/actor/{id}`: an armed group's lineage tree, presence, strength, tables, "
        "ceasefires and scorecard",
        GroupPage,
    ),
}


def json_schema(shape: str) -> dict[str, object]:
    """The JSON Schema of one named shape."""
    _, model = SHAPES[shape]
    adapter: TypeAdapter[object] = TypeAdapter(model)  # type: ignore[arg-type]
    return adapter.json_schema(mode="serialization")


def _type_name(annotation: object) -> str:
    text = annotation.__name__ if isinstance(annotation, type) else str(annotation)
    for prefix in (
        "typing.",
        "datetime.",
        "peacemonitor.model.",
        "peacemonitor.actors.",
        "peacemonitor.tables.",
        "peacemonitor.ceasefires.",
        "peacemonitor.implementation.",
        "peacemonitor.published.",
        "peacemonitor.network.",
        "peacemonitor.spillover.",
        "peacemonitor.scorecard.",
        "peacemonitor.priorities.",
        "peacemonitor.vacuum.",
        "peacemonitor.comparison.",
        "peacemonitor.web.overview.",
        "peacemonitor.web.analytics.",
        "peacemonitor.web.process.",
        "peacemonitor.web.negotiation.",
        "peacemonitor.web.search.",
        "peacemonitor.web.status.",
        "peacemonitor.web.series.",
        "peacemonitor.web.maps.",
        "peacemonitor.web.errors.",
        "peacemonitor.web.indicator.",
        "peacemonitor.web.regions.",
        "peacemonitor.coverage.",
        "peacemonitor.indicators.",
        "peacemonitor.web.groups.",
    ):
        text = text.replace(prefix, "")
    text = re.sub(r"Annotated\[PartialDate, .*?WithJsonSchema\(.*?\)\]", "PDate", text)
    text = re.sub(r"Optional\[(\w+)\]", r"\1 | None", text)
    return text.replace("PartialDate", "PDate")


def _fields(model: type[BaseModel]) -> list[str]:
    if dataclasses.is_dataclass(model):  # typed records that are dataclasses (PresenceRecord)
        hints = typing.get_type_hints(model)
        return [
            f"| `{f.name}` | `{_type_name(hints[f.name])}` |  |" for f in dataclasses.fields(model)
        ]
    return [
        f"| `{name}` | `{_type_name(info.annotation)}` | {info.description or ''} |"
        for name, info in model.model_fields.items()
    ]


def _root_model(model: object) -> type[BaseModel]:
    args = getattr(model, "__args__", None)
    return args[0] if args else model  # type: ignore[return-value]


def shapes_markdown() -> str:
    """The generated part of docs/json.md: each shape, its fields, and its full JSON Schema."""
    parts = []
    for name, (what, model) in SHAPES.items():
        root = _root_model(model)
        listed = "a JSON array of" if root is not model else "a JSON object:"
        parts.append(f"### `{name}`\n\n{what} — {listed} `{root.__name__}`.\n")
        parts.append("| field | type | note |\n|---|---|---|")
        parts.extend(_fields(root))
        schema = json.dumps(json_schema(name), indent=1, sort_keys=True)
        parts.append(
            f"\n<details><summary>JSON Schema</summary>\n\n```json\n{schema}\n```\n</details>\n"
        )
    return "\n".join(parts)


def to_frame(items: list[BaseModel]) -> pd.DataFrame:
    """Typed records as a pandas frame: nested fields flattened with dots, dates as text with their
    precision. The library's other answer shape, for analysts who want a DataFrame."""
    import pandas as pd

    rows = [item.model_dump(mode="json") for item in items]
    return pd.json_normalize(rows) if rows else pd.DataFrame()
