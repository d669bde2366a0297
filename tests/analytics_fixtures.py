"""A tiny registry for the analytics tests, small enough to check every number by hand.

Two armed groups (``alpha`` at the ``alpha-table``, ``beta`` a rival split from it), the
government ``gov``, a third party ``church``; one agreement with four provisions.
"""

from __future__ import annotations

from typing import Any

from peacemonitor import model
from peacemonitor.registry import Registry

CITE = [{"source": "src"}]


def _cited(**fields: Any) -> dict[str, Any]:
    return {"sources": CITE, **fields}


def tiny_registry() -> Registry:
    reg = Registry()
    reg.sources["src"] = model.Source(id="src", publisher="P", title="T", date="2024-01-01")
    for actor_id, kind, extra in (
        ("gov", "state", {}),
        ("church", "other", {}),
        ("alpha", "dissident-faction", {"presence": [_presence(["52001", "52002"])]}),
        (
            "beta",
            "dissident-faction",
            {
                "presence": [_presence(["52002", "52003"])],
                "relations": [
                    _cited(kind="split-from", actor="alpha", since="2023"),
                    _cited(kind="rival-of", actor="alpha"),
                ],
            },
        ),
    ):
        reg.actors[actor_id] = model.Actor.model_validate(
            _cited(id=actor_id, name=actor_id.title(), kind=kind, **extra)
        )
    reg.tables["alpha-table"] = model.NegotiationTable.model_validate(
        _cited(
            id="alpha-table",
            name="Alpha table",
            level="regional",
            track="political",
            scope=["52"],
            parties=[_cited(actor="gov", role="government"), _cited(actor="alpha")],
            status_history=[
                _cited(status="installed", date="2024-01-15"),
                _cited(status="suspended", date="2024-06-10"),
            ],
        )
    )
    reg.agreements["alpha-accord"] = model.Agreement.model_validate(
        _cited(
            id="alpha-accord",
            table="alpha-table",
            date="2024-03-01",
            title="Alpha accord",
            kind="partial",
            provisions=[
                _provision("truce", "ceasefire", ["alpha"], [(2, "2024-02"), (3, "2024-05-01")]),
                _provision("roads", "infrastructure", ["gov"], [(0, "2024-04-01")]),
                _provision("demining", "demining", ["gov", "alpha"], []),
                _provision("mass", "humanitarian", ["church"], [(1, "2024-05-01")]),
            ],
        )
    )
    return reg


def _presence(codes: list[str]) -> dict[str, Any]:
    return _cited(territories=codes, as_of="2024-01")


def _provision(
    pid: str, theme: str, responsible: list[str], steps: list[tuple[int, str]]
) -> dict[str, Any]:
    return _cited(
        id=pid,
        text=pid,
        theme=theme,
        responsible=responsible,
        implementation=[_cited(level=level, as_of=as_of) for level, as_of in steps],
    )
