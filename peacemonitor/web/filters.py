"""Filters live in the URL, so a view can be shared: one model read from the query string by
every page and its JSON twin alike, and written back into links."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from urllib.parse import urlencode

from pydantic import BaseModel, field_validator, model_validator

from peacemonitor.indicators import Level, Period
from peacemonitor.model import PartialDate


class Filters(BaseModel):
    """Period, territory, view/category, source, metric, day and language; the analytics
    pages' scope, subject, weights and indicator."""

    lang: Literal["es", "en"] | None = None
    as_of: dt.date | None = None
    start: str | None = None
    end: str | None = None
    by: Period = Period.YEAR
    outcome: str | None = None
    category: str | None = None
    level: Level = Level.DEPARTMENT
    period: str | None = None
    source: str | None = None
    metric: Literal["count", "rate"] = "count"
    territory: str | None = None
    q: str | None = None
    table: str | None = None  # implementation: an agreement or table id
    subject: str | None = None  # scorecard: an actor or table id
    weights: str | None = None  # scorecard: "violence=2,gestures=0"
    indicator: str | None = None  # published vs computed: one indicator
    computable: bool = False  # published vs computed: leave out what cannot be computed
    # regional priorities: "name=value,..." as `priorities --weights` takes them
    priority_weights: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _weight_inputs(cls, data: object) -> object:
        """The priorities form has one number input per component (``w_<name>``): they fold
        into ``priority_weights``, so links and cached answers carry one field."""
        if not isinstance(data, dict) or not any(str(k).startswith("w_") for k in data):
            return data
        parts = [f"{k[2:]}={v}" for k, v in data.items() if k.startswith("w_") and v != ""]
        kept = {k: v for k, v in data.items() if not k.startswith("w_")}
        return kept | ({"priority_weights": ",".join(parts)} if parts else {})

    @field_validator("*", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        """An empty form field means "not set" (a form submits every input)."""
        return None if value == "" else value

    @field_validator("start", "end", "period")
    @classmethod
    def _partial_date(cls, value: str | None) -> str | None:
        if value:
            PartialDate.parse(value)
        return value or None

    @property
    def day(self) -> dt.date:
        return self.as_of or dt.date.today()

    @property
    def first(self) -> PartialDate | None:
        return PartialDate.parse(self.start) if self.start else None

    @property
    def last(self) -> PartialDate | None:
        return PartialDate.parse(self.end) if self.end else None

    def query(self, **changes: object) -> str:
        """The query string of these filters with ``changes`` (None drops a key); defaults
        are left out so URLs stay short."""
        values = self.model_dump(mode="json", exclude_defaults=True)
        values.update({k: v for k, v in changes.items()})
        kept = {k: v for k, v in values.items() if v not in (None, "")}
        return ("?" + urlencode(kept)) if kept else ""

    def described(self) -> dict[str, str]:
        """The filters that are set, for the line under each chart and map."""
        return {
            k: str(v)
            for k, v in self.model_dump(mode="json", exclude_defaults=True).items()
            if v not in (None, "") and k not in ("lang", "q")
        }
