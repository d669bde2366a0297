"""DANE's DIVIPOLA lists: every row accounted for, idempotent loads, named errors, and the
one encoding policy (a Windows-1252 list loads and says so; a mixed file is refused)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from peacemonitor.csvfiles import TextUndecodable
from peacemonitor.divipola import load_divipola
from peacemonitor.store import Store
from peacemonitor.territories import TerritoryFileInvalid, UnrecognisedFile

FIXTURES = Path(__file__).parent / "data" / "territories"


@pytest.fixture
def loaded(store: Store) -> Store:
    for name in ("dl_municipios.csv", "dl_departamentos.csv", "codigos_municipios.csv"):
        load_divipola(store, FIXTURES / name)
    return store


def _count(store: Store, sql: str) -> int:
    with store.read() as db:
        row = db.execute(sql).fetchone()
    assert row is not None
    return int(row[0])


def test_load_accounts_for_every_row(store: Store) -> None:
    report = load_divipola(store, FIXTURES / "codigos_municipios.csv")
    assert (report.layout, report.rows_read, report.rows_stored) == ("dane-divipola-codigos", 5, 3)
    assert sorted(report.non_data) == [5, 6]
    assert "Fuente: DANE." in report.non_data[5]
    assert _count(store, "SELECT count(*) FROM territory_loads") == 1


def test_load_is_idempotent(loaded: Store) -> None:
    before = [
        _count(loaded, f"SELECT count(*) FROM {t}") for t in ("territories", "territory_names")
    ]
    load_divipola(loaded, FIXTURES / "dl_municipios.csv")
    after = [
        _count(loaded, f"SELECT count(*) FROM {t}") for t in ("territories", "territory_names")
    ]
    assert before == after


def test_bad_cell_names_file_row_and_column(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "municipios.csv"
    lines = (FIXTURES / "dl_municipios.csv").read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("6.46", "six")
    bad.write_text("\n".join(lines), encoding="utf-8")
    with pytest.raises(TerritoryFileInvalid, match=r"municipios.csv, row 3, column lat: 'six'"):
        load_divipola(store, bad)
    assert _count(store, "SELECT count(*) FROM territories") == 0


def test_municipality_outside_its_department_is_refused(store: Store, tmp_path: Path) -> None:
    bad = tmp_path / "m.csv"
    text = (FIXTURES / "dl_municipios.csv").read_text(encoding="utf-8")
    bad.write_text(text.replace("5,ANTIOQUIA,5001", "8,ANTIOQUIA,5001"), encoding="utf-8")
    with pytest.raises(TerritoryFileInvalid, match="row 2, column code"):
        load_divipola(store, bad)


def test_unknown_file_is_refused(store: Store, tmp_path: Path) -> None:
    other = tmp_path / "other.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(UnrecognisedFile, match="not a DIVIPOLA list"):
        load_divipola(store, other)


def test_a_file_without_any_curated_code_history_loads(store: Store, tmp_path: Path) -> None:
    """No department of the file has a retired code: nothing to update, and no crash."""
    path = tmp_path / "municipios.csv"
    source = (FIXTURES / "codigos_municipios.csv").read_text(encoding="utf-8-sig")
    path.write_text("\n".join(x for x in source.splitlines() if "GUAIN" not in x), encoding="utf-8")
    load_divipola(store, path)
    assert _count(store, "SELECT count(*) FROM territories WHERE successor IS NOT NULL") == 0


@pytest.mark.parametrize(
    ("encode", "reported"),
    [
        (lambda text: text.encode("utf-8"), "utf-8"),
        (lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"), "utf-8-sig"),
        (lambda text: text.encode("cp1252"), "cp1252"),
    ],
)
def test_each_encoding_loads_the_same_names_and_says_which(
    store: Store, tmp_path: Path, encode: Callable[[str], bytes], reported: str
) -> None:
    path = tmp_path / "municipios.csv"
    path.write_bytes(encode((FIXTURES / "dl_municipios.csv").read_text(encoding="utf-8")))
    report = load_divipola(store, path)
    assert (report.encoding, report.rows_read) == (reported, 11)
    assert report.summary().endswith(f", read as {reported}")
    with store.read() as db:
        names = db.execute("SELECT name FROM territories WHERE code = '05001'").fetchall()
    assert names == [("MEDELLÍN",)]


def test_a_list_mixing_encodings_is_refused_naming_the_row(store: Store, tmp_path: Path) -> None:
    lines = (FIXTURES / "dl_municipios.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "mixed.csv"
    path.write_bytes("\n".join(lines[:2]).encode() + b"\n" + "\n".join(lines[2:]).encode("cp1252"))
    with pytest.raises(TextUndecodable, match=r"^mixed.csv, row \d+: mixes encodings"):
        load_divipola(store, path)
    assert _count(store, "SELECT count(*) FROM territories") == 0
