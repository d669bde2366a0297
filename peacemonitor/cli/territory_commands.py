"""`data load|fetch` (reference files) and `resolve` (a place to a DIVIPOLA code)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from peacemonitor.cli.render import Format, emit

COLUMNS = ["code", "name", "level", "match", "reason", "score", "detail"]


def load(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A reference file or a folder of them.")],
    boundary_detail: Annotated[
        str | None,
        typer.Option(help="Force boundary files to 'full' (point-in-polygon) or 'light' (maps)."),
    ] = None,
) -> None:
    """Load DIVIPOLA lists, DANE population files and MGN boundaries, recognised by content."""
    from rich.progress import Progress

    from peacemonitor.cli.context import settings
    from peacemonitor.reference import load_files

    store = settings(ctx).store()
    console = _stderr()
    with Progress(transient=True, console=console, disable=not console.is_terminal) as bar:
        task = bar.add_task("loading")

        def step(file: Path, done: int, total: int) -> None:
            bar.update(task, description=file.name, completed=done, total=total)

        loads = load_files(store, path, boundary_detail, progress=step)
    lines = [line for load in loads for line in load.lines()]
    typer.echo("\n".join(lines))


def resolve(
    ctx: typer.Context,
    place: Annotated[
        list[str] | None,
        typer.Argument(help="CODE, or DEPARTMENT MUNICIPALITY, or MUNICIPALITY alone."),
    ] = None,
    point: Annotated[
        tuple[float, float] | None, typer.Option(help="LAT LON of a point.", show_default=False)
    ] = None,
    precision: Annotated[
        float | None, typer.Option(help="The point's precision code (see --scheme).")
    ] = None,
    scheme: Annotated[
        str, typer.Option(help="Precision scheme: ucdp (where_prec), acled (geo_precision).")
    ] = "ucdp",
    fmt: Annotated[Format, typer.Option("--format", help="Output format.")] = Format.TABLE,
) -> None:
    """Resolve a place to a territory: print its code, official name and how it matched."""
    from peacemonitor.cli.context import settings
    from peacemonitor.gazetteer import Gazetteer

    gazetteer = Gazetteer.from_store(settings(ctx).store())
    clues = _clues(place or [], point, precision, scheme)
    emit(_as_dict(gazetteer.resolve(**clues)), COLUMNS, fmt)


def _clues(
    place: list[str], point: tuple[float, float] | None, precision: float | None, scheme: str
) -> dict[str, Any]:
    """Keyword arguments for Gazetteer.resolve from the command line's words."""
    from peacemonitor.territories import InvalidCode, parse_code

    if len(place) > 2:
        raise typer.BadParameter("give CODE, MUNICIPALITY, or DEPARTMENT MUNICIPALITY")
    clues: dict[str, Any] = {}
    if point is not None:
        clues.update(lat=point[0], lon=point[1], precision=precision, scheme=scheme)
    if len(place) == 2:
        clues.update(department=place[0], municipality=place[1])
    elif len(place) == 1:
        try:
            parse_code(place[0])
            clues["code"] = place[0]
        except InvalidCode:
            clues["municipality"] = place[0]
    if not clues:
        raise typer.BadParameter("give a place: CODE, names, or --point LAT LON")
    return clues


def _as_dict(found: Any) -> dict[str, Any]:
    return {
        "code": found.code,
        "name": found.name,
        "level": found.level.value if found.level else None,
        "match": found.match.value if found.match else None,
        "reason": found.reason.value if found.reason else None,
        "score": found.score,
        "detail": found.detail,
    }


def _stderr() -> Any:
    from rich.console import Console

    return Console(stderr=True)


def register(app: typer.Typer) -> None:
    from peacemonitor.cli import fetch_commands

    group = typer.Typer(help="Load and fetch reference data (territories).", no_args_is_help=True)
    group.command()(load)
    fetch_commands.register(group)
    app.add_typer(group, name="data")
    app.command()(resolve)
