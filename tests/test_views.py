"""Views of violence: every category in at most one view, outcomes parsed by name."""

import pytest

from peacemonitor.model import Category
from peacemonitor.views import (
    SOURCE_MASSACRE_MIN_VICTIMS,
    VIEW_CATEGORIES,
    DefinitionUnavailable,
    UnknownOutcome,
    View,
    categories_for,
    min_victims,
    source_views,
    view_of,
)


def test_no_category_is_in_two_views() -> None:
    members = [category for group in VIEW_CATEGORIES.values() for category in group]
    assert len(members) == len(set(members))


def test_homicides_mix_all_views() -> None:
    assert view_of(Category.HOMICIDE) is None


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        ("group-group", (Category.GROUP_GROUP_CLASH,)),
        ("state-group", (Category.STATE_GROUP_CLASH, Category.ATTACK_ON_SECURITY_FORCES)),
        ("extortion", (Category.EXTORTION,)),
    ],
)
def test_outcome_names_a_view_or_a_category(outcome: str, expected: tuple[Category, ...]) -> None:
    assert categories_for(outcome) == expected


def test_every_view_round_trips_through_its_categories() -> None:
    for view, members in VIEW_CATEGORIES.items():
        assert all(view_of(category) is view for category in members)
    assert set(VIEW_CATEGORIES) == set(View)


def test_unknown_outcome_names_the_choices() -> None:
    with pytest.raises(UnknownOutcome, match="civilians"):
        categories_for("violence")


def test_massacre_definitions_are_outcomes_of_the_massacre_category() -> None:
    assert categories_for("massacre-4plus") == (Category.MASSACRE,)
    assert categories_for("massacre-3plus") == (Category.MASSACRE,)


def test_a_list_answers_a_stricter_definition_never_a_looser_one() -> None:
    assert min_victims("massacre-3plus", "massacres") is None  # the official list's own
    assert min_victims("massacre-4plus", "massacres") == 4
    assert min_victims("massacre", "massacres") is None
    assert min_victims("civilians", "ucdp") is None
    SOURCE_MASSACRE_MIN_VICTIMS["cnmh-test"] = 4
    try:
        with pytest.raises(DefinitionUnavailable, match="cnmh-test records massacres of 4"):
            min_victims("massacre-3plus", "cnmh-test")
        assert min_victims("massacre-4plus", "cnmh-test") is None
    finally:
        del SOURCE_MASSACRE_MIN_VICTIMS["cnmh-test"]


def test_each_source_answers_the_views_its_categories_allow() -> None:
    answers = source_views()
    assert answers["ucdp"][View.STATE_GROUP] == (Category.STATE_GROUP_CLASH,)
    assert answers["ucdp"][View.COERCION] == ()
    assert answers["acled"][View.STATE_GROUP] == (
        Category.STATE_GROUP_CLASH,
        Category.ATTACK_ON_SECURITY_FORCES,
    )
    assert answers["police"][View.COERCION] == (
        Category.KIDNAPPING,
        Category.EXTORTION,
        Category.TERRORISM,
        Category.THREAT,
    )
    assert answers["massacres"][View.CIVILIANS] == (Category.MASSACRE,)
