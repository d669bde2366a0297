"""Generated parts of docs/: each lives between two marker comments that `refresh` rewrites, and
a test fails when a document drifts from the code it describes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def _generators() -> dict[str, Callable[[], str]]:
    from peacemonitor.categories import categories_markdown
    from peacemonitor.shapes import shapes_markdown
    from peacemonitor.views import views_markdown

    return {
        "categories.md": categories_markdown,
        "json.md": shapes_markdown,
        "views.md": views_markdown,
    }


def markers(name: str) -> tuple[str, str]:
    return f"<!-- generated: {name} -->", f"<!-- end generated: {name} -->"


def splice(text: str, name: str, generated: str) -> str:
    """Replace what stands between the markers named ``name`` with ``generated``."""
    start, end = markers(name)
    head, _, rest = text.partition(start)
    _, _, tail = rest.partition(end)
    return f"{head}{start}\n{generated}\n{end}{tail}"


def refresh(docs: Path) -> list[Path]:
    """Rewrite the generated parts of every document under ``docs``; return those changed."""
    changed = []
    for file, generate in _generators().items():
        path = docs / file
        text = path.read_text(encoding="utf-8")
        new = splice(text, file, generate())
        if new != text:
            path.write_text(new, encoding="utf-8")
            changed.append(path)
    return changed


if __name__ == "__main__":
    for path in refresh(Path(__file__).resolve().parent.parent / "docs"):
        print(f"rewrote {path}")
