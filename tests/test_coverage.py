"""Coverage: spans per source and category; an uncovered period is no data, never 0."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from peacemonitor.coverage import coverage, covered, merge
from peacemonitor.gazetteer import Gazetteer, load_divipola
from peacemonitor.runner import import_file
from peacemonitor.store import Store

DATA = Path(__file__).parent / "data" / "imports"
D = dt.date


def test_merge_joins_touching_and_overlapping_intervals() -> None:
    spans = [
        (D(2020, 7, 1), D(2020, 12, 31)),
        (D(2020, 1, 1), D(2020, 6, 30)),
        (D(2022, 1, 1), D(2022, 2, 1)),
    ]
    assert merge(spans) == [(D(2020, 1, 1), D(2020, 12, 31)), (D(2022, 1, 1), D(2022, 2, 1))]


def test_covered_full_partial_or_no_data() -> None:
    spans = [(D(2018, 1, 2), D(2019, 12, 30))]
    assert covered(spans, D(2018, 2, 1), D(2018, 2, 28)) == "full"
    assert covered(spans, D(2018, 1, 1), D(2018, 1, 31)) == "partial"
    assert covered(spans, D(2020, 1, 1), D(2020, 1, 31)) is None


def test_coverage_of_imported_files(store: Store) -> None:
    load_divipola(store, DATA / "divipola_small.csv")
    gazetteer = Gazetteer.from_store(store)
    import_file(store, "massacres", DATA / "massacres_small.csv", gazetteer)
    import_file(store, "police", DATA / "kidnapping_wide.csv", gazetteer)
    rows = [
        (c.source, c.category, c.unit, c.territory_level, c.first, c.last, c.months)
        for c in coverage(store)
    ]
    assert rows == [
        ("massacres", "massacre", "incidents", "municipality", D(2018, 1, 1), D(2019, 12, 31), 24),
        ("massacres", "massacre", "victims", "municipality", D(2018, 1, 1), D(2019, 12, 31), 24),
        ("police", "kidnapping", "victims", "municipality", D(2018, 1, 1), D(2019, 12, 31), 24),
    ]


def test_cli_coverage(cli: Callable[..., tuple[int, str]], tmp_path: Path) -> None:
    store = Store(tmp_path / "cli.duckdb")
    store.migrate()
    load_divipola(store, DATA / "divipola_small.csv")
    cli("import", "massacres", str(DATA / "massacres_small.csv"))
    code, out = cli("coverage", "-f", "csv")
    assert code == 0
    assert out == (
        "source,country_name,category,unit,territory_level,first,last,months,gaps\n"
        "massacres,COLOMBIA,massacre,incidents,municipality,2018-01-01,2019-12-31,24,\n"
        "massacres,COLOMBIA,massacre,victims,municipality,2018-01-01,2019-12-31,24,\n"
    )
