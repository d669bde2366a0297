"""The one CSV reader and its encoding policy: UTF-8 with or without BOM, Windows-1252 only
when the bytes prove it, a named error naming file and row otherwise."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peacemonitor.csvfiles import BrokenCsv, TextUndecodable, decode, read_csv, sniff_delimiter

ROWS = [["codigo", "municipio"], ["05001", "Medellín"], ["27001", "Quibdó ñ"]]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def csv_text(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("codec", "prefix", "reported"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("cp1252", b"", "cp1252"),
    ],
)
def test_each_encoding_reads_the_same_rows(
    tmp_path: Path, codec: str, prefix: bytes, reported: str
) -> None:
    path = write(tmp_path, "m.csv", prefix + csv_text(ROWS).encode(codec))
    table = read_csv(path)
    assert (table.rows, table.encoding, table.delimiter) == (ROWS, reported, ",")


def test_a_given_encoding_is_used_strictly(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", csv_text(ROWS).encode("cp1252"))
    assert read_csv(path, "latin-1").rows == ROWS
    with pytest.raises(TextUndecodable, match=r"^m.csv, row 2: not valid utf-8 at byte 29"):
        read_csv(path, "utf-8")
    with pytest.raises(TextUndecodable, match="unknown encoding 'klingon'"):
        read_csv(path, "klingon")


def test_a_file_mixing_encodings_names_file_and_row(tmp_path: Path) -> None:
    data = "codigo,municipio\n05001,Medellín\n".encode() + "27001,Quibdó\n".encode("cp1252")
    path = write(tmp_path, "mixed.csv", data)
    with pytest.raises(TextUndecodable, match=r"^mixed.csv, row 3: mixes encodings") as error:
        read_csv(path)
    assert (error.value.file, error.value.row) == (str(path), 3)
    assert "UTF-8 text at row 2" in str(error.value)


def test_utf8_text_in_a_file_read_as_cp1252_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", csv_text(ROWS).encode("utf-8"))
    with pytest.raises(TextUndecodable, match=r"row 2: mixes encodings"):
        read_csv(path, "cp1252")


def test_bytes_that_prove_no_encoding_are_refused(tmp_path: Path) -> None:
    undefined = write(tmp_path, "u.csv", b"a,b\n1,\x81x\n")  # 0x81 is undefined in cp1252
    with pytest.raises(TextUndecodable, match=r"u.csv, row 2: neither UTF-8 nor Windows-1252"):
        read_csv(undefined)
    control = write(tmp_path, "c.csv", b"a,b\n1,\xe9\n2,\x01\n")
    with pytest.raises(TextUndecodable, match=r"c.csv, row 3: .*control character"):
        read_csv(control)


def test_a_head_cut_inside_a_character_still_decodes(tmp_path: Path) -> None:
    data = "a,b\n1,ñ\n".encode()
    text, used = decode(tmp_path / "x.csv", data[:-2], final=False)
    assert (text, used) == ("a,b\n1,", "utf-8")


def test_broken_quoting_names_the_row(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", b'a,b\n1,2\n3,"4\n')
    with pytest.raises(BrokenCsv, match=r"q.csv, row 3: broken CSV"):
        read_csv(path)


cells = st.text(
    alphabet=st.characters(codec="cp1252", exclude_categories=("Cc", "Cs")), max_size=12
)
tables = st.lists(st.lists(cells, min_size=2, max_size=2), min_size=1, max_size=6)


@given(rows=tables, delimiter=st.sampled_from([",", ";", "\t"]), bom=st.booleans())
def test_utf8_round_trip(rows: list[list[str]], delimiter: str, bom: bool) -> None:
    header = [["codigo", "nombre"]]
    text = csv_text(header + rows, delimiter)
    data = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    decoded, used = decode(Path("p.csv"), data)
    assert decoded == text
    assert used == ("utf-8-sig" if bom else "utf-8")


@given(rows=tables)
def test_cp1252_text_is_never_mojibake(rows: list[list[str]]) -> None:
    """Windows-1252 text is read back as written or refused by name — unless its bytes are
    valid UTF-8 as a whole ("Â\xa0" is C2 A0), which the policy reads as UTF-8 by design."""
    text = csv_text([["codigo", "nombre"], *rows])
    data = text.encode("cp1252")
    try:
        decoded, used = decode(Path("p.csv"), data)
    except TextUndecodable as error:
        assert "mixes encodings" in str(error)
        return
    assert (decoded, used) == ((text, "cp1252") if not _is_utf8(data) else (data.decode(), "utf-8"))


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode()
    except UnicodeDecodeError:
        return False
    return True


@given(rows=tables, delimiter=st.sampled_from([",", ";", "\t"]))
def test_the_delimiter_is_found(rows: list[list[str]], delimiter: str) -> None:
    plain = [[c.replace(",", "").replace(";", "").replace("\t", "") for c in r] for r in rows]
    header = [["codigo", "nombre", "poblacion"]]
    text = csv_text(header + [[*r, "1"] for r in plain], delimiter)
    assert sniff_delimiter(text) == delimiter
