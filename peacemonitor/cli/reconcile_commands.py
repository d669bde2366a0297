"""`reconcile-police`: the Police's raw exports against its later aggregates."""

from __future__ import annotations

from typing import Annotated

import typer

from peacemonitor.cli.render import Format, emit

COLUMNS = [
    "territory_code",
    "territory_name",
    "year",
    "exports",
    "aggregates",
    "difference",
    "percent",
]


def reconcile_police(
    ctx: typer.Context,
    category: Annotated[str, typer.Argument(help="kidnapping, extortion or terrorism.")],
    level: Annotated[str, typer.Option(help="national, department or municipality.")] = "national",
    aggregates: Annotated[
        str | None, typer.Option(help="The aggregate source (default: the finest holding it).")
    ] = None,
    changed: Annotated[
        bool, typer.Option("--changed", help="Only territory-years whose figures differ.")
    ] = False,
    top: Annotated[int, typer.Option(help="At most this many rows (0: all).")] = 0,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = (
        Format.TABLE
    ),
) -> None:
    """Each year both Police releases cover whole: the datos.gov.co exports' figure, the
    aggregates', and the difference (aggregates − exports), with the files each comes from."""
    from peacemonitor.cli.context import settings
    from peacemonitor.cli.import_commands import _choice
    from peacemonitor.model import Category
    from peacemonitor.police_releases import ReconcileLevel
    from peacemonitor.police_releases import reconcile_police as reconcile

    found = reconcile(
        settings(ctx).store(),
        _choice(category, "CATEGORY", Category),
        _choice(level, "--level", ReconcileLevel),
        aggregates,
        changed_only=changed,
    )
    if top:
        found = found.model_copy(update={"differences": found.differences[:top]})
    if format is Format.JSON:
        emit(found, [], format)
        return
    title = (
        f"{found.category} ({found.unit}) by {found.level}, {found.first_year}–{found.last_year}: "
        f"{found.exports_source} vs {found.aggregates_source}"
    )
    emit(found.differences, COLUMNS, format, title)
    if format is Format.TABLE:
        for release in found.releases:
            typer.echo(
                f"{release.source}: {release.file} (sha256 {release.sha256[:12]}, imported "
                f"{release.imported_at:%Y-%m-%d %H:%M})"
            )


def register(app: typer.Typer) -> None:
    app.command("reconcile-police")(reconcile_police)
