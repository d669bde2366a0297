"""The hand-over of fetched files to the importers and the reference loader: the one place.

``import_fetched`` sends downloaded event or crime files through the import runner (the same
accounting, atomicity and quarantine as ``peacemonitor import``); ``load_reference`` loads a
fetched DIVIPOLA, population or boundary file like ``data load``. A layout an importer learns to
read later is picked up here without touching the fetchers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from peacemonitor.importers.framework.errors import ImportFailed, UnknownLayout
from peacemonitor.importers.framework.report import ImportReport
from peacemonitor.reference import load_file
from peacemonitor.runner import import_files, load_resolver
from peacemonitor.store import Store


@dataclass
class Handover:
    """What became of fetched files in the import runner."""

    reports: list[ImportReport] = field(default_factory=list)
    failures: list[ImportFailed] = field(default_factory=list)
    unread: list[str] = field(default_factory=list)


def import_fetched(
    store: Store, source: str, paths: Sequence[Path], revise: bool = False
) -> Handover:
    """Import fetched files through the source's importer. A file whose layout the importer does
    not (yet) recognise is listed in ``unread``, not an error: the download is kept and
    recorded, and ``peacemonitor import`` can take it later."""
    handover = Handover()
    if not paths:
        return handover
    outcomes = import_files(store, source, list(paths), load_resolver(store), revise=revise)
    for path, outcome in zip(paths, outcomes, strict=True):
        if isinstance(outcome, UnknownLayout):
            handover.unread.append(
                f"{path.name}: fetched; `import {source}` does not read this layout yet ({outcome})"
            )
        elif isinstance(outcome, ImportFailed):
            handover.failures.append(outcome)
        else:
            handover.reports.append(outcome)
    return handover


def load_reference(store: Store, path: Path) -> list[str]:
    """Load a fetched reference file (DIVIPOLA, DANE population, MGN boundaries) the way
    ``data load`` does; one line per table loaded, or why nothing was."""
    reports = load_file(store, path)
    return [r.summary() for r in reports] or [
        f"{path.name}: fetched; `data load` does not recognise this file (not a known layout)"
    ]
