"""Views of violence: which canonical categories answer "which kind of violence?".

A homicide rate alone misleads about a ceasefire: fighting between the state and a group can stop
while killings of civilians or extortion go on. The analyses therefore ask for a *view* — fighting
between the state and groups, fighting between groups, violence against civilians, coercion — and
each view is the set of canonical categories that measure it. Homicides mix all views and stay a
category of their own. Categories of different sources are never summed: a view is answered one
source at a time.
"""

from __future__ import annotations

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


def categories_for(outcome: str) -> tuple[Category, ...]:
    """The categories an outcome names: a view's set, or one category."""
    if outcome in View._value2member_map_:
        return VIEW_CATEGORIES[View(outcome)]
    if outcome in Category._value2member_map_:
        return (Category(outcome),)
    known = ", ".join([*View, *Category])
    raise UnknownOutcome(f"unknown outcome {outcome!r}: use a view or a category ({known})")


def view_of(category: Category) -> View | None:
    """The view a category belongs to; None for homicides (all views) and non-violent ones."""
    for view, members in VIEW_CATEGORIES.items():
        if category in members:
            return view
    return None
