"""UCDP's GED and Candidate events from its download site, or Colombia's events from its API.

Addresses (docs/fetch.md says where each is documented):

- GED, yearly: ``https://ucdp.uu.se/downloads/ged/ged<VV><R>-csv.zip`` (version 25.1 →
  ``ged251-csv.zip``), a zip holding one CSV of every event worldwide;
- Candidate, monthly: ``https://ucdp.uu.se/downloads/candidateged/GEDEvent_v<version with
  underscores>.csv`` (26.0.5 → ``GEDEvent_v26_0_5.csv``);
- API: ``https://ucdpapi.pcr.uu.se/api/gedevents/<version>?pagesize=1000&page=N&Country=100``
  with the user's token in the ``x-ucdp-access-token`` header; JSON pages (``Result``,
  ``TotalPages``, ``NextPageUrl``), written here as one CSV with the API's field names, which are
  GED's column names, so the UCDP importer reads it like a download.

Files land in the cache with the manifest's checksums; the caller imports them (``import ucdp``)
through ``handover.import_fetched``.
"""

from __future__ import annotations

import csv
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from peacemonitor.errors import PeacemonitorError
from peacemonitor.fetch import Dataset, FetchFailed, Http, download, fetch
from peacemonitor.fetches import FetchRecord, count_csv_rows, now
from peacemonitor.files import file_sha256

UCDP_SITE = "https://ucdp.uu.se"
UCDP_API = "https://ucdpapi.pcr.uu.se"
DEFAULT_GED = "25.1"
COLOMBIA_GW = 100
API_PAGE = 1000
TOKEN_ENV = ("UCDP_ACCESS_TOKEN",)


class BadUcdpVersion(PeacemonitorError):
    """A version string that is not UCDP's (GED 25.1, Candidate 26.0.5)."""


@dataclass(frozen=True)
class UcdpFetch:
    path: Path
    rows: int
    record: FetchRecord


def ged_url(version: str, base: str = UCDP_SITE) -> str:
    if not re.fullmatch(r"\d{2}\.\d", version):
        raise BadUcdpVersion(f"GED version {version!r}: expected a yearly release like 25.1")
    return f"{base}/downloads/ged/ged{version.replace('.', '')}-csv.zip"


def candidate_url(version: str, base: str = UCDP_SITE) -> str:
    if not re.fullmatch(r"\d{2}\.\d+\.\d+", version):
        raise BadUcdpVersion(
            f"Candidate version {version!r}: expected a monthly release like 26.0.5"
        )
    return f"{base}/downloads/candidateged/GEDEvent_v{version.replace('.', '_')}.csv"


def fetch_download(
    cache: Path,
    version: str | None,
    candidate: bool,
    *,
    base: str = UCDP_SITE,
    http: Http | None = None,
    progress: Any | None = None,
) -> UcdpFetch:
    """The GED zip (unpacked) or a Candidate CSV, cached with its checksum."""
    if candidate and version is None:
        raise BadUcdpVersion("--candidate needs --version (the monthly release, e.g. 26.0.5)")
    version = version or DEFAULT_GED
    url = candidate_url(version, base) if candidate else ged_url(version, base)
    name = f"ucdp-{'candidate' if candidate else 'ged'}-{version}"
    got = fetch(Dataset(name, url, Path(url).name, name), cache / "ucdp", progress, http=http)
    path = _unzip(Path(got.path)) if got.path.endswith(".zip") else Path(got.path)
    rows = count_csv_rows(path)
    record = FetchRecord(
        source="ucdp",
        dataset=f"{'candidate' if candidate else 'ged'} {version}",
        url=url,
        fetched_at=now(),
        file_name=path.name,
        sha256=got.sha256,
        bytes=got.bytes,
        rows=rows,
        detail={"download": Path(got.path).name, "cached": got.cached},
    )
    return UcdpFetch(path, rows, record)


def _unzip(archive: Path) -> Path:
    """The one CSV inside UCDP's zip, extracted beside it."""
    try:
        with zipfile.ZipFile(archive) as bundle:
            members = [m for m in bundle.namelist() if m.lower().endswith(".csv")]
            if len(members) != 1:
                raise FetchFailed(f"{archive.name}: expected one CSV inside, found {members}")
            target = archive.with_name(Path(members[0]).name)
            with bundle.open(members[0]) as source, target.open("wb") as out:
                while block := source.read(1 << 20):
                    out.write(block)
    except zipfile.BadZipFile:
        raise FetchFailed(f"{archive.name}: not a zip file; delete it and fetch again") from None
    return target


def fetch_api(
    cache: Path,
    version: str,
    token: str,
    *,
    base: str = UCDP_API,
    country: int = COLOMBIA_GW,
    http: Http | None = None,
    page_size: int = API_PAGE,
) -> UcdpFetch:
    """Colombia's events of ``version`` from the API, page by page, as one GED-layout CSV."""
    http = http or Http()
    folder = cache / "ucdp" / f"api-{version}-{country}"
    folder.mkdir(parents=True, exist_ok=True)
    query = {"pagesize": str(page_size), "page": "0", "Country": str(country)}
    url: str | None = f"{base}/api/gedevents/{version}?{urlencode(query)}"
    first, page = url, 0
    results: list[dict[str, Any]] = []
    while url:
        answer = _api_page(http, url, token, folder / f"page-{page:05d}.json")
        results += answer.get("Result") or []
        url = answer.get("NextPageUrl") or None
        page += 1
    target = cache / "ucdp" / f"ucdp_api_{version.replace('.', '_')}_gw{country}.csv"
    _write_rows(results, target)
    for part in folder.glob("page-*.json"):
        part.unlink()
    record = FetchRecord(
        source="ucdp",
        dataset=f"api {version} Country={country}",
        url=first or "",
        fetched_at=now(),
        file_name=target.name,
        sha256=file_sha256(target),
        bytes=target.stat().st_size,
        rows=len(results),
        detail={"pages": page},
    )
    return UcdpFetch(target, len(results), record)


def _api_page(http: Http, url: str, token: str, done: Path) -> dict[str, Any]:
    """One JSON page, kept until the whole set is written so a rerun resumes."""
    if not done.exists():
        partial = done.with_name(done.name + ".part")
        download(http, url, partial, f"UCDP API {done.stem}", {"x-ucdp-access-token": token})
        partial.replace(done)
        partial.with_name(partial.name + ".url").unlink(missing_ok=True)
    try:
        answer = json.loads(done.read_text("utf-8"))
    except json.JSONDecodeError:
        done.unlink()
        raise FetchFailed(f"UCDP API {done.stem}: the answer is not JSON; try again") from None
    if not isinstance(answer, dict):
        raise FetchFailed(f"UCDP API {done.stem}: unexpected answer")
    return answer


def _write_rows(results: list[dict[str, Any]], target: Path) -> None:
    columns: list[str] = []
    for row in results:
        columns += [k for k in row if k not in columns]
    partial = target.with_name(target.name + ".part")
    with partial.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: ("" if v is None else v) for k, v in r.items()} for r in results)
    partial.replace(target)
