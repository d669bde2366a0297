"""Seriousness scorecard on a group with one red line, one ceasefire, two gestures, two
provisions and six events, every component checkable by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
from analytics_fixtures import (
    CITE,
    add_events,
    massacre_store,
    registry_presence_only,  # noqa: F401 - used by pytestmark
    tiny_registry,
)

from peacemonitor import model
from peacemonitor.registry import Registry
from peacemonitor.scorecard import scorecard
from peacemonitor.store import Store
from peacemonitor.weights import BadWeights, parse_weights

EVENTS = [
    ("kidnapping", "2024-02-10", "52001", ["alpha"]),  # before the red line (March 2024)
    ("kidnapping", "2024-04-10", "52001", ["alpha"]),  # breach
    ("kidnapping", "2024-05-10", "52019", ["beta"]),  # someone else's
    ("state-group-clash", "2024-03-01", "52001", ["alpha"]),  # ceasefire violation
    ("state-group-clash", "2024-08-01", "52001", ["alpha"]),  # after the ceasefire ended
    ("state-group-clash", "2023-05-01", "52019", []),  # unattributed, in alpha's area
]

pytestmark = pytest.mark.usefixtures("registry_presence_only")


@pytest.fixture
def world(tmp_path: Path) -> tuple[Store, Registry]:
    reg = tiny_registry()
    reg.red_lines["no-kidnap"] = model.RedLine(
        id="no-kidnap",
        table="alpha-table",
        description="no kidnapping",
        categories=[model.Category.KIDNAPPING],
        actors=["alpha"],
        since="2024-03",  # type: ignore[arg-type]
        sources=CITE,  # type: ignore[arg-type]
    )
    reg.ceasefires["cf"] = model.Ceasefire.model_validate(
        {
            "id": "cf",
            "name": "cf",
            "kind": "bilateral",
            "parties": ["gov", "alpha"],
            "scope": ["52"],
            "events": [
                {"kind": "in-force", "date": "2024-01-01", "sources": CITE},
                {"kind": "ended", "date": "2024-06-01", "sources": CITE},
            ],
            "sources": CITE,
        }
    )
    for gid, day, valence in (("g1", "2024-02", "goodwill"), ("g2", "2024-07", "hostile")):
        reg.gestures[gid] = model.Gesture.model_validate(
            {"id": gid, "actor": "alpha", "date": day, "kind": "k", "valence": valence}
            | {"description": gid, "sources": CITE}
        )
    store = massacre_store(tmp_path)
    add_events(store, "events", EVENTS)
    return store, reg


def test_components_2024(world: tuple[Store, Registry]) -> None:
    store, reg = world
    card = scorecard(store, reg, "alpha", range(2024, 2025))
    year = card.years[0]
    got = {c.name: (c.status, c.value, c.score) for c in year.components}
    assert got == {
        "red-lines": ("measured", 1, 0.5),
        "ceasefire": ("measured", 1, 0.5),
        "gestures": ("measured", 1, 0.5),
        "provisions": ("measured", 3.0, 1.0),  # truce at level 3; demining not coded
        "violence": ("measured", 0.1667, 0.1667),  # state-group 1 → 2: 1/3; coercion 0 → 3: 0
    }
    red = next(c for c in year.components if c.name == "red-lines")
    assert [(e.ref, e.date) for e in red.evidence] == [("events:e1", "2024-04-10")]
    # (0.25·0.5 + 0.2·0.5 + 0.15·0.5 + 0.2·1 + 0.2·(1/6)) / 1
    assert year.score == 0.5333 and year.measured_weight == 1.0


def test_no_data_and_not_applicable_2023(world: tuple[Store, Registry]) -> None:
    store, reg = world
    year = scorecard(store, reg, "alpha-table", range(2023, 2024)).years[0]
    assert {c.name: c.status for c in year.components} == {
        "red-lines": "not applicable",
        "ceasefire": "not applicable",
        "gestures": "no data",
        "provisions": "no data",
        "violence": "no data",  # the events source starts in 2023: no 2022 to compare with
    }
    assert (year.score, year.measured_weight) == (None, 0.0)


def test_weights_are_visible_and_changeable(world: tuple[Store, Registry]) -> None:
    store, reg = world
    weights = parse_weights(
        "violence=0",
        {"red-lines": 0.25, "ceasefire": 0.2}
        | {"gestures": 0.15, "provisions": 0.2, "violence": 0.2},
    )
    card = scorecard(store, reg, "alpha", range(2024, 2025), weights)
    assert card.weights["violence"] == 0 and card.years[0].score == 0.625
    with pytest.raises(BadWeights, match="unknown weight 'speed'"):
        parse_weights("speed=1", card.weights)
    with pytest.raises(BadWeights, match="must be 0 or more"):
        parse_weights("violence=-1", card.weights)


def test_cli_csv(world: tuple[Store, Registry], monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from peacemonitor.cli import analytics_commands as analytics
    from peacemonitor.cli import app

    store, reg = world
    monkeypatch.setattr(analytics, "_registry", lambda ctx: reg)
    args = ["--db", str(store.path), "scorecard", "alpha", "--from-year", "2023"]
    result = CliRunner().invoke(app, [*args, "--to-year", "2024", "-f", "csv"])
    assert result.exit_code == 0
    assert result.output == (
        "subject,year,score,measured_weight,red-lines,ceasefire,gestures,provisions,violence\n"
        "alpha,2023,,0,not applicable,not applicable,no data,no data,no data\n"
        "alpha,2024,0.5333,1,0.5,0.5,0.5,1,0.1667\n"
    )
