"""Keep ACLED's events for a country current with the user's own ACLED account.

ACLED's API (documented by ACLED's own R package acledR and its guides; docs/fetch.md cites
them): an OAuth password login at ``/oauth/token`` (``grant_type=password``,
``client_id=acled``; the answer's ``refresh_token`` renews an expired ``access_token`` with
``grant_type=refresh_token``), events at ``/api/acled/read`` (``_format=csv``, ``country``,
``timestamp``, ``limit``, ``page``), withdrawn events at ``/api/deleted/read`` (``_format=json``,
``deleted_timestamp`` with ``deleted_timestamp_where=>=``).

A sync asks only for events whose ``timestamp`` (ACLED's time of last change) is at or after the
newest one already pulled, imports them through the ACLED importer with ``--revise`` (an event
ACLED changed replaces the stored one under its ``event_id_cnty``), then asks which events ACLED
deleted since the last sync and withdraws them here. Where it stands is kept in ``sync_state``.

Credentials come from the environment (``ACLED_USERNAME`` or ``ACLED_EMAIL``, and
``ACLED_PASSWORD``) or the keyring; they and the tokens stay in memory: no URL carries them, and
nothing here writes or logs them. Raw rows stay in the user's cache only while a sync runs.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from peacemonitor.credentials import required
from peacemonitor.errors import PeacemonitorError
from peacemonitor.fetch import FetchFailed, Http, HttpStatus, download
from peacemonitor.fetches import (
    FetchRecord,
    SyncState,
    count_csv_rows,
    now,
    record,
    save_sync_state,
    sync_state,
    withdraw,
)
from peacemonitor.files import file_sha256
from peacemonitor.handover import Handover, import_fetched
from peacemonitor.store import Store

ACLED_SITE = "https://acleddata.com"
ACLED_TERMS = "https://acleddata.com/terms-of-use/"  # as shared/data/acled_samples/SOURCE.md
TOKEN_PATH = "/oauth/token"
READ_PATH = "/api/acled/read"
DELETED_PATH = "/api/deleted/read"
CLIENT_ID = "acled"
PAGE_ROWS = 5000
USER_ENV = ("ACLED_USERNAME", "ACLED_EMAIL")
PASSWORD_ENV = ("ACLED_PASSWORD",)


class AcledLoginFailed(PeacemonitorError):
    """ACLED refused the account's login (or its refresh and then the login)."""


@dataclass(frozen=True)
class AcledCredentials:
    username: str
    password: str = field(repr=False)


def acled_credentials() -> AcledCredentials:
    """The user's ACLED account from the environment or the keyring; one line if missing."""
    username = required(USER_ENV, "acled-username", "ACLED account (email)")
    password = required(PASSWORD_ENV, "acled-password", "ACLED password")
    return AcledCredentials(username, password)


class AcledSession:
    """Bearer tokens for ACLED's API: logs in when first needed, refreshes an expired token
    (before asking when its lifetime says so, or after a 401), logs in again if refreshing
    fails. Tokens live in this object only."""

    def __init__(
        self,
        http: Http,
        base: str,
        credentials: AcledCredentials,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.http, self.base, self._credentials, self._clock = http, base, credentials, clock
        self._access: str | None = None
        self._refresh: str | None = None
        self._expires = 0.0
        self.logins = self.refreshes = 0

    def __repr__(self) -> str:
        return f"AcledSession({self.base!r}, user={self._credentials.username!r})"

    def _ask_token(self, form: dict[str, str]) -> None:
        body = urlencode(form).encode()
        kind = {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"}
        try:
            with self.http.open(self.base + TOKEN_PATH, "ACLED login", kind, body) as response:
                answer = json.loads(response.read().decode("utf-8"))
        except HttpStatus as error:
            if error.status in (400, 401, 403):
                raise AcledLoginFailed(
                    f"ACLED refused the login of {self._credentials.username} (HTTP "
                    f"{error.status}): check ACLED_USERNAME and ACLED_PASSWORD (docs/fetch.md)"
                ) from None
            raise
        except json.JSONDecodeError:
            raise FetchFailed("ACLED login: the token endpoint did not answer JSON") from None
        if not answer.get("access_token"):
            raise AcledLoginFailed("ACLED login: the answer held no access token")
        self._access = str(answer["access_token"])
        self._refresh = answer.get("refresh_token") or self._refresh
        lifetime = float(answer.get("expires_in") or 86400)
        self._expires = self._clock() + lifetime - 60

    def login(self) -> None:
        self.logins += 1
        self._ask_token(
            {
                "username": self._credentials.username,
                "password": self._credentials.password,
                "grant_type": "password",
                "client_id": CLIENT_ID,
            }
        )

    def refresh(self) -> None:
        if self._refresh:
            self.refreshes += 1
            try:
                form = {"refresh_token": self._refresh, "grant_type": "refresh_token"}
                self._ask_token(form | {"client_id": CLIENT_ID})
                return
            except AcledLoginFailed:
                self._refresh = None
        self.login()

    def headers(self) -> dict[str, str]:
        if self._access is None:
            self.login()
        elif self._clock() >= self._expires:
            self.refresh()
        return {"Authorization": f"Bearer {self._access}"}

    def download(self, url: str, partial: Path, name: str) -> None:
        """``download`` with the bearer token; a 401 (token expired early) refreshes once."""
        for attempt in (0, 1):
            try:
                download(self.http, url, partial, name, self.headers())
                return
            except HttpStatus as error:
                if error.status != 401 or attempt:
                    raise
                self.refresh()


@dataclass
class AcledSync:
    """What one sync did."""

    country: str
    events: int  # rows ACLED sent (new and changed)
    pages: int
    handover: Handover
    deletions_seen: int
    withdrawn: int
    state: SyncState
    records: list[FetchRecord]


def sync_acled(
    store: Store,
    cache: Path,
    country: str = "Colombia",
    *,
    base: str = ACLED_SITE,
    http: Http | None = None,
    credentials: AcledCredentials | None = None,
    page_rows: int = PAGE_ROWS,
    clock: Callable[[], float] = time.time,
) -> AcledSync:
    """Pull what changed since the last sync, import it in place, withdraw deletions."""
    session = AcledSession(http or Http(), base, credentials or acled_credentials(), clock)
    started = int(clock())
    state = sync_state(store, "acled", country)
    folder = cache / "acled" / _slug(country) / f"since-{state.last_timestamp or 0}"
    pages = list(_event_pages(session, country, state.last_timestamp, folder, page_rows))
    filled = [(page, count_csv_rows(page)) for page in pages]
    events = sum(rows for _, rows in filled)
    handover = import_fetched(store, "acled", [p for p, rows in filled if rows], revise=True)
    if handover.failures:
        raise handover.failures[0]
    records = [_page_record(base, country, state, page, rows, page_rows) for page, rows in filled]
    newest = max([state.last_timestamp or 0] + [_newest(p) for p, rows in filled if rows])
    deleted: dict[str, int | None] = {}
    if state.last_deleted_timestamp is not None:
        deleted = _deletions(session, state.last_deleted_timestamp, folder, page_rows)
        records.append(_deleted_record(base, state, len(deleted)))
    withdrawn = withdraw(store, "acled", deleted)
    seen = [t for t in deleted.values() if t is not None]
    last_deleted = max(seen) if seen else (state.last_deleted_timestamp or started)
    new_state = SyncState("acled", country, newest or None, last_deleted, now())
    save_sync_state(store, new_state)
    records = record(store, records)
    shutil.rmtree(folder, ignore_errors=True)  # raw rows leave the cache once stored
    return AcledSync(
        country, events, len(pages), handover, len(deleted), withdrawn, new_state, records
    )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "all"


def read_url(base: str, country: str, since: int | None, page: int, rows: int) -> str:
    query = {"_format": "csv", "country": country, "limit": str(rows), "page": str(page)}
    if since:
        query["timestamp"] = str(since)
    return f"{base}{READ_PATH}?{urlencode(query)}"


def _event_pages(
    session: AcledSession, country: str, since: int | None, folder: Path, rows: int
) -> Iterator[Path]:
    """Each page of events (ACLED counts pages from 1), kept until the sync ends so a rerun
    resumes; stops after a page with fewer than ``rows`` events."""
    folder.mkdir(parents=True, exist_ok=True)
    page = 1
    while True:
        done = folder / f"events-{page:05d}.csv"
        if not done.exists():
            partial = done.with_name(done.name + ".part")
            url = read_url(session.base, country, since, page, rows)
            session.download(url, partial, f"ACLED {country} page {page}")
            partial.replace(done)
            partial.with_name(partial.name + ".url").unlink(missing_ok=True)
        yield done
        if count_csv_rows(done) < rows:
            return
        page += 1


def _newest(page: Path) -> int:
    """The largest ``timestamp`` among a page's events."""
    with page.open(newline="", encoding="utf-8-sig") as handle:
        stamps = [row.get("timestamp") or "" for row in csv.DictReader(handle)]
    return max((int(float(s)) for s in stamps if s.strip()), default=0)


def _deletions(session: AcledSession, since: int, folder: Path, rows: int) -> dict[str, int | None]:
    """Event id → deletion time of every event ACLED deleted at or after ``since``."""
    found: dict[str, int | None] = {}
    page = 1
    while True:
        query = {
            "_format": "json",
            "deleted_timestamp": str(since),
            "deleted_timestamp_where": ">=",
            "limit": str(rows),
            "page": str(page),
        }
        done = folder / f"deleted-{page:05d}.json"
        partial = done.with_name(done.name + ".part")
        url = f"{session.base}{DELETED_PATH}?{urlencode(query)}"
        session.download(url, partial, f"ACLED deletions page {page}")
        partial.replace(done)
        items = _deleted_items(done)
        for item in items:
            stamp = item.get("deleted_timestamp")
            found[str(item["event_id_cnty"])] = int(float(stamp)) if stamp else None
        if len(items) < rows:
            return found
        page += 1


def _deleted_items(path: Path) -> list[dict[str, Any]]:
    try:
        answer = json.loads(path.read_text("utf-8"))
    except json.JSONDecodeError:
        raise FetchFailed("ACLED deletions: the answer is not JSON; try again") from None
    items = answer.get("data", []) if isinstance(answer, dict) else answer
    if not isinstance(items, list):
        raise FetchFailed("ACLED deletions: unexpected answer")
    return [i for i in items if isinstance(i, dict) and i.get("event_id_cnty")]


def _page_record(
    base: str, country: str, state: SyncState, page: Path, rows: int, limit: int
) -> FetchRecord:
    number = int(page.stem.rsplit("-", 1)[1])
    return FetchRecord(
        source="acled",
        dataset=country,
        url=read_url(base, country, state.last_timestamp, number, limit),
        fetched_at=now(),
        file_name=page.name,
        sha256=file_sha256(page),
        bytes=page.stat().st_size,
        rows=rows,
        detail={"since_timestamp": state.last_timestamp, "page": number},
    )


def _deleted_record(base: str, state: SyncState, count: int) -> FetchRecord:
    return FetchRecord(
        source="acled",
        dataset="deletions",
        url=f"{base}{DELETED_PATH}?_format=json&deleted_timestamp={state.last_deleted_timestamp}",
        fetched_at=now(),
        rows=count,
        detail={"since_deleted_timestamp": state.last_deleted_timestamp},
    )
