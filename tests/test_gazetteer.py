"""The gazetteer: loading DIVIPOLA lists, parsing codes, resolving names, codes and mixed clues."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from peacemonitor.gazetteer import (
    FUZZY_MIN_SCORE,
    Gazetteer,
    GazetteerNotLoaded,
    Resolution,
    load_divipola,
    load_path,
)
from peacemonitor.model import MatchKind, TerritoryLevel, Unresolved
from peacemonitor.store import Store

FIXTURES = Path(__file__).parent / "data" / "territories"
MUNI = MatchKind.EXACT_NAME


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Store:
    """The fixture lists loaded once per module; tests that write get a copy."""
    store = Store(tmp_path_factory.mktemp("gazetteer") / "template.duckdb", timeout=10)
    store.migrate()
    for name in ("dl_municipios.csv", "dl_departamentos.csv", "codigos_municipios.csv"):
        load_divipola(store, FIXTURES / name)
    return store


@pytest.fixture
def loaded(template: Store, tmp_path: Path) -> Store:
    shutil.copy(template.path, tmp_path / "copy.duckdb")
    return Store(tmp_path / "copy.duckdb", timeout=10)


@pytest.fixture(scope="module")
def gaz(template: Store) -> Gazetteer:
    return Gazetteer.from_store(template)


def test_territories_keep_official_names_kinds_and_points(gaz: Gazetteer) -> None:
    bogota = gaz.territory("11001")
    assert bogota is not None and bogota.name == "BOGOTÁ, D.C."  # the older CRC copy did not win
    assert (bogota.lat, bogota.lon) == (4.32, -74.18)
    assert gaz.territories["88001"].kind == "island"
    assert gaz.territories["94343"].kind == "non-municipalised-area"
    antioquia = gaz.territories["05"]
    assert (antioquia.level, antioquia.lat) == (TerritoryLevel.DEPARTMENT, 6.70)
    assert gaz.territories["CO"].level is TerritoryLevel.COUNTRY


def test_retired_code_is_loaded_with_its_successor(gaz: Gazetteer) -> None:
    mapiripana = gaz.territories["94663"]
    assert (mapiripana.successor, mapiripana.valid_until) == ("94343", "2019-12-01")


def test_empty_store_says_what_to_run(store: Store) -> None:
    with pytest.raises(GazetteerNotLoaded, match="run `peacemonitor data load PATH`"):
        Gazetteer.from_store(store)


# --- resolving codes -------------------------------------------------------------------------


@pytest.mark.parametrize("code", [5001, "05001", 5001000.0, "05001000", "5001", "CO05001"])
def test_codes_in_any_form(gaz: Gazetteer, code: object) -> None:
    assert gaz.resolve_code(code) == Resolution(  # type: ignore[arg-type]
        TerritoryLevel.MUNICIPALITY, "05001", "MEDELLÍN", MatchKind.CODE
    )


def test_code_levels_and_misses(gaz: Gazetteer) -> None:
    assert gaz.resolve_code(5).code == "05"
    assert gaz.resolve_code("CO").level is TerritoryLevel.COUNTRY
    assert gaz.resolve_code("99999").reason is Unresolved.UNKNOWN
    assert gaz.resolve_code("x").detail == "'x' is not a DIVIPOLA code"
    assert gaz.resolve_code(float("nan")).reason is Unresolved.UNKNOWN
    assert gaz.resolve_code("05001008").detail == "populated centre 008 of municipality 05001"


def test_old_code_resolves_to_successor(gaz: Gazetteer) -> None:
    found = gaz.resolve_code(94663)
    assert (found.code, found.name, found.match) == ("94343", "BARRANCOMINAS", MatchKind.SUCCESSOR)
    assert found.detail == "94663 MAPIRIPANA was absorbed by 94343 BARRANCOMINAS on 2019-12-01"


# --- resolving names -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("department", "municipality", "code", "match"),
    [
        ("VALLE", "CALI (CT)", "76001", MUNI),
        ("Valle del Cauca", "cali", "76001", MUNI),
        ("ANTIOQUIA", "Medellin", "05001", MUNI),
        ("ANTIOQUIA", "San Pedro", "05664", MatchKind.VARIANT),
        ("VALLE", "San Pedro", "76670", MUNI),
        ("NARIÑO", "Tumaco", "52835", MatchKind.VARIANT),
        ("CAUCA", "Piendamó", "19548", MatchKind.VARIANT),
        ("CUNDINAMARCA", "Bogotá D.C. (CT)", "11001", MatchKind.VARIANT),
        ("GUAINÍA", "Mapiripana", "94343", MatchKind.SUCCESSOR),
        (None, "Soacha", "25754", MUNI),
        ("05", "Medellín", "05001", MUNI),
    ],
)
def test_names_resolve(
    gaz: Gazetteer, department: str | None, municipality: str, code: str, match: MatchKind
) -> None:
    found = gaz.resolve_name(department, municipality)
    assert (found.code, found.match, found.reason) == (code, match, None)


def test_fuzzy_only_for_a_clear_winner(gaz: Gazetteer) -> None:
    found = gaz.resolve_name("ANTIOQUIA", "Medelin")
    assert (found.code, found.match) == ("05001", MatchKind.FUZZY)
    assert found.score is not None and found.score >= FUZZY_MIN_SCORE
    assert gaz.resolve_name("ANTIOQUIA", "Mede").reason is Unresolved.UNKNOWN


def test_ambiguous_name_lists_candidates(gaz: Gazetteer) -> None:
    found = gaz.resolve_name(None, "San Pedro")
    assert (found.level, found.code, found.reason) == (
        TerritoryLevel.COUNTRY,
        "CO",
        Unresolved.AMBIGUOUS,
    )
    assert found.detail == (
        "'San Pedro' could be 05664 SAN PEDRO DE LOS MILAGROS (ANTIOQUIA), 70717 SAN PEDRO "
        "(SUCRE), 76670 SAN PEDRO (VALLE DEL CAUCA): give the department"
    )


def test_municipality_in_the_wrong_department_stays_at_department(gaz: Gazetteer) -> None:
    found = gaz.resolve_name("ANTIOQUIA", "Cali")
    assert (found.level, found.code, found.reason) == (
        TerritoryLevel.DEPARTMENT,
        "05",
        Unresolved.UNKNOWN,
    )
    assert found.detail == (
        "'Cali' is not a municipality of ANTIOQUIA; a place of that name is in "
        "76001 CALI (VALLE DEL CAUCA)"
    )


def test_department_alone_and_nothing(gaz: Gazetteer) -> None:
    assert gaz.resolve_name("VALLE", None) == Resolution(
        TerritoryLevel.DEPARTMENT, "76", "VALLE DEL CAUCA", MatchKind.VARIANT
    )
    assert gaz.resolve_name(None, "  ").reason is Unresolved.UNKNOWN
    unknown = gaz.resolve_name("Atlantis", None)
    assert (unknown.code, unknown.detail) == (None, "department 'Atlantis' not recognised")


def test_name_resolutions_are_cached(gaz: Gazetteer) -> None:
    assert gaz.resolve_name("VALLE", "Cali") is gaz.resolve_name("VALLE", "Cali")


# --- mixed clues -----------------------------------------------------------------------------


def test_code_wins_over_name_and_the_name_is_kept(gaz: Gazetteer) -> None:
    found = gaz.resolve(department="VALLE", municipality="Cali", code="05001")
    assert (found.code, found.match) == ("05001", MatchKind.CODE)
    assert found.detail == "code wins; name gives 76001 (exact-name)"


def test_nothing_to_resolve(gaz: Gazetteer) -> None:
    assert gaz.resolve().reason is Unresolved.UNKNOWN


def test_many_pairs_resolve_once_each(gaz: Gazetteer) -> None:
    import pandas as pd

    found = gaz.resolve_names(
        pd.Series(["VALLE", None, "VALLE", float("nan"), "ANTIOQUIA"]),
        ["Cali", "San Pedro", "Cali", "Soacha", None],
    )
    assert [r.code for r in found] == ["76001", "CO", "76001", "25754", "05"]
    assert found[0] is found[2]


# --- command line ----------------------------------------------------------------------------

TABLE_CALI = """\
┏━━━━━━━┳━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━┳━━━━━━━━┓
┃ code  ┃ name ┃ department      ┃ level        ┃ match      ┃ reason ┃ score ┃ detail ┃
┡━━━━━━━╇━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━╇━━━━━━━━┩
│ 76001 │ CALI │ VALLE DEL CAUCA │ municipality │ exact-name │        │       │        │
└───────┴──────┴─────────────────┴──────────────┴────────────┴────────┴───────┴────────┘
"""

CSV_MEDELLIN_POINT = """\
code,name,department,level,match,reason,score,detail
05001,MEDELLÍN,ANTIOQUIA,municipality,point-in-polygon,,,
"""

JSON_MEDELLIN = """\
{
  "code": "05001",
  "name": "MEDELLÍN",
  "department": "ANTIOQUIA",
  "level": "municipality",
  "match": "code",
  "reason": null,
  "score": null,
  "detail": null
}
"""

Cli = Callable[..., tuple[int, str]]


def test_cli_load_and_resolve_fixtures(cli: Cli) -> None:
    cli("init")
    code, output = cli("data", "load", str(FIXTURES))
    assert code == 0
    assert output.splitlines()[:2] == [
        "codigos_municipios.csv: divipola (dane-divipola-codigos), 5 rows read, 3 stored, "
        "2 non-data rows, read as utf-8-sig",
        "datos_gov_co_gdxc-w37w.csv: divipola (datos-gov-co-gdxc-w37w), 3 rows read, 3 stored, "
        "read as utf-8",
    ]
    assert cli("resolve", "VALLE", "CALI (CT)") == (0, TABLE_CALI)
    assert cli("resolve", "5001", "--format", "json") == (0, JSON_MEDELLIN)
    tiny = str(FIXTURES / "tiny.topojson")
    assert cli("data", "load", tiny, "--boundary-detail", "full")[0] == 0
    code, output = cli("resolve", "--point", "3.5", "-75.5", "--format", "csv")
    assert (code, output.splitlines()[1]) == (
        0,
        "05664,SAN PEDRO DE LOS MILAGROS,ANTIOQUIA,municipality,point-in-polygon,,,",
    )


def test_cli_resolve_without_data_is_one_line(cli: Cli) -> None:
    cli("init")
    code, output = cli("resolve", "5001")
    assert code == 1
    assert output.startswith("error: ") and "run `peacemonitor data load PATH`" in output


@pytest.fixture(scope="module")
def real_cli(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Cli:
    from typer.testing import CliRunner

    from peacemonitor.cli import app

    db = str(tmp_path_factory.mktemp("cli") / "real.duckdb")
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str]:
        result = runner.invoke(app, ["--db", db, *args], catch_exceptions=False)
        return result.exit_code, result.output

    run("init")
    run("data", "load", str(shared_data / "divipola"))
    run("data", "load", str(shared_data / "boundaries_mgn2018" / "colombia_2018.topojson"))
    return run


@pytest.mark.shared_data
def test_real_cli_examples_from_the_issue(real_cli: Cli) -> None:
    assert real_cli("resolve", "VALLE", "CALI (CT)") == (0, TABLE_CALI)
    assert real_cli("resolve", "--point", "6.25", "-75.57", "--format", "csv") == (
        0,
        CSV_MEDELLIN_POINT,
    )
    assert real_cli("resolve", "5001", "--format", "json") == (0, JSON_MEDELLIN)


# --- real data: every Police 2003–2010 place resolves ----------------------------------------


def _police_pairs(path: Path) -> dict[tuple[str, str], float]:
    """Homicide counts per (DEPARTAMENTO, MUNICIPIO) over the data rows of the 2003–2010 file."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    counts: dict[tuple[str, str], float] = {}
    for row in book.get_sheet_by_name(book.sheet_names[0]).to_python():
        if len(row) > 5 and isinstance(row[5], int | float) and row[5] != "":
            pair = (str(row[0]), str(row[1]))
            counts[pair] = counts.get(pair, 0.0) + float(row[5])
    return counts


@pytest.mark.shared_data
def test_real_police_places_all_resolve(shared_data: Path, tmp_path: Path) -> None:
    store = Store(tmp_path / "police.duckdb", timeout=10)
    store.migrate()
    load_path(store, shared_data / "divipola")
    gazetteer = Gazetteer.from_store(store)
    counts = _police_pairs(shared_data / "policia_homicidios_raw" / "homicidios_20032010.xlsx")
    assert len(counts) == 1081 and sum(counts.values()) == 134_394
    unresolved = {
        pair: (count, found.reason, found.detail)
        for pair, count in counts.items()
        if (found := gazetteer.resolve_name(*pair)).reason is not None
        or found.level is not TerritoryLevel.MUNICIPALITY
    }
    assert unresolved == {}, f"{sum(c for c, _, _ in unresolved.values())} homicides unresolved"
    fuzzy = [pair for pair in counts if gazetteer.resolve_name(*pair).match is MatchKind.FUZZY]
    assert fuzzy == []
