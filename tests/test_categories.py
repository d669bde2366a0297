import pytest

from peacemonitor.categories import (
    CATEGORY_DESCRIPTIONS,
    POLICE_CRIME,
    UCDP_TYPE_OF_VIOLENCE,
    acled_category,
)
from peacemonitor.model import Category
from peacemonitor.names import normalize_name


def test_every_category_is_described_once():
    assert set(CATEGORY_DESCRIPTIONS) == set(Category)


@pytest.mark.parametrize(
    ("event", "sub", "inter1", "inter2", "expected"),
    [
        ("Battles", "Armed clash", 2, 3, Category.GROUP_GROUP_CLASH),
        ("Battles", "Armed clash", 1, 2, Category.STATE_GROUP_CLASH),
        ("Battles", "Armed clash", 3, 1, Category.STATE_GROUP_CLASH),
        (
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
            2,
            1,
            Category.ATTACK_ON_SECURITY_FORCES,
        ),
        (
            "Explosions/Remote violence",
            "Remote explosive/landmine/IED",
            2,
            7,
            Category.LANDMINE_IED,
        ),
        ("Violence against civilians", "Abduction/forced disappearance", 2, 7, Category.KIDNAPPING),
        ("Protests", "Peaceful protest", 6, None, None),
        ("Unknown", "Thing", 1, 2, None),
    ],
)
def test_acled_mapping_uses_who_fought_whom(event, sub, inter1, inter2, expected):
    assert acled_category(event, sub, inter1, inter2) is expected


def test_ucdp_types_cover_the_three_kinds_of_violence():
    assert sorted(UCDP_TYPE_OF_VIOLENCE) == [1, 2, 3]


def test_police_keys_are_normalised_names():
    assert all(normalize_name(key) == key for key in POLICE_CRIME)
    assert POLICE_CRIME[normalize_name("EXTORSIÓN")] is Category.EXTORTION
