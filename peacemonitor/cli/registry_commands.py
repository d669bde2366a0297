"""`init` and `registry check|load|export`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from peacemonitor.cli.render import dumps

if TYPE_CHECKING:
    from peacemonitor.process_records import RelinkReport

DirectoryArg = Annotated[
    Path | None, typer.Argument(help="Registry directory (default: the bundled registry).")
]


def init(
    ctx: typer.Context,
    registry: Annotated[Path | None, typer.Option(help="Registry directory to load.")] = None,
) -> None:
    """Create or upgrade the store and load the registry into it."""
    from peacemonitor import registry as reg
    from peacemonitor.cli.context import settings
    from peacemonitor.process_records import save_registry

    store = settings(ctx).store()
    applied = store.migrate()
    directory = registry or reg.bundled_directory()
    saved = save_registry(reg.load(directory), store, directory)
    what = f"applied migrations {applied}" if applied else "schema up to date"
    typer.echo(f"{store.path}: {what}; loaded {saved.records} registry records from {directory}")
    _echo_relink(saved.relink)


def check(directory: DirectoryArg = None) -> None:
    """Check a registry directory: schema, sources, references, date order, duplicate ids."""
    from peacemonitor import registry as reg

    loaded = reg.load(directory)
    counts = ", ".join(f"{len(getattr(loaded, kind))} {kind}" for kind in reg.KINDS)
    typer.echo(f"registry OK: {loaded.count()} records ({counts})")


def load(ctx: typer.Context, directory: DirectoryArg = None) -> None:
    """Check a registry directory and replace the store's registry with it.

    Imported process records (PA-X, ETH/PRIO) are then relinked to the new registry."""
    from peacemonitor import registry as reg
    from peacemonitor.cli.context import settings
    from peacemonitor.process_records import save_registry

    directory = directory or reg.bundled_directory()
    saved = save_registry(reg.load(directory), settings(ctx).store(), directory)
    typer.echo(f"loaded {saved.records} registry records from {directory}")
    _echo_relink(saved.relink)


def _echo_relink(report: RelinkReport) -> None:
    """The imported records' relink, in one line, when there are any."""
    from peacemonitor.cli.process_record_commands import relink_line

    if report.records:
        typer.echo(relink_line(report))


def export(
    ctx: typer.Context,
    output: Annotated[
        Path | None,
        typer.Option(help="Write one YAML file per kind here instead of JSON to stdout."),
    ] = None,
) -> None:
    """Export the store's registry: JSON to stdout, or YAML that `registry load` reads back."""
    from peacemonitor import registry as reg
    from peacemonitor.cli.context import settings

    loaded = reg.from_store(settings(ctx).store())
    if output is None:
        typer.echo(dumps(reg.as_documents(loaded)))
        return
    for path in reg.write_yaml(loaded, output):
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    app.command()(init)
    group = typer.Typer(help="Check, load and export the curated registry.", no_args_is_help=True)
    group.command()(check)
    group.command()(load)
    group.command()(export)
    app.add_typer(group, name="registry")
