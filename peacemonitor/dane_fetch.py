"""DANE's population projections and MGN boundaries: fetched from the address the user gives.

Neither has a stable file address this project could document: the SOURCE.md files of
``shared/data/population_dane`` and ``shared/data/boundaries_mgn2018`` name DANE as publisher
but no download link, and the documentation searched (docs/fetch.md) gives for MGN only DANE's
download page, ``https://geoportal.dane.gov.co/servicios/descarga-y-metadatos/descarga-mgn-marco-geoestadistico-nacional/``,
and for the population projections none. So ``--url`` is required: the link of the file on
DANE's site. The fetch itself is the common one (cache, checksum, resume, retries) and the file
then loads like ``data load`` (recognised by content).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from peacemonitor.errors import PeacemonitorError
from peacemonitor.fetch import Dataset, Http, fetch
from peacemonitor.fetches import FetchRecord, now

MGN_PAGE = (
    "https://geoportal.dane.gov.co/servicios/descarga-y-metadatos/"
    "descarga-mgn-marco-geoestadistico-nacional/"
)
WHERE = {
    "dane-population": "DANE's page of the municipal population projections (no address of it "
    "is documented here)",
    "mgn": f"DANE's MGN download page, {MGN_PAGE}",
}


class AddressNeeded(PeacemonitorError):
    """A DANE file fetched without --url: there is no documented address to default to."""


@dataclass(frozen=True)
class DaneFetch:
    path: Path
    record: FetchRecord


def fetch_dane(
    what: str,
    url: str | None,
    cache: Path,
    *,
    http: Http | None = None,
    progress: Any | None = None,
) -> DaneFetch:
    """Download a DANE reference file into the cache with its checksum."""
    if what not in WHERE:
        raise AddressNeeded(f"unknown DANE dataset {what!r}: dane-population or mgn")
    if not url:
        raise AddressNeeded(
            f"{what}: DANE publishes no stable file address this project could document; copy "
            f"the file's link from {WHERE[what]} and pass it with --url"
        )
    name = Path(urlparse(url).path).name or f"{what}.download"
    got = fetch(Dataset(what, url, name, what), cache / "dane", progress, http=http)
    record = FetchRecord(
        source=what,
        dataset=what,
        url=url,
        fetched_at=now(),
        file_name=name,
        sha256=got.sha256,
        bytes=got.bytes,
        detail={"cached": got.cached},
    )
    return DaneFetch(Path(got.path), record)
