"""`presence ACTOR`: where a group is, and how that is known."""

from __future__ import annotations

from typing import Annotated

import typer

from peacemonitor.cli.render import Format, emit

COLUMNS = [
    "how",
    "territory_code",
    "territory_name",
    "territory_level",
    "first",
    "last",
    "source",
    "events",
]


def presence(
    ctx: typer.Context,
    actor: Annotated[str, typer.Argument(help="Actor id, name or alias.")],
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Day asked (YYYY-MM-DD); all time by default.")
    ] = None,
    how: Annotated[
        list[str] | None,
        typer.Option("--how", help="registry, events or user (repeatable); all by default."),
    ] = None,
    window_months: Annotated[
        int, typer.Option(help="Months before --as-of that reports and events count.")
    ] = 24,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.TABLE,
) -> None:
    """Where an actor is present: cited registry reports, events mapped to it, the user's
    imported table — each row labelled with how it is known."""
    from peacemonitor.cli.context import settings
    from peacemonitor.cli.process_commands import _day
    from peacemonitor.presence import presence as find
    from peacemonitor.presence import resolve_actor
    from peacemonitor.registry import from_store

    store = settings(ctx).store()
    registry = from_store(store)
    found = resolve_actor(registry, actor)
    records = find(store, registry, found.id, _day(as_of), window_months, set(how) if how else None)
    from pydantic import TypeAdapter

    from peacemonitor.presence import PresenceRecord

    rows = TypeAdapter(list[PresenceRecord]).dump_python(records, mode="json")
    if format is Format.JSON:
        emit(rows, [], format)
        return
    title = f"{found.id} — {found.name}: {len(records)} presence record(s)"
    emit(rows, COLUMNS, format, title=title)


def register(app: typer.Typer) -> None:
    app.command("presence")(presence)
