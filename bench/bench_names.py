"""Resolve 1M (department, municipality) name pairs, as the Police homicide files spell them.

The pairs are drawn (with replacement, weighted by how often each occurs) from the rows of the
Police 2003–2010 homicide file. peacemonitor resolves each distinct pair once
(``Gazetteer.resolve_names``); the baseline is what a plain pandas user would write: normalise
both columns with vectorised string methods and merge with the official DIVIPOLA names. Prints
pairs/s, the ratio, and how many pairs each resolves.

    python bench/bench_names.py [--pairs 1000000] [--data ../shared/data]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from peacemonitor.gazetteer import Gazetteer
from peacemonitor.reference import load_path
from peacemonitor.store import Store


def shared_data() -> Path:
    configured = os.environ.get("PEACEMONITOR_SHARED_DATA")
    return (
        Path(configured) if configured else Path(__file__).resolve().parents[2] / "shared" / "data"
    )


def police_pairs(path: Path) -> pd.DataFrame:
    """(department, municipality) of every data row of the 2003–2010 Police file."""
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    rows = book.get_sheet_by_name(book.sheet_names[0]).to_python()
    data = [r[:2] for r in rows if len(r) > 5 and isinstance(r[5], int | float) and r[5] != ""]
    return pd.DataFrame(data, columns=["department", "municipality"])


def normalise(column: pd.Series) -> pd.Series:
    """Plain pandas: strip '(CT)', accents, case and punctuation with vectorised str methods."""
    text = column.str.replace(r"\\s*\\([A-Z]{2,3}\\)\\s*$", "", regex=True)
    text = text.str.normalize("NFKD").str.encode("ascii", "ignore").str.decode("ascii")
    return text.str.lower().str.replace(r"[^a-z0-9]+", " ", regex=True).str.strip()


def baseline(pairs: pd.DataFrame, official: pd.DataFrame) -> pd.Series:
    keyed = pd.DataFrame(
        {"d": normalise(pairs["department"]), "m": normalise(pairs["municipality"])}
    )
    return keyed.merge(official, on=["d", "m"], how="left")["code"]


def report(label: str, seconds: float, n: int, resolved: float) -> None:
    rate = f"{n / seconds:>12,.0f} pairs/s"
    print(f"{label:<42} {seconds:7.3f} s {rate}  resolved {resolved:.2%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=1_000_000)
    parser.add_argument("--data", type=Path, default=shared_data())
    args = parser.parse_args()

    store = Store(Path(tempfile.mkdtemp()) / "bench.duckdb")
    store.migrate()
    load_path(store, args.data / "divipola")
    rows = police_pairs(args.data / "policia_homicidios_raw" / "homicidios_20032010.xlsx")
    pick = np.random.default_rng(0).integers(0, len(rows), args.pairs)
    pairs = rows.iloc[pick].reset_index(drop=True)
    distinct = len(pairs.drop_duplicates())
    print(f"{len(pairs):,} pairs ({distinct:,} distinct) drawn from {len(rows):,} Police rows\n")

    with store.read() as db:
        official = db.execute(
            "SELECT d.name AS dn, m.name AS mn, m.code FROM territories m "
            "JOIN territories d ON d.code = m.department_code AND d.level = 'department' "
            "WHERE m.level = 'municipality'"
        ).df()
    official = pd.DataFrame(
        {"d": normalise(official["dn"]), "m": normalise(official["mn"]), "code": official["code"]}
    )

    start = time.perf_counter()
    gazetteer = Gazetteer.from_store(store)
    ours_found = gazetteer.resolve_names(pairs["department"], pairs["municipality"])
    ours = time.perf_counter() - start
    start = time.perf_counter()
    theirs_found = baseline(pairs, official)
    theirs = time.perf_counter() - start

    ours_ok = sum(r.code is not None and r.reason is None for r in ours_found)
    report("peacemonitor resolve_names (cold cache)", ours, len(pairs), ours_ok / len(pairs))
    report("pandas normalise + merge", theirs, len(pairs), float(theirs_found.notna().mean()))
    print(f"\nratio pandas / peacemonitor   {theirs / ours:.1f}x")


if __name__ == "__main__":
    main()
