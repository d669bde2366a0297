"""Published statistics: numbers other people published, kept with their qualifier and source."""

from __future__ import annotations

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
