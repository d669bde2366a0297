"""Downloading published files into a local cache, with checksums; generic for every importer.

Each download streams to ``NAME.part``, is hashed as it arrives and renamed into place only when
complete, so an interrupted download never looks like a file. ``MANIFEST.json`` in the cache
records, per file, the URL, size, sha256 and time fetched; a dataset with a pinned sha256 that
arrives different is refused. Being offline is an error that says so, not a traceback.

Every request goes through ``Http``: a 429 or 5xx answer is retried with exponential backoff
(``Retry-After`` honoured, the sleep injectable so tests do not wait), and a download that breaks
off keeps its ``.part`` file and resumes with an HTTP ``Range`` request — in the same run, or in
the next one when the retries ran out.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import http.client
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from peacemonitor.errors import PeacemonitorError
from peacemonitor.files import file_sha256

CHUNK = 1 << 16
TIMEOUT = 30.0
USER_AGENT = "peacemonitor/0.1 (reference-data fetch)"


class FetchFailed(PeacemonitorError):
    """A download that could not complete: offline, refused, or an HTTP error."""


class Offline(FetchFailed):
    """The publisher's host could not be reached at all."""


class HttpStatus(FetchFailed):
    """A publisher answered with an HTTP error that retrying did not cure."""

    def __init__(self, message: str, status: int) -> None:
        self.status = status
        super().__init__(message)


class ChecksumMismatch(PeacemonitorError):
    """A download whose sha256 differs from the pinned one."""


class UnknownDataset(PeacemonitorError):
    """A dataset name that is not in DATASETS (and not a URL)."""


@dataclass(frozen=True)
class Dataset:
    """A file a publisher serves: where, what to call it locally, and (optionally) its sha256."""

    name: str
    url: str
    file_name: str
    description: str
    sha256: str | None = None


DATASETS: dict[str, Dataset] = {
    "divipola": Dataset(
        "divipola",
        "https://www.datos.gov.co/api/views/gdxc-w37w/rows.csv?accessType=DOWNLOAD",
        "divipola_gdxc-w37w.csv",
        "DANE DIVIPOLA – Códigos municipios, datos.gov.co dataset gdxc-w37w (Socrata CSV export)",
    ),
}
"""Datasets with a documented download address. DANE's population projections and MGN
boundaries have no stable address in their SOURCE.md files: fetch them by URL
(``peacemonitor data fetch https://…``) or copy them by hand, then ``peacemonitor data load``."""


@dataclass(frozen=True)
class Fetched:
    """One completed download."""

    name: str
    url: str
    path: str
    bytes: int
    sha256: str
    fetched_at: str
    cached: bool = False

    def summary(self) -> str:
        state = "already cached" if self.cached else f"{self.bytes:,} bytes"
        return f"{self.name}: {self.path} ({state}, sha256 {self.sha256[:12]}…)"


def default_cache() -> Path:
    """``$PEACEMONITOR_CACHE`` or ~/.cache/peacemonitor."""
    configured = os.environ.get("PEACEMONITOR_CACHE")
    return Path(configured) if configured else Path.home() / ".cache" / "peacemonitor"


def dataset_for(what: str) -> Dataset:
    """A known dataset by name, or an ad-hoc one for an http(s) URL."""
    if what in DATASETS:
        return DATASETS[what]
    parsed = urlparse(what)
    if parsed.scheme in ("http", "https") and parsed.netloc:
        file_name = Path(parsed.path).name or "download"
        return Dataset(file_name, what, file_name, f"file at {what}")
    known = ", ".join(sorted(DATASETS))
    raise UnknownDataset(f"unknown dataset {what!r}: use one of {known}, or an http(s) URL")


def _manifest_path(cache: Path) -> Path:
    return cache / "MANIFEST.json"


def read_manifest(cache: Path) -> dict[str, dict[str, Any]]:
    path = _manifest_path(cache)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _write_manifest(cache: Path, fetched: Fetched) -> None:
    manifest = read_manifest(cache)
    manifest[Path(fetched.path).name] = asdict(fetched) | {"cached": False}
    _manifest_path(cache).write_text(json.dumps(manifest, indent=2, ensure_ascii=False), "utf-8")


def _cached(dataset: Dataset, cache: Path) -> Fetched | None:
    """The manifest entry for a complete, unchanged file already in the cache."""
    entry = read_manifest(cache).get(dataset.file_name)
    target = cache / dataset.file_name
    if not entry or entry.get("url") != public_url(dataset.url) or not target.exists():
        return None
    if file_sha256(target) != entry["sha256"]:
        return None
    if dataset.sha256 and dataset.sha256 != entry["sha256"]:
        return None
    return Fetched(**(entry | {"cached": True}))


RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
Sleep = Callable[[float], None]


@dataclass
class Http:
    """Requests with retries: 429 and 5xx answers and downloads that break off are tried again
    after ``backoff * 2**n`` seconds (or the server's ``Retry-After``, capped at ``max_wait``).
    ``sleep`` is injectable so tests run at full speed. A refused connection is not retried:
    being offline is said at once, in one line."""

    retries: int = 5
    backoff: float = 1.0
    max_wait: float = 120.0
    timeout: float = TIMEOUT
    sleep: Sleep = field(default=time.sleep)

    def wait(self, attempt: int, retry_after: str | None = None) -> float:
        """Seconds before try ``attempt + 1``: the server's word if it gave one."""
        told = _retry_after(retry_after)
        chosen = told if told is not None else self.backoff * 2**attempt
        return min(max(chosen, 0.0), self.max_wait)

    def open(
        self,
        url: str,
        name: str,
        headers: Mapping[str, str] | None = None,
        data: bytes | None = None,
    ) -> Any:
        """The response to GET (or POST with ``data``) ``url``, retrying 429 and 5xx."""
        request = urllib.request.Request(
            url, data=data, headers={"User-Agent": USER_AGENT, **(headers or {})}
        )
        host = urlparse(url).netloc
        for attempt in range(self.retries + 1):
            try:
                return urllib.request.urlopen(request, timeout=self.timeout)
            except urllib.error.HTTPError as error:
                retry_after = error.headers.get("Retry-After") if error.headers else None
                error.close()
                if error.code in RETRY_STATUS and attempt < self.retries:
                    self.sleep(self.wait(attempt, retry_after))
                    continue
                raise HttpStatus(
                    f"{name}: {host} answered HTTP {error.code} {error.reason}", error.code
                ) from None
            except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
                reason = getattr(error, "reason", error)
                raise Offline(f"{name}: cannot reach {host} ({reason}); are you offline?") from None
        raise AssertionError("unreachable")  # pragma: no cover


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: a number, or an HTTP date."""
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return (when - dt.datetime.now(dt.UTC)).total_seconds()


SECRET_PARAMS = ("key", "token", "access_token", "password", "email", "username")


def public_url(url: str) -> str:
    """``url`` without query parameters that could carry credentials: what records and
    messages show."""
    from urllib.parse import parse_qsl, urlencode

    parsed = urlparse(url)
    kept = [(k, v) for k, v in parse_qsl(parsed.query, keep_blank_values=True)]
    kept = [(k, v) for k, v in kept if k.lower() not in SECRET_PARAMS]
    netloc = parsed.hostname or ""
    if parsed.port:
        netloc += f":{parsed.port}"
    return parsed._replace(netloc=netloc, query=urlencode(kept, safe="$:,'()<>= ")).geturl()


def fetch(
    dataset: Dataset,
    cache: Path,
    progress: Any | None = None,
    force: bool = False,
    http: Http | None = None,
    headers: Mapping[str, str] | None = None,
) -> Fetched:
    """Download ``dataset`` into ``cache`` (skipped when already there unchanged). An
    interrupted download leaves ``NAME.part``, which the next call resumes."""
    cache.mkdir(parents=True, exist_ok=True)
    if not force and (hit := _cached(dataset, cache)) is not None:
        return hit
    target, partial = cache / dataset.file_name, cache / f"{dataset.file_name}.part"
    try:
        size = download(http or Http(), dataset.url, partial, dataset.name, headers, progress)
    except Offline as error:
        raise Offline(
            f"{error} Download {public_url(dataset.url)} by hand and run "
            "`peacemonitor data load PATH`"
        ) from None
    digest = file_sha256(partial)
    if dataset.sha256 and digest != dataset.sha256:
        _discard(partial)
        raise ChecksumMismatch(
            f"{dataset.name}: sha256 {digest} differs from the pinned {dataset.sha256}; "
            "the publisher changed the file: check it, then update the pin"
        )
    partial.replace(target)
    _discard(partial)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    fetched = Fetched(dataset.name, public_url(dataset.url), str(target), size, digest, stamp)
    _write_manifest(cache, fetched)
    return fetched


def _discard(partial: Path) -> None:
    partial.unlink(missing_ok=True)
    _origin(partial).unlink(missing_ok=True)


def _origin(partial: Path) -> Path:
    """Beside ``NAME.part``, the URL it holds the start of (a resume must ask the same URL)."""
    return partial.with_name(partial.name + ".url")


BROKEN = (http.client.IncompleteRead, ConnectionError, TimeoutError, OSError)


def download(
    http: Http,
    url: str,
    partial: Path,
    name: str,
    headers: Mapping[str, str] | None = None,
    progress: Any | None = None,
) -> int:
    """Stream ``url`` into ``partial``, resuming with ``Range`` after a break; its size.

    A partial file left by an earlier run for the same URL is continued; a server that ignores
    the Range (answers 200) is read from the start again."""
    if _origin(partial).exists() and _origin(partial).read_text("utf-8") != url:
        _discard(partial)
    partial.parent.mkdir(parents=True, exist_ok=True)
    _origin(partial).write_text(url, "utf-8")
    task = progress.add_task(name, total=None) if progress is not None else None
    for attempt in range(http.retries + 1):
        offset = partial.stat().st_size if partial.exists() else 0
        asked = dict(headers or {}) | ({"Range": f"bytes={offset}-"} if offset else {})
        try:
            with http.open(url, name, asked) as response:
                if response.status == 416:  # nothing left to send: the part is whole
                    return offset
                offset = offset if response.status == 206 else 0
                expected = _expected(response, offset)
                size = _stream(response, partial, offset, progress, task, expected)
        except HttpStatus as error:
            if error.status == 416 and offset:
                return offset
            raise
        except BROKEN:
            size, expected = -1, 0
        if expected is None or size == expected:
            return size
        if attempt < http.retries:
            http.sleep(http.wait(attempt))
    got = partial.stat().st_size if partial.exists() else 0
    raise FetchFailed(
        f"{name}: the download from {urlparse(url).netloc} broke off {http.retries + 1} times "
        f"({got:,} bytes kept in {partial.name}); run the command again to resume"
    )


def _expected(response: Any, offset: int) -> int | None:
    length = response.headers.get("Content-Length")
    return offset + int(length) if length else None


def _stream(
    response: Any,
    partial: Path,
    offset: int,
    progress: Any | None,
    task: Any,
    expected: int | None,
) -> int:
    size = offset
    if progress is not None:
        progress.update(task, total=expected, completed=offset)
    with partial.open("r+b" if offset else "wb") as out:
        out.seek(offset)
        out.truncate()
        for block in iter(lambda: response.read(CHUNK), b""):
            out.write(block)
            size += len(block)
            if progress is not None:
                progress.update(task, advance=len(block))
    return size


def fetch_all(
    names: Iterable[str],
    cache: Path,
    progress: Any | None = None,
    force: bool = False,
    http: Http | None = None,
) -> list[Fetched]:
    """Fetch several datasets (names or URLs) inside one progress display."""
    datasets = [dataset_for(name) for name in names]
    with progress if progress is not None else nullcontext():
        return [fetch(d, cache, progress, force, http) for d in datasets]
