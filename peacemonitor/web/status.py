"""What the store holds, so every page can say what is missing and how to load it.

A map with no boundaries, or a chart with no observations, must never be drawn empty without a
word: pages read this status and show the command that fills the gap.
"""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from peacemonitor.errors import PeacemonitorError, StoreBusy
from peacemonitor.store import Store

# Human labels and licence notes of the observation sources the importers write.
SOURCE_LABELS = {
    "police": "Policía Nacional (SIEDCO)",
    "massacres": "Policía Nacional – masacres (datos.gov.co)",
    "leaders": "Datasketch / INDEPAZ – líderes sociales",
    "ucdp": "UCDP Georeferenced Event Dataset",
    "acled": "ACLED",
    "acled-hdx": "ACLED (HDX aggregates)",
    "police-datos-gov": "Policía Nacional (SIEDCO) – datos.gov.co exports",
    "police-aggregates-municipality": "Policía Nacional (SIEDCO) – aggregates by municipality",
    "police-aggregates-department": "Policía Nacional (SIEDCO) – aggregates by department",
    "police-aggregates-national": "Policía Nacional (SIEDCO) – national aggregates",
    "police-aggregates-monthly": "Policía Nacional (SIEDCO) – national monthly aggregates",
    "cnmh": "CNMH – Observatorio de Memoria y Conflicto",
    "cnmh-massacres-4plus": "CNMH – Observatorio de Memoria y Conflicto, massacres of 4+ victims",
    "simci-coca": "SIMCI/UNODC coca census (Observatorio de Drogas de Colombia)",
    "paztotal-panel": "Navarro (2026) Paz Total panel: Policía Nacional and ACLED-derived counts",
}
ACLED_DERIVED = ("paztotal-panel",)
"""Sources that are not ACLED's but hold counts derived from ACLED's (the panel's political
violence and civilian targeting): they carry ACLED's attribution too."""
ACLED_ATTRIBUTION = (
    "Armed Conflict Location & Event Data (ACLED), acleddata.com — aggregates only; "
    "ACLED's raw rows are never served."
)


def acled_attributed(source: str) -> bool:
    """Whether a source's counts are ACLED's or derived from ACLED's."""
    return source.startswith("acled") or source in ACLED_DERIVED


class Missing(BaseModel):
    """Something a page needs that the store lacks, and the command that loads it."""

    what: str
    command: str


class SourceNote(BaseModel):
    """The source line every chart and map carries."""

    source: str
    label: str
    accessed: dt.date | None
    attribution: str | None


class StoreStatus(BaseModel):
    """Counts of what is loaded; zero everywhere on a store that does not exist yet."""

    store: str
    exists: bool
    registry_records: int = 0
    territories: int = 0
    boundaries: int = 0
    population_vintages: int = 0
    observations: int = 0
    error: str | None = None

    @property
    def missing(self) -> list[Missing]:
        """What to load next, in the order the commands must run."""
        return [m for ok, m in _NEEDS if not ok(self)]


_NEEDS = (
    (lambda s: s.exists, Missing(what="store", command="peacemonitor init")),
    (lambda s: s.registry_records > 0, Missing(what="registry", command="peacemonitor init")),
    (
        lambda s: s.territories > 0,
        Missing(what="divipola", command="peacemonitor data load path/to/divipola"),
    ),
    (
        lambda s: s.boundaries > 0,
        Missing(what="boundaries", command="peacemonitor data load path/to/boundaries_mgn2018"),
    ),
    (
        lambda s: s.population_vintages > 0,
        Missing(what="population", command="peacemonitor data load path/to/population_dane"),
    ),
    (
        lambda s: s.observations > 0,
        Missing(what="observations", command="peacemonitor import police homicidios_*.xlsx"),
    ),
)

_COUNTS = {
    "registry_records": "SELECT count(*) FROM registry_records",
    "territories": "SELECT count(*) FROM territories WHERE level <> 'country'",
    "boundaries": "SELECT count(*) FROM boundaries WHERE detail = 'light'",
    "population_vintages": "SELECT count(*) FROM population_vintages",
    "observations": "SELECT count(*) FROM observations",
}


def store_status(store: Store) -> StoreStatus:
    """Counts of each kind of data in the store (an unreadable store says why)."""
    if not store.path.exists():
        return StoreStatus(store=str(store.path), exists=False)
    try:
        with store.read() as db:
            counts = {k: int(db.execute(sql).fetchone()[0]) for k, sql in _COUNTS.items()}  # type: ignore[index]
    except StoreBusy:
        raise  # a wait, not a state of the store: the caller serves its last answer or says so
    except PeacemonitorError as error:
        return StoreStatus(store=str(store.path), exists=True, error=str(error))
    return StoreStatus(store=str(store.path), exists=True, **counts)


def source_notes(store: Store, sources: list[str]) -> list[SourceNote]:
    """Label, access date (the last import of the source) and attribution of each source."""
    if not sources:
        return []
    with store.read() as db:
        rows = db.execute(
            "SELECT source, max(finished_at) FROM imports WHERE source IN "
            "(SELECT unnest(?::VARCHAR[])) GROUP BY source",
            [sorted(set(sources))],
        ).fetchall()
    accessed = {source: when.date() if when else None for source, when in rows}
    return [
        SourceNote(
            source=source,
            label=SOURCE_LABELS.get(source, source),
            accessed=accessed.get(source),
            attribution=ACLED_ATTRIBUTION if acled_attributed(source) else None,
        )
        for source in sorted(set(sources))
    ]
