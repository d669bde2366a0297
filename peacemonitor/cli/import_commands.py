"""`import`, `quarantine [retry]`, `indicator` and `coverage`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from peacemonitor.cli.render import Format, OutputOpt, emit, write_geojson

if TYPE_CHECKING:
    from peacemonitor.importers.framework.errors import ImportFailed
    from peacemonitor.importers.framework.report import ImportReport

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
REPORT_COLUMNS = [
    "file",
    "layout",
    "rows_read",
    "non_data",
    "stored",
    "already_present",
    "quarantined",
    "observations",
]


def _counts(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counts.items())) or "0"


def report_row(report: ImportReport) -> dict[str, Any]:
    """An import report as one table row."""
    return {
        "file": report.file if report.kind == "file" else f"{report.file} (retry)",
        "layout": report.layout,
        "rows_read": report.rows_read,
        "non_data": _counts(report.rows_non_data),
        "stored": report.rows_stored,
        "already_present": report.rows_already_present,
        "quarantined": _counts(report.rows_quarantined),
        "observations": report.observations_stored,
    }


def _emit_reports(reports: list[ImportReport], fmt: Format) -> None:
    if fmt is Format.JSON:
        emit(reports, [], fmt)
        return
    emit([report_row(r) for r in reports], REPORT_COLUMNS, fmt)


def import_(
    ctx: typer.Context,
    source: Annotated[
        str,
        typer.Argument(
            help="police, massacres, leaders, ucdp, acled, pax, ceasefires, cnmh, "
            "paztotal-panel, table; or presence (a table of where groups are)."
        ),
    ],
    files: Annotated[
        list[Path],
        typer.Argument(help="Files or folders (their files recognised by content).", exists=False),
    ],
    format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format (table or json).")
    ] = Format.TABLE,
    encoding: Annotated[
        str | None,
        typer.Option(help="Text encoding of CSV files (default: UTF-8, else cp1252 when proven)."),
    ] = None,
    revise: Annotated[
        bool,
        typer.Option(
            "--revise",
            help="Replace what earlier imports stored: the same ids (ucdp, acled, cnmh, "
            "paztotal-panel, table), else the periods this file covers (a publisher's re-issue).",
        ),
    ] = False,
    mapping: Annotated[
        Path | None, typer.Option(help="table: a mapping file (YAML, see docs/mappings).")
    ] = None,
    table_source: Annotated[
        str | None, typer.Option("--source", help="table: the source the counts are filed under.")
    ] = None,
    category: Annotated[str | None, typer.Option(help="table: the counts' category.")] = None,
    unit: Annotated[str | None, typer.Option(help="table: the counts' unit.")] = None,
    map_: Annotated[
        list[str] | None,
        typer.Option("--map", help="table: FIELD=COLUMN, e.g. count=total, year=anio (repeat)."),
    ] = None,
) -> None:
    """Import files and report where every row of each went.

    Each file is atomic: one that fails leaves the store as it was, the others go on, and the
    command exits with code 1. A new version of a UCDP or ACLED file revises events: without
    --revise its known ids count as already present; with it they replace what was stored. A
    file of a source without ids (Police, lists) whose content is a stored file's is already
    present; one covering periods a stored file covers is refused unless --revise, which
    replaces the stored observations of those periods. SOURCE `table` imports aggregate tables
    described by --mapping or --source/--category/--unit/--map."""
    from peacemonitor.cli.context import settings
    from peacemonitor.importers.framework.errors import UnknownLayout
    from peacemonitor.runner import files_to_import, get_importer, import_files, load_resolver

    if source == "presence":
        _import_presence(ctx, files, format)
        return
    table = _table_mapping(source, mapping, table_source, category, unit, map_ or [])
    get_importer(source)
    store = settings(ctx).store()
    resolver = load_resolver(store)
    paths, in_folders = files_to_import(files)
    with _progress(len(paths)) as advance:
        if table is not None:
            from peacemonitor.importers.aggregates import TableImporter
            from peacemonitor.table_imports import check_source

            check_source(store, table)
            outcomes = import_files(
                store, source, paths, resolver, encoding=encoding, on_file=advance,
                revise=revise, importer=TableImporter(table),
            )  # fmt: skip
        else:
            outcomes = import_files(
                store, source, paths, resolver, encoding=encoding, on_file=advance, revise=revise
            )
    skipped = [
        path
        for path, o in zip(paths, outcomes, strict=True)
        if path in in_folders and isinstance(o, UnknownLayout)
    ]
    outcomes = [o for p, o in zip(paths, outcomes, strict=True) if p not in skipped]
    for path in skipped:
        typer.echo(f"{path.name}: skipped (not a {source} layout)", err=True)
    reports = [o for o in outcomes if not isinstance(o, Exception)]
    if reports:
        _emit_reports(reports, format)
    if format is Format.TABLE:  # csv and json stay machine-readable (json has the count)
        for report in reports:
            _say_what_it_replaced(report)
    failures = [o for o in outcomes if isinstance(o, Exception)]
    for failure in failures:
        typer.echo(f"error: {failure}", err=True)
    if failures:
        raise typer.Exit(1)


def _import_presence(ctx: typer.Context, files: list[Path], fmt: Format) -> None:
    """`import presence FILE...`: a user's presence tables, each file atomic."""
    from peacemonitor.cli.context import settings
    from peacemonitor.gazetteer import Gazetteer
    from peacemonitor.registry import from_store
    from peacemonitor.user_presence import import_presence

    store = settings(ctx).store()
    registry, gazetteer = from_store(store), Gazetteer.from_store(store)
    reports = [import_presence(store, registry, gazetteer, path) for path in files]
    _emit_reports(reports, fmt)


def _table_mapping(
    source: str,
    mapping: Path | None,
    table_source: str | None,
    category: str | None,
    unit: str | None,
    pairs: list[str],
) -> Any:
    """The table mapping the options describe (None for other sources, which take none)."""
    from peacemonitor.importers.aggregates import (
        MappingInvalid,
        load_mapping,
        mapping_from,
        parse_map_options,
    )

    given = {"source": table_source, "category": category, "unit": unit}
    options = {k: v for k, v in given.items() if v is not None}
    if source != "table":
        if mapping or options or pairs:
            raise MappingInvalid("--mapping, --source, --category, --unit, --map: only for table")
        return None
    if mapping is not None:
        loaded = load_mapping(mapping)
        fields = loaded.model_dump(exclude_none=True) | options | parse_map_options(pairs)
        return mapping_from(fields, mapping.name)
    return mapping_from(options | parse_map_options(pairs))


class _Progress:
    """A rich progress bar over files on stderr, shown only on a terminal."""

    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import Progress

        console = Console(stderr=True)
        self.bar = Progress(console=console, transient=True, disable=not console.is_terminal)
        self.task = self.bar.add_task("importing", total=total)

    def __enter__(self) -> Any:
        self.bar.__enter__()
        return self.advance

    def __exit__(self, *exc: object) -> None:
        self.bar.__exit__(None, None, None)

    def advance(self, path: Path, outcome: ImportReport | ImportFailed) -> None:
        self.bar.update(self.task, advance=1, description=f"imported {path.name}")


def _say_what_it_replaced(report: ImportReport) -> None:
    if report.same_content_as:
        typer.echo(f"{report.file}: same content as {report.same_content_as}; already present")
    for old in report.supersedes:
        years = ", ".join(f"{year}: {n}" for year, n in old["periods"].items())
        typer.echo(f"{report.file}: replaced observations of {old['file']} ({years})")
    if report.observations_replaced and not report.supersedes:
        typer.echo(
            f"{report.file}: replaced {report.observations_replaced} observations "
            "stored by earlier imports"
        )


def _progress(total: int) -> _Progress:
    return _Progress(total)


def quarantine_list(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Include rows resolved since.")] = False,
    format: FormatOpt = Format.TABLE,
    list_rows: bool = False,
    output: Path | None = None,
) -> None:
    """Quarantined rows counted by file and reason; with --list, each row with its raw values.

    Sensitive values are redacted unless PEACEMONITOR_SHOW_SENSITIVE=1."""
    from peacemonitor.cli.context import settings
    from peacemonitor.quarantine import list_quarantine, quarantine_summary

    config = settings(ctx)
    if not list_rows:
        counts = quarantine_summary(config.store(), source, all_)
        emit(counts, ["source", "file", "reason", "rows", "resolved"], format, output=output)
        return
    entries = list_quarantine(config.store(), source, all_, config.show_sensitive)
    if format is Format.JSON:
        emit(entries, [], format)
        return
    rows = [{**e.model_dump(), "raw": _raw_text(e.raw), "resolved": e.resolved} for e in entries]
    columns = ["source", "file", "row", "reason", "column", "detail", "raw"]
    emit(rows, columns, format, output=output)


def _raw_text(raw: dict[str, Any]) -> str:
    cells = raw.get("cells", raw)
    return "; ".join(f"{k}={v}" for k, v in cells.items() if v not in (None, ""))


def quarantine_retry(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    format: Annotated[
        Format, typer.Option("--format", "-f", help="Output format (table or json).")
    ] = Format.TABLE,
) -> None:
    """Re-resolve quarantined rows after the gazetteer or aliases improved.

    Rows that now resolve are stored; each file's retry is recorded with its own accounting."""
    from peacemonitor.cli.context import settings
    from peacemonitor.quarantine import retry_quarantine
    from peacemonitor.runner import load_resolver

    store = settings(ctx).store()
    reports = retry_quarantine(store, load_resolver(store), source)
    if not reports:
        typer.echo("nothing in quarantine")
        return
    _emit_reports(reports, format)


def indicator(
    ctx: typer.Context,
    category: Annotated[str, typer.Argument(help="A category, e.g. homicide, massacre.")],
    level: Annotated[
        str | None,
        typer.Option(
            help="national (= country), department or municipality (default: the territories')."
        ),
    ] = None,
    by: Annotated[str, typer.Option(help="month or year.")] = "year",
    from_: Annotated[
        str | None, typer.Option("--from", help="First period (YYYY or YYYY-MM).")
    ] = None,
    to: Annotated[str | None, typer.Option(help="Last period (YYYY or YYYY-MM).")] = None,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
    population_vintage: Annotated[
        str | None, typer.Option(help="Population vintage for rates (default: per year).")
    ] = None,
    territory: Annotated[
        list[str] | None,
        typer.Option(help="A territory's code or name (repeatable); resolved by the gazetteer."),
    ] = None,
    sort: Annotated[
        str | None, typer.Option(help="Order by count, rate or change, highest first.")
    ] = None,
    top_n: Annotated[int | None, typer.Option("--top", help="Only the first N rows.")] = None,
    change_from: Annotated[
        str | None,
        typer.Option(help="Change against this period (default: each row's previous period)."),
    ] = None,
    format: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """Counts and rates per 100,000 by territory and period, one row per source and unit, with
    the change against the previous period (or --change-from)."""
    from peacemonitor import indicators
    from peacemonitor.cli.context import settings
    from peacemonitor.model import Category, TerritoryLevel

    store = settings(ctx).store()
    codes, level_of = _territory_codes(store, territory or [])
    query = indicators.Query(
        category=_choice(category, "CATEGORY", Category),
        level=_choice(level or level_of or "national", "--level", TerritoryLevel),
        by=_choice(by, "--by", indicators.Period),
        start=_choice(from_, "--from", _date) if from_ else None,
        end=_choice(to, "--to", _date) if to else None,
        source=source,
        population_vintage=population_vintage,
    )
    frame = indicators.indicator_with_change(store, query, change_from)
    if codes:
        frame = indicators.only_territories(frame, codes)
    if sort or top_n:
        frame = indicators.top(frame, _choice(sort or "count", "--sort", indicators.SortKey), top_n)
    columns = [*indicators.COLUMNS, "change", "change_pct"]
    export(indicators.records(frame), columns, format, output, query.level, store)


def export(
    rows: list[dict[str, Any]],
    columns: list[str],
    fmt: Format,
    output: Path | None,
    geometry: Any = None,
    store: Any = None,
) -> None:
    """Print or write indicator rows; GeoJSON puts them on the stored boundaries of ``geometry``
    (the query's level), which must be a department or municipality level."""
    from peacemonitor.model import TerritoryLevel

    if fmt is not Format.GEOJSON or geometry is None or geometry.value == "national":
        emit(rows, columns, fmt, output=output)
        return
    from peacemonitor.boundaries import feature_collection

    picked = [{c: row.get(c) for c in columns} for row in rows]
    write_geojson(feature_collection(store, TerritoryLevel(geometry.value), picked), output)


def _territory_codes(store: Any, texts: list[str]) -> tuple[list[str], str | None]:
    """The codes the typed territories resolve to, and their level (all must share one)."""
    if not texts:
        return [], None
    from peacemonitor.gazetteer import Gazetteer, PlaceNotResolved

    gazetteer = Gazetteer.from_store(store)
    found = [gazetteer.find_one(text) for text in texts]
    levels = {r.level.value for r in found if r.level is not None}
    if len(levels) != 1:
        raise PlaceNotResolved("give territories of one level (all departments or municipalities)")
    return [r.code for r in found if r.code], levels.pop()


def _date(value: str) -> Any:
    from peacemonitor.model import PartialDate

    return PartialDate.parse(value)


def _choice(value: str, name: str, parse: Any) -> Any:
    try:
        return parse(value)
    except ValueError:
        options = getattr(parse, "__members__", None)
        hint = f" (one of: {', '.join(m.value for m in parse)})" if options else ""
        raise typer.BadParameter(f"{value!r}{hint}", param_hint=name) from None


def coverage(
    ctx: typer.Context, format: FormatOpt = Format.TABLE, output: OutputOpt = None
) -> None:
    """Which source covers which category, for which days, down to which level.

    Periods outside these spans are "no data", never 0."""
    from peacemonitor.cli.context import settings
    from peacemonitor.coverage import coverage as covered

    rows = covered(settings(ctx).store())
    columns = [
        "source", "country_name", "category", "unit", "territory_level", "first", "last",
        "months", "gaps",
    ]  # fmt: skip
    emit(rows, columns, format, output=output)


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    group = typer.Typer(
        help="Rows that could not be stored: list them, or retry them.",
        invoke_without_command=True,
    )

    @group.callback()
    def _list(
        ctx: typer.Context,
        source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
        all_: Annotated[bool, typer.Option("--all", help="Include rows resolved since.")] = False,
        format: FormatOpt = Format.TABLE,
        list_rows: Annotated[
            bool, typer.Option("--list", help="List each row (raw values, reason, column).")
        ] = False,
        output: OutputOpt = None,
    ) -> None:
        """Quarantined rows counted by file and reason (`--list`: each row); `retry`
        re-resolves them."""
        if ctx.invoked_subcommand is None:
            quarantine_list(ctx, source, all_, format, list_rows, output)

    group.command("retry")(quarantine_retry)
    app.add_typer(group, name="quarantine")
    app.command()(indicator)
    app.command()(coverage)
