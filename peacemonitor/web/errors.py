"""The API's one error shape, and which status each library error answers with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from peacemonitor.errors import NotFound, PeacemonitorError, StoreBusy


class ErrorWhere(BaseModel):
    where: str
    message: str


class ErrorBody(BaseModel):
    status: int
    type: str
    message: str
    details: list[ErrorWhere] | None = None


class ApiError(BaseModel):
    """Every API error: ``{"error": {"status", "type", "message"[, "details"]}}``."""

    error: ErrorBody


def error_json(status: int, kind: str, message: str, details: Any = None) -> dict[str, Any]:
    body = ErrorBody(status=status, type=kind, message=message, details=details)
    return ApiError(error=body).model_dump(mode="json", exclude_none=True)


def status_of(error: PeacemonitorError) -> int:
    """404 for what is not there, 503 for a store held too long by an import, 409 for data not
    loaded yet, 400 for the rest."""
    name = type(error).__name__
    if isinstance(error, NotFound) or name in ("NoObservations", "UnknownOutcome"):
        return 404
    if isinstance(error, StoreBusy):
        return 503
    return 409 if "NotLoaded" in name or "Missing" in name else 400
