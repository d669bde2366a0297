"""`compare OUTCOME`: one outcome, one source, a set of territories, two windows."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from peacemonitor.cli.render import Format, emit

COLUMNS = [
    "window",
    "from",
    "to",
    "months_covered",
    "count",
    "person_years",
    "rate_per_100k_year",
    "population_vintages",
]


def compare(
    ctx: typer.Context,
    outcome: Annotated[str, typer.Argument(help="A view, a category or massacre-3plus|4plus.")],
    before: Annotated[str, typer.Option("--before", help="FROM:TO, whole months.")],
    after: Annotated[str, typer.Option("--after", help="FROM:TO, whole months.")],
    territory: Annotated[
        list[str] | None,
        typer.Option("--territory", help="DIVIPOLA code or exact name (repeatable)."),
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="An actor's presence area (id, name or alias).")
    ] = None,
    ceasefire: Annotated[
        str | None, typer.Option("--ceasefire", help="A ceasefire's scope in force.")
    ] = None,
    on: Annotated[
        str | None,
        typer.Option("--on", help="Day of the presence or scope (default: the --after start)."),
    ] = None,
    source: Annotated[str | None, typer.Option("--source", help="The one source used.")] = None,
    unit: Annotated[str | None, typer.Option("--unit", help="incidents, victims, ...")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.TABLE,
) -> None:
    """Counts, rates per 100,000 a year and the after ÷ before rate ratio with its 95% interval
    (Poisson, or negative binomial when overdispersed), one source at a time."""
    from peacemonitor.cli.context import settings
    from peacemonitor.cli.process_commands import _day
    from peacemonitor.comparison import Window, territories
    from peacemonitor.comparison import compare as run
    from peacemonitor.registry import from_store

    store = settings(ctx).store()
    windows = Window.parse(before), Window.parse(after)
    registry = from_store(store) if actor or ceasefire else None
    day = _day(on) or windows[1].first
    where = territories(store, registry, territory or [], actor, ceasefire, day)
    result = run(store, outcome, where, *windows, source=source, unit=unit)
    if format is Format.JSON:
        emit(result, [], format)
        return
    rows = [_row(result.before), _row(result.after)]
    emit(rows, COLUMNS, format, title=_title(result))
    if format is Format.TABLE:
        typer.echo(_ratio_line(result))
        for note in result.notes:
            typer.echo(f"note: {note}")


def _row(window: Any) -> dict[str, Any]:
    return {
        "window": window.label,
        "from": window.first.isoformat(),
        "to": window.last.isoformat(),
        "months_covered": f"{window.months_covered}/{window.months}",
        "count": "no data" if window.count is None else window.count,
        "person_years": window.person_years,
        "rate_per_100k_year": window.rate_per_100k_year,
        "population_vintages": window.population_vintages,
    }


def _title(result: Any) -> str:
    what = result.outcome + (f" ({result.min_victims}+ victims)" if result.min_victims else "")
    return (
        f"{what} from {result.source} in {result.unit}; {len(result.territories)} "
        f"municipalities: {result.territory_label}"
    )


def _ratio_line(result: Any) -> str:
    ratio = result.rate_ratio
    if ratio is None:
        return "rate ratio (after ÷ before): none"
    interval = f"95% CI {ratio.low}–{ratio.high}" if ratio.low is not None else "no interval"
    test = ratio.dispersion
    tested = f"; dispersion test {test.statistic} (p={test.p_value:.3g})" if test else ""
    unconverged = " (did not converge)" if not ratio.converged else ""
    return (
        f"rate ratio (after ÷ before): {ratio.estimate} ({interval}), {ratio.model} model"
        f"{unconverged} on {ratio.units} municipality-{ratio.period}s, exposure "
        f"{ratio.exposure}{tested}; "
        f"crude ratio of rates {ratio.crude}"
    )


def register(app: typer.Typer) -> None:
    app.command("compare")(compare)
