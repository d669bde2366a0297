"""The ``peacemonitor`` command. Each command parses input, calls one library function, renders.

Command groups live in sibling modules, each with a ``register(app)``; heavy imports stay inside
commands so ``peacemonitor --help`` is fast.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from peacemonitor.cli.context import settings
from peacemonitor.errors import PeacemonitorError
from peacemonitor.settings import Settings


class _Group(TyperGroup):
    """Turns every PeacemonitorError into one line on stderr and exit code 1: no tracebacks."""

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except PeacemonitorError as error:
            typer.echo(f"error: {error}", err=True)
            raise typer.Exit(1) from None


app = typer.Typer(
    cls=_Group,
    no_args_is_help=True,
    add_completion=False,
    help="Monitor a peace process territory by territory.",
    pretty_exceptions_enable=False,
)


@app.callback()
def _settings(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            help="Store file.", envvar="PEACEMONITOR_DB", show_default="./peacemonitor.duckdb"
        ),
    ] = None,
) -> None:
    ctx.obj = Settings.from_env(db)


def _register_all() -> None:
    from peacemonitor.cli import process_commands, process_record_commands, registry_commands

    registry_commands.register(app)
    process_commands.register(app)
    process_record_commands.register(app)
    from peacemonitor.cli import territory_commands

    territory_commands.register(app)
    from peacemonitor.cli import import_commands

    import_commands.register(app)
    from peacemonitor.cli import analytics_commands

    analytics_commands.register(app)
    from peacemonitor.cli import presence_commands

    presence_commands.register(app)
    from peacemonitor.cli import compare_commands

    compare_commands.register(app)
    from peacemonitor.cli import reconcile_commands

    reconcile_commands.register(app)
    from peacemonitor.cli import ceasefire_commands

    ceasefire_commands.register(app)
    from peacemonitor.cli import serve_commands

    serve_commands.register(app)


__all__ = ["app", "main", "settings"]


_register_all()


def main() -> None:
    app()
