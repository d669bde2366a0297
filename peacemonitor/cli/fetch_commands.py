"""`data fetch` (reference files and the publishers' datasets), `data fetches`, `data sync`.

Each parses its options, calls the library (``fetch``, ``socrata``, ``ucdp_fetch``,
``dane_fetch``, ``acled_sync``), records the fetch and hands the files over to the importers
through ``handover.import_fetched`` / ``handover.load_reference``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer

from peacemonitor.cli.render import Format, emit

PUBLISHED = ("police", "ucdp", "dane-population", "mgn")


def fetch(
    ctx: typer.Context,
    what: Annotated[
        list[str] | None,
        typer.Argument(
            help="Reference datasets or URLs (default: all; see --list), or one publisher: "
            "police, ucdp, dane-population, mgn."
        ),
    ] = None,
    cache: Annotated[
        Path | None,
        typer.Option(help="Download folder.", envvar="PEACEMONITOR_CACHE"),
    ] = None,
    list_only: Annotated[bool, typer.Option("--list", help="List the datasets and exit.")] = False,
    dataset: Annotated[
        str | None,
        typer.Option(help="police: homicide, kidnapping, extortion or terrorism."),
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="police: only rows dated on or after YYYY-MM-DD.")
    ] = None,
    dataset_id: Annotated[
        str | None, typer.Option(help="police: a datos.gov.co dataset id instead of the known one.")
    ] = None,
    version: Annotated[
        str | None, typer.Option(help="ucdp: GED version (25.1) or Candidate version (26.0.5).")
    ] = None,
    candidate: Annotated[
        bool, typer.Option("--candidate", help="ucdp: the monthly Candidate events.")
    ] = False,
    api: Annotated[
        bool,
        typer.Option("--api", help="ucdp: Colombia's events from the UCDP API (needs a token)."),
    ] = False,
    url: Annotated[
        str | None, typer.Option(help="dane-population, mgn: the file's address on DANE's site.")
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="The publisher's server, for mirrors (and tests).")
    ] = None,
    no_import: Annotated[
        bool, typer.Option("--no-import", help="Download and record only; do not import.")
    ] = False,
) -> None:
    """Download from the publishers into a local cache (checksums, resumable, retried).

    Reference files (DIVIPOLA, or any URL) are only downloaded; `police`, `ucdp`,
    `dane-population` and `mgn` are recorded in the store and imported (or loaded)."""
    from peacemonitor import fetch as fetching

    if list_only:
        for item in fetching.DATASETS.values():
            typer.echo(f"{item.name}: {item.description}\n  {item.url}")
        return
    directory = cache or fetching.default_cache()
    if what and what[0] in PUBLISHED:
        options = _PublisherOptions(
            dataset, since, dataset_id, version, candidate, api, url, base_url, not no_import
        )
        _fetch_published(ctx, what, directory, options)
        return
    for result in fetching.fetch_all(what or list(fetching.DATASETS), directory, _progress()):
        typer.echo(result.summary())


@dataclass(frozen=True)
class _PublisherOptions:
    dataset: str | None
    since: str | None
    dataset_id: str | None
    version: str | None
    candidate: bool
    api: bool
    url: str | None
    base_url: str | None
    import_: bool


def _fetch_published(
    ctx: typer.Context, what: list[str], cache: Path, options: _PublisherOptions
) -> None:
    if len(what) > 1:
        raise typer.BadParameter(f"fetch one publisher at a time, not {' '.join(what)}")
    {
        "police": _fetch_police,
        "ucdp": _fetch_ucdp,
        "dane-population": _fetch_dane,
        "mgn": _fetch_dane,
    }[what[0]](ctx, what[0], cache, options)


def _fetch_police(ctx: typer.Context, _: str, cache: Path, options: _PublisherOptions) -> None:
    from peacemonitor.cli.context import settings
    from peacemonitor.fetches import record
    from peacemonitor.socrata import DATOS_GOV_CO, fetch_police

    if options.dataset is None:
        raise typer.BadParameter("give --dataset homicide|kidnapping|extortion|terrorism")
    since = _parse_date(options.since) if options.since else None
    store = settings(ctx).store()
    _ready(store)
    with _progress() as progress:
        got = fetch_police(
            options.dataset,
            cache,
            since=since,
            dataset_id=options.dataset_id,
            base=options.base_url or DATOS_GOV_CO,
            progress=progress,
        )
    record(store, [got.record])
    pages = f"{got.pages} page" + ("s" if got.pages != 1 else "")
    typer.echo(
        f"{got.dataset.name} ({got.dataset.dataset_id}): {got.path} ({got.rows:,} rows, "
        f"{pages}, sha256 {got.record.sha256[:12] if got.record.sha256 else ''}…)"
    )
    if options.import_:
        _hand_over(store, "police", [got.path])


def _ready(store: Any) -> None:
    """Fail now, in one line, if the store is missing or outdated — not after minutes of
    downloading."""
    with store.read():
        pass


def _parse_date(value: str) -> Any:
    import datetime as dt

    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        message = f"{value!r} is not a date (YYYY-MM-DD)"
        raise typer.BadParameter(message, param_hint="--since") from None


def _hand_over(store: Any, source: str, paths: list[Path], revise: bool = False) -> None:
    """Import fetched files and print where their rows went (one line per file)."""
    from peacemonitor.handover import import_fetched

    handover = import_fetched(store, source, paths, revise)
    _print_handover(handover)
    if handover.failures:
        raise typer.Exit(1)


def _print_handover(handover: Any) -> None:
    for report in handover.reports:
        quarantined = sum(report.rows_quarantined.values())
        revised = report.observations_replaced
        typer.echo(
            f"{Path(report.file).name}: imported as {report.layout}: {report.rows_read:,} rows "
            f"read, {report.rows_stored:,} stored, {report.rows_already_present:,} already "
            f"present, {quarantined:,} quarantined" + (f", {revised:,} revised" if revised else "")
        )
    for line in handover.unread:
        typer.echo(line)
    for failure in handover.failures:
        typer.echo(f"error: {failure}", err=True)


def _fetch_ucdp(ctx: typer.Context, _: str, cache: Path, options: _PublisherOptions) -> None:
    """GED or Candidate from the download site, or (--api) from the API; then `import ucdp`,
    revising events a former version stored under the same ids."""
    from peacemonitor import ucdp_fetch
    from peacemonitor.cli.context import settings
    from peacemonitor.credentials import required
    from peacemonitor.fetches import record

    store = settings(ctx).store()
    _ready(store)
    if options.api:
        token = required(ucdp_fetch.TOKEN_ENV, "ucdp-token", "UCDP API access token")
        got = ucdp_fetch.fetch_api(
            cache,
            options.version or ucdp_fetch.DEFAULT_GED,
            token,
            base=options.base_url or ucdp_fetch.UCDP_API,
        )
    else:
        with _progress() as progress:
            got = ucdp_fetch.fetch_download(
                cache,
                options.version,
                options.candidate,
                base=options.base_url or ucdp_fetch.UCDP_SITE,
                progress=progress,
            )
    record(store, [got.record])
    typer.echo(
        f"ucdp {got.record.dataset}: {got.path} ({got.rows:,} rows, "
        f"sha256 {(got.record.sha256 or '')[:12]}…)"
    )
    if options.import_ and got.rows:
        _hand_over(store, "ucdp", [got.path], revise=True)


def _fetch_dane(ctx: typer.Context, what: str, cache: Path, options: _PublisherOptions) -> None:
    """A DANE population or MGN file from the address given, then loaded like `data load`."""
    from peacemonitor.cli.context import settings
    from peacemonitor.dane_fetch import fetch_dane
    from peacemonitor.fetches import record
    from peacemonitor.handover import load_reference

    store = settings(ctx).store()
    _ready(store)
    with _progress() as progress:
        got = fetch_dane(what, options.url, cache, progress=progress)
    record(store, [got.record])
    typer.echo(f"{what}: {got.path} (sha256 {(got.record.sha256 or '')[:12]}…)")
    if options.import_:
        for line in load_reference(store, got.path):
            typer.echo(line)


def sync(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help="acled")],
    country: Annotated[str, typer.Option(help="ACLED's country name.")] = "Colombia",
    cache: Annotated[
        Path | None,
        typer.Option(help="Download folder.", envvar="PEACEMONITOR_CACHE"),
    ] = None,
    base_url: Annotated[
        str | None, typer.Option(help="ACLED's server, for mirrors (and tests).")
    ] = None,
) -> None:
    """Bring ACLED's events up to date with your own account: only what changed since the last
    sync is pulled and revised in place; events ACLED deleted are withdrawn.

    Credentials: ACLED_USERNAME (or ACLED_EMAIL) and ACLED_PASSWORD, or the keyring."""
    from peacemonitor import fetch as fetching
    from peacemonitor.acled_sync import ACLED_SITE, ACLED_TERMS, sync_acled
    from peacemonitor.cli.context import settings

    if source != "acled":
        raise typer.BadParameter(f"{source!r}: only acled syncs", param_hint="SOURCE")
    store = settings(ctx).store()
    got = sync_acled(store, cache or fetching.default_cache(), country, base=base_url or ACLED_SITE)
    pages = f"{got.pages} page" + ("s" if got.pages != 1 else "")
    typer.echo(
        f"acled {got.country}: {got.events:,} events new or changed since the last sync "
        f"({pages}); {got.deletions_seen:,} deletions since the last sync, "
        f"{got.withdrawn:,} withdrawn here"
    )
    _print_handover(got.handover)
    typer.echo(
        f"next sync asks for events changed at or after timestamp {got.state.last_timestamp}"
    )
    accessed = got.state.synced_at.date().isoformat() if got.state.synced_at else "?"
    typer.echo(
        f"source: ACLED, accessed {accessed}; attribute it as ACLED's Terms of Use & "
        f"Attribution Policy ask ({ACLED_TERMS})"
    )


def fetches(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
) -> None:
    """What was fetched from which publisher, when: URL (no credentials), sha256, rows."""
    from peacemonitor.cli.context import settings
    from peacemonitor.fetches import list_fetches

    found = list_fetches(settings(ctx).store(), source)
    columns = ["fetch_id", "source", "dataset", "fetched_at", "file_name", "rows", "sha256", "url"]
    emit(found, columns, fmt)


def _progress() -> Any:
    """A download bar on stderr (bytes, speed), shown only on a terminal."""
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TransferSpeedColumn,
    )

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn())
    return Progress(
        *columns,
        TransferSpeedColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    )


def register(group: typer.Typer) -> None:
    """Add the fetch commands to the `data` group."""
    group.command()(fetch)
    group.command()(fetches)
    group.command()(sync)
