"""Loading a folder of reference files: recognised by contents, in load order."""

from __future__ import annotations

import shutil
from pathlib import Path

from peacemonitor.reference import load_path
from peacemonitor.store import Store

FIXTURES = Path(__file__).parent / "data" / "territories"


def test_layout_is_recognised_by_header_not_name(store: Store, tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    shutil.copy(FIXTURES / "dl_municipios.csv", tmp_path / "in" / "whatever.txt")
    reports, skipped = load_path(store, tmp_path / "in")
    assert [r.layout for r in reports] == ["dane-divipola-municipios"] and skipped == []
