"""`resolve` in-process on DANE's real DIVIPOLA list: names alone, abbreviations, ambiguity."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peacemonitor.cli import app
from peacemonitor.gazetteer import load_divipola
from peacemonitor.store import Store

Run = Callable[..., tuple[int, str]]


@pytest.fixture(scope="module")
def template(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("resolve") / "divipola.duckdb"
    store = Store(path, timeout=10)
    store.migrate()
    for name in ("dl_departamentos.csv", "dl_municipios.csv"):
        load_divipola(store, shared_data / "divipola" / name)
    return path


@pytest.fixture
def run(template: Path, tmp_path: Path) -> Run:
    db = tmp_path / "copy.duckdb"
    shutil.copy(template, db)

    def invoke(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["--db", str(db), *args], catch_exceptions=False)
        return result.exit_code, result.output

    return invoke


HEADER = "code,name,department,level,match,reason,score,detail\n"


@pytest.mark.parametrize(
    ("typed", "row"),
    [
        ("Bogota", '11001,"BOGOTÁ, D.C.","BOGOTÁ, D.C.",municipality,variant,,,'),
        ("BOGOTA D.C.", '11001,"BOGOTÁ, D.C.","BOGOTÁ, D.C.",municipality,exact-name,,,'),
        ("Santafé de Bogotá", '11001,"BOGOTÁ, D.C.","BOGOTÁ, D.C.",municipality,variant,,,'),
        ("Antioquia", "05,ANTIOQUIA,,department,exact-name,,,"),
        ("VALLE", "76,VALLE DEL CAUCA,,department,variant,,,"),
        (
            "N. DE SANTANDER",
            "54,NORTE DE SANTANDER,,department,variant,,,read as 'norte de santander'",
        ),
        ("NTE SANTANDER", "54,NORTE DE SANTANDER,,department,variant,,,read as 'norte santander'"),
        ("Santander", "68,SANTANDER,,department,exact-name,,,"),
        ("medellin", "05001,MEDELLÍN,ANTIOQUIA,municipality,exact-name,,,"),
        ("05001", "05001,MEDELLÍN,ANTIOQUIA,municipality,code,,,"),
    ],
)
def test_one_name_resolves_to_its_territory(run: Run, typed: str, row: str) -> None:
    assert run("resolve", typed, "--format", "csv") == (0, HEADER + row + "\n")


def test_an_ambiguous_name_lists_every_candidate_and_fails(run: Run) -> None:
    code, out = run("resolve", "SAN ANDRES", "--format", "csv")
    assert code == 1
    assert out == HEADER + (
        "05647,SAN ANDRÉS DE CUERQUÍA,ANTIOQUIA,municipality,variant,ambiguous,,\n"
        "68669,SAN ANDRÉS,SANTANDER,municipality,exact-name,ambiguous,,\n"
        '88,"ARCHIPIÉLAGO DE SAN ANDRÉS, PROVIDENCIA Y SANTA CATALINA",,department,variant,'
        "ambiguous,,\n"
        '88001,SAN ANDRÉS,"ARCHIPIÉLAGO DE SAN ANDRÉS, PROVIDENCIA Y SANTA CATALINA",'
        "municipality,exact-name,ambiguous,,\n"
    )


def test_a_department_narrows_an_ambiguous_name(run: Run) -> None:
    code, out = run("resolve", "SAN ANDRES", "San Andrés", "--format", "csv")
    assert (code, out.splitlines()[1].split(",")[0]) == (0, "88001")
    code, out = run("resolve", "VALLE", "San Pedro", "--format", "csv")
    assert (code, out) == (
        0,
        HEADER + "76670,SAN PEDRO,VALLE DEL CAUCA,municipality,exact-name,,,\n",
    )


def test_an_unknown_name_fails_with_a_reason(run: Run) -> None:
    code, out = run("resolve", "Xyzzy", "--format", "json")
    assert code == 1
    assert '"detail": "no municipality or department named \'Xyzzy\'"' in out
    assert '"reason": "unknown"' in out


def test_the_table_format_shows_the_candidates_names(run: Run) -> None:
    code, out = run("resolve", "Cordoba")
    assert code == 1
    lines = [line for line in out.splitlines() if line.startswith("│")]
    assert [[cell.strip() for cell in line.split("│")[1:4]] for line in lines] == [
        ["13212", "CÓRDOBA", "BOLÍVAR"],
        ["23", "CÓRDOBA", ""],
        ["52215", "CÓRDOBA", "NARIÑO"],
        ["63212", "CÓRDOBA", "QUINDÍO"],
    ]
