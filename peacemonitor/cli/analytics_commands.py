"""Process analytics: implementation, published vs computed, network, spillover, scorecards,
priorities and vacuum risk. Each command parses, calls one library function and renders; CSV
and Parquet hold the analysis's main rows, JSON the whole result with every component."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from peacemonitor.cli.process_commands import AsOfOpt, FormatOpt, _day, _registry
from peacemonitor.cli.render import Format, OutputOpt, emit, table_text

PROVISION_COLUMNS = [
    "agreement",
    "provision",
    "theme",
    "party",
    "level",
    "level_as_of",
    "implemented_before_signed",
]


def _store(ctx: typer.Context) -> Any:
    from peacemonitor.cli.context import settings

    return settings(ctx).store()


def _levels(by_level: dict[str, int]) -> str:
    return "  ".join(f"{k}: {v}" for k, v in by_level.items())


def implementation(
    ctx: typer.Context,
    scope: Annotated[str | None, typer.Argument(help="An agreement or table id.")] = None,
    format: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
) -> None:
    """Provisions by implementation level, theme, responsible party and over time."""
    from peacemonitor.implementation import implementation as run

    report = run(_registry(ctx), scope)
    lines = [line for a in report.agreements for line in a.provisions]
    if format is not Format.TABLE:
        emit(report if format is Format.JSON else lines, PROVISION_COLUMNS, format, output=output)
        return
    typer.echo(_implementation_text(report))


def _implementation_text(report: Any) -> str:
    lines = [f"implementation: {report.scope}", report.coding]
    lines.append(f"all provisions by level — {_levels(report.by_level)}")
    for agreement in report.agreements:
        lines.append(f"\n{agreement.agreement} ({agreement.date}) — {agreement.title}")
        if agreement.provisions:
            rows = [
                [p.provision, p.theme, p.party, "" if p.level is None else str(p.level)]
                + [p.level_as_of or "", "yes" if p.implemented_before_signed else ""]
                for p in agreement.provisions
            ]
            lines.append(
                table_text(rows, ["provision", "theme", "party", "level", "as of", "before signed"])
            )
        if agreement.published_note:
            lines.append(agreement.published_note)
        lines += [
            f"  {g.as_of} {g.indicator}: {g.value:g} {g.unit} — {g.label}"
            for g in agreement.published
        ]
    for title, groups in (("theme", report.by_theme), ("party", report.by_party)):
        lines.append(f"\nby {title}:")
        lines += [f"  {g.key} ({g.provisions}) — {_levels(g.by_level)}" for g in groups]
    lines.append("\nover time:")
    lines += [f"  {s.as_of} ({s.provisions}) — {_levels(s.by_level)}" for s in report.over_time]
    return "\n".join(lines)


RECONCILE_COLUMNS = [
    "statistic",
    "territory",
    "period_start",
    "period_end",
    "published",
    "qualifier",
    "unit",
    "publisher",
    "status",
    "reading",
    "source",
    "observed_unit",
    "computed",
    "difference",
    "coverage",
    "reasons",
]

RECONCILE_TABLE = [
    "statistic",
    "period_start",
    "period_end",
    "published",
    "unit",
    "status",
    "reading",
    "source",
    "computed",
    "difference",
    "coverage",
]


def reconcile(
    ctx: typer.Context,
    format: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
    indicator: Annotated[str | None, typer.Option(help="Only this indicator.")] = None,
    computable: Annotated[
        bool, typer.Option("--computable", help="Leave out what the monitor cannot compute.")
    ] = False,
) -> None:
    """Each published statistic beside what the monitor computes, with the reasons they differ."""
    from peacemonitor.published import reconcile as run

    report = run(_store(ctx), _registry(ctx), indicator, computable)
    if format is Format.JSON:
        emit(report, [], format)
        return
    rows = reconcile_rows(report.rows)
    if format is not Format.TABLE:
        emit(rows, RECONCILE_COLUMNS, format, output=output)
        return
    emit(rows, RECONCILE_TABLE, format, title="published vs computed")
    typer.echo("\n".join(f"{r.statistic}: {'; '.join(r.reasons)}" for r in report.rows))
    if report.government_year is not None:
        typer.echo(_government_year_text(report.government_year))


def reconcile_rows(items: list[Any]) -> list[dict[str, Any]]:
    """One row per statistic and computed reading (one row with empty computed cells when
    nothing was computed)."""
    rows = []
    for item in items:
        base = {k: getattr(item, k) for k in RECONCILE_COLUMNS[:9]}
        base["reasons"] = "; ".join(item.reasons)
        for c in item.computed or [None]:
            rows.append(
                base
                | {
                    "reading": c.reading if c else None,
                    "source": c.source if c else None,
                    "observed_unit": c.unit if c else None,
                    "computed": c.value if c else None,
                    "difference": c.difference if c else None,
                    "coverage": c.coverage if c else None,
                }
            )
    return rows


def _government_year_text(year: Any) -> str:
    rows = [
        [r.reading, str(r.first), str(r.last), _num(r.incidents), _num(r.victims), r.coverage]
        for r in year.readings
    ]
    columns = ["reading", "first", "last", "incidents", "victims", "coverage"]
    lines = [f"\n{year.source}: {year.definition}", table_text(rows, columns)]
    lines += [
        f"published: {p.statistic} — {p.qualifier} {p.published:g} {p.unit} ({p.publisher}, "
        f"{p.period_start} to {p.period_end})"
        for p in year.published
    ]
    return "\n".join([*lines, year.note])


def _num(value: float | None) -> str:
    return "no data" if value is None else f"{value:g}"


class NetworkFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    CSV = "csv"
    PARQUET = "parquet"
    GRAPHML = "graphml"


EDGE_COLUMNS = ["source", "target", "relation", "family", "since", "until", "sources"]


def network(
    ctx: typer.Context,
    format: Annotated[
        NetworkFormat, typer.Option("--format", "-f", help="Output format.")
    ] = NetworkFormat.TABLE,
    output: OutputOpt = None,
    as_of: AsOfOpt = None,
) -> None:
    """Groups and tables linked by lineage, alliances, rivalries and table parties."""
    from peacemonitor.network import graphml
    from peacemonitor.network import network as run

    net = run(_registry(ctx), _day(as_of))
    if format is NetworkFormat.GRAPHML:
        text = graphml(net)
        if output is None:
            typer.echo(text)
        else:
            output.write_text(text + "\n", encoding="utf-8")
            typer.echo(f"wrote {len(net.nodes)} node(s), {len(net.edges)} edge(s) to {output}")
        return
    fmt = Format(format.value)
    if fmt is Format.JSON:
        emit(net, [], fmt)
        return
    emit(net.edges, EDGE_COLUMNS, fmt, title=f"network on {net.as_of}", output=output)


def spillover(
    ctx: typer.Context,
    table_id: Annotated[str, typer.Argument(metavar="TABLE")],
    format: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
    outcome: Annotated[str, typer.Option(help="A view or a category.")] = "homicide",
    window: Annotated[int, typer.Option(help="Months before and after each event.")] = 6,
    source: Annotated[str | None, typer.Option(help="Only this source.")] = None,
) -> None:
    """Violence in the other tables' territories around a table's suspensions (event study)."""
    from peacemonitor.spillover import spillover as run

    result = run(_store(ctx), _registry(ctx), table_id, outcome, window, source)
    if format is Format.JSON:
        emit(result, [], format)
        return
    columns = ["relative_month", "estimate", "std_error", "ci_low", "ci_high"]
    if format is not Format.TABLE:
        emit(result.coefficients, columns, format, output=output)
        return
    typer.echo(f"{result.table}: {result.status} — {result.note}")
    typer.echo("events: " + ", ".join(f"{e.date} {e.status}" for e in result.events))
    rows = [
        [s.event_date, s.other_table, str(s.municipalities), _num(s.before_mean)]
        + [_num(s.after_mean), str(s.no_data_months)]
        for s in result.series
    ]
    typer.echo(table_text(rows, ["event", "other table", "munis", "before", "after", "no data"]))
    if result.coefficients:
        emit(result.coefficients, columns, format, title=result.method)


WeightsOpt = Annotated[
    str | None, typer.Option("--weights", help="Change weights: name=value,... (see the output).")
]


def scorecard(
    ctx: typer.Context,
    subject: Annotated[str | None, typer.Argument(metavar="[ACTOR|TABLE]")] = None,
    format: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
    first_year: Annotated[int, typer.Option("--from-year")] = 2022,
    last_year: Annotated[int, typer.Option("--to-year")] = 2025,
    weights: WeightsOpt = None,
) -> None:
    """Seriousness per year: red lines, ceasefire violations, gestures, provisions, violence."""
    from peacemonitor.scorecard import WEIGHTS, negotiating_groups
    from peacemonitor.scorecard import scorecard as run
    from peacemonitor.weights import parse_weights

    registry, store = _registry(ctx), _store(ctx)
    chosen = parse_weights(weights, WEIGHTS)
    subjects = [subject] if subject else negotiating_groups(registry)
    years = range(first_year, last_year + 1)
    cards = [run(store, registry, s, years, chosen) for s in subjects]
    if format is Format.JSON:
        emit(cards if subject is None else cards[0], [], format)
        return
    rows = [_card_row(card, year) for card in cards for year in card.years]
    columns = ["subject", "year", "score", "measured_weight", *WEIGHTS]
    title = "weights: " + ", ".join(f"{k}={v:g}" for k, v in chosen.items())
    emit(rows, columns, format, title=title, output=output)
    if format is Format.TABLE and subject is not None:
        typer.echo(_evidence_text(cards[0]))


def _card_row(card: Any, year: Any) -> dict[str, Any]:
    row = {"subject": card.subject, "year": year.year, "score": year.score}
    row["measured_weight"] = year.measured_weight
    for c in year.components:
        row[c.name] = c.score if c.score is not None else c.status
    return row


def _evidence_text(card: Any) -> str:
    lines = []
    for year in card.years:
        for c in year.components:
            lines.append(f"{year.year} {c.name} ({c.status}): {c.detail}")
            lines += [
                f"    {e.kind} {e.ref}"
                + (f" {e.date}" if e.date else "")
                + (f" — {e.detail}" if e.detail else "")
                for e in c.evidence
            ]
    return "\n".join(lines)


class PriorityLevel(StrEnum):
    DEPARTMENT = "department"
    MUNICIPALITY = "municipality"


def priorities(
    ctx: typer.Context,
    format: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
    level: Annotated[PriorityLevel, typer.Option(help="Territory level.")] = (
        PriorityLevel.DEPARTMENT
    ),
    year: Annotated[int, typer.Option(help="Year of violence, population and tables.")] = 2024,
    weights: WeightsOpt = None,
    top: Annotated[int | None, typer.Option(help="Only the first N (table format).")] = None,
) -> None:
    """Territories ranked by a documented index; every component and weight shown."""
    from peacemonitor.priorities import WEIGHTS
    from peacemonitor.priorities import priorities as run
    from peacemonitor.weights import parse_weights

    chosen = parse_weights(weights, WEIGHTS)
    report = run(_store(ctx), _registry(ctx), level.value, year, chosen)
    if format is Format.JSON:
        emit(report, [], format)
        return
    rows = [
        {"rank": r.rank, "code": r.code, "name": r.name, "index": r.index}
        | {c.name: c.score if c.score is not None else "no data" for c in r.components}
        for r in report.rows
    ]
    if format is Format.TABLE and top is not None:
        rows = rows[:top]
    title = "weights: " + ", ".join(f"{k}={v:g}" for k, v in chosen.items())
    emit(rows, ["rank", "code", "name", "index", *WEIGHTS], format, title=title, output=output)
    if format is Format.TABLE:
        typer.echo("violence sources: " + ", ".join(f"{k} {v}" for k, v in report.outcomes.items()))


def vacuum(
    ctx: typer.Context,
    actor_id: Annotated[str, typer.Argument(metavar="ACTOR")],
    format: FormatOpt = Format.TABLE,
    output: OutputOpt = None,
    outcome: Annotated[str, typer.Option(help="A view or a category.")] = "homicide",
    first_year: Annotated[int, typer.Option("--from-year")] = 2021,
    last_year: Annotated[int, typer.Option("--to-year")] = 2024,
    weights: WeightsOpt = None,
) -> None:
    """If ACTOR demobilised: who is present in and around its area, and the risk per place."""
    from peacemonitor.vacuum import WEIGHTS
    from peacemonitor.vacuum import vacuum as run
    from peacemonitor.weights import parse_weights

    chosen = parse_weights(weights, WEIGHTS)
    years = range(first_year, last_year + 1)
    report = run(_store(ctx), _registry(ctx), actor_id, years, outcome, chosen)
    if format is Format.JSON:
        emit(report, [], format)
        return
    rows = [
        m.model_dump(exclude={"violence"})
        | {f"{outcome} {y.year}": "no data" if y.count is None else y.count for y in m.violence}
        for m in report.municipalities
    ]
    columns = ["code", "name", "groups_here", "groups_near", "rivals", "rising", "points", "risk"]
    columns += [f"{outcome} {y}" for y in years]
    title = "weights: " + ", ".join(f"{k}={v:g}" for k, v in chosen.items())
    emit(rows, columns, format, title=title, output=output)
    if format is Format.TABLE:
        typer.echo(report.note)


def register(app: typer.Typer) -> None:
    commands = (implementation, reconcile, network, spillover, scorecard, priorities, vacuum)
    for command in commands:
        app.command()(command)
