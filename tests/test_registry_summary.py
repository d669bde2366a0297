"""registry_summary: the generated Markdown, and docs/registry.md kept equal to it."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacemonitor.registry import load, parse_directory
from peacemonitor.registry_summary import (
    END,
    START,
    MarkersMissing,
    generated_part,
    main,
    markdown_table,
    summary_markdown,
    update_document,
    with_summary,
)

DOC = Path(__file__).resolve().parent.parent / "docs" / "registry.md"

TINY = {
    "sources.yaml": """
- {id: s, publisher: P, title: T}
""",
    "actors.yaml": """
- {id: gov, name: Government, kind: state, sources: [{source: s}]}
- {id: grp, name: "Group | One", kind: insurgency, sources: [{source: s}]}
""",
    "tables.yaml": """
- id: t
  name: T
  level: regional
  track: political
  parties:
    - {actor: gov, role: government, sources: [{source: s}]}
    - {actor: grp, sources: [{source: s}]}
  status_history:
    - {status: exploratory, date: 2024-07, sources: [{source: s}]}
    - {status: installed, date: 2024-09-13, sources: [{source: s}]}
  sources: [{source: s}]
""",
    "ceasefires.yaml": """
- id: c
  name: C
  kind: bilateral
  parties: [gov, grp]
  instruments: [Decreto 1 de 2024]
  events:
    - {kind: declared, date: "2024", sources: [{source: s}]}
    - {kind: ended, date: 2024-08-03, reason: not renewed, sources: [{source: s}]}
  sources: [{source: s}]
""",
}


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    for name, text in TINY.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_summary_of_a_small_registry(tiny: Path) -> None:
    registry, problems = parse_directory(tiny)
    assert problems == []
    text = summary_markdown(registry)
    assert "| tables | 1 |" in text
    assert "| **total** | 5 |" in text
    assert "| `t` | regional | political | grp | 2024-07 | installed (2024-09-13) |" in text
    assert (
        "| `c` | bilateral | grp | 2024 | ended (2024-08-03): not renewed | Decreto 1 de 2024 |"
        in text
    )


def test_markdown_table_escapes_pipes() -> None:
    assert markdown_table(["a"], [["x | y"]]) == "| a |\n|---|\n| x \\| y |"


def test_with_summary_replaces_only_the_marked_part() -> None:
    document = f"intro\n{START}\nold\n{END}\noutro\n"
    new = with_summary(document, "new\n")
    assert new == f"intro\n{START}\nnew\n{END}\noutro\n"
    assert generated_part(new) == "new\n"


def test_a_document_without_markers_is_refused() -> None:
    with pytest.raises(MarkersMissing, match="registry-summary:start"):
        with_summary("no markers here", "x")


def test_update_document_writes_once(tiny: Path, tmp_path: Path) -> None:
    registry, _ = parse_directory(tiny)
    doc = tmp_path / "doc.md"
    doc.write_text(f"# Doc\n{START}\n{END}\n", encoding="utf-8")
    assert update_document(doc, registry) is True
    assert update_document(doc, registry) is False
    assert generated_part(doc.read_text(encoding="utf-8")) == summary_markdown(registry)


def test_main_regenerates_a_document(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "registry.md"
    doc.write_text(f"{START}\n{END}\n", encoding="utf-8")
    assert main([str(doc)]) == 0
    assert capsys.readouterr().out == f"{doc}: updated\n"
    assert generated_part(doc.read_text(encoding="utf-8")) == summary_markdown(load())


def test_docs_registry_md_holds_exactly_the_generated_summary() -> None:
    """If this fails, run: python -m peacemonitor.registry_summary docs/registry.md"""
    assert generated_part(DOC.read_text(encoding="utf-8")) == summary_markdown(load())
