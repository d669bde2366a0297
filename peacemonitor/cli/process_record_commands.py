"""`imported agreements|ceasefires|relink`: imported process records and their registry links."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from peacemonitor.cli.render import Format, emit

if TYPE_CHECKING:
    from pydantic import BaseModel

    from peacemonitor.process_records import Link, RelinkReport

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
CountryOpt = Annotated[
    str | None, typer.Option(help="Only records of this country (PA-X may list several).")
]
LinkedOpt = Annotated[
    bool | None,
    typer.Option(
        "--linked/--unlinked",
        help="Only records linked to a registry table, agreement or ceasefire (or only unlinked).",
        show_default=False,
    ),
]
AGREEMENT_COLUMNS = ["record_id", "date", "country", "title", "stage", "actor_ids", "links"]
CEASEFIRE_COLUMNS = ["record_id", "date", "declared_by", "actor_ids", "masked", "links"]


def link_text(link: Link) -> str:
    """``kind:id`` when linked, ``kind: — reason`` when not; an actor link adds its evidence,
    the column and the registry name its words matched (JSON has the words themselves)."""
    text = f"{link.kind}:{link.id}" if link.id else f"{link.kind}: — {link.reason}"
    if link.id is None and link.evidence is not None and link.detail:
        text += f": {link.detail}"
    if link.evidence is not None:
        text += f" (matched in {link.evidence.column}: {link.evidence.name})"
    return text


def _rows(records: list[Any], separator: str) -> list[dict[str, Any]]:
    return [
        {**r.model_dump(mode="json"), "links": separator.join(link_text(k) for k in r.links)}
        for r in records
    ]


def _emit(records: list[BaseModel], columns: list[str], fmt: Format) -> None:
    """JSON keeps every field; a table shows one link a line, CSV separates them with '; '."""
    if fmt is Format.JSON:
        emit(records, columns, fmt)
        return
    emit(_rows(records, "\n" if fmt is Format.TABLE else "; "), columns, fmt)


def agreements(
    ctx: typer.Context,
    country: CountryOpt = None,
    linked: LinkedOpt = None,
    format: FormatOpt = Format.TABLE,
) -> None:
    """Imported PA-X agreements with their registry actors and links (or why none)."""
    from peacemonitor.cli.context import settings
    from peacemonitor.process_records import imported_agreements

    records = imported_agreements(settings(ctx).store(), country=country, linked=linked)
    _emit(list(records), AGREEMENT_COLUMNS, format)


def ceasefires(
    ctx: typer.Context,
    country: CountryOpt = None,
    linked: LinkedOpt = None,
    format: FormatOpt = Format.TABLE,
) -> None:
    """Imported ETH/PRIO ceasefire declarations with their registry actor and links."""
    from peacemonitor.cli.context import settings
    from peacemonitor.process_records import imported_ceasefires

    records = imported_ceasefires(settings(ctx).store(), country=country, linked=linked)
    _emit(list(records), CEASEFIRE_COLUMNS, format)


def relink_line(report: RelinkReport) -> str:
    """One line saying what a relink did (also printed by `registry load`)."""
    return (
        f"relinked {report.records} imported records to the registry: {report.changed} changed, "
        f"{report.linked} linked (before: {report.linked_before})"
    )


def relink(ctx: typer.Context) -> None:
    """Recompute imported records' actors and links from the registry the store holds now.

    `registry load` does this by itself; run it after changing the store some other way."""
    from peacemonitor.cli.context import settings
    from peacemonitor.process_records import relink as relink_records

    report = relink_records(settings(ctx).store())
    typer.echo(relink_line(report) if report.records else "no imported records to relink")


def register(app: typer.Typer) -> None:
    group = typer.Typer(
        help="Imported process records (PA-X, ETH/PRIO) and their registry links.",
        no_args_is_help=True,
    )
    group.command()(agreements)
    group.command()(ceasefires)
    group.command()(relink)
    app.add_typer(group, name="imported")
