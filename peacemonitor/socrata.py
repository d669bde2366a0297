"""The Police datasets on datos.gov.co, fetched through Socrata's SODA API into export files.

``/resource/<id>.csv`` answers with the API's field names (``fecha_hecho``) and ISO timestamps;
the Police's own downloads (``/api/views/<id>/rows.csv``, the files in
``shared/data/policia_socrata_2022``) carry the display names (``FECHA HECHO``), dates as
``MM/DD/YYYY 12:00:00 AM`` and numbers with thousands separators (``"5,042"``), UTF-8 with a BOM.
So the fetch reads the dataset's column list (``/api/views/<id>.json``), pages through the rows
(``$select``, ``$order=:id``, ``$limit``, ``$offset``, ``$where`` in SoQL for ``--since``), and
writes one CSV in the export's layout: one reader (``import police``) serves downloads and
fetches alike.

Pages are kept in the cache as they arrive: a run that stops (offline, Ctrl-C, a page that
breaks off more often than the retries allow) resumes at the first page it lacks.

An app token (``SOCRATA_APP_TOKEN``, optional) is sent as ``X-App-Token``: Socrata throttles
anonymous clients harder. It is a header, never part of a URL or a record.

Dataset ids: the four ids are the ones ``shared/data/policia_agregados_2003_2026/SOURCE.md``
names for the Police (SIEDCO) series on datos.gov.co; ``--dataset-id`` replaces one.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from peacemonitor.errors import PeacemonitorError
from peacemonitor.fetch import FetchFailed, Http, download
from peacemonitor.fetches import FetchRecord, count_csv_rows, now
from peacemonitor.files import file_sha256

DATOS_GOV_CO = "https://www.datos.gov.co"
PAGE_ROWS = 50_000


class UnknownPoliceDataset(PeacemonitorError):
    """A --dataset that is not one of POLICE_DATASETS."""


class CannotFilterByDate(PeacemonitorError):
    """--since asked of a dataset without a date column SoQL can compare."""


@dataclass(frozen=True)
class PoliceDataset:
    """A Police series on datos.gov.co and the name its export file has locally."""

    name: str
    dataset_id: str
    file_stem: str
    description: str


POLICE_DATASETS = {
    "homicide": PoliceDataset(
        "homicide", "m8fd-ahd9", "HOMICIDIO", "Policía Nacional (SIEDCO): homicidios"
    ),
    "kidnapping": PoliceDataset(
        "kidnapping", "d7zw-hpf4", "SECUESTRO", "Policía Nacional (SIEDCO): secuestro"
    ),
    "extortion": PoliceDataset(
        "extortion", "q2ib-t9am", "EXTORSION", "Policía Nacional (SIEDCO): extorsión"
    ),
    "terrorism": PoliceDataset(
        "terrorism", "37p5-impc", "TERRORISMO", "Policía Nacional (SIEDCO): terrorismo"
    ),
}


@dataclass(frozen=True)
class Column:
    """A dataset column as Socrata's view metadata describes it."""

    name: str  # the display name the export's header shows
    field: str  # the API field name
    kind: str  # Socrata's dataTypeName: text, number, calendar_date, ...


DATE_KINDS = ("calendar_date", "floating_timestamp", "date")


@dataclass(frozen=True)
class PoliceFetch:
    """A finished fetch: the export-layout file and its record."""

    dataset: PoliceDataset
    path: Path
    rows: int
    pages: int
    record: FetchRecord


def police_dataset(name: str, dataset_id: str | None = None) -> PoliceDataset:
    """The dataset by name, with its id replaced when the user gives one."""
    if name not in POLICE_DATASETS:
        known = ", ".join(POLICE_DATASETS)
        raise UnknownPoliceDataset(f"unknown Police dataset {name!r}: use one of {known}")
    known_one = POLICE_DATASETS[name]
    if dataset_id is None:
        return known_one
    return PoliceDataset(name, dataset_id, known_one.file_stem, known_one.description)


def app_token_header() -> dict[str, str]:
    """``X-App-Token`` from ``SOCRATA_APP_TOKEN`` (or the keyring), when the user has one."""
    from peacemonitor.credentials import secret

    token = secret(["SOCRATA_APP_TOKEN"], "socrata-app-token")
    return {"X-App-Token": token} if token else {}


def columns(http: Http, base: str, dataset_id: str, cache: Path) -> list[Column]:
    """The dataset's columns in export order, from ``/api/views/<id>.json`` (system fields,
    whose names start with ':', are not exported and are left out)."""
    target = cache / f"{dataset_id}.json"
    partial = cache / f"{dataset_id}.json.part"
    url = f"{base}/api/views/{dataset_id}.json"
    download(http, url, partial, f"{dataset_id} columns", app_token_header())
    partial.replace(target)
    meta = json.loads(target.read_text("utf-8"))
    found = [
        (c.get("position", i), Column(c["name"], c["fieldName"], c.get("dataTypeName", "text")))
        for i, c in enumerate(meta.get("columns", []))
        if not c.get("fieldName", ":").startswith(":")
    ]
    if not found:
        raise FetchFailed(f"{dataset_id}: datos.gov.co described no columns for this dataset")
    return [column for _, column in sorted(found, key=lambda pair: pair[0])]


def soql_where(cols: list[Column], since: dt.date | None) -> str | None:
    """``fecha >= 'YYYY-MM-DDT00:00:00'`` on the dataset's first date column."""
    if since is None:
        return None
    dated = [c for c in cols if c.kind in DATE_KINDS]
    if not dated:
        raise CannotFilterByDate(
            "this dataset has no date column the API can compare (its dates are text): "
            "fetch it without --since"
        )
    return f"{dated[0].field} >= '{since.isoformat()}T00:00:00'"


def page_url(base: str, dataset_id: str, cols: list[Column], where: str | None, page: int,
             rows: int) -> str:  # fmt: skip
    query = {
        "$select": ",".join(c.field for c in cols),
        "$order": ":id",
        "$limit": str(rows),
        "$offset": str(page * rows),
    }
    if where:
        query["$where"] = where
    return f"{base}/resource/{dataset_id}.csv?{urlencode(query)}"


def fetch_police(
    name: str,
    cache: Path,
    *,
    since: dt.date | None = None,
    dataset_id: str | None = None,
    base: str = DATOS_GOV_CO,
    http: Http | None = None,
    progress: Any | None = None,
    page_rows: int = PAGE_ROWS,
) -> PoliceFetch:
    """Fetch a Police dataset page by page and write it in the export's layout."""
    http = http or Http()
    dataset = police_dataset(name, dataset_id)
    folder = cache / "police" / dataset.dataset_id
    folder.mkdir(parents=True, exist_ok=True)
    cols = columns(http, base, dataset.dataset_id, folder)
    where = soql_where(cols, since)
    pages_dir = folder / _query_key(cols, where, page_rows)
    pages = list(_pages(http, base, dataset, cols, where, pages_dir, progress, page_rows))
    suffix = f"_since_{since.isoformat()}" if since else ""
    target = cache / "police" / f"{dataset.file_stem}{suffix}.csv"
    rows = write_export(pages, cols, target)
    shutil.rmtree(pages_dir)  # the next run asks the publisher afresh
    detail = {"dataset_id": dataset.dataset_id, "pages": len(pages), "where": where}
    url = page_url(base, dataset.dataset_id, cols, where, 0, page_rows)
    fetch_record = FetchRecord(
        source="police",
        dataset=f"{name} {dataset.dataset_id}",
        url=url.split("?")[0] + (f"?$where={where}" if where else ""),
        fetched_at=now(),
        file_name=target.name,
        sha256=file_sha256(target),
        bytes=target.stat().st_size,
        rows=rows,
        detail=detail,
    )
    return PoliceFetch(dataset, target, rows, len(pages), fetch_record)


def _query_key(cols: list[Column], where: str | None, rows: int) -> str:
    """A folder per distinct query, so pages of another query are never mixed in."""
    text = json.dumps([[c.field for c in cols], where, rows])
    return "pages-" + hashlib.sha256(text.encode()).hexdigest()[:12]


def _pages(
    http: Http,
    base: str,
    dataset: PoliceDataset,
    cols: list[Column],
    where: str | None,
    folder: Path,
    progress: Any | None,
    rows: int,
) -> Iterator[Path]:
    """Each page file, downloading those not already complete in ``folder``; stops after the
    first page holding fewer than ``rows`` records."""
    folder.mkdir(parents=True, exist_ok=True)
    page = 0
    while True:
        done = folder / f"page-{page:05d}.csv"
        if not done.exists():
            partial = folder / f"{done.name}.part"
            url = page_url(base, dataset.dataset_id, cols, where, page, rows)
            name = f"{dataset.name} page {page + 1}"
            download(http, url, partial, name, app_token_header(), progress)
            partial.replace(done)
            partial.with_name(partial.name + ".url").unlink(missing_ok=True)
        yield done
        if count_csv_rows(done, "utf-8") < rows:
            return
        page += 1


def write_export(pages: list[Path], cols: list[Column], target: Path) -> int:
    """Concatenate SODA CSV pages into one file in the export's layout; the rows written."""
    partial = target.with_name(target.name + ".part")
    written = 0
    with partial.open("w", newline="", encoding="utf-8-sig") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([c.name for c in cols])
        for page in pages:
            with page.open(newline="", encoding="utf-8") as handle:
                reader = csv.reader(handle)
                header = next(reader, None)
                if header is None:
                    continue
                index = {field: i for i, field in enumerate(header)}
                for row in reader:
                    writer.writerow([_cell(row, index.get(c.field), c.kind) for c in cols])
                    written += 1
    partial.replace(target)
    return written


def _cell(row: list[str], index: int | None, kind: str) -> str:
    value = row[index] if index is not None and index < len(row) else ""
    return export_value(value, kind)


def export_value(value: str, kind: str) -> str:
    """An API value as the export writes it: dates ``MM/DD/YYYY hh:mm:ss AM``, whole numbers
    with thousands separators; anything else (and anything unparsable) unchanged."""
    if not value:
        return value
    if kind in DATE_KINDS:
        try:
            moment = dt.datetime.fromisoformat(value.rstrip("Z"))
        except ValueError:
            return value
        return moment.strftime("%m/%d/%Y %I:%M:%S %p")
    if kind == "number":
        try:
            number = float(value)
        except ValueError:
            return value
        return f"{int(number):,}" if number.is_integer() else value
    return value
