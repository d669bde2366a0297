"""CSV files as the package reads them: one encoding policy and one reader for every CSV —
imports (Police, ACLED, UCDP …) and reference files (DIVIPOLA, population) alike.

The policy: a given encoding is used strictly. Otherwise a file is UTF-8 (with or without a
byte-order mark) when its bytes are UTF-8; else Windows-1252 (which covers Latin-1's printable
characters) only when the bytes prove it — none of the five bytes cp1252 leaves undefined, no
control characters, and no UTF-8 sequence anywhere (that would be a file mixing encodings). A
file that fails is a ``TextUndecodable`` naming the file and the row; never silent mojibake.
The encoding used travels with the rows, so reports can say it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from peacemonitor.errors import FileError

UTF8 = "utf-8"
UTF8_BOM = "utf-8-sig"
CP1252 = "cp1252"
DELIMITERS = (",", ";", "\t")
SNIFF_CHARS = 65536

# A well-formed UTF-8 sequence of two to four bytes: in a file that is not UTF-8 as a whole,
# one of these means some of its text was written as UTF-8 (encodings mixed).
_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class TextUndecodable(FileError):
    """A text file whose bytes are not in the encoding given, or in none the policy can prove."""


class BrokenCsv(FileError):
    """A CSV file whose quoting is broken (often a truncated file)."""


@dataclass(frozen=True)
class CsvText:
    """The records of a CSV file, and how it was encoded and delimited."""

    rows: list[list[str]]
    encoding: str
    delimiter: str


def row_of(data: bytes, offset: int) -> int:
    """The 1-based line of ``data`` holding byte ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def decode(
    path: Path, data: bytes, encoding: str | None = None, final: bool = True
) -> tuple[str, str]:
    """(text, encoding used) for ``data``, the whole file or (``final=False``) its head, by the
    policy above. A byte-order mark is dropped."""
    if encoding is not None:
        text = _decode_as(path, data, encoding, final)
        refuse_mixed(path, data, encoding)
        return text, _canonical(encoding, data)
    if data.startswith(codecs.BOM_UTF8):
        return _decode_as(path, data, UTF8_BOM, final), UTF8_BOM
    try:
        return _incremental(UTF8, data, final), UTF8
    except UnicodeDecodeError as error:
        bad = error.start
    mixed = _UTF8_SEQUENCE.search(data)
    if mixed is not None:
        raise TextUndecodable(
            path,
            f"mixes encodings: UTF-8 text at row {row_of(data, mixed.start())} and a byte that "
            f"is not UTF-8 ({data[bad : bad + 1]!r}); re-save the file as UTF-8",
            row=row_of(data, bad),
        )
    return _proven_cp1252(path, data, final), CP1252


def refuse_mixed(path: Path, chunk: bytes, encoding: str, rows_before: int = 0) -> None:
    """A TextUndecodable when a chunk of a file read as Windows-1252 holds UTF-8 text (which
    cp1252 would silently turn into mojibake: "Ã¡" for "á"); ``rows_before`` numbers its rows."""
    if codecs.lookup(encoding).name != CP1252:
        return
    mixed = _UTF8_SEQUENCE.search(chunk)
    if mixed is not None:
        raise TextUndecodable(
            path,
            "mixes encodings: UTF-8 text in a file read as cp1252; re-save the file as UTF-8",
            row=rows_before + row_of(chunk, mixed.start()),
        )


def _proven_cp1252(path: Path, data: bytes, final: bool) -> str:
    """The text when the bytes are Windows-1252 beyond doubt, else a TextUndecodable."""
    try:
        text = _incremental(CP1252, data, final)
    except UnicodeDecodeError as error:
        raise TextUndecodable(
            path,
            f"neither UTF-8 nor Windows-1252 (byte {data[error.start : error.start + 1]!r}); "
            "give the right --encoding",
            row=row_of(data, error.start),
        ) from None
    control = _CONTROL.search(text)
    if control is not None:
        raise TextUndecodable(
            path,
            f"neither UTF-8 nor text in Windows-1252 (control character {control.group()!r}); "
            "give the right --encoding",
            row=text.count("\n", 0, control.start()) + 1,
        )
    return text


def _decode_as(path: Path, data: bytes, encoding: str, final: bool) -> str:
    try:
        text = _incremental(encoding, data, final)
    except LookupError:
        raise TextUndecodable(path, f"unknown encoding {encoding!r}") from None
    except UnicodeDecodeError as error:
        byte = data[error.start : error.start + 1]
        raise TextUndecodable(
            path,
            f"not valid {encoding} at byte {error.start} ({byte!r}); "
            "give the right --encoding (e.g. cp1252)",
            row=row_of(data, error.start),
        ) from None
    return text.removeprefix("\ufeff")


def _incremental(encoding: str, data: bytes, final: bool) -> str:
    return codecs.getincrementaldecoder(encoding)(errors="strict").decode(data, final=final)


def _canonical(encoding: str, data: bytes) -> str:
    """The name a report shows: the codec's own, and utf-8-sig when a UTF-8 file has a BOM."""
    name = codecs.lookup(encoding).name
    return UTF8_BOM if name == UTF8 and data.startswith(codecs.BOM_UTF8) else name


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever the start of the file holds most of."""
    sample = text[:SNIFF_CHARS]
    return max(DELIMITERS, key=sample.count)


def parse_csv(
    path: Path, text: str, delimiter: str, limit: int | None = None, strict: bool = True
) -> list[list[str]]:
    """The records of decoded CSV text (the first ``limit`` of them); ``strict`` refuses a
    stray quote (a whole file), lenient suits a head read to recognise the layout."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=strict)
    rows: list[list[str]] = []
    try:
        for record in reader:
            rows.append(record)
            if limit is not None and len(rows) >= limit:
                break
    except csv.Error as error:
        raise BrokenCsv(path, f"broken CSV: {error} (truncated?)", row=len(rows) + 1) from None
    return rows


def read_csv(path: Path, encoding: str | None = None) -> CsvText:
    """Every record of a CSV file (comma, semicolon or tab), decoded by the policy above."""
    text, used = decode(path, path.read_bytes(), encoding)
    delimiter = sniff_delimiter(text)
    return CsvText(parse_csv(path, text, delimiter), used, delimiter)
