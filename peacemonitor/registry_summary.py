"""A Markdown summary of what the registry holds, for docs/registry.md.

The summary is generated, never hand-written, so the documentation cannot drift from the data:
a test compares the text between the markers in the doc with ``summary_markdown``. It shows each
table's and ceasefire's *latest recorded* step rather than its state today, so the text depends
only on the registry and not on the day it is generated.

Regenerate the doc with ``python -m peacemonitor.registry_summary docs/registry.md``.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from peacemonitor.ceasefires import all_parties
from peacemonitor.model import ActorKind, Ceasefire, NegotiationTable, PartyRole
from peacemonitor.registry import KINDS, Registry, date_key

START = "<!-- registry-summary:start -->"
END = "<!-- registry-summary:end -->"


class MarkersMissing(ValueError):
    """The document lacks the start/end markers that delimit the generated summary."""


def _cell(text: object) -> str:
    """Text safe inside a Markdown table cell."""
    return str(text).replace("|", "\\|").replace("\n", " ")


def markdown_table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A GitHub-flavoured Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(value) for value in row) + " |" for row in rows]
    return "\n".join(lines)


def _counts(registry: Registry) -> str:
    rows = [(kind.replace("_", " "), len(getattr(registry, kind))) for kind in KINDS]
    return markdown_table(["kind", "records"], rows + [("**total**", registry.count())])


def _armed_groups(table: NegotiationTable) -> str:
    return ", ".join(p.actor for p in table.parties if p.role is PartyRole.ARMED_GROUP)


def _table_row(table: NegotiationTable) -> list[object]:
    first, last = table.status_history[0], table.status_history[-1]
    return [
        f"`{table.id}`",
        table.level.value,
        table.track.value,
        _armed_groups(table),
        first.date,
        f"{last.status.value} ({last.date})",
    ]


def _tables(registry: Registry) -> str:
    order = sorted(registry.tables.values(), key=lambda t: (t.level.value, t.id))
    header = ["table", "level", "track", "armed groups", "first step", "latest status"]
    return markdown_table(header, [_table_row(t) for t in order])


def _non_state(registry: Registry, ids: list[str]) -> list[str]:
    """The parties that are not states, or all of them when every party is one."""
    armed = [
        i for i in ids if i not in registry.actors or registry.actors[i].kind != ActorKind.STATE
    ]
    return armed or ids


def _ceasefire_row(registry: Registry, ceasefire: Ceasefire) -> list[object]:
    first, last = ceasefire.events[0], ceasefire.events[-1]
    how = f"{last.kind.value} ({last.date})"
    if last.reason:
        how += f": {last.reason}"
    parties = ", ".join(_non_state(registry, all_parties(ceasefire)))
    instruments = "; ".join(ceasefire.instruments)
    return [f"`{ceasefire.id}`", ceasefire.kind.value, parties, first.date, how, instruments]


def _ceasefires(registry: Registry) -> str:
    order = sorted(registry.ceasefires.values(), key=lambda c: (date_key(c.events[0].date), c.id))
    header = ["ceasefire", "kind", "armed parties", "first step", "latest step", "instruments"]
    return markdown_table(header, [_ceasefire_row(registry, c) for c in order])


def summary_markdown(registry: Registry) -> str:
    """What the registry holds: counts by kind, every table and every ceasefire."""
    parts = [
        "### Records by kind",
        _counts(registry),
        "### Negotiation tables",
        "Latest recorded status; `peacemonitor tables --as-of DAY` gives the status on a day.",
        _tables(registry),
        "### Ceasefires",
        "Latest recorded step; `peacemonitor ceasefires --as-of DAY` gives the state on a day.",
        _ceasefires(registry),
    ]
    return "\n\n".join(parts) + "\n"


def generated_part(document: str) -> str:
    """The text between the summary markers of ``document``."""
    if START not in document or END not in document:
        raise MarkersMissing(f"the document needs the markers {START} and {END}")
    return document.split(START, 1)[1].split(END, 1)[0].strip("\n") + "\n"


def with_summary(document: str, summary: str) -> str:
    """``document`` with the text between its markers replaced by ``summary``."""
    generated_part(document)  # checks the markers are there
    head, rest = document.split(START, 1)
    tail = rest.split(END, 1)[1]
    return f"{head}{START}\n{summary.rstrip()}\n{END}{tail}"


def update_document(path: Path, registry: Registry) -> bool:
    """Rewrite the summary in the document at ``path``; True when it changed."""
    old = path.read_text(encoding="utf-8")
    new = with_summary(old, summary_markdown(registry))
    if new != old:
        path.write_text(new, encoding="utf-8")
    return new != old


def main(argv: Sequence[str] | None = None) -> int:
    """Regenerate the summary in the given Markdown file from the bundled registry."""
    from peacemonitor.registry import load

    args = list(sys.argv[1:] if argv is None else argv)
    path = Path(args[0]) if args else Path("docs/registry.md")
    changed = update_document(path, load())
    print(f"{path}: {'updated' if changed else 'already up to date'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
