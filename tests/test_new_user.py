"""What a new user does first, replayed on the real shared data with exact outputs.

`init`, load DIVIPOLA, population and boundaries, import two yearly Police homicide files and the
massacre list, then ask: `resolve`, `indicator … --territory … --top`, `coverage`, `stats`,
`actor EMC`, `table "Comuneros del Sur"`. The numbers are checked against the publishers' totals
(SOURCE.md) and against the raw file read here with the csv module, not against the code."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from peacemonitor.cli import app

pytestmark = pytest.mark.shared_data

Run = Callable[..., tuple[int, str]]


@pytest.fixture(scope="module")
def user(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Run:
    """The CLI over a store built the way the README tells a new user to build it."""
    db = str(tmp_path_factory.mktemp("new_user") / "peacemonitor.duckdb")

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(app, ["--db", db, *args], catch_exceptions=False)
        return result.exit_code, result.output

    return run


@pytest.fixture(scope="module")
def loaded(user: Run, shared_data: Path) -> dict[str, tuple[int, str]]:
    """Each setup step's (exit code, output), in the order a new user runs them."""
    police = shared_data / "policia_homicidios_raw"
    boundaries = shared_data / "boundaries_mgn2018"
    steps = {
        "init": ("init",),
        "divipola": ("data", "load", str(shared_data / "divipola")),
        "population": (
            "data", "load", str(shared_data / "population_dane" / "POBLACION_2018_2035.csv"),
        ),
        "boundaries": (
            "data", "load", str(boundaries / "co_2018_MGN_MPIO_POLITICO.geojson"),
        ),
        "departments": (
            "data", "load", str(boundaries / "co_2018_MGN_DPTO_POLITICO.geojson"),
        ),
        "police": (
            "import", "police", str(police / "homicidios_2023.xls"),
            str(police / "homicidios_2024.xls"), "-f", "csv",
        ),
        "massacres": (
            "import", "massacres",
            str(shared_data / "masacres_2022_2025" / "Masacres_en_Colombia_clean.csv"),
            "-f", "csv",
        ),
    }  # fmt: skip
    return {name: user(*args) for name, args in steps.items()}


def test_setup_reports_every_row(loaded: dict[str, tuple[int, str]]) -> None:
    assert all(code == 0 for code, _ in loaded.values())
    assert loaded["init"][1].rstrip().endswith("peacemonitor/registry_data")
    assert loaded["divipola"][1] == (
        "DIVIPOLA-_C_digos_municipios.csv: divipola (dane-divipola-codigos), 1126 rows read, "
        "1121 stored, 5 non-data rows, read as utf-8-sig\n"
        "dl_departamentos.csv: divipola (dane-divipola-departamentos), 33 rows read, 33 stored, "
        "read as utf-8\n"
        "dl_municipios.csv: divipola (dane-divipola-municipios), 1121 rows read, 1121 stored, "
        "read as utf-8\n"
        "SOURCE.md: skipped (not a known layout)\n"
    )
    assert loaded["population"][1] == (
        "POBLACION_2018_2035.csv: population (dane-poblacion-ids), 20196 rows read, 20196 stored, "
        "read as utf-8-sig\n"
    )
    assert loaded["boundaries"][1] == (
        "co_2018_MGN_MPIO_POLITICO.geojson: boundaries (mgn-municipality-light), 1122 rows read, "
        "1122 stored\n"
    )
    # Rows read = non-data + stored; SOURCE.md: 2024 has 11,013 rows counting the total row.
    assert loaded["police"][1] == (
        "file,layout,rows_read,non_data,stored,already_present,quarantined,observations\n"
        'homicidios_2023.xls,police-long-coded,11379,"blank 3, footnote 5, header 1, title 6, '
        'total 1",11363,0,0,11363\n'
        'homicidios_2024.xls,police-long-coded,11033,"blank 6, footnote 7, header 1, title 6, '
        'total 1",11012,0,0,11012\n'
    )
    # SOURCE.md: 301 rows, one per massacre; each gives an incident and its victims.
    assert loaded["massacres"][1] == (
        "file,layout,rows_read,non_data,stored,already_present,quarantined,observations\n"
        "Masacres_en_Colombia_clean.csv,massacres-datos-gov,302,header 1,301,0,0,602\n"
    )


RESOLVE_HEAD = "code,name,department,level,match,reason,score,detail\n"


def test_resolve_names_a_user_types(loaded: object, user: Run) -> None:
    assert user("resolve", "Bogota", "-f", "csv") == (
        0, RESOLVE_HEAD + '11001,"BOGOTÁ, D.C.","BOGOTÁ, D.C.",municipality,variant,,,\n'
    )  # fmt: skip
    assert user("resolve", "N. DE SANTANDER", "-f", "csv") == (
        0,
        RESOLVE_HEAD + "54,NORTE DE SANTANDER,,department,variant,,,read as 'norte de santander'\n",
    )
    assert user("resolve", "San Pedro", "-f", "csv") == (
        1,
        RESOLVE_HEAD
        + "05664,SAN PEDRO DE LOS MILAGROS,ANTIOQUIA,municipality,variant,ambiguous,,\n"
        + "70717,SAN PEDRO,SUCRE,municipality,exact-name,ambiguous,,\n"
        + "76670,SAN PEDRO,VALLE DEL CAUCA,municipality,exact-name,ambiguous,,\n",
    )


HEAD = (
    "territory_code,territory_name,period,source,unit,count,population,population_vintage,"
    "rate_per_100k,note,change,change_pct\n"
)


def test_national_homicides_match_the_police_totals(loaded: object, user: Run) -> None:
    # SOURCE.md: sum of CANTIDAD 2023 13,555 · 2024 13,341.
    assert user("indicator", "homicide", "-f", "csv") == (
        0,
        HEAD
        + "CO,COLOMBIA,2023,police,victims,13555,52156254,dane-2018-2035,25.989,,,\n"
        + "CO,COLOMBIA,2024,police,victims,13341,52691440,dane-2018-2035,25.319,,-214,-1.6\n",
    )


def test_departments_by_name_with_change(loaded: object, user: Run) -> None:
    code, out = user(
        "indicator", "homicide", "--territory", "Cauca", "--territory", "NTE SANTANDER",
        "--from", "2024", "-f", "csv",
    )  # fmt: skip
    assert (code, out) == (
        0,
        HEAD
        + "19,CAUCA,2024,police,victims,797,1540130,dane-2018-2035,51.749,,-46,-5.5\n"
        + "54,NORTE DE SANTANDER,2024,police,victims,"
        + _row_tail(user, "54"),
    )


def _row_tail(user: Run, code: str) -> str:
    """Norte de Santander's 2024 row computed from the 2023 and 2024 rows without --from."""
    rows = list(csv.DictReader(user("indicator", "homicide", "--level", "department",
                                    "--territory", code, "-f", "csv")[1].splitlines()))  # fmt: skip
    before, now = (int(r["count"]) for r in rows)
    pct = round((now - before) * 100 / before, 1)
    r = rows[1]
    return (
        f"{now},{r['population']},{r['population_vintage']},{r['rate_per_100k']},,"
        f"{now - before},{pct:g}\n"
    )


def _massacre_victims_2024(shared_data: Path) -> Counter[str]:
    path = shared_data / "masacres_2022_2025" / "Masacres_en_Colombia_clean.csv"
    totals: Counter[str] = Counter()
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["FECHA_HECHO"].startswith("2024"):
                totals[f"{int(row['COD_DEPTO']):02d}"] += int(row["VICTIMAS"])
    return totals


def test_top_departments_by_massacre_victims(loaded: object, user: Run, shared_data: Path) -> None:
    code, out = user(
        "indicator", "massacre", "--level", "department", "--from", "2024", "--to", "2024",
        "--sort", "count", "--top", "3", "-f", "csv",
    )  # fmt: skip
    assert (code, out) == (
        0,
        HEAD
        + "05,ANTIOQUIA,2024,massacres,victims,45,7098694,dane-2018-2035,0.634,,8,21.6\n"
        + "19,CAUCA,2024,massacres,victims,38,1540130,dane-2018-2035,2.467,,6,18.8\n"
        + "76,VALLE DEL CAUCA,2024,massacres,victims,33,4656374,dane-2018-2035,0.709,,4,13.8\n",
    )
    assert _massacre_victims_2024(shared_data).most_common(3) == [
        ("05", 45),
        ("19", 38),
        ("76", 33),
    ]


def test_map_export_has_every_department_with_whole_counts(
    loaded: object, user: Run, tmp_path: Path
) -> None:
    target = tmp_path / "massacres.geojson"
    code, out = user(
        "indicator", "massacre", "--level", "department", "--from", "2024", "--to", "2024",
        "-f", "geojson", "-o", str(target),
    )  # fmt: skip
    assert (code, out) == (0, f"wrote 66 feature(s) to {target}\n")  # 33 × incidents, victims
    features = json.loads(target.read_text())["features"]
    victims = {
        f["properties"]["territory_code"]: f["properties"]["count"]
        for f in features
        if f["properties"]["unit"] == "victims"
    }
    assert all(type(v) is int for v in victims.values())
    assert sum(victims.values()) == 302  # SOURCE.md: victims 2024 302
    assert features[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_coverage_names_the_country(loaded: object, user: Run) -> None:
    assert user("coverage", "-f", "csv") == (
        0,
        "source,country_name,category,unit,territory_level,first,last,months,gaps\n"
        "massacres,COLOMBIA,massacre,incidents,municipality,2022-01-01,2025-04-30,40,\n"
        "massacres,COLOMBIA,massacre,victims,municipality,2022-01-01,2025-04-30,40,\n"
        "police,COLOMBIA,homicide,victims,municipality,2023-01-01,2024-12-31,24,\n",
    )


def test_stats_name_their_territory(loaded: object, user: Run) -> None:
    code, out = user("stats", "-f", "csv")
    rows = list(csv.DictReader(out.splitlines()))
    assert code == 0 and rows
    names = {r["territory"]: r["territory_name"] for r in rows if r["territory"]}
    assert names.get("CO") == "COLOMBIA"
    assert names.get("54") == "NORTE DE SANTANDER"
    assert all(r["unverified"] in ("yes", "no") for r in rows)


def test_actor_by_its_acronym(loaded: object, user: Run) -> None:
    code, out = user("actor", "EMC")
    lines = out.splitlines()
    assert (code, lines[0]) == (0, "emc — Estado Mayor Central (dissident-faction)")
    assert "tables: gov-emc-embf" in lines
    assert user("actor", "emc") == (code, out)


def test_table_by_name_shows_its_scope_by_name(loaded: object, user: Run) -> None:
    code, out = user("table", "Comuneros del Sur")
    lines = out.splitlines()
    assert code == 0
    assert "Government – Comuneros del Sur (Nariño) — regional, political" in lines
    assert "scope: 52 NARIÑO" in lines
    assert user("table", "gov-comuneros-del-sur") == (code, out)
