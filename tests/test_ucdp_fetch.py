"""UCDP from its download site and API, against a local stand-in: fetch → import → indicator.

The files served are the synthetic GED fixtures of tests/data/imports/ucdp, in UCDP's layouts: the
yearly GED as a zip holding one CSV, the Candidate CSV, and API pages in its JSON shape."""

from __future__ import annotations

import csv
import io
import json
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import world_store
from publishers import Reply, Request, ranged, serve

from peacemonitor.fetch import Http
from peacemonitor.handover import import_fetched
from peacemonitor.indicators import Level, Period, Query, indicator
from peacemonitor.model import Category
from peacemonitor.store import Store
from peacemonitor.ucdp_fetch import (
    BadUcdpVersion,
    candidate_url,
    fetch_api,
    fetch_download,
    ged_url,
)

DATA = Path(__file__).parent / "data" / "imports" / "ucdp"
TERRITORIES = Path(__file__).parent / "data" / "territories"
GED = (DATA / "ged_49_small.csv").read_bytes()


def _zip(name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as bundle:
        bundle.writestr(name, body)
    return out.getvalue()


GED_ZIP = _zip("GEDEvent_v25_1.csv", GED)


def _site(request: Request) -> Reply:
    if request.path == "/downloads/ged/ged251-csv.zip":
        return ranged(request, GED_ZIP, {"Content-Type": "application/zip"})
    if request.path == "/downloads/candidateged/GEDEvent_v26_0_5.csv":
        return ranged(request, GED, {"Content-Type": "text/csv"})
    return Reply(404, b"Not Found")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = world_store(
        tmp_path_factory.mktemp("ucdp_fetch") / "t.duckdb",
        TERRITORIES / "dl_municipios.csv",
        TERRITORIES / "tiny.topojson",
        boundary_detail="full",
    )
    return store.path


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Store:
    shutil.copy(template, tmp_path / "ucdp.duckdb")
    return Store(tmp_path / "ucdp.duckdb", timeout=10)


def _yearly(store: Store) -> dict[str, float]:
    query = Query(Category.STATE_GROUP_CLASH, Level.COUNTRY, Period.YEAR, source="ucdp")
    frame = indicator(store, query)
    return {p: c for p, c in zip(frame["period"], frame["count"], strict=True) if c}


def test_addresses() -> None:
    assert ged_url("25.1") == "https://ucdp.uu.se/downloads/ged/ged251-csv.zip"
    assert candidate_url("26.0.5") == (
        "https://ucdp.uu.se/downloads/candidateged/GEDEvent_v26_0_5.csv"
    )
    with pytest.raises(BadUcdpVersion, match="expected a yearly release like 25.1"):
        ged_url("latest")
    with pytest.raises(BadUcdpVersion, match="--candidate needs --version"):
        fetch_download(Path("."), None, candidate=True)


def test_ged_zip_fetch_import_indicator(tmp_path: Path, store: Store) -> None:
    with serve(_site) as server:
        got = fetch_download(tmp_path, "25.1", False, base=server.base)
    assert got.path == tmp_path / "ucdp" / "GEDEvent_v25_1.csv"
    assert got.path.read_bytes() == GED and got.rows == 5
    assert (got.record.dataset, got.record.url) == (
        "ged 25.1",
        server.base + "/downloads/ged/ged251-csv.zip",
    )
    handover = import_fetched(store, "ucdp", [got.path], revise=True)
    (report,) = handover.reports
    assert (report.layout, report.rows_read, report.rows_stored) == ("ucdp-ged", 6, 5)
    assert _yearly(store) == {"2001": 5.0}


def test_candidate_csv_and_a_later_version_revising_events(tmp_path: Path, store: Store) -> None:
    with serve(_site) as server:
        first = fetch_download(tmp_path, "26.0.5", True, base=server.base)
    import_fetched(store, "ucdp", [first.path], revise=True)
    revised = tmp_path / "GEDEvent_v26_0_6.csv"
    with first.path.open(newline="") as handle:
        header, *rows = list(csv.reader(handle))
    event = next(r for r in rows if r[0] == "900001")
    event[header.index("best")] = "9"
    with revised.open("w", newline="") as handle:
        csv.writer(handle).writerows([header, event])
    (report,) = import_fetched(store, "ucdp", [revised], revise=True).reports
    assert report.observations_replaced == 1
    assert _yearly(store)["2001"] == 9.0


def _api(pages: list[list[dict[str, str]]], token: str) -> Callable[[Request], Reply]:
    def answer(request: Request) -> Reply:
        if request.headers.get("x-ucdp-access-token") != token:
            return Reply(401, b'{"message": "Unauthorized"}')
        assert request.path == "/api/gedevents/25.1"
        assert (request.query["Country"], request.query["pagesize"]) == ("100", "1000")
        page = int(request.query["page"])
        host = request.headers["host"]
        nxt = f"http://{host}/api/gedevents/25.1?pagesize=1000&page={page + 1}&Country=100"
        body = {
            "TotalCount": sum(map(len, pages)),
            "TotalPages": len(pages),
            "PreviousPageUrl": "",
            "NextPageUrl": nxt if page + 1 < len(pages) else "",
            "Result": pages[page],
        }
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    return answer


def test_api_pages_become_a_ged_csv(tmp_path: Path, store: Store) -> None:
    records = list(csv.DictReader(io.StringIO(GED.decode())))
    colombian = [r for r in records if r["country_id"] == "100"]
    with serve(_api([colombian[:2], colombian[2:]], "TOKEN-1")) as server:
        got = fetch_api(tmp_path, "25.1", "TOKEN-1", base=server.base)
        with pytest.raises(Exception, match="answered HTTP 401"):
            fetch_api(tmp_path / "other", "25.1", "WRONG", base=server.base,
                      http=Http(retries=0))  # fmt: skip
    assert got.rows == len(colombian) and got.record.detail == {"pages": 2}
    assert "TOKEN-1" not in got.record.url and "TOKEN-1" not in got.path.read_text("utf-8")
    (report,) = import_fetched(store, "ucdp", [got.path]).reports
    assert (report.layout, report.rows_stored) == ("ucdp-ged", len(colombian))


def test_cli_fetch_ucdp_end_to_end(
    tmp_path: Path, cli: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init")[0] == 0
    assert cli("data", "load", str(TERRITORIES / "dl_municipios.csv"))[0] == 0
    with serve(_site) as server:
        code, output = cli(
            "data", "fetch", "ucdp", "--version", "25.1", "--base-url", server.base,
            "--cache", str(tmp_path / "cache"),
        )  # fmt: skip
    assert code == 0, output
    saved = tmp_path / "cache" / "ucdp" / "GEDEvent_v25_1.csv"
    first, second = output.splitlines()
    assert first.startswith(f"ucdp ged 25.1: {saved} (5 rows, sha256 ")
    assert second == (
        "GEDEvent_v25_1.csv: imported as ucdp-ged: 6 rows read, 5 stored, 0 already present, "
        "0 quarantined"
    )
    code, output = cli("indicator", "state-group-clash", "--source", "ucdp", "--format", "csv")
    assert code == 0 and "2001," in output
    monkeypatch.delenv("UCDP_ACCESS_TOKEN", raising=False)
    code, output = cli("data", "fetch", "ucdp", "--api")
    assert code == 1
    assert output.strip().startswith("error: UCDP API access token missing: set UCDP_ACCESS_TOKEN")


def test_cli_fetch_ucdp_api_with_the_token_from_the_environment(
    tmp_path: Path, cli: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init")[0] == 0
    assert cli("data", "load", str(TERRITORIES / "dl_municipios.csv"))[0] == 0
    records = list(csv.DictReader(io.StringIO(GED.decode())))
    colombian = [r for r in records if r["country_id"] == "100"]
    monkeypatch.setenv("UCDP_ACCESS_TOKEN", "TOKEN-env")
    with serve(_api([colombian], "TOKEN-env")) as server:
        code, output = cli("data", "fetch", "ucdp", "--api", "--version", "25.1",
                           "--base-url", server.base, "--cache", str(tmp_path))  # fmt: skip
    assert code == 0, output
    first, second = output.splitlines()
    assert first.startswith(
        f"ucdp api 25.1 Country=100: {tmp_path / 'ucdp' / 'ucdp_api_25_1_gw100.csv'} "
        f"({len(colombian)} rows, sha256 "
    )
    assert second.startswith("ucdp_api_25_1_gw100.csv: imported as ucdp-ged: ")
    assert "TOKEN-env" not in output
