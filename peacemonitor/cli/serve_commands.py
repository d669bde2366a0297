"""`serve`: the dashboard and JSON API on the store."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option(help="Address to bind (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
) -> None:
    """Serve the dashboard and its JSON API (read-only) at http://HOST:PORT/.

    A missing store is created first, with the bundled registry (what `peacemonitor init`
    does), so a fresh install shows the process at once; pages then say which data to load."""
    import uvicorn

    from peacemonitor.cli.context import settings
    from peacemonitor.web import create_app
    from peacemonitor.web.bootstrap import ensure_store

    config = settings(ctx)
    note = ensure_store(config.store())
    if note:
        typer.echo(note)
    typer.echo(f"peacemonitor: serving {config.db} at http://{host}:{port}/ (Ctrl-C stops)")
    uvicorn.run(create_app(config), host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.command()(serve)
