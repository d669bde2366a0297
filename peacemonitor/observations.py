"""The observation record, defined once: each column of the store's ``observations`` table with
its Arrow type (what importers hand over), its SQL type (what the store holds) and its meaning.

The batch builder (``importers.framework.batches``) and the runner's SQL derive their columns and
types from ``COLUMNS``; a test checks the migrated table against it. An observation is a count of
something in a unit, at a date and a territory, from one source record; its identity is
(source, record_id, part) — see docs/model.md.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ObservationColumn:
    """One column: ``core`` columns every batch carries (or the builder makes constant);
    ``batch`` is False for the two the runner adds itself (source, import_id)."""

    name: str
    arrow: str
    sql: str
    meaning: str
    core: bool = False
    batch: bool = True


COLUMNS: tuple[ObservationColumn, ...] = (
    ObservationColumn("source", "string", "VARCHAR", "the importer's source name", batch=False),
    ObservationColumn(
        "record_id",
        "string",
        "VARCHAR",
        "the source's own id, or '<file sha256>:<row>' — never a hash of the row's content",
        core=True,
    ),
    ObservationColumn(
        "part", "string", "VARCHAR", "which of one row's observations (a wide table's year)", True
    ),
    ObservationColumn("import_id", "int64", "BIGINT", "the import that stored it", batch=False),
    ObservationColumn("row_number", "int64", "BIGINT", "the row of the file (1-based)", True),
    ObservationColumn("category", "string", "VARCHAR", "what happened (model.Category)", True),
    ObservationColumn("unit", "string", "VARCHAR", "what count counts (model.Unit)", True),
    ObservationColumn("count", "float64", "DOUBLE", "how many, in the unit", True),
    ObservationColumn("date_first", "date32", "DATE", "the first day of the date", True),
    ObservationColumn(
        "date_precision", "string", "VARCHAR", "day, month or year: how far the date reaches", True
    ),
    ObservationColumn(
        "territory_level", "string", "VARCHAR", "country, department or municipality", True
    ),
    ObservationColumn("territory_code", "string", "VARCHAR", "the DIVIPOLA code", True),
    ObservationColumn(
        "resolution", "string", "VARCHAR", "how the place was matched (MatchKind)", True
    ),
    ObservationColumn("actor_ids", "list<string>", "VARCHAR[]", "registry actors, resolved"),
    ObservationColumn("actor_raw", "list<string>", "VARCHAR[]", "actors as the source names them"),
    ObservationColumn("deaths_best", "float64", "DOUBLE", "deaths, best estimate"),
    ObservationColumn("deaths_low", "float64", "DOUBLE", "deaths, low estimate"),
    ObservationColumn("deaths_high", "float64", "DOUBLE", "deaths, high estimate"),
    ObservationColumn("civilian_targeting", "bool", "BOOLEAN", "civilians were the target"),
    ObservationColumn("attributes", "struct", "JSON", "the layout's own fields, kept as JSON"),
    ObservationColumn("sensitive", "struct", "JSON", "victims' names: redacted unless allowed"),
)

BY_NAME = {column.name: column for column in COLUMNS}
CORE = (
    "row_number",
    "record_id",
    "part",
    "category",
    "unit",
    "count",
    "date_first",
    "date_precision",
    "territory_level",
    "territory_code",
    "resolution",
)
"""The columns every observation has, in the order the batch builder takes them."""
OPTIONAL = tuple(c.name for c in COLUMNS if c.batch and not c.core)
"""The columns an importer may leave out of a batch: stored as NULL."""
STORED = tuple(c.name for c in COLUMNS if c.batch)
"""The columns the runner inserts from a batch, in the table's order."""
