"""Published statistics: numbers other people published, kept with their qualifier and source."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel

from peacemonitor.model import Statistic
from peacemonitor.registry import Registry, date_key


def list_statistics(
    registry: Registry,
    indicator: str | None = None,
    actor: str | None = None,
    territory: str | None = None,
) -> list[Statistic]:
    """Statistics filtered by indicator, actor and territory, in period order."""
    found = [
        s
        for s in registry.statistics.values()
        if (indicator is None or s.indicator == indicator)
        and (actor is None or s.actor == actor)
        and (territory is None or s.territory == territory)
    ]
    return sorted(found, key=lambda s: (s.indicator, date_key(s.period_start), s.id))


class StatisticView(BaseModel):
    """A published statistic as a reader needs it beside the number: what it says, how sure,
    for which period and place, who published it, and whether we could verify it."""

    id: str
    indicator: str
    statement: str
    qualifier: str
    value: float | None
    direction: str | None
    unit: str
    period: str
    territory: str
    territory_name: str | None
    actor: str | None
    source: str
    unverified: bool


def statistic_view(
    statistic: Statistic, registry: Registry, names: Mapping[str, str] | None = None
) -> StatisticView:
    """The statistic with its period, place name and first source spelt out."""
    return StatisticView(
        id=statistic.id,
        indicator=statistic.indicator,
        statement=statistic.statement,
        qualifier=statistic.qualifier_text or statistic.qualifier.value,
        value=statistic.value,
        direction=statistic.direction.value if statistic.direction else None,
        unit=statistic.unit,
        period=_period(statistic),
        territory=statistic.territory,
        territory_name=(names or {}).get(statistic.territory, _COUNTRY.get(statistic.territory)),
        actor=statistic.actor,
        source=_source(statistic, registry),
        unverified=statistic.unverified,
    )


_COUNTRY = {"CO": "Colombia"}


def _period(statistic: Statistic) -> str:
    start, end = statistic.period_start, statistic.period_end
    if start is None and end is None:
        return ""
    if start == end or end is None:
        return str(start) if end is None else str(end)
    return f"{start or ''}..{end}"


def _source(statistic: Statistic, registry: Registry) -> str:
    """The first citation as "publisher (date)", with its original publisher if second-hand."""
    citation = statistic.sources[0]
    found = registry.sources.get(citation.source)
    text = citation.source if found is None else found.publisher
    if found is not None and found.date is not None:
        text += f" ({found.date})"
    if citation.originally:
        text += f", from {citation.originally}"
    return text
