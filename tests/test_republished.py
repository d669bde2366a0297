"""Re-published files: equal content in other bytes is present; overlaps are refused or revised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from peacemonitor.gazetteer import Gazetteer, load_divipola, load_path
from peacemonitor.importers.framework.errors import OverlapsStoredFile
from peacemonitor.importers.framework.report import ImportReport
from peacemonitor.runner import import_file, import_files, import_history
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"
HEADER = "FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS"
LIST = [
    "2018/01/02,5,ANTIOQUIA,5001,MEDELLIN,1,4",
    "2018/03/15,19,CAUCA,19001,POPAYAN,1,3",
    "2019/06/30,5,ANTIOQUIA,5002,ABEJORRAL,1,5",
    "2019/12/30,5,ANTIOQUIA,5002,ABEJORRAL,1,3",
]


# The publisher's re-issue of 2019: June revised from 5 victims to 6, December unchanged.
REISSUE_2019 = ["2019/06/30,5,ANTIOQUIA,5002,ABEJORRAL,1,6", LIST[3]]


@pytest.fixture
def places(store: Store) -> tuple[Store, Gazetteer]:
    load_divipola(store, DATA / "divipola_small.csv")
    return store, Gazetteer.from_store(store)


def write(
    folder: Path, name: str, rows: list[str], newline: str = "\n", enc: str = "utf-8"
) -> Path:
    path = folder / name
    path.write_bytes(newline.join([HEADER, *rows, ""]).encode(enc))
    return path


def victims_by_year(store: Store) -> dict[int, int]:
    with store.read() as db:
        found = db.execute(
            "SELECT year(date_first), sum(count)::BIGINT FROM observations WHERE part = 'victims' "
            "GROUP BY ALL ORDER BY 1"
        ).fetchall()
    return dict(found)


def one(outcomes: list[Any]) -> Any:
    (outcome,) = outcomes
    return outcome


@pytest.mark.parametrize(
    ("newline", "encoding"), [("\r\n", "utf-8"), ("\n", "utf-8-sig"), ("\r\n", "cp1252")]
)
def test_the_same_content_in_other_bytes_is_already_present(
    places: tuple[Store, Gazetteer], tmp_path: Path, newline: str, encoding: str
) -> None:
    store, gazetteer = places
    import_file(store, "massacres", write(tmp_path, "list.csv", LIST), gazetteer)
    copy = write(tmp_path, "list_copy.csv", LIST, newline, encoding)
    again = import_file(store, "massacres", copy, gazetteer, encoding=encoding)
    assert (again.rows_stored, again.rows_already_present, again.observations_stored) == (0, 4, 0)
    assert again.same_content_as is not None and again.same_content_as.startswith("list.csv, ")
    assert victims_by_year(store) == {2018: 7, 2019: 8}


def test_a_file_covering_stored_periods_is_refused_naming_the_stored_file(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    first = import_file(store, "massacres", write(tmp_path, "first.csv", LIST[:3]), gazetteer)
    assert first.rows_stored == 3
    outcome = one(import_files(store, "massacres", [write(tmp_path, "full.csv", LIST)], gazetteer))
    assert isinstance(outcome, OverlapsStoredFile)
    message = str(outcome)
    assert message.startswith("full.csv: it covers what a stored file of massacres covers — ")
    assert "first.csv, imported 20" in message and "from 2018-01 to 2019-06" in message
    assert message.endswith("import it with --revise to replace them")
    assert victims_by_year(store) == {2018: 7, 2019: 5}  # nothing of full.csv went in


def test_truncated_then_full_then_crlf_ends_with_the_full_counts_once(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    import_file(store, "massacres", write(tmp_path, "truncated.csv", LIST[:2]), gazetteer)
    full = write(tmp_path, "full.csv", LIST)
    revised = one(import_files(store, "massacres", [full], gazetteer, revise=True))
    assert isinstance(revised, ImportReport)
    assert revised.observations_replaced == 4  # 2 incidents + 2 victim counts of 2018
    assert [(s["file"], s["periods"]) for s in revised.supersedes] == [
        ("truncated.csv", {"2018": 4})
    ]
    crlf = import_file(
        store, "massacres", write(tmp_path, "full_crlf.csv", LIST, "\r\n"), gazetteer
    )
    assert crlf.observations_stored == 0 and crlf.same_content_as is not None
    assert victims_by_year(store) == {2018: 7, 2019: 8}
    history = {r.file: r for r in import_history(store)}
    assert history["full.csv"].supersedes[0]["file"] == "truncated.csv"
    assert history["full_crlf.csv"].same_content_as == crlf.same_content_as


def test_revising_one_year_changes_only_that_year(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    import_file(store, "massacres", write(tmp_path, "list.csv", LIST), gazetteer)
    reissue = write(tmp_path, "2019_revised.csv", REISSUE_2019)
    report = one(import_files(store, "massacres", [reissue], gazetteer, revise=True))
    assert isinstance(report, ImportReport)
    assert [s["periods"] for s in report.supersedes] == [{"2019": 4}]
    assert victims_by_year(store) == {2018: 7, 2019: 9}


def test_another_department_is_no_overlap(places: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    """Coverage is per department: a list of Cauca does not overlap a list of Antioquia."""
    store, gazetteer = places
    antioquia = [r for r in LIST if ",5," in r]
    import_file(store, "massacres", write(tmp_path, "antioquia.csv", antioquia), gazetteer)
    cauca = import_file(store, "massacres", write(tmp_path, "cauca.csv", LIST[1:2]), gazetteer)
    assert cauca.rows_stored == 1 and not cauca.supersedes


def test_revise_never_touches_another_source(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    import_file(store, "police", DATA / "kidnapping_wide.csv", gazetteer)
    with store.read() as db:
        before = db.execute("SELECT count(*) FROM observations WHERE source = 'police'").fetchone()
    import_files(store, "massacres", [DATA / "massacres_small.csv"], gazetteer, revise=True)
    with store.read() as db:
        after = db.execute("SELECT count(*) FROM observations WHERE source = 'police'").fetchone()
    assert before == after


def test_cli_reports_what_a_revision_replaced(tmp_path: Path, store: Store) -> None:
    from peacemonitor.cli import app

    load_divipola(store, DATA / "divipola_small.csv")
    run = CliRunner()
    base = ["--db", str(store.path), "import", "massacres"]
    first = write(tmp_path, "list.csv", LIST)
    assert run.invoke(app, [*base, str(first)]).exit_code == 0
    reissue = write(tmp_path, "2019_revised.csv", REISSUE_2019)
    refused = run.invoke(app, [*base, str(reissue)])
    assert refused.exit_code == 1
    assert "error: 2019_revised.csv: it covers what a stored file of massacres covers" in (
        refused.output
    )
    revised = run.invoke(app, [*base, str(reissue), "--revise"])
    assert revised.exit_code == 0
    assert revised.output.splitlines()[-1] == (
        "2019_revised.csv: replaced observations of list.csv (2019: 4)"
    )


@pytest.mark.shared_data
def test_the_real_massacre_list_truncated_full_and_crlf(
    shared_data: Path, store: Store, tmp_path: Path
) -> None:
    """The issue's sequence on the official list: 93 massacres in 2022, once."""
    load_path(store, shared_data / "divipola")
    gazetteer = Gazetteer.from_store(store)
    path = shared_data / "masacres_2022_2025" / "Masacres_en_Colombia_clean.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    truncated = tmp_path / "masacres_truncated.csv"
    truncated.write_text("\n".join(lines[:150]) + "\n", encoding="utf-8")
    crlf = tmp_path / "masacres_crlf.csv"
    crlf.write_bytes("\r\n".join(lines).encode("utf-8") + b"\r\n")
    import_file(store, "massacres", truncated, gazetteer)
    assert isinstance(one(import_files(store, "massacres", [path], gazetteer)), OverlapsStoredFile)
    assert isinstance(
        one(import_files(store, "massacres", [path], gazetteer, revise=True)), ImportReport
    )
    assert import_file(store, "massacres", crlf, gazetteer).observations_stored == 0
    with store.read() as db:
        incidents = db.execute(
            "SELECT sum(count)::BIGINT FROM observations WHERE part = 'incidents' "
            "AND year(date_first) = 2022"
        ).fetchone()
    assert incidents == (93,)
    assert victims_by_year(store) == {2022: 340, 2023: 333, 2024: 302, 2025: 75}  # SOURCE.md
