"""What every command reads from the Typer context: the settings the top-level callback made.

Its own module so that command modules never import ``peacemonitor.cli`` (which imports them)."""

from __future__ import annotations

import typer

from peacemonitor.settings import Settings


def settings(ctx: typer.Context) -> Settings:
    """The settings the top-level callback put on the context."""
    root = ctx.find_root()
    assert isinstance(root.obj, Settings)
    return root.obj
