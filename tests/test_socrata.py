"""Police datasets on datos.gov.co through the SODA API, against a local Socrata stand-in.

The stand-in answers like datos.gov.co: ``/api/views/<id>.json`` (the column list with display
names, API field names and types) and ``/resource/<id>.csv`` (field-name header, ISO dates,
plain numbers; ``$select``, ``$order``, ``$limit``, ``$offset``, ``$where``). The rows are
synthetic, except in the round trip through the first lines of the real 2022 export."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from publishers import Reply, Request, serve

from peacemonitor.fetch import Http, HttpStatus
from peacemonitor.fetches import list_fetches, record
from peacemonitor.socrata import (
    CannotFilterByDate,
    UnknownPoliceDataset,
    export_value,
    fetch_police,
    police_dataset,
)
from peacemonitor.store import Store

TERRITORIES = Path(__file__).parent / "data" / "territories"
KIDNAPPING = [
    ("FECHA HECHO", "fecha_hecho", "calendar_date"),
    ("COD_DEPTO", "cod_depto", "number"),
    ("DEPARTAMENTO", "departamento", "text"),
    ("COD_MUNI", "cod_muni", "number"),
    ("MUNICIPIO", "municipio", "text"),
    ("TIPO DELITO", "tipo_delito", "text"),
    ("CANTIDAD", "cantidad", "number"),
]
SYNTHETIC = [
    row.split("|")
    for row in (
        "1996-01-01T00:00:00.000|5|ANTIOQUIA|5042|SANTAFE DE ANTIOQUIA|SECUESTRO SIMPLE|1",
        "1996-01-01T00:00:00.000|25|CUNDINAMARCA|25290|FUSAGASUGA|SECUESTRO EXTORSIVO|1",
        "2021-12-31T00:00:00.000|11|BOGOTÁ D.C.|11001|BOGOTA, D.C.|SECUESTRO SIMPLE|2",
        "2022-01-02T00:00:00.000|76|VALLE|76001|CALI (CT)|SECUESTRO EXTORSIVO|1",
        "2022-05-27T00:00:00.000|5|ANTIOQUIA|5001|MEDELLÍN (CT)|SECUESTRO SIMPLE|1",
    )
]
EXPECTED = (
    "\ufeffFECHA HECHO,COD_DEPTO,DEPARTAMENTO,COD_MUNI,MUNICIPIO,TIPO DELITO,CANTIDAD\n"
    '01/01/1996 12:00:00 AM,5,ANTIOQUIA,"5,042",SANTAFE DE ANTIOQUIA,SECUESTRO SIMPLE,1\n'
    '01/01/1996 12:00:00 AM,25,CUNDINAMARCA,"25,290",FUSAGASUGA,SECUESTRO EXTORSIVO,1\n'
    '12/31/2021 12:00:00 AM,11,BOGOTÁ D.C.,"11,001","BOGOTA, D.C.",SECUESTRO SIMPLE,2\n'
    '01/02/2022 12:00:00 AM,76,VALLE,"76,001",CALI (CT),SECUESTRO EXTORSIVO,1\n'
    '05/27/2022 12:00:00 AM,5,ANTIOQUIA,"5,001",MEDELLÍN (CT),SECUESTRO SIMPLE,1\n'
)


class Socrata:
    """datos.gov.co for one dataset, with scripted failures."""

    def __init__(self, dataset_id: str, cols: list[tuple[str, str, str]], rows: list[list[str]]):
        self.dataset_id, self.cols, self.rows = dataset_id, cols, rows
        self.throttle_first = False  # answer the first request 429 Retry-After: 7
        self.cut_offsets: set[int] = set()  # pages that break off halfway, once each

    def __call__(self, request: Request) -> Reply:
        if self.throttle_first:
            self.throttle_first = False
            return Reply(429, b"slow down", {"Retry-After": "7"})
        if request.path == f"/api/views/{self.dataset_id}.json":
            return Reply(200, self._meta())
        if request.path == f"/resource/{self.dataset_id}.csv":
            return self._page(request.query)
        return Reply(404, b"not found")

    def _meta(self) -> bytes:
        columns = [{"name": ":id", "fieldName": ":id", "dataTypeName": "row_identifier"}]
        columns += [
            {"name": n, "fieldName": f, "dataTypeName": k, "position": i + 1}
            for i, (n, f, k) in enumerate(self.cols)
        ]
        return json.dumps({"id": self.dataset_id, "columns": columns}).encode()

    def _page(self, query: dict[str, str]) -> Reply:
        assert query["$order"] == ":id"
        assert query["$select"] == ",".join(f for _, f, _ in self.cols)
        rows = self.rows
        if "$where" in query:
            field, op, value = query["$where"].split(" ", 2)
            assert (field, op) == ("fecha_hecho", ">=")
            rows = [r for r in rows if r[0] >= value.strip("'")]
        offset, limit = int(query["$offset"]), int(query["$limit"])
        out = io.StringIO()
        writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow([f for _, f, _ in self.cols])
        writer.writerows(rows[offset : offset + limit])
        body = out.getvalue().encode()
        if offset in self.cut_offsets:
            self.cut_offsets.discard(offset)
            return Reply(200, body, {"Content-Type": "text/csv"}, cut=len(body) // 2)
        return Reply(200, body, {"Content-Type": "text/csv"})


def quick(sleeps: list[float]) -> Http:
    return Http(retries=3, backoff=0.5, sleep=sleeps.append)


def test_pages_become_one_file_in_the_exports_layout(tmp_path: Path) -> None:
    publisher = Socrata("d7zw-hpf4", KIDNAPPING, SYNTHETIC)
    publisher.throttle_first, publisher.cut_offsets = True, {2}
    sleeps: list[float] = []
    with serve(publisher) as server:
        got = fetch_police(
            "kidnapping", tmp_path, base=server.base, http=quick(sleeps), page_rows=2
        )
    assert got.path == tmp_path / "police" / "SECUESTRO.csv"
    assert got.path.read_text("utf-8") == EXPECTED
    assert (got.rows, got.pages) == (5, 3)
    assert sleeps == [7.0, 0.5]  # Retry-After honoured, then backoff after the broken page
    offsets = [r.query["$offset"] for r in server.requests if r.path.startswith("/resource")]
    assert offsets == ["0", "2", "2", "4"]  # the broken page asked again, nothing else
    assert got.record.rows == 5 and got.record.dataset == "kidnapping d7zw-hpf4"
    assert not list((tmp_path / "police" / "d7zw-hpf4").glob("pages-*"))


def test_an_app_token_travels_as_a_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOCRATA_APP_TOKEN", "app-TOKEN-1")
    with serve(Socrata("d7zw-hpf4", KIDNAPPING, SYNTHETIC)) as server:
        got = fetch_police("kidnapping", tmp_path, base=server.base)
    assert {r.headers.get("x-app-token") for r in server.requests} == {"app-TOKEN-1"}
    assert "app-TOKEN-1" not in got.record.model_dump_json()


def test_since_becomes_a_soql_where(tmp_path: Path) -> None:
    publisher = Socrata("d7zw-hpf4", KIDNAPPING, SYNTHETIC)
    with serve(publisher) as server:
        got = fetch_police(
            "kidnapping", tmp_path, since=dt.date(2022, 1, 1), base=server.base, http=quick([])
        )
    assert got.path.name == "SECUESTRO_since_2022-01-01.csv"
    assert got.path.read_text("utf-8").splitlines()[1:] == EXPECTED.splitlines()[4:]
    assert server.requests[-1].query["$where"] == "fecha_hecho >= '2022-01-01T00:00:00'"
    assert got.record.url.endswith("/resource/d7zw-hpf4.csv?$where=fecha_hecho >= "
                                   "'2022-01-01T00:00:00'")  # fmt: skip


def test_a_run_that_stopped_resumes_at_the_missing_page(tmp_path: Path) -> None:
    publisher = Socrata("d7zw-hpf4", KIDNAPPING, SYNTHETIC)
    with serve(publisher) as server:
        publisher.cut_offsets = {4}
        with pytest.raises(Exception, match="broke off 1 times.*run the command again"):
            fetch_police("kidnapping", tmp_path, base=server.base,
                         http=Http(retries=0, sleep=lambda s: None), page_rows=2)  # fmt: skip
        asked = len(server.requests)
        got = fetch_police("kidnapping", tmp_path, base=server.base, http=quick([]), page_rows=2)
    later = [r.query.get("$offset") for r in server.requests[asked:]]
    assert later == [None, "4"]  # the column list, then only the page that was missing
    assert got.path.read_text("utf-8") == EXPECTED


def test_text_dates_cannot_take_since(tmp_path: Path) -> None:
    terrorism = [("FECHA HECHO", "fecha_hecho", "text"), ("CANTIDAD", "cantidad", "number")]
    with serve(Socrata("37p5-impc", terrorism, [])) as server:
        with pytest.raises(CannotFilterByDate, match="fetch it without --since"):
            fetch_police("terrorism", tmp_path, since=dt.date(2022, 1, 1), base=server.base)


def test_names_ids_and_errors(tmp_path: Path) -> None:
    assert police_dataset("extortion").dataset_id == "q2ib-t9am"
    assert police_dataset("homicide", "abcd-1234").dataset_id == "abcd-1234"
    with pytest.raises(UnknownPoliceDataset, match="use one of homicide, kidnapping"):
        police_dataset("threats")
    with serve(Socrata("xxxx-xxxx", KIDNAPPING, [])) as server:
        with pytest.raises(HttpStatus, match=r"answered HTTP 404"):
            fetch_police("kidnapping", tmp_path, base=server.base)
    assert export_value("2010-01-05T00:00:00.000", "calendar_date") == "01/05/2010 12:00:00 AM"
    assert export_value("86001000", "number") == "86,001,000"
    assert export_value("2.5", "number") == "2.5"
    assert export_value("", "number") == ""


EXTORTION = [c for c in KIDNAPPING if c[0] != "TIPO DELITO"]
TERRORISM = [
    ("Departamento", "departamento", "text"),
    ("Municipio", "municipio", "text"),
    ("CODIGO DANE", "codigo_dane", "text"),
    ("ARMAS MEDIOS", "armas_medios", "text"),
    ("FECHA HECHO", "fecha_hecho", "text"),
    ("CANTIDAD", "cantidad", "number"),
]


@pytest.mark.parametrize(
    ("name", "dataset_id", "file", "cols", "rows"),
    [
        ("kidnapping", "d7zw-hpf4", "SECUESTRO.csv", KIDNAPPING, 18_642),
        ("extortion", "q2ib-t9am", "EXTORSION.csv", EXTORTION, 69_137),
        ("terrorism", "37p5-impc", "TERRORISMO.csv", TERRORISM, 3_954),
    ],
)
def test_the_real_exports_come_back_byte_for_byte(
    tmp_path: Path,
    shared_data: Path,
    name: str,
    dataset_id: str,
    file: str,
    cols: list[tuple[str, str, str]],
    rows: int,
) -> None:
    """Each real 2022 export, served as the API serves it (field names, ISO dates, plain
    numbers), is written back identical: the fetch produces the exports' layout."""
    original = (shared_data / "policia_socrata_2022" / file).read_text("utf-8")
    records = list(csv.reader(io.StringIO(original.lstrip("\ufeff"))))[1:]
    api_rows = [[_api_value(v, kind) for v, (_, _, kind) in zip(r, cols, strict=True)]
                for r in records]  # fmt: skip
    with serve(Socrata(dataset_id, cols, api_rows)) as server:
        got = fetch_police(name, tmp_path, base=server.base, page_rows=20_000)
    assert got.rows == rows == len(records)
    assert got.path.read_text("utf-8") == original


def _api_value(value: str, kind: str) -> str:
    if kind == "calendar_date":
        return _iso(value)
    return value.replace(",", "") if kind == "number" else value


def _iso(export_date: str) -> str:
    moment = dt.datetime.strptime(export_date, "%m/%d/%Y %I:%M:%S %p")
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000")


def test_fetches_are_recorded_without_credentials(tmp_path: Path, store: Store) -> None:
    publisher = Socrata("d7zw-hpf4", KIDNAPPING, SYNTHETIC)
    with serve(publisher) as server:
        got = fetch_police("kidnapping", tmp_path, base=server.base)
    item = got.record.model_copy(update={"url": got.record.url + "?key=SECRET&email=a@b"})
    (saved,) = record(store, [item])
    (listed,) = list_fetches(store, "police")
    assert listed == saved and "SECRET" not in listed.url and "a@b" not in listed.url
    assert (listed.rows, listed.sha256, listed.file_name) == (5, got.record.sha256, "SECUESTRO.csv")


def test_cli_fetches_records_and_hands_over_to_the_importer(
    tmp_path: Path, cli: Callable[..., tuple[int, str]]
) -> None:
    assert cli("init")[0] == 0
    assert cli("data", "load", str(TERRITORIES / "dl_municipios.csv"))[0] == 0
    with serve(Socrata("d7zw-hpf4", KIDNAPPING, SYNTHETIC)) as server:
        code, output = cli(
            "data", "fetch", "police", "--dataset", "kidnapping", "--base-url", server.base,
            "--cache", str(tmp_path / "cache"),
        )  # fmt: skip
    assert code == 0, output
    lines = output.splitlines()
    saved = tmp_path / "cache" / "police" / "SECUESTRO.csv"
    assert lines[0].startswith(f"kidnapping (d7zw-hpf4): {saved} (5 rows, 1 page, sha256 ")
    code, listing = cli("data", "fetches", "--format", "csv")
    assert code == 0
    assert listing.splitlines()[1].startswith("1,police,kidnapping d7zw-hpf4,")
    # fetch → import → indicator: the fetched file goes through `import police`
    assert lines[1] == (
        "SECUESTRO.csv: imported as police-datos-kidnapping: 6 rows read, 3 stored, "
        "0 already present, 2 quarantined"
    )
    code, table = cli("indicator", "kidnapping", "--source", "police-datos-gov", "-f", "csv")
    assert code == 0
    assert [row.split(",")[2:6] for row in table.splitlines()[1:]] == [
        ["2021", "police-datos-gov", "victims", "2"],
        ["2022", "police-datos-gov", "victims", "2"],
    ]


@given(st.integers(min_value=0, max_value=10**12))
def test_whole_numbers_keep_their_value_under_separators(number: int) -> None:
    written = export_value(str(number), "number")
    assert written.replace(",", "") == str(number)
    assert all(len(group) == 3 for group in written.split(",")[1:])


@given(st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)))
def test_dates_are_written_the_way_the_export_parses_back(moment: dt.datetime) -> None:
    moment = moment.replace(microsecond=0)
    written = export_value(moment.strftime("%Y-%m-%dT%H:%M:%S.000"), "calendar_date")
    assert dt.datetime.strptime(written, "%m/%d/%Y %I:%M:%S %p") == moment
