"""`ceasefire effect ID`: did this ceasefire reduce violence, and which kind?

`ceasefire` is a command group (the existing `ceasefires` lists them); a group cannot also take a
positional ID, so the effects live under `ceasefire effect` and room is left for more subcommands.
"""

from __future__ import annotations

from typing import Annotated

import typer

from peacemonitor.cli.render import Format, emit, table_text

COLUMNS = [
    "method",
    "rate_ratio",
    "ci_low",
    "ci_high",
    "pre_trend_p",
    "units_treated",
    "units_comparison",
    "months",
    "events",
    "mde",
    "reason",
]

group = typer.Typer(
    help="One ceasefire's analyses: its effect on violence, its violations log.",
    no_args_is_help=True,
)


def _round(value: object) -> str:
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.3f}"
    return "" if value is None else str(value)


@group.command()
def effect(
    ctx: typer.Context,
    ceasefire_id: Annotated[str, typer.Argument(help="Ceasefire id (see `ceasefires`).")],
    outcome: Annotated[
        str,
        typer.Option(help="A view (state-group, group-group, civilians, coercion) or a category."),
    ] = "state-group",
    source: Annotated[
        str | None, typer.Option(help="One source (default: the one reporting most).")
    ] = None,
    method: Annotated[str, typer.Option(help="its, did, event-study, synth or all.")] = "all",
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.TABLE,
    presence: Annotated[
        str | None,
        typer.Option(
            help="Narrow the treated units to where the parties were in the two years before: "
            "registry, events, user or all (default: the registry scope whole)."
        ),
    ] = None,
) -> None:
    """Estimate a ceasefire's effect on monthly violence where it applied, with intervals,
    pre-trend tests and a sentence to quote — or why the data cannot say."""
    from peacemonitor.cli.context import settings
    from peacemonitor.effects import Method, ceasefire_effect, parties_presence
    from peacemonitor.errors import PeacemonitorError
    from peacemonitor.registry import from_store

    if method not in Method._value2member_map_:
        raise typer.BadParameter("use its, did, event-study, synth or all", param_hint="--method")
    store = settings(ctx).store()
    registry = from_store(store)
    found = None
    if presence is not None:
        kinds = {"registry", "events", "user"}
        how = kinds if presence == "all" else {presence}
        if not how <= kinds:
            raise typer.BadParameter("use registry, events, user or all", param_hint="--presence")
        found = parties_presence(store, registry, ceasefire_id, how)
        if not found:
            raise PeacemonitorError(
                f"no {presence} presence of {ceasefire_id}'s armed parties is recorded from two "
                "years before it to its last step: `peacemonitor presence ACTOR` shows what is "
                "known; leave out --presence to take the registry scope whole"
            )
    result = ceasefire_effect(
        store, registry, ceasefire_id, outcome, source, Method(method), presence=found
    )
    if format is not Format.TABLE:
        emit(result if format is Format.JSON else result.estimates, COLUMNS, format)
        return
    rows = [
        [_round(getattr(e, c)) if c != "reason" else (e.reason or "") for c in COLUMNS]
        for e in result.estimates
    ]
    title = f"{result.ceasefire}: {result.outcome} from {result.source} ({result.unit})"
    typer.echo(table_text(rows, COLUMNS, title))
    typer.echo(f"treated: {result.treated_from}")
    typer.echo(f"months: {result.first_month}..{result.last_month}")
    for line in result.coverage:
        typer.echo(f"coverage: {line}")
    for e in result.estimates:
        typer.echo(f"- {e.method}: {e.sentence}")
    for caveat in result.caveats:
        typer.echo(f"caveat: {caveat}")


@group.command()
def violations(
    ctx: typer.Context,
    ceasefire_id: Annotated[str, typer.Argument(help="Ceasefire id (see `ceasefires`).")],
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.TABLE,
) -> None:
    """Observations during the ceasefire, in its scope, involving its parties: between the
    parties, against civilians, or unattributed (to verify); ACLED only as aggregates."""
    from peacemonitor.cli.context import settings
    from peacemonitor.registry import from_store
    from peacemonitor.violations import violations as log

    store = settings(ctx).store()
    items = log(store, from_store(store), ceasefire_id)
    columns = ["date", "classification", "territory_code", "category", "source", "record_id"]
    emit(items, [*columns, "count", "unit", "actor_ids"], format)


def register(app: typer.Typer) -> None:
    app.add_typer(group, name="ceasefire")
