"""The quarantine: listing with sensitive cells redacted, and retry once places resolve."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from peacemonitor.gazetteer import Gazetteer, Resolution, load_divipola
from peacemonitor.model import MatchKind, TerritoryLevel, Unresolved
from peacemonitor.quarantine import list_quarantine, redact, retry_quarantine
from peacemonitor.runner import import_file
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"


def test_redaction_hides_sensitive_cells_unless_allowed() -> None:
    raw = {"layout": "x", "cells": {"Nombre": "Persona Ficticia", "Fecha": "2018-01-01"}}
    hidden = redact(raw, ["Nombre"], show=False)
    assert hidden["cells"] == {"Nombre": "<redacted: sensitive>", "Fecha": "2018-01-01"}
    assert redact(raw, ["Nombre"], show=True) == raw


@dataclass
class Learning:
    """The real gazetteer, plus names a test teaches it (as curated aliases would)."""

    real: Gazetteer
    extra: dict[str, str]
    points = None  # names and codes only

    def resolve_code(self, code: Any) -> Resolution:
        return self.real.resolve_code(code)

    def resolve_name(self, department: str | None, municipality: str | None) -> Resolution:
        code = self.extra.get(municipality or "")
        if code:
            return Resolution(TerritoryLevel.MUNICIPALITY, code, None, MatchKind.VARIANT)
        return self.real.resolve_name(department, municipality)


@pytest.fixture
def gazetteer(store: Store) -> Gazetteer:
    load_divipola(store, DATA / "divipola_small.csv")
    return Gazetteer.from_store(store)


def test_retry_stores_rows_once_the_place_resolves(
    store: Store, gazetteer: Gazetteer, monkeypatch: pytest.MonkeyPatch
) -> None:
    resolver = Learning(gazetteer, {})
    first = import_file(store, "leaders", DATA / "leaders_small.csv", resolver)
    assert first.rows_quarantined == {"territory-unknown": 1}
    assert retry_quarantine(store, resolver)[0].rows_quarantined == {"territory-unknown": 1}
    resolver.extra["Vereda Inexistente"] = "19001"
    (report,) = retry_quarantine(store, resolver)
    assert (report.kind, report.rows_read, report.rows_stored, report.rows_quarantined) == (
        "retry",
        1,
        1,
        {},
    )
    assert list_quarantine(store) == [] and len(list_quarantine(store, include_resolved=True)) == 1
    assert retry_quarantine(store, resolver) == []
    again = import_file(store, "leaders", DATA / "leaders_small.csv", Learning(gazetteer, {}))
    assert (again.rows_already_present, again.rows_quarantined) == (2, {})


def test_a_quarantined_row_that_resolves_on_reimport_is_marked_resolved(
    store: Store, gazetteer: Gazetteer
) -> None:
    import_file(store, "leaders", DATA / "leaders_small.csv", gazetteer)
    report = import_file(
        store,
        "leaders",
        DATA / "leaders_small.csv",
        Learning(gazetteer, {"Vereda Inexistente": "19001"}),
    )
    assert (report.rows_stored, report.rows_already_present) == (1, 1)
    assert list_quarantine(store) == []


def test_unresolved_places_keep_their_reason(store: Store, gazetteer: Gazetteer) -> None:
    import_file(store, "leaders", DATA / "leaders_small.csv", gazetteer)
    (entry,) = list_quarantine(store)
    assert (entry.row, entry.reason, entry.column) == (3, "territory-unknown", "Municipio")
    assert entry.raw["cells"]["Nombre"] == "<redacted: sensitive>"
    assert Unresolved.UNKNOWN.value in entry.reason


@pytest.fixture
def cli_store(cli: Any, tmp_path: Path) -> Any:
    """The CLI's temporary store with the small DIVIPOLA list loaded."""
    store = Store(tmp_path / "cli.duckdb")
    store.migrate()
    load_divipola(store, DATA / "divipola_small.csv")
    return cli
