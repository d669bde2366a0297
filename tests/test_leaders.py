"""Social-leader lists: names kept sensitive, places by name, then by the row's coordinates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from peacemonitor.gazetteer import Gazetteer, load_divipola, load_path
from peacemonitor.importers.framework.errors import UnknownLayout
from peacemonitor.quarantine import list_quarantine
from peacemonitor.runner import import_file
from peacemonitor.settings import Settings
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"


@pytest.fixture
def places(store: Store) -> tuple[Store, Gazetteer]:
    load_divipola(store, DATA / "divipola_small.csv")
    return store, Gazetteer.from_store(store)


def test_names_go_to_the_sensitive_column_only(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    report = import_file(store, "leaders", DATA / "leaders_small.csv", gazetteer)
    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (
        3,
        1,
        {"territory-unknown": 1},
    )
    with store.read() as db:
        ((attributes, sensitive, code, count),) = db.execute(
            "SELECT attributes, sensitive, territory_code, count FROM observations"
        ).fetchall()
    assert "Persona" not in attributes
    assert json.loads(attributes) == {
        "sex": "M",
        "leader_type": "Líder indígena",
        "role": "Cabildo",
        "longitude": -76.6,
        "latitude": 2.45,
    }
    assert json.loads(sensitive)["name"] == "Persona Ficticia Uno"
    assert "dos líneas" in json.loads(sensitive)["narrative"]
    assert (code, count) == ("19001", 1.0)


def test_quarantine_redacts_unless_the_operator_allows(
    places: tuple[Store, Gazetteer], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, gazetteer = places
    import_file(store, "leaders", DATA / "leaders_small.csv", gazetteer)
    assert not Settings.from_env().show_sensitive
    (hidden,) = list_quarantine(store)
    assert hidden.raw["cells"]["Nombre"] == "<redacted: sensitive>"
    assert hidden.raw["cells"]["Link"] == "<redacted: sensitive>"
    monkeypatch.setenv("PEACEMONITOR_SHOW_SENSITIVE", "1")
    allowed = Settings.from_env().show_sensitive
    (shown,) = list_quarantine(store, show_sensitive=allowed)
    assert shown.raw["cells"]["Nombre"] == "Persona Ficticia Dos"


def test_list_style_layout_with_other_spellings(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    path = tmp_path / "list.csv"
    path.write_text(
        "LISTADO DE LÍDERES (datos ficticios)\n"
        "NOMBRE;FECHA;MUNICIPIO;DEPARTAMENTO;TIPO DE LIDERAZGO\n"
        "Persona Ficticia Tres;28/06/2018;Medellín;Antioquia;Comunal\n"
    )
    report = import_file(store, "leaders", path, gazetteer)
    assert (report.layout, report.rows_non_data, report.rows_stored) == (
        "leaders-list",
        {"title": 1, "header": 1},
        1,
    )


def test_a_list_without_dates(places: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = places
    path = tmp_path / "list.csv"
    path.write_text("Nombre,Municipio,Departamento\nPersona Ficticia,Popayán,Cauca\n")
    with pytest.raises(UnknownLayout, match=r"list.csv, row 1: .*lacks required column date"):
        import_file(store, "leaders", path, gazetteer)


@pytest.mark.shared_data
def test_the_real_datasketch_list(shared_data: Path, store: Store) -> None:
    load_path(store, shared_data / "divipola")
    gazetteer = Gazetteer.from_store(store)
    path = shared_data / "lideres_sociales_2016_2017" / "lideres-sociales.csv"
    report = import_file(store, "leaders", path, gazetteer)
    assert report.rows_read == 122 and report.accounted == 122
    assert report.rows_stored + sum(report.rows_quarantined.values()) == 121  # SOURCE.md rows
    assert set(report.rows_quarantined) <= {"territory-unknown", "territory-ambiguous"}
    with store.read() as db:
        (leaks,) = db.execute(
            "SELECT count(*) FROM observations WHERE attributes::VARCHAR LIKE '%Bernardo%'"
        ).fetchall()[0]
    assert leaks == 0


SENSITIVE_CELLS = {
    "Nombre": "Persona Ficticia Tres",
    "Móvil": "Relato ficticio del hecho",
    "Otros": "Dato personal ficticio",
    "Link": "http://example.org/privado",
}


def _leaders_file(tmp_path: Path, place: str) -> Path:
    header = "Nombre,Género,Fecha,Municipio,Departamento,Tipo de líder,Cargo,Móvil,Otros,Link"
    cells = SENSITIVE_CELLS
    row = (
        f"{cells['Nombre']},F,2018-07-01,{place},Cauca,Líder comunal,Presidenta,"
        f"{cells['Móvil']},{cells['Otros']},{cells['Link']}"
    )
    path = tmp_path / "leaders.csv"
    path.write_text(f"{header}\n{row}\n", encoding="utf-8")
    return path


def test_every_sensitive_column_is_redacted_in_quarantine(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    import_file(store, "leaders", _leaders_file(tmp_path, "Vereda Inexistente"), gazetteer)
    (entry,) = list_quarantine(store, show_sensitive=False)
    assert {c: entry.raw["cells"][c] for c in SENSITIVE_CELLS} == dict.fromkeys(
        SENSITIVE_CELLS, "<redacted: sensitive>"
    )
    text = json.dumps(entry.model_dump(mode="json"), ensure_ascii=False)
    assert not [value for value in SENSITIVE_CELLS.values() if value in text]


def test_no_sensitive_value_reaches_stored_attributes(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    import_file(store, "leaders", _leaders_file(tmp_path, "Popayán"), gazetteer)
    with store.read() as db:
        ((attributes, sensitive),) = db.execute(
            "SELECT attributes, sensitive FROM observations"
        ).fetchall()
    assert not [value for value in SENSITIVE_CELLS.values() if value in attributes]
    assert sorted(json.loads(sensitive).values()) == sorted(SENSITIVE_CELLS.values())
