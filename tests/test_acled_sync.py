"""ACLED sync against a local stand-in of ACLED's API: login, token refresh, incremental pulls,
updates in place, deletions, and credentials that never reach the store, the cache or a log.

Every event here is synthetic (ACLED's rows may not be redistributed): the rows of
tests/data/imports/acled/api_2023_small.csv, in the API's CSV layout."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import logging
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import world_store
from publishers import Reply, Request, serve

from peacemonitor.acled_sync import AcledCredentials, AcledLoginFailed, sync_acled
from peacemonitor.credentials import CredentialsMissing
from peacemonitor.fetch import Http
from peacemonitor.fetches import list_fetches, sync_state
from peacemonitor.indicators import Level, NoObservations, Period, Query, indicator
from peacemonitor.model import Category
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports" / "acled"
TERRITORIES = Path(__file__).parent / "data" / "territories"
USER, PASSWORD = "analyst@example.org", "pw-SECRET-4711"
T0 = 1_700_000_000
CIVILIANS = Query(Category.VIOLENCE_AGAINST_CIVILIANS, Level.COUNTRY, Period.YEAR, source="acled")


def _events() -> tuple[list[str], list[dict[str, str]]]:
    with (DATA / "api_2023_small.csv").open(newline="") as handle:
        reader = csv.DictReader(handle)
        rows = [r for r in reader if r["event_id_cnty"] in ("API1", "API2", "API3")]
        fields = list(reader.fieldnames or [])
    for offset, row in enumerate(rows):
        row["timestamp"] = str(T0 + offset)
    return fields, rows


@dataclass
class Acled:
    """ACLED's token, read and deleted endpoints, with scripted trouble."""

    fields: list[str]
    events: list[dict[str, str]]
    deleted: list[dict[str, str]] = field(default_factory=list)
    valid: set[str] = field(default_factory=set)
    issued: int = 0
    throttle_reads: int = 0  # answer this many read requests 429 Retry-After: 2
    cut_pages: set[str] = field(default_factory=set)  # pages that break off once
    expire_after: int | None = None  # the token expires after this many more answers

    def __call__(self, request: Request) -> Reply:
        if request.path == "/oauth/token":
            return self._token(request.form)
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.valid:
            return Reply(401, b'{"message": "Access token expired"}')
        if self.expire_after is not None:
            self.expire_after -= 1
            if self.expire_after < 0:
                self.valid.clear()
                self.expire_after = None
                return Reply(401, b'{"message": "Access token expired"}')
        if request.path == "/api/acled/read":
            return self._read(request.query)
        if request.path == "/api/deleted/read":
            return self._deleted(request.query)
        return Reply(404, b"")

    def _token(self, form: dict[str, str]) -> Reply:
        assert form["client_id"] == "acled"
        good = (
            form == {"username": USER, "password": PASSWORD, "grant_type": "password",
                     "client_id": "acled"}
            or (form["grant_type"] == "refresh_token" and form["refresh_token"] == "REFRESH-tok")
        )  # fmt: skip
        if not good:
            return Reply(400, b'{"error": "invalid_grant"}')
        self.issued += 1
        access = f"ACCESS-tok-{self.issued}"
        self.valid.add(access)
        body = {"token_type": "Bearer", "expires_in": 86400, "access_token": access,
                "refresh_token": "REFRESH-tok"}  # fmt: skip
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})

    def _read(self, query: dict[str, str]) -> Reply:
        if self.throttle_reads:
            self.throttle_reads -= 1
            return Reply(429, b"", {"Retry-After": "2"})
        assert (query["_format"], query["country"]) == ("csv", "Colombia")
        since = int(query.get("timestamp") or 0)
        rows = [r for r in self.events if int(r["timestamp"]) >= since]
        limit, page = int(query["limit"]), int(query["page"])
        out = io.StringIO()
        writer = csv.DictWriter(out, self.fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows[(page - 1) * limit : page * limit])
        body = out.getvalue().encode()
        if query["page"] in self.cut_pages:
            self.cut_pages.discard(query["page"])
            return Reply(200, body, {"Content-Type": "text/csv"}, cut=len(body) // 2)
        return Reply(200, body, {"Content-Type": "text/csv"})

    def _deleted(self, query: dict[str, str]) -> Reply:
        assert (query["_format"], query["deleted_timestamp_where"]) == ("json", ">=")
        since = int(query["deleted_timestamp"])
        data = [d for d in self.deleted if int(d["deleted_timestamp"]) >= since]
        body = {"status": 200, "success": True, "count": len(data), "data": data}
        return Reply(200, json.dumps(body).encode(), {"Content-Type": "application/json"})


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = world_store(
        tmp_path_factory.mktemp("acled_sync") / "t.duckdb",
        TERRITORIES / "dl_municipios.csv",
        TERRITORIES / "tiny.topojson",
        boundary_detail="full",
    )
    return store.path


@pytest.fixture
def store(template: Path, tmp_path: Path) -> Store:
    shutil.copy(template, tmp_path / "acled.duckdb")
    return Store(tmp_path / "acled.duckdb", timeout=10)


def rows(store: Store, sql: str) -> list[Any]:
    with store.read() as db:
        return db.execute(sql).fetchall()


def _sync(store: Store, server: Any, cache: Path, sleeps: list[float], at: float,
          **kw: Any) -> Any:  # fmt: skip
    return sync_acled(
        store, cache, "Colombia", base=server.base, credentials=AcledCredentials(USER, PASSWORD),
        http=Http(backoff=1, sleep=sleeps.append), clock=lambda: at, **kw,
    )  # fmt: skip


def test_two_syncs_update_in_place_and_withdraw_deletions(
    store: Store, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    fields, events = _events()
    acled = Acled(fields, events, throttle_reads=1, cut_pages={"2"})
    sleeps: list[float] = []
    with serve(acled) as server:
        first = _sync(store, server, tmp_path / "cache", sleeps, T0 + 100, page_rows=2)
        assert (first.events, first.pages, first.deletions_seen) == (3, 2, 0)
        assert sleeps == [2.0, 1.0]  # 429 Retry-After, then the page that broke off
        assert first.state.last_timestamp == T0 + 2
        assert first.state.last_deleted_timestamp == T0 + 100
        before = rows(store, "SELECT record_id, deaths_best FROM observations ORDER BY 1")
        assert before == [("API1", 3.0), ("API2", 1.0), ("API3", 0.0)]
        assert indicator(store, CIVILIANS)["count"].sum() == 1  # API2

        # Between the runs ACLED revises API1 and deletes API2; the next token expires after
        # the first page of events.
        events[0].update(fatalities="7", timestamp=str(T0 + 500))
        acled.deleted = [{"event_id_cnty": "API2", "deleted_timestamp": str(T0 + 600)}]
        acled.expire_after = 1
        asked = len(server.requests)
        second = _sync(store, server, tmp_path / "cache", sleeps, T0 + 700, page_rows=2)
        reads = [r.query for r in server.requests[asked:] if r.path == "/api/acled/read"]
        grants = [r.form["grant_type"] for r in server.requests if r.path == "/oauth/token"]

    assert grants == ["password", "password", "refresh_token"]
    # page 1, page 2 refused (expired token), page 2 again with the refreshed token
    assert [(q["page"], q["timestamp"]) for q in reads] == [("1", f"{T0 + 2}"), ("2", f"{T0 + 2}"),
                                                              ("2", f"{T0 + 2}")]  # fmt: skip
    assert (second.events, second.deletions_seen, second.withdrawn) == (2, 1, 1)
    assert rows(store, "SELECT record_id, deaths_best FROM observations ORDER BY 1") == [
        ("API1", 7.0),
        ("API3", 0.0),
    ]
    assert rows(store, "SELECT source, record_id, deleted_timestamp, observations "
                       "FROM withdrawals") == [("acled", "API2", T0 + 600, 1)]  # fmt: skip
    state = sync_state(store, "acled", "Colombia")
    assert (state.last_timestamp, state.last_deleted_timestamp) == (T0 + 500, T0 + 600)
    fetched = list_fetches(store, "acled")
    assert [(f.dataset, f.rows) for f in fetched] == [
        ("Colombia", 2), ("Colombia", 1), ("Colombia", 2), ("Colombia", 0), ("deletions", 1),
    ]  # fmt: skip
    with pytest.raises(NoObservations):  # API2, withdrawn, was the only one
        indicator(store, CIVILIANS)
    _assert_no_secret(store, tmp_path / "cache", caplog.text)


def _assert_no_secret(store: Store, cache: Path, log: str) -> None:
    secrets = [PASSWORD, "ACCESS-tok", "REFRESH-tok"]
    texts = [log]
    with store.read() as db:
        tables = db.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE data_type IN ('VARCHAR', 'JSON') OR data_type LIKE '%[]'"
        ).fetchall()
        for table, column in tables:
            values = db.execute(f'SELECT "{column}"::VARCHAR FROM "{table}"').fetchall()
            texts += [v for (v,) in values if v]
    raw = store.path.read_bytes() + b"".join(
        p.read_bytes() for p in cache.rglob("*") if p.is_file()
    )
    for secret in secrets:
        assert not any(secret in text for text in texts), secret
        assert secret.encode() not in raw, secret


def test_wrong_password_and_missing_credentials(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fields, events = _events()
    with serve(Acled(fields, events)) as server:
        with pytest.raises(AcledLoginFailed, match=f"ACLED refused the login of {USER}"):
            sync_acled(store, tmp_path, base=server.base, http=Http(sleep=lambda s: None),
                       credentials=AcledCredentials(USER, "wrong"))  # fmt: skip
    for name in ("ACLED_USERNAME", "ACLED_EMAIL", "ACLED_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(CredentialsMissing, match="ACLED account \\(email\\) missing: set "
                       "ACLED_USERNAME or ACLED_EMAIL"):  # fmt: skip
        sync_acled(store, tmp_path)
    assert "pw-" not in repr(AcledCredentials(USER, PASSWORD))


def test_cli_sync(
    tmp_path: Path, cli: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init")[0] == 0
    assert cli("data", "load", str(TERRITORIES / "dl_municipios.csv"))[0] == 0
    monkeypatch.setenv("ACLED_USERNAME", USER)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    fields, events = _events()
    with serve(Acled(fields, events)) as server:
        code, output = cli(
            "data", "sync", "acled", "--country", "Colombia", "--base-url", server.base,
            "--cache", str(tmp_path / "cache"),
        )  # fmt: skip
    assert code == 0, output
    assert output.splitlines() == [
        "acled Colombia: 3 events new or changed since the last sync (1 page); "
        "0 deletions since the last sync, 0 withdrawn here",
        "events-00001.csv: imported as acled-2023: 4 rows read, 3 stored, 0 already present, "
        "0 quarantined",
        f"next sync asks for events changed at or after timestamp {T0 + 2}",
        f"source: ACLED, accessed {dt.datetime.now(dt.UTC).date().isoformat()}; attribute it "
        "as ACLED's Terms of Use & Attribution Policy ask (https://acleddata.com/terms-of-use/)",
    ]
    assert PASSWORD not in output


def test_offline_is_one_line(
    tmp_path: Path, cli: Callable[..., tuple[int, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert cli("init")[0] == 0
    monkeypatch.setenv("ACLED_USERNAME", USER)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    code, output = cli("data", "sync", "acled", "--base-url", f"http://127.0.0.1:{port}",
                       "--cache", str(tmp_path))  # fmt: skip
    assert code == 1
    assert output.startswith(f"error: ACLED login: cannot reach 127.0.0.1:{port} (")
    assert output.endswith("); are you offline?\n") and output.count("\n") == 1


def test_a_token_past_its_lifetime_is_refreshed_before_asking(tmp_path: Path) -> None:
    from peacemonitor.acled_sync import AcledSession

    fields, events = _events()
    moment = [float(T0)]
    with serve(Acled(fields, events)) as server:
        session = AcledSession(Http(), server.base, AcledCredentials(USER, PASSWORD),
                               clock=lambda: moment[0])  # fmt: skip
        first = session.headers()
        moment[0] += 86_400  # a day later: past expires_in
        second = session.headers()
        grants = [r.form["grant_type"] for r in server.requests]
    assert (session.logins, session.refreshes) == (1, 1)
    assert grants == ["password", "refresh_token"] and first != second
    assert PASSWORD not in repr(session)
