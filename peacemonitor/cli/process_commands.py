"""Read commands over the peace process: actors, actor, tables, table, ceasefires, stats."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import typer

from peacemonitor.cli.render import Format, emit, table_text

FormatOpt = Annotated[Format, typer.Option("--format", "-f", help="Output format.")]
AsOfOpt = Annotated[
    str | None, typer.Option("--as-of", help="Day to look at (YYYY-MM-DD); today by default.")
]


def _day(as_of: str | None) -> dt.date | None:
    from peacemonitor.model import parse_day

    if as_of is None:
        return None
    try:
        return parse_day(as_of)
    except ValueError as error:
        raise typer.BadParameter(str(error), param_hint="--as-of") from None


def _registry(ctx: typer.Context):  # type: ignore[no-untyped-def]
    from peacemonitor.cli.context import settings
    from peacemonitor.registry import from_store

    return from_store(settings(ctx).store())


def actors(ctx: typer.Context, format: FormatOpt = Format.TABLE, as_of: AsOfOpt = None) -> None:
    """List actors with their kind, legal status and origins."""
    from peacemonitor.actors import list_actors

    items = list_actors(_registry(ctx), _day(as_of))
    emit(items, ["id", "name", "kind", "legal_status", "origins"], format)


def _tree_lines(node, depth: int = 0) -> list[str]:  # type: ignore[no-untyped-def]
    links = "; ".join(
        f"{r.kind.value}{' ' + str(r.since) if r.since else ''}" for r in node.relations
    )
    lines = [f"{'  ' * depth}{node.actor} — {node.name}{f' [{links}]' if links else ''}"]
    for child in node.children:
        lines += _tree_lines(child, depth + 1)
    return lines


def actor(ctx: typer.Context, actor_id: str, format: FormatOpt = Format.TABLE) -> None:
    """One actor: names, legal status, strength, presence, and its lineage with sources."""
    from peacemonitor.actors import actor_detail

    registry = _registry(ctx)
    detail = actor_detail(registry, actor_id)
    if format is not Format.TABLE:
        emit(detail, [], format) if format is Format.JSON else _lineage_csv(detail)
        return
    typer.echo(_actor_text(detail, registry))


def _lineage_csv(detail) -> None:  # type: ignore[no-untyped-def]
    from peacemonitor.cli.render import csv_text

    rows = [
        [
            r.kind.value,
            r.actor,
            str(r.since or ""),
            str(r.until or ""),
            "; ".join(c.source for c in r.sources),
        ]
        for r in detail.actor.relations
    ]
    typer.echo(csv_text(rows, ["relation", "actor", "since", "until", "sources"]))


def _actor_text(detail, registry) -> str:  # type: ignore[no-untyped-def]
    a = detail.actor
    status = detail.legal_status.status.value if detail.legal_status else "not recorded"
    lines = [f"{a.id} — {a.name} ({a.kind.value})", f"legal status: {status}"]
    if a.aliases:
        lines.append("also: " + "; ".join(x.name for x in a.aliases))
    for s in a.strength:
        lines.append(
            f"strength {s.as_of}: {s.qualifier + ' ' if s.qualifier else ''}{s.value} {s.unit}"
            f" [{', '.join(c.source for c in s.sources)}]"
        )
    for r in a.relations:
        source = registry.sources[r.sources[0].source]
        lines.append(
            f"{r.kind.value} {r.actor}"
            + (f" since {r.since}" if r.since else "")
            + f" — {source.publisher}, {source.date or 'n.d.'}: "
            + f'"{r.sources[0].passage or source.title}"'
        )
    lines.append("lineage:")
    lines += ["  " + line for line in _tree_lines(detail.lineage)]
    if detail.tables:
        lines.append("tables: " + ", ".join(detail.tables))
    if detail.ceasefires:
        lines.append("ceasefires: " + ", ".join(detail.ceasefires))
    return "\n".join(lines)


def tables(ctx: typer.Context, format: FormatOpt = Format.TABLE, as_of: AsOfOpt = None) -> None:
    """Negotiation tables with level, track and status on a day."""
    from peacemonitor.tables import list_tables

    items = list_tables(_registry(ctx), _day(as_of))
    emit(items, ["id", "level", "track", "status", "status_since", "armed_groups"], format)


def table(
    ctx: typer.Context, table_id: str, format: FormatOpt = Format.TABLE, as_of: AsOfOpt = None
) -> None:
    """One table: status history, parties, ceasefires, agreements and provisions, red lines."""
    from peacemonitor.tables import table_detail

    detail = table_detail(_registry(ctx), table_id, _day(as_of))
    if format is Format.JSON:
        emit(detail, [], format)
        return
    history = detail.table.status_history
    emit(history, ["date", "status", "venue"], format, title=f"{detail.table.id}: status history")
    if format is Format.TABLE:
        typer.echo(_table_extras(detail))


def _table_extras(detail) -> str:  # type: ignore[no-untyped-def]
    from peacemonitor.tables import LEVEL_CODING

    t, state = detail.table, detail.state
    parts = [f"{t.name} — {t.level.value}, {t.track.value}"]
    if state is not None:
        doubt = (
            " (uncertain: the change is dated to a month or year)" if state.status_uncertain else ""
        )
        still = "; open: no end recorded" if state.open_ended else ""
        parts.append(
            f"status on {state.as_of}: {state.status.value} since {state.status_since}"
            f"{doubt}{still}"
        )
        parts.append("scope: " + ", ".join(state.scope))
    parts.append("parties: " + ", ".join(f"{p.actor} ({p.role.value})" for p in detail.parties_now))
    parts += [f"agenda: {a.title}" for a in t.agenda]
    parts += [_delegation_line(d, detail.heads) for d in t.delegations]
    parts += [_ceasefire_line(c) for c in detail.ceasefires]
    rows = [
        [
            a.agreement.id,
            p.provision.id,
            p.provision.theme,
            "" if p.level is None else str(int(p.level)),
            "yes" if p.implemented_before_signed else "",
        ]
        for a in detail.agreements
        for p in a.provisions
    ]
    if rows:
        parts.append(
            table_text(rows, ["agreement", "provision", "theme", "our level", "before signed"])
        )
        parts.append(f"our level: {LEVEL_CODING}")
    for r in detail.red_lines:
        parts.append(f"red line {r.id}: {r.description}")
    for g in detail.gestures:
        parts.append(f"gesture {g.date} {g.actor}: {g.kind} ({g.valence.value})")
    return "\n".join(parts)


def _delegation_line(delegation, heads) -> str:  # type: ignore[no-untyped-def]
    """One delegation entry; one that names no head points at the latest head recorded."""
    line = f"delegation {delegation.actor} ({delegation.as_of}): "
    if delegation.head:
        line += f"head {delegation.head}"
    else:
        known = next((h for h in heads if h.actor == delegation.actor), None)
        line += "head not named here" + (
            f" (latest recorded: {known.head}, {known.as_of})" if known else ""
        )
    return line + (f"; members {', '.join(delegation.members)}" if delegation.members else "")


def _ceasefire_line(state) -> str:  # type: ignore[no-untyped-def]
    """A ceasefire's state in one line: its own start, its term's, what was last known."""
    line = f"ceasefire {state.id}: {state.status}"
    line += f" since {state.since}" if state.since else ""
    if state.last_known:
        line += f" (last known: {state.last_known})"
    elif state.term_since and state.term_since != state.since and state.status != "ended":
        line += f"; term since {state.term_since}"
    return line + ("; open-ended" if state.open_ended else "")


CEASEFIRE_COLUMNS = [
    "id",
    "kind",
    "parties",
    "status",
    "since",
    "term_since",
    "planned_end",
    "open_ended",
    "in_force",
    "suspended",
]


def ceasefires(
    ctx: typer.Context,
    format: FormatOpt = Format.TABLE,
    as_of: AsOfOpt = None,
    live: Annotated[bool, typer.Option(help="Only those declared or in force that day.")] = False,
) -> None:
    """Ceasefires and their state on a day: in force where, suspended where, ended why."""
    from peacemonitor.ceasefires import list_ceasefires

    items = list_ceasefires(_registry(ctx), _day(as_of), only_live=live)
    emit(items, CEASEFIRE_COLUMNS, format)


def stats(
    ctx: typer.Context,
    format: FormatOpt = Format.TABLE,
    indicator: Annotated[str | None, typer.Option(help="Only this indicator.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only statistics about this actor.")] = None,
) -> None:
    """Published statistics: what each says, qualifier, period, territory, source, and whether
    it is unverified."""
    from peacemonitor.cli.context import settings
    from peacemonitor.indicators import territory_names
    from peacemonitor.statistics import list_statistics, statistic_view

    registry = _registry(ctx)
    names = territory_names(settings(ctx).store())
    items = list_statistics(registry, indicator=indicator, actor=actor)
    views = [statistic_view(item, registry, names) for item in items]
    emit(views, STAT_COLUMNS, format)


STAT_COLUMNS = [
    "id",
    "statement",
    "qualifier",
    "value",
    "direction",
    "unit",
    "period",
    "territory",
    "territory_name",
    "source",
    "unverified",
]


def register(app: typer.Typer) -> None:
    for command in (actors, actor, tables, table, ceasefires, stats):
        app.command()(command)
