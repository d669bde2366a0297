"""The runner: accounting, atomicity, idempotence, files in turn, the import CLI."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from peacemonitor.gazetteer import load_divipola
from peacemonitor.importers import IMPORTERS
from peacemonitor.importers.framework.batches import BatchBuilder
from peacemonitor.importers.framework.context import BaseImporter, ImportContext, QuarantineRow
from peacemonitor.importers.framework.errors import AccountingError, UnknownSource
from peacemonitor.importers.framework.items import (
    DeclaredTotal,
    Layout,
    NonData,
    Quarantined,
    RowKind,
    RowsRead,
)
from peacemonitor.runner import get_importer, import_file, import_files
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"
PLACE = ("municipality", "05001", "code")


class Scripted(BaseImporter):
    """A test importer: yields what the test scripts, to probe the framework's own checks."""

    source = "scripted"

    def __init__(self, items: list[Any]) -> None:
        self.items = items

    def read(self, ctx: ImportContext) -> Iterator[Any]:
        for item in self.items:
            if isinstance(item, BaseException):
                raise item
            yield item() if callable(item) else item

    def retry(self, row: QuarantineRow, ctx: ImportContext) -> Iterator[Any]:
        yield from ()


def batch(*rows: int, count: float = 1.0) -> Any:
    """A callable making a fresh Arrow batch of these rows each time the importer runs."""

    def make() -> Any:
        builder = BatchBuilder(["note"])
        for row in rows:
            day = dt.date(2020, 1, 1)
            builder.add(row, None, "", "homicide", "victims", count, day, "day", PLACE, ("x",))
        return builder.flush()

    return make


@pytest.fixture
def scripted(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Register a scripted importer for one test; returns a function setting its items."""
    holder: dict[str, list[Any]] = {"items": []}
    monkeypatch.setitem(IMPORTERS, "scripted", lambda: Scripted(holder["items"]))

    def script(*items: Any) -> None:
        holder["items"] = list(items)

    return script


@pytest.fixture
def source_file(tmp_path: Path) -> Path:
    path = tmp_path / "input.txt"
    path.write_text("any bytes: the scripted importer does not read them\n")
    return path


def count(store: Store, table: str) -> int:
    with store.read() as db:
        return int(db.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0])


def test_accounting_adds_up_and_is_recorded(store: Store, scripted: Any, source_file: Path) -> None:
    scripted(
        Layout("test"),
        NonData(1, RowKind.TITLE),
        NonData(2, RowKind.HEADER),
        batch(3, 4, 5),
        Quarantined(6, "bad-date", "FECHA", {"cells": {"FECHA": "x"}}, counts={"": 2.0}),
        DeclaredTotal(7, "CANTIDAD", 5.0),
        NonData(7, RowKind.TOTAL),
        RowsRead(7),
    )
    report = import_file(store, "scripted", source_file, resolver=None)  # type: ignore[arg-type]
    assert report.rows_read == 7 == report.accounted
    assert report.rows_non_data == {"title": 1, "header": 1, "total": 1}
    assert (report.rows_stored, report.observations_stored) == (3, 3)
    assert report.rows_quarantined == {"bad-date": 1}
    assert report.totals[0].stored == 3.0 and report.totals[0].quarantined == 2.0
    with store.read() as db:
        recorded = db.execute(
            "SELECT source, layout, file_name, rows_read, rows_stored, rows_quarantined "
            "FROM imports"
        ).fetchall()
        ids = db.execute("SELECT record_id FROM observations ORDER BY row_number").fetchall()
    assert recorded == [("scripted", "test", "input.txt", 7, 3, '{"bad-date": 1}')]
    assert [i[0] for i in ids] == [f"{report.sha256}:{n}" for n in (3, 4, 5)]


@pytest.mark.parametrize(
    ("items", "message"),
    [
        ((batch(1, 2), RowsRead(3)), "row 3: row neither stored, quarantined nor non-data"),
        ((batch(1), NonData(1, RowKind.BLANK), RowsRead(1)), "row 1: row accounted for twice"),
        ((batch(1, 2), RowsRead(1)), "row 2: row outside the 1 rows read"),
        ((batch(1),), "never said how many rows"),
    ],
)
def test_the_framework_refuses_accounts_that_do_not_add_up(
    store: Store, scripted: Any, source_file: Path, items: Any, message: str
) -> None:
    scripted(*items)
    with pytest.raises(AccountingError, match=message):
        import_file(store, "scripted", source_file, resolver=None)  # type: ignore[arg-type]
    assert count(store, "observations") == 0 and count(store, "imports") == 0


def test_ctrl_c_mid_file_leaves_the_store_as_it_was(
    store: Store, scripted: Any, source_file: Path
) -> None:
    scripted(batch(1, 2), KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        import_file(store, "scripted", source_file, resolver=None)  # type: ignore[arg-type]
    assert count(store, "observations") == 0 and count(store, "imports") == 0


def test_reimport_is_idempotent_and_quarantine_is_not_doubled(
    store: Store, scripted: Any, source_file: Path
) -> None:
    held = Quarantined(3, "territory-unknown", "MUNICIPIO", {"cells": {}}, record_id="r3")
    scripted(batch(1, 2), held, RowsRead(3))
    import_file(store, "scripted", source_file, resolver=None)  # type: ignore[arg-type]
    again = import_file(store, "scripted", source_file, resolver=None)  # type: ignore[arg-type]
    assert (again.rows_stored, again.rows_already_present) == (0, 2)
    assert again.rows_quarantined == {"territory-unknown": 1}
    assert count(store, "observations") == 2 and count(store, "quarantine") == 1
    assert count(store, "imports") == 2


def test_unknown_source_is_a_named_error() -> None:
    with pytest.raises(UnknownSource, match="known sources are acled, acled-hdx, .*, police"):
        get_importer("acled-typo")


# --- the CLI --------------------------------------------------------------------------------


@pytest.fixture
def cli_store(cli: Any, tmp_path: Path) -> Any:
    """The CLI's temporary store with the small DIVIPOLA list loaded."""
    store = Store(tmp_path / "cli.duckdb")
    store.migrate()
    load_divipola(store, DATA / "divipola_small.csv")
    return cli


def test_cli_import_prints_where_every_row_went(cli_store: Any) -> None:
    code, out = cli_store("import", "massacres", str(DATA / "massacres_small.csv"), "-f", "csv")
    assert code == 0
    assert out == (
        "file,layout,rows_read,non_data,stored,already_present,quarantined,observations\n"
        "massacres_small.csv,massacres-datos-gov,4,header 1,3,0,0,6\n"
    )
    code, out = cli_store("import", "massacres", str(DATA / "massacres_small.csv"), "-f", "json")
    report = json.loads(out)[0]
    assert (report["rows_stored"], report["rows_already_present"]) == (0, 3)


def test_cli_import_reports_a_bad_file_and_goes_on(cli_store: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("no,header,here\n1,2,3\n")
    code, out = cli_store(
        "import", "massacres", str(bad), str(DATA / "massacres_small.csv"), "-f", "csv"
    )
    assert code == 1
    assert "massacres_small.csv,massacres-datos-gov,4,header 1,3,0,0,6" in out
    assert "error: bad.csv: no header row of a known layout (massacres-datos-gov)" in out
    assert "Traceback" not in out


def test_cli_import_unknown_source(cli_store: Any) -> None:
    code, out = cli_store("import", "nope", str(DATA / "massacres_small.csv"))
    assert code == 1
    assert out.startswith("error: no importer for 'nope': known sources are acled, acled-hdx, ")


def test_cli_quarantine_lists_and_retries(cli_store: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    cli_store("import", "leaders", str(DATA / "leaders_small.csv"))
    code, out = cli_store("quarantine", "-f", "csv")
    assert (code, out) == (
        0,
        "source,file,reason,rows,resolved\nleaders,leaders_small.csv,territory-unknown,1,0\n",
    )
    code, out = cli_store("quarantine", "--list", "-f", "csv")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "source,file,row,reason,column,detail,raw"
    assert lines[1].startswith("leaders,leaders_small.csv,3,territory-unknown,Municipio,")
    assert "Persona Ficticia" not in out and "<redacted: sensitive>" in out
    monkeypatch.setenv("PEACEMONITOR_SHOW_SENSITIVE", "1")
    assert "Persona Ficticia Dos" in cli_store("quarantine", "--list", "-f", "csv")[1]
    code, out = cli_store("quarantine", "retry", "-f", "csv")
    assert code == 0
    assert out.splitlines()[1] == (
        "leaders_small.csv (retry),leaders-list,1,0,0,0,territory-unknown 1,0"
    )


READER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from peacemonitor.store import Store
    with Store(Path(sys.argv[1]), timeout=3).read() as db:
        print(db.execute("SELECT count(*) FROM observations").fetchall()[0][0])
    """
)


def test_a_reader_in_another_process_gets_in_between_two_files(
    store: Store, scripted: Any, tmp_path: Path
) -> None:
    """Each file has its own write transaction, and the session hands the store to a reader
    that is waiting before it starts the next file: the reader sees the first file only."""
    scripted(batch(1), RowsRead(1))
    files = [tmp_path / "a.txt", tmp_path / "b.txt"]
    for i, path in enumerate(files):
        path.write_text(f"file {i}\n")
    readers: list[subprocess.Popen[str]] = []
    queue = Path(str(store.path) + ".readers-waiting")

    def between(path: Path, outcome: Any) -> None:
        if path.name == "a.txt":
            command = [sys.executable, "-c", READER, str(store.path)]
            readers.append(subprocess.Popen(command, stdout=subprocess.PIPE, text=True))
            for _ in range(400):  # until the reader is queued behind this import's lock
                if queue.is_dir() and any(queue.iterdir()):
                    return
                time.sleep(0.025)

    reports = import_files(store, "scripted", files, None, on_file=between)  # type: ignore[arg-type]
    out, _ = readers[0].communicate(timeout=30)
    assert (readers[0].returncode, out.strip()) == (0, "1")
    # b.txt parses to a.txt's content (the script yields the same row): already present
    assert [(r.rows_stored, r.rows_already_present) for r in reports] == [(1, 0), (0, 1)]  # type: ignore[union-attr]


def test_cli_import_takes_a_folder(cli_store: Any, tmp_path: Path) -> None:
    """A folder's files are recognised by content, as `data load` does: the massacre list is
    imported, the DIVIPOLA list and the notes beside it are skipped, not errors."""
    folder = tmp_path / "download"
    (folder / "sub").mkdir(parents=True)
    shutil.copy(DATA / "massacres_small.csv", folder / "sub" / "massacres_small.csv")
    shutil.copy(DATA / "divipola_small.csv", folder / "divipola_small.csv")
    (folder / "SOURCE.md").write_text("notes")
    code, out = cli_store("import", "massacres", str(folder), "-f", "csv")
    assert (code, out) == (
        0,
        "divipola_small.csv: skipped (not a massacres layout)\n"
        "file,layout,rows_read,non_data,stored,already_present,quarantined,observations\n"
        "massacres_small.csv,massacres-datos-gov,4,header 1,3,0,0,6\n",
    )
    code, out = cli_store("import", "massacres", str(DATA / "divipola_small.csv"))
    assert code == 1 and "divipola_small.csv" in out  # a file named alone must be one


@pytest.mark.parametrize(
    ("source", "fixture"),
    [
        ("massacres", "massacres_small.csv"),
        ("leaders", "leaders_small.csv"),
        ("ucdp", "ucdp/ged_49_small.csv"),
        ("acled", "acled/export_small.csv"),
        ("acled-hdx", "acled/hdx_admin2_small.csv"),
        ("pax", "pax/pax_small.csv"),
        ("ceasefires", "ethprio/cf_small.csv"),
    ],
)
def test_a_csv_cut_mid_row_says_so(cli_store: Any, tmp_path: Path, source: str, fixture: str):
    """A download cut short (no line end, the last row short of columns) is refused by every
    CSV importer with the same words, before anything is stored."""
    data = (DATA / fixture).read_bytes().rstrip(b"\r\n")
    last = data.rsplit(b"\n", 1)[1]
    cut = tmp_path / Path(fixture).name
    cut.write_bytes(data[: len(data) - len(last) + len(last) // 2].rstrip(b",;"))
    code, out = cli_store("import", source, str(cut), "-f", "csv")
    assert code == 1
    assert out.startswith(f"error: {cut.name}")
    assert "the file ends in the middle of a row" in out, out
