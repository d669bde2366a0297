"""Downloading published files into a local cache, with checksums; generic for every importer.

Each download streams to ``NAME.part``, is hashed as it arrives and renamed into place only when
complete, so an interrupted download never looks like a file. ``MANIFEST.json`` in the cache
records, per file, the URL, size, sha256 and time fetched; a dataset with a pinned sha256 that
arrives different is refused. Being offline is an error that says so, not a traceback.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import urllib.error
import urllib.request
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import asdict, dataclass
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
    if not entry or entry.get("url") != dataset.url or not target.exists():
        return None
    if file_sha256(target) != entry["sha256"]:
        return None
    if dataset.sha256 and dataset.sha256 != entry["sha256"]:
        return None
    return Fetched(**(entry | {"cached": True}))


def fetch(
    dataset: Dataset, cache: Path, progress: Any | None = None, force: bool = False
) -> Fetched:
    """Download ``dataset`` into ``cache`` (skipped when already there unchanged)."""
    cache.mkdir(parents=True, exist_ok=True)
    if not force and (hit := _cached(dataset, cache)) is not None:
        return hit
    target, partial = cache / dataset.file_name, cache / f"{dataset.file_name}.part"
    try:
        size, digest = _download(dataset, partial, progress)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    if dataset.sha256 and digest != dataset.sha256:
        partial.unlink(missing_ok=True)
        raise ChecksumMismatch(
            f"{dataset.name}: sha256 {digest} differs from the pinned {dataset.sha256}; "
            "the publisher changed the file: check it, then update the pin"
        )
    partial.replace(target)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    fetched = Fetched(dataset.name, dataset.url, str(target), size, digest, stamp)
    _write_manifest(cache, fetched)
    return fetched


def _download(dataset: Dataset, partial: Path, progress: Any | None) -> tuple[int, str]:
    """Stream the URL to ``partial``; (bytes, sha256). Network failures become FetchFailed."""
    request = urllib.request.Request(dataset.url, headers={"User-Agent": USER_AGENT})
    host = urlparse(dataset.url).netloc
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
            total = response.headers.get("Content-Length")
            return _stream(response, partial, dataset.name, int(total) if total else None, progress)
    except urllib.error.HTTPError as error:
        raise FetchFailed(
            f"{dataset.name}: {host} answered HTTP {error.code} {error.reason}"
        ) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
        reason = getattr(error, "reason", error)
        raise FetchFailed(
            f"{dataset.name}: cannot reach {host} ({reason}); are you offline? Download "
            f"{dataset.url} by hand and run `peacemonitor data load PATH`"
        ) from None


def _stream(
    response: Any, partial: Path, name: str, total: int | None, progress: Any | None
) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    task = progress.add_task(name, total=total) if progress is not None else None
    with partial.open("wb") as out:
        for block in iter(lambda: response.read(CHUNK), b""):
            out.write(block)
            digest.update(block)
            size += len(block)
            if progress is not None:
                progress.update(task, advance=len(block))
    return size, digest.hexdigest()


def fetch_all(
    names: Iterable[str], cache: Path, progress: Any | None = None, force: bool = False
) -> list[Fetched]:
    """Fetch several datasets (names or URLs) inside one progress display."""
    datasets = [dataset_for(name) for name in names]
    with progress if progress is not None else nullcontext():
        return [fetch(d, cache, progress, force) for d in datasets]
