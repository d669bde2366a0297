"""Loading reference files — DIVIPOLA lists, DANE population tables, MGN boundaries — each
recognised by its contents, in the order they depend on each other (DIVIPOLA first)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from peacemonitor import boundaries, population
from peacemonitor.divipola import DIVIPOLA_LAYOUTS, load_divipola
from peacemonitor.store import Store
from peacemonitor.territories import LoadReport, UnrecognisedFile, detect_layout, read_text_table


def reference_files(path: Path) -> Iterator[Path]:
    """The files under ``path`` (or ``path`` itself) in the order they must load: DIVIPOLA first."""
    if path.is_file():
        yield path
        return
    if not path.is_dir():
        raise UnrecognisedFile(f"{path}: no such file or directory")
    candidates = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith("."))
    yield from sorted(candidates, key=lambda p: (_load_order(p), str(p)))


def _load_order(path: Path) -> int:
    """DIVIPOLA lists before population and boundaries, which are checked against them."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        try:
            header = read_text_table(path).header
        except (UnrecognisedFile, OSError):
            return 9
        return 0 if detect_layout(header, DIVIPOLA_LAYOUTS) else 1
    return 1 if suffix in (".xls", ".xlsx") else 2


def load_file(store: Store, path: Path, boundary_detail: str | None = None) -> list[LoadReport]:
    """Load one reference file, recognised by its contents; [] for a file that is none of ours.

    A workbook may hold several population tables (DANE's sheet and a reshaped copy): each
    distinct layout is loaded as its own vintage. ``boundary_detail`` ('full' or 'light')
    overrides the detail a boundary file's vertex count implies.
    """
    suffix = path.suffix.lower()
    if suffix in (".json", ".geojson", ".topojson"):
        if not boundaries.is_boundary_file(path):
            return []
        return boundaries.load_boundaries(store, path, boundary_detail)
    if suffix in (".csv", ".txt"):
        header = read_text_table(path).header
        if detect_layout(header, DIVIPOLA_LAYOUTS):
            return [load_divipola(store, path)]
    if suffix in (".csv", ".txt", ".xls", ".xlsx"):
        if population.is_population_file(path):
            sheets = population.population_sheets(path)
            return [population.load_population(store, path, sheet=sheet) for sheet in sheets]
    return []


Progress = Callable[[Path, int, int], None]
"""Called before each file with (file, files done, files in all): a progress bar's hook."""


@dataclass(frozen=True)
class FileLoad:
    """One reference file and what loading it stored; no reports means it was skipped."""

    file: Path
    reports: list[LoadReport]

    def lines(self) -> list[str]:
        """One summary line per report, or one saying the file was skipped."""
        return [r.summary() for r in self.reports] or [
            f"{self.file.name}: skipped (not a known layout)"
        ]


def load_files(
    store: Store, path: Path, boundary_detail: str | None = None, progress: Progress | None = None
) -> list[FileLoad]:
    """Load every reference file under ``path`` in load order (Markdown notes are skipped)."""
    files = list(reference_files(path))
    loads = []
    for done, file in enumerate(files):
        if progress is not None:
            progress(file, done, len(files))
        skip = file.suffix.lower() == ".md"
        loads.append(FileLoad(file, [] if skip else load_file(store, file, boundary_detail)))
    return loads


def load_path(
    store: Store, path: Path, boundary_detail: str | None = None
) -> tuple[list[LoadReport], list[Path]]:
    """Load every reference file under ``path``; returns the reports and the files skipped."""
    loads = load_files(store, path, boundary_detail)
    reports = [report for load in loads for report in load.reports]
    return reports, [load.file for load in loads if not load.reports]
