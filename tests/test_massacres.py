"""Official massacre list: incidents and victims per row, codes that lost their zero."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from peacemonitor.gazetteer import Gazetteer, load_divipola, load_path
from peacemonitor.importers.framework.errors import BadFile, UnknownLayout
from peacemonitor.importers.framework.report import ImportReport
from peacemonitor.runner import import_file
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"
HEADER = "FECHA_HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,CASOS,VICTIMAS\n"


@pytest.fixture
def places(store: Store) -> tuple[Store, Gazetteer]:
    load_divipola(store, DATA / "divipola_small.csv")
    return store, Gazetteer.from_store(store)


def rows(store: Store) -> list[tuple[Any, ...]]:
    with store.read() as db:
        return db.execute(
            "SELECT row_number, part, unit, count, date_first::VARCHAR, territory_code "
            "FROM observations ORDER BY row_number, part"
        ).fetchall()


def test_each_massacre_yields_its_incident_and_its_victims(places: tuple[Store, Gazetteer]) -> None:
    store, gazetteer = places
    report = import_file(store, "massacres", DATA / "massacres_small.csv", gazetteer)
    assert (report.rows_read, report.rows_stored, report.observations_stored) == (4, 3, 6)
    assert rows(store)[:2] == [
        (2, "incidents", "incidents", 1.0, "2018-01-02", "05001"),
        (2, "victims", "victims", 4.0, "2018-01-02", "05001"),
    ]
    assert [r[5] for r in rows(store)][::2] == ["05001", "19001", "05002"]


def test_total_row_and_bad_cells(places: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = places
    path = tmp_path / "m.csv"
    path.write_text(
        HEADER
        + "2018/01/02,5,ANTIOQUIA,5001,MEDELLIN,1,4\n"
        + "2018/01/03,5,ANTIOQUIA,5001,MEDELLIN,1,tres\n"
        + "2018/13/03,5,ANTIOQUIA,5001,MEDELLIN,1,3\n"
        + "TOTAL,,,,,3,7\n"
        + "Fuente: Ministerio de Defensa\n"
    )
    report = import_file(store, "massacres", path, gazetteer)
    assert report.rows_quarantined == {"bad-count": 1, "bad-date": 1}
    assert report.rows_non_data == {"header": 1, "total": 1, "footnote": 1}
    assert [(t.part, t.declared, t.stored, t.quarantined) for t in report.totals] == [
        ("incidents", 3.0, 1.0, 2.0),
        ("victims", 7.0, 4.0, 3.0),
    ]


def test_a_total_that_does_not_add_up_fails(
    places: tuple[Store, Gazetteer], tmp_path: Path
) -> None:
    store, gazetteer = places
    path = tmp_path / "m.csv"
    path.write_text(HEADER + "2018/01/02,5,ANTIOQUIA,5001,MEDELLIN,1,4\nTOTAL,,,,,1,5\n")
    with pytest.raises(Exception, match=r"m.csv, row 3, column VICTIMAS: the file's TOTAL says 5"):
        import_file(store, "massacres", path, gazetteer)


def test_missing_victims_column(places: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = places
    path = tmp_path / "m.csv"
    path.write_text(HEADER.replace(",VICTIMAS", "") + "2018/01/02,5,ANTIOQUIA,5001,MEDELLIN,1\n")
    with pytest.raises(UnknownLayout, match=r"m.csv, row 1: .*lacks required column victims"):
        import_file(store, "massacres", path, gazetteer)


def test_truncated_quoted_field(places: tuple[Store, Gazetteer], tmp_path: Path) -> None:
    store, gazetteer = places
    path = tmp_path / "m.csv"
    path.write_text(HEADER + '2018/01/02,5,"ANTIOQUIA,5001,MEDELLIN,1,4\n')
    with pytest.raises(BadFile, match=r"m.csv, row 2: broken CSV"):
        import_file(store, "massacres", path, gazetteer)


@pytest.mark.shared_data
def test_the_real_list(shared_data: Path, store: Store) -> None:
    load_path(store, shared_data / "divipola")
    gazetteer = Gazetteer.from_store(store)
    path = shared_data / "masacres_2022_2025" / "Masacres_en_Colombia_clean.csv"
    report = import_file(store, "massacres", path, gazetteer)
    assert isinstance(report, ImportReport)
    assert (report.rows_read, report.rows_stored, report.rows_quarantined) == (302, 301, {})
    with store.read() as db:
        victims = dict(
            db.execute(
                "SELECT year(date_first), sum(count)::BIGINT FROM observations "
                "WHERE part = 'victims' GROUP BY ALL"
            ).fetchall()
        )
    assert victims == {2022: 340, 2023: 333, 2024: 302, 2025: 75}  # SOURCE.md
