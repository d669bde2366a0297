"""Views of violence: every category in at most one view, outcomes parsed by name."""

import pytest

from peacemonitor.model import Category
from peacemonitor.views import VIEW_CATEGORIES, UnknownOutcome, View, categories_for, view_of


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
