"""Import the 15 Police homicide files end to end and compare with a plain pandas read-and-sum.

    python bench/bench_police_import.py [SHARED_DATA]

Ours: sniff, find the header, parse every row, resolve every place, check each TOTAL row, store
in DuckDB with the accounting, one transaction per file. Baseline, in the same process: pandas
(calamine engine) reads each sheet, finds the header row, drops non-numeric CANTIDAD rows and sums
CANTIDAD by year — no places, no storage, no checks. The goal is ≤ 3 s for ours.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path


def shared_data() -> Path:
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    configured = os.environ.get("PEACEMONITOR_SHARED_DATA")
    return (
        Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"
    )


def pandas_baseline(files: list[Path]) -> dict[int, float]:
    import pandas as pd

    totals: dict[int, float] = {}
    for path in files:
        raw = pd.read_excel(path, header=None, engine="calamine")
        first = raw.iloc[:, 0].astype(str).str.strip().str.upper()
        start = int(
            first[first == "DEPARTAMENTO"].index.min() if (first == "DEPARTAMENTO").any() else 9
        )
        frame = raw.iloc[start + 1 :].copy()
        frame.columns = [str(c).strip() for c in raw.iloc[start]]
        count = pd.to_numeric(frame["CANTIDAD"], errors="coerce")
        dates = pd.to_datetime(
            frame[[c for c in frame.columns if "FECHA" in c][0]], errors="coerce"
        )
        keep = count.notna() & dates.notna()
        for year, total in count[keep].groupby(dates[keep].dt.year).sum().items():
            totals[int(year)] = totals.get(int(year), 0.0) + float(total)
    return totals


def ours(files: list[Path], data: Path) -> tuple[float, int, dict[int, float]]:
    from peacemonitor.gazetteer import Gazetteer
    from peacemonitor.importers.framework.report import ImportReport
    from peacemonitor.reference import load_path
    from peacemonitor.runner import import_files
    from peacemonitor.store import Store

    with tempfile.TemporaryDirectory() as folder:
        store = Store(Path(folder) / "bench.duckdb")
        store.migrate()
        load_path(store, data / "divipola")
        gazetteer = Gazetteer.from_store(store)
        start = time.perf_counter()
        outcomes = import_files(store, "police", files, gazetteer)
        seconds = time.perf_counter() - start
        failed = [o for o in outcomes if not isinstance(o, ImportReport)]
        if failed:
            raise SystemExit(f"import failed: {failed[0]}")
        rows = sum(o.rows_read for o in outcomes if isinstance(o, ImportReport))
        with store.read() as db:
            totals = dict(
                db.execute(
                    "SELECT year(date_first), sum(count) FROM observations GROUP BY ALL"
                ).fetchall()
            )
    return seconds, rows, totals


def main() -> None:
    data = shared_data()
    files = sorted((data / "policia_homicidios_raw").glob("homicidios_*.xls*"))
    if len(files) != 15:
        raise SystemExit(f"expected the 15 Police homicide files under {data}, found {len(files)}")
    import pandas  # noqa: F401 - imported before timing, like ours

    import peacemonitor.runner  # noqa: F401

    start = time.perf_counter()
    baseline = pandas_baseline(files)
    pandas_seconds = time.perf_counter() - start
    seconds, rows, totals = ours(files, data)
    agree = all(abs(totals.get(y, 0) - v) < 1e-6 for y, v in baseline.items())
    print(f"files: {len(files)}   rows read: {rows:,}")
    print(
        f"peacemonitor import (parse, resolve, check, store): {seconds:.2f} s "
        f"({rows / seconds:,.0f} rows/s)   goal: <= 3 s"
    )
    print(f"pandas read_excel + sum by year (no places, no store): {pandas_seconds:.2f} s")
    print(f"ratio ours / pandas: {seconds / pandas_seconds:.2f}")
    print(f"yearly totals agree with the baseline: {agree}")


if __name__ == "__main__":
    main()
