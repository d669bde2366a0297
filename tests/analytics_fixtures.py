"""A tiny registry for the analytics tests, small enough to check every number by hand.

Two armed groups (``alpha`` at the ``alpha-table``, ``beta`` a rival split from it), the
government ``gov``, a third party ``church``; one agreement with four provisions. Territories:
three Nariño municipalities (Pasto 52001, Albán 52019, Aldana 52022) and Popayán (19001).
The massacre list straddles the government's first year (7 Aug 2022 – 6 Aug 2023).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from peacemonitor import model
from peacemonitor.registry import Registry
from peacemonitor.store import Store

CITE = [{"source": "src"}]


def _cited(**fields: Any) -> dict[str, Any]:
    return {"sources": CITE, **fields}


def tiny_registry() -> Registry:
    reg = Registry()
    reg.sources["src"] = model.Source(id="src", publisher="P", title="T", date="2024-01-01")
    for actor_id, kind, extra in (
        ("gov", "state", {}),
        ("church", "other", {}),
        ("alpha", "dissident-faction", {"presence": [_presence(["52001", "52019"])]}),
        (
            "beta",
            "dissident-faction",
            {
                "presence": [_presence(["52019", "52022"])],
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


DIVIPOLA = """COD_DPTO,NOM_DPTO,COD_MPIO,NOM_MPIO,TIPO,LATITUD,LONGITUD,Geo Municipio
52,NARIÑO,52001,PASTO,Municipio,1.21,-77.28,POINT (-77.28 1.21)
52,NARIÑO,52019,ALBÁN,Municipio,1.47,-77.08,POINT (-77.08 1.47)
52,NARIÑO,52022,ALDANA,Municipio,0.88,-77.70,POINT (-77.70 0.88)
19,CAUCA,19001,POPAYÁN,Municipio,2.45,-76.60,POINT (-76.60 2.45)
"""
MASSACRES = """FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS
2022/01/01,19,CAUCA,19001,POPAYAN,1,3
2022/08/06,52,NARIÑO,52001,PASTO,1,3
2022/08/07,52,NARIÑO,52001,PASTO,1,4
2023/08/06,52,NARIÑO,52019,ALBAN,1,3
2023/08/07,52,NARIÑO,52019,ALBAN,1,5
2023/12/31,19,CAUCA,19001,POPAYAN,1,3
"""


POPULATION = """ID_MUNICIPIO;ANNO;POBLACION;ID_DEPARTAMENTO
19001;2023;100000;19
52001;2023;200000;52
52019;2023;10000;52
52022;2023;10000;52
"""


def massacre_store(directory: Path, rows: str = MASSACRES, people: bool = False) -> Store:
    """A store with the four municipalities and six massacres (the only place the analytics
    tests touch the import machinery)."""
    from peacemonitor.divipola import load_divipola
    from peacemonitor.gazetteer import Gazetteer
    from peacemonitor.runner import import_file

    store = Store(directory / "analytics.duckdb", timeout=10)
    store.migrate()
    (directory / "divipola.csv").write_text(DIVIPOLA, encoding="utf-8")
    (directory / "massacres.csv").write_text(rows, encoding="utf-8")
    load_divipola(store, directory / "divipola.csv")
    import_file(store, "massacres", directory / "massacres.csv", Gazetteer.from_store(store))
    if people:
        from peacemonitor.population import load_population

        (directory / "population.csv").write_text(POPULATION, encoding="utf-8")
        load_population(store, directory / "population.csv", vintage="test-2018")
    return store


def statistic(**fields: Any) -> model.Statistic:
    return model.Statistic.model_validate(_cited(statement=fields["id"], **fields))


def table(
    table_id: str, scope: list[str], parties: list[dict[str, Any]], installed: str = "2024-01-01"
) -> model.NegotiationTable:
    """An installed table with the given scope and parties."""
    return model.NegotiationTable.model_validate(
        _cited(
            id=table_id,
            name=table_id,
            level="regional",
            track="political",
            scope=scope,
            parties=[_cited(**p) for p in parties],
            status_history=[_cited(status="installed", date=installed)],
        )
    )


def add_events(store: Store, source: str, rows: list[tuple[str, str, str, list[str]]]) -> None:
    """Observations (category, day, municipality, actors) of one event each, from a source that
    names actors, covering 2023-01-01 to 2024-12-31 at municipality level: a stand-in for an
    events import, written directly so each count is plain to see."""
    import json

    categories = sorted({r[0] for r in rows})
    coverage = [
        {"category": c, "unit": "events", "territory_level": "municipality"}
        | {"first": "2023-01-01", "last": "2024-12-31"}
        for c in categories
    ]
    with store.write() as db:
        number = db.execute("SELECT coalesce(max(import_id), 0) + 1 FROM imports").fetchone()
        import_id = number[0] if number else 1
        db.execute(
            "INSERT INTO imports (import_id, source, file_name, file_sha256, started_at, coverage) "
            "VALUES (?, ?, 'fixture', 'x', now(), ?)",
            [import_id, source, json.dumps(coverage)],
        )
        for index, (category, day, code, actors) in enumerate(rows):
            db.execute(
                "INSERT INTO observations (source, record_id, import_id, category, unit, count, "
                "date_first, date_precision, territory_level, territory_code, resolution, "
                "actor_ids) VALUES (?, ?, ?, ?, 'events', 1, ?, 'day', 'municipality', ?, "
                "'code', ?)",
                [source, f"e{index}", import_id, category, day, code, actors],
            )


@pytest.fixture
def registry_presence_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pin the presence seam to the registry's cited presence, so the hand-checked numbers do not
    move when ``peacemonitor.presence`` (which may also derive presence from events) lands."""
    from peacemonitor import areas

    def pinned(store: Any, registry: Registry, actor_id: str | None = None, **_: Any) -> Any:
        return areas.registry_presence(registry, actor_id)

    monkeypatch.setattr(areas, "presence", pinned)
