"""Fetching published files into the cache, against a local server shaped like datos.gov.co.

The server answers on 127.0.0.1 only: a Socrata-style CSV export (``/api/views/<id>/rows.csv``
with Content-Length), a 404, and nothing at all on a closed port for the offline case.
"""

from __future__ import annotations

import hashlib
import json
import socket
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from peacemonitor.fetch import (
    ChecksumMismatch,
    Dataset,
    FetchFailed,
    UnknownDataset,
    dataset_for,
    fetch,
    fetch_all,
    read_manifest,
)
from peacemonitor.gazetteer import Gazetteer, load_path
from peacemonitor.store import Store

EXPORT = (
    Path(__file__).parent / "data" / "territories" / "datos_gov_co_gdxc-w37w.csv"
).read_bytes()
SHA = hashlib.sha256(EXPORT).hexdigest()
PATH = "/api/views/gdxc-w37w/rows.csv?accessType=DOWNLOAD"


class _Publisher(BaseHTTPRequestHandler):
    hits = 0

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        type(self).hits += 1
        if self.path != PATH:
            self.send_error(404, "Not Found")
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", str(len(EXPORT)))
        self.end_headers()
        self.wfile.write(EXPORT)

    def log_message(self, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Publisher)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _dataset(base: str, path: str = PATH, sha256: str | None = None) -> Dataset:
    return Dataset("divipola", base + path, "divipola.csv", "test export", sha256)


def test_fetch_stores_file_checksum_and_manifest(server: str, tmp_path: Path) -> None:
    got = fetch(_dataset(server, sha256=SHA), tmp_path)
    assert Path(got.path).read_bytes() == EXPORT
    assert (got.bytes, got.sha256, got.cached) == (len(EXPORT), SHA, False)
    entry = read_manifest(tmp_path)["divipola.csv"]
    assert (entry["url"], entry["sha256"], entry["bytes"]) == (server + PATH, SHA, len(EXPORT))
    assert not (tmp_path / "divipola.csv.part").exists()


def test_second_fetch_uses_the_cache(server: str, tmp_path: Path) -> None:
    fetch(_dataset(server), tmp_path)
    before = _Publisher.hits
    again = fetch(_dataset(server), tmp_path)
    assert again.cached and _Publisher.hits == before
    assert fetch(_dataset(server), tmp_path, force=True).cached is False


def test_pinned_checksum_mismatch_is_refused(server: str, tmp_path: Path) -> None:
    with pytest.raises(ChecksumMismatch, match="differs from the pinned"):
        fetch(_dataset(server, sha256="0" * 64), tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_http_error_is_one_clear_message(server: str, tmp_path: Path) -> None:
    with pytest.raises(FetchFailed, match=r"divipola: 127.0.0.1:\d+ answered HTTP 404"):
        fetch(_dataset(server, path="/api/views/nope/rows.csv"), tmp_path)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_offline_says_so(tmp_path: Path) -> None:
    base = f"http://127.0.0.1:{_closed_port()}"
    with pytest.raises(FetchFailed, match="cannot reach 127.0.0.1:.*are you offline"):
        fetch(_dataset(base), tmp_path)


def test_names_and_urls(server: str) -> None:
    assert dataset_for("divipola").url.startswith("https://www.datos.gov.co/api/views/gdxc-w37w/")
    assert dataset_for(server + "/files/x.csv").file_name == "x.csv"
    with pytest.raises(UnknownDataset, match="unknown dataset 'mgn'"):
        dataset_for("mgn")


def test_fetched_export_loads_as_divipola(server: str, tmp_path: Path, store: Store) -> None:
    fetch_all([server + PATH], tmp_path / "cache")
    reports, skipped = load_path(store, tmp_path / "cache")
    assert [r.layout for r in reports] == ["datos-gov-co-gdxc-w37w"]
    assert [p.name for p in skipped] == ["MANIFEST.json"]
    assert Gazetteer.from_store(store).resolve_code("76001").name == "CALI"


def test_cli_fetch(server: str, tmp_path: Path, cli: Callable[..., tuple[int, str]]) -> None:
    code, output = cli("data", "fetch", server + PATH, "--cache", str(tmp_path))
    assert code == 0
    saved = tmp_path / "rows.csv"
    assert output == f"rows.csv: {saved} ({len(EXPORT):,} bytes, sha256 {SHA[:12]}…)\n"
    manifest = json.loads((tmp_path / "MANIFEST.json").read_text(encoding="utf-8"))
    assert manifest["rows.csv"]["sha256"] == SHA


def test_a_download_that_breaks_off_resumes_with_range(tmp_path: Path) -> None:
    from publishers import Reply, Request, ranged, serve

    from peacemonitor.fetch import Http

    broken = {"left": 2}

    def publisher(request: Request) -> Reply:
        reply = ranged(request, EXPORT)
        if broken["left"]:
            broken["left"] -= 1
            reply.cut = len(reply.body) // 3
        return reply

    sleeps: list[float] = []
    with serve(publisher) as server:
        got = fetch(_dataset(server.base), tmp_path, http=Http(backoff=2, sleep=sleeps.append))
    assert Path(got.path).read_bytes() == EXPORT and got.sha256 == SHA
    ranges = [r.headers.get("range") for r in server.requests]
    third = len(EXPORT) // 3
    assert ranges == [None, f"bytes={third}-", f"bytes={third + (len(EXPORT) - third) // 3}-"]
    assert sleeps == [2.0, 4.0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MANIFEST.json", "divipola.csv"]


def test_the_next_run_resumes_what_the_last_one_kept(tmp_path: Path) -> None:
    from publishers import Reply, Request, ranged, serve

    from peacemonitor.fetch import Http

    cutting = {"on": True}

    def publisher(request: Request) -> Reply:
        reply = ranged(request, EXPORT)
        reply.cut = 100 if cutting["on"] else None
        return reply

    with serve(publisher) as server:
        with pytest.raises(FetchFailed, match=r"broke off 2 times \(200 bytes kept in divipola"):
            fetch(_dataset(server.base), tmp_path, http=Http(retries=1, sleep=lambda s: None))
        cutting["on"] = False
        asked = len(server.requests)
        got = fetch(_dataset(server.base), tmp_path, http=Http(sleep=lambda s: None))
        assert [r.headers.get("range") for r in server.requests[asked:]] == ["bytes=200-"]
        other = _dataset(server.base, path=PATH + "&v=2")  # another URL: the part is not its start
        (tmp_path / "divipola.csv.part").write_bytes(b"x" * 50)
        (tmp_path / "divipola.csv.part.url").write_text(server.base + PATH, "utf-8")
        again = fetch(other, tmp_path, http=Http(sleep=lambda s: None), force=True)
        assert server.requests[-1].headers.get("range") is None
    assert Path(got.path).read_bytes() == EXPORT == Path(again.path).read_bytes()


def test_429_and_5xx_are_retried_with_backoff_honouring_retry_after(tmp_path: Path) -> None:
    from publishers import Reply, Request, serve

    from peacemonitor.fetch import Http, HttpStatus

    answers = [Reply(429, b"", {"Retry-After": "3"}), Reply(503, b""), Reply(200, EXPORT)]

    def flaky(request: Request) -> Reply:
        return answers.pop(0) if answers else Reply(500, b"")

    sleeps: list[float] = []
    with serve(flaky) as server:
        got = fetch(_dataset(server.base), tmp_path, http=Http(backoff=0.5, sleep=sleeps.append))
        assert Path(got.path).read_bytes() == EXPORT and sleeps == [3.0, 1.0]
        with pytest.raises(HttpStatus, match="answered HTTP 500") as failed:
            fetch(_dataset(server.base), tmp_path / "b", http=Http(retries=2, sleep=sleeps.append))
    assert failed.value.status == 500 and sleeps[2:] == [1.0, 2.0]
