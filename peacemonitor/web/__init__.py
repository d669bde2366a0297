"""The dashboard and JSON API over the store (``create_app``); see docs/web.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fastapi import FastAPI

    from peacemonitor.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    """The FastAPI app for ``settings`` (imported lazily: FastAPI is heavy)."""
    from peacemonitor.web.app import create_app as build

    return build(settings)
