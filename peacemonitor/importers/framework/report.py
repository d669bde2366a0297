"""Where every row of one file went: the report of an import, as stored and shown."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field


class TotalCheck(BaseModel):
    row: int
    column: str
    part: str | None
    declared: float
    stored: float
    quarantined: float


class CoverageSpan(BaseModel):
    category: str
    unit: str
    territory_level: str
    first: dt.date
    last: dt.date
    # The country the observations lie in: DIVIPOLA codes are Colombia's ("CO"); an event of
    # another country is stored at country level under that country's code. Coverage is per
    # country, so a file of Ukraine's events never makes Colombia's months 0.
    country: str = "CO"


class ImportReport(BaseModel):
    """Where every row of one file went. rows_read always equals the sum of the rest."""

    import_id: int
    source: str
    kind: str = "file"
    file: str
    sha256: str
    layout: str | None
    # The text encoding a CSV file was read in (utf-8, utf-8-sig or cp1252); None for workbooks.
    encoding: str | None = None
    rows_read: int
    rows_non_data: dict[str, int] = Field(default_factory=dict)
    rows_stored: int = 0
    rows_already_present: int = 0
    rows_quarantined: dict[str, int] = Field(default_factory=dict)
    observations_stored: int = 0
    observations_replaced: int = 0
    same_content_as: str | None = None
    supersedes: list[dict[str, Any]] = Field(default_factory=list)
    totals: list[TotalCheck] = Field(default_factory=list)
    coverage: list[CoverageSpan] = Field(default_factory=list)
    seconds: float = 0.0

    @property
    def accounted(self) -> int:
        return (
            sum(self.rows_non_data.values())
            + self.rows_stored
            + self.rows_already_present
            + sum(self.rows_quarantined.values())
        )


LISTED_PLACES = "places"
"""The coverage level of a source that covers only the places it lists (``listed_places``)."""


def merge_spans(spans: Iterable[CoverageSpan], touching_only: bool = False) -> list[CoverageSpan]:
    """One span per (category, unit, level, country): from the earliest first to the latest
    last — or, with ``touching_only`` (an importer whose batches each cover exactly the periods
    they hold: ``exact_coverage``, aggregate tables), spans joined only where they overlap or
    touch, so a table of 2011, 2016 and 2021 does not claim the years between."""
    if touching_only:
        return _touching(spans)
    merged: dict[tuple[str, str, str, str], CoverageSpan] = {}
    for span in spans:
        key = (span.category, span.unit, span.territory_level, span.country)
        old = merged.get(key)
        merged[key] = (
            span
            if old is None
            else old.model_copy(
                update={"first": min(old.first, span.first), "last": max(old.last, span.last)}
            )
        )
    return [merged[key] for key in sorted(merged)]


def _touching(spans: Iterable[CoverageSpan]) -> list[CoverageSpan]:
    def key(s: CoverageSpan) -> tuple[str, str, str, str]:
        return (s.category, s.unit, s.territory_level, s.country)

    merged: list[CoverageSpan] = []
    for span in sorted(spans, key=lambda s: (*key(s), s.first)):
        last = merged[-1] if merged else None
        same = last is not None and key(last) == key(span)
        if last is not None and same and span.first <= last.last + dt.timedelta(days=1):
            merged[-1] = last.model_copy(update={"last": max(last.last, span.last)})
        else:
            merged.append(span)
    return merged


def listed(spans: Iterable[CoverageSpan]) -> list[CoverageSpan]:
    """Spans of a source that covers only the places it lists: level ``places``, so
    indicators never fill the territories it does not hold with 0."""
    return [s.model_copy(update={"territory_level": LISTED_PLACES}) for s in spans]
