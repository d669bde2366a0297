"""Views of violence: which canonical categories answer "which kind of violence?".

A homicide rate alone misleads about a ceasefire: fighting between the state and a group can stop
while killings of civilians or extortion go on. The analyses therefore ask for a *view* — fighting
between the state and groups, fighting between groups, violence against civilians, coercion — and
each view is the set of canonical categories that measure it. Homicides mix all views and stay a
category of their own. Categories of different sources are never summed: a view is answered one
source at a time, and ``SOURCE_VIEWS`` says which categories each source can bring to each view.

Massacres have two definitions in use — three or more victims in one event (INDEPAZ and the
official list) and four or more (the Defence Ministry and the CNMH) — so an outcome can name
one: ``massacre-3plus`` or ``massacre-4plus``. A list that records victims per event can answer
a stricter definition than its own, never a looser one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from peacemonitor.errors import PeacemonitorError
from peacemonitor.model import Category


class View(StrEnum):
    """The kinds of violence a ceasefire may change differently."""

    STATE_GROUP = "state-group"
    GROUP_GROUP = "group-group"
    CIVILIANS = "civilians"
    COERCION = "coercion"


VIEW_CATEGORIES: dict[View, tuple[Category, ...]] = {
    View.STATE_GROUP: (Category.STATE_GROUP_CLASH, Category.ATTACK_ON_SECURITY_FORCES),
    View.GROUP_GROUP: (Category.GROUP_GROUP_CLASH,),
    View.CIVILIANS: (
        Category.VIOLENCE_AGAINST_CIVILIANS,
        Category.MASSACRE,
        Category.SOCIAL_LEADER_KILLING,
        Category.PEACE_SIGNATORY_KILLING,
    ),
    View.COERCION: (
        Category.KIDNAPPING,
        Category.EXTORTION,
        Category.TERRORISM,
        Category.FORCED_DISPLACEMENT,
        Category.CONFINEMENT,
        Category.THREAT,
        Category.FORCED_RECRUITMENT,
        Category.LANDMINE_IED,
    ),
}

VIEW_DESCRIPTIONS: dict[View, str] = {
    View.STATE_GROUP: "Fighting between state forces and armed groups, and attacks on them.",
    View.GROUP_GROUP: "Fighting between non-state armed groups.",
    View.CIVILIANS: "Deliberate violence against civilians: one-sided violence, massacres, "
    "killings of social leaders and of peace signatories.",
    View.COERCION: "Control without battles: kidnapping, extortion, terrorism, displacement, "
    "confinement, threats, recruitment, landmines.",
}


class UnknownOutcome(PeacemonitorError):
    """An outcome that is neither a view nor a category."""


class DefinitionUnavailable(PeacemonitorError):
    """A massacre definition looser than the one a source records."""


@dataclass(frozen=True)
class MassacreDefinition:
    """A definition of a massacre by its least number of victims, and who uses it."""

    outcome: str
    min_victims: int
    used_by: tuple[str, ...]


MASSACRE_DEFINITIONS: dict[str, MassacreDefinition] = {
    "massacre-3plus": MassacreDefinition(
        "massacre-3plus", 3, ("INDEPAZ", "the official list (Ministerio de Defensa / Policía)")
    ),
    "massacre-4plus": MassacreDefinition(
        "massacre-4plus", 4, ("the Ministerio de Defensa (its four-or-more definition)", "CNMH")
    ),
}

# The least number of victims each massacre source records an event at (its own definition).
SOURCE_MASSACRE_MIN_VICTIMS: dict[str, int] = {"massacres": 3}


def categories_for(outcome: str) -> tuple[Category, ...]:
    """The categories an outcome names: a view's set, one category, or a massacre definition."""
    if outcome in View._value2member_map_:
        return VIEW_CATEGORIES[View(outcome)]
    if outcome in Category._value2member_map_:
        return (Category(outcome),)
    if outcome in MASSACRE_DEFINITIONS:
        return (Category.MASSACRE,)
    known = ", ".join([*View, *Category, *MASSACRE_DEFINITIONS])
    raise UnknownOutcome(f"unknown outcome {outcome!r}: use a view or a category ({known})")


def min_victims(outcome: str, source: str) -> int | None:
    """The victims threshold to filter ``source``'s massacres by for ``outcome`` (None: every
    recorded event counts); DefinitionUnavailable when the source's own is stricter."""
    definition = MASSACRE_DEFINITIONS.get(outcome)
    if definition is None:
        return None
    own = SOURCE_MASSACRE_MIN_VICTIMS.get(source)
    if own is not None and own > definition.min_victims:
        raise DefinitionUnavailable(
            f"{source} records massacres of {own} or more victims only: it cannot answer {outcome}"
        )
    return None if own == definition.min_victims else definition.min_victims


def _source_categories() -> dict[str, frozenset[Category]]:
    """Every category each source's importer can store (from the mappings in categories.py)."""
    from peacemonitor import categories as c

    acled = {cat for cat in c.ACLED_SUB_EVENT.values() if cat} | {
        Category.ATTACK_ON_SECURITY_FORCES
    }
    found = {
        "ucdp": frozenset(c.UCDP_TYPE_OF_VIOLENCE.values()),
        "acled": frozenset(acled),
        "acled-hdx": frozenset(c.ACLED_HDX_DATASET.values()),
        "police": frozenset(c.POLICE_CRIME.values()),
    }
    found |= {source: frozenset({cat}) for source, cat in c.LIST_SOURCES.items()}
    return found


def source_views() -> dict[str, dict[View, tuple[Category, ...]]]:
    """source → view → the categories of the view that source records (empty: cannot answer)."""
    return {
        source: {
            view: tuple(cat for cat in members if cat in categories)
            for view, members in VIEW_CATEGORIES.items()
        }
        for source, categories in _source_categories().items()
    }


def views_markdown() -> str:
    """The generated part of docs/views.md: views, and what each source answers for each."""
    lines = ["| view | categories | meaning |", "|---|---|---|"]
    lines += [
        f"| `{view.value}` | {', '.join(f'`{c.value}`' for c in VIEW_CATEGORIES[view])} | "
        f"{VIEW_DESCRIPTIONS[view]} |"
        for view in View
    ]
    lines += ["", "#### What each source can answer", ""]
    lines += ["| source | " + " | ".join(v.value for v in View) + " | homicide |"]
    lines += ["|---" * (len(View) + 2) + "|"]
    homicides = _source_categories()
    for source, views in source_views().items():
        cells = [", ".join(f"`{c.value}`" for c in views[v]) or "—" for v in View]
        homicide = "`homicide`" if Category.HOMICIDE in homicides[source] else "—"
        lines.append(f"| {source} | " + " | ".join(cells) + f" | {homicide} |")
    lines += [
        "",
        "#### Massacre definitions",
        "",
        "| outcome | victims | used by |",
        "|---|---|---|",
    ]
    lines += [
        f"| `{d.outcome}` | {d.min_victims} or more | {', '.join(d.used_by)} |"
        for d in MASSACRE_DEFINITIONS.values()
    ]
    return "\n".join(lines)


def view_of(category: Category) -> View | None:
    """The view a category belongs to; None for homicides (all views) and non-violent ones."""
    for view, members in VIEW_CATEGORIES.items():
        if category in members:
            return view
    return None
