import datetime as dt
from pathlib import Path

import pytest

from peacemonitor import registry as reg
from peacemonitor.actors import actor_detail, legal_status_on, lineage, list_actors
from peacemonitor.errors import NotFound

FIXTURE = Path(__file__).parent / "data" / "registry"


@pytest.fixture(scope="module")
def registry():
    return reg.load(FIXTURE)


def flatten(node, depth=0):
    yield depth, node.actor, node.relation.value if node.relation else None, str(node.since or "")
    for child in node.children:
        yield from flatten(child, depth + 1)


def test_lineage_is_the_whole_family_from_any_member(registry):
    expected = [
        (0, "parent-group", None, ""),
        (1, "splinter", "split-from", "2024-05"),
        (2, "sub-splinter", "split-from", "2025-01-10"),
    ]
    assert list(flatten(lineage(registry, "sub-splinter"))) == expected
    assert list(flatten(lineage(registry, "parent-group"))) == expected


def test_lineage_keeps_the_sources_of_each_split(registry):
    tree = lineage(registry, "parent-group")
    assert tree.children[0].sources[0].passage == "In May the front split"


def test_rivalry_is_not_lineage_but_is_shown_from_the_other_side(registry):
    detail = actor_detail(registry, "parent-group", dt.date(2025, 1, 1))
    assert [(r.actor, r.kind.value) for r in detail.related_by_others] == [
        ("splinter", "split-from"),
        ("sub-splinter", "rival-of"),
    ]
    assert detail.tables == ["national-table"]
    assert detail.ceasefires == ["national-ceasefire"]


def test_legal_status_depends_on_the_day(registry):
    actor = registry.actors["parent-group"]
    assert legal_status_on(actor, dt.date(2023, 2, 28)) is None
    assert legal_status_on(actor, dt.date(2023, 3, 1)).status.value == "political"


def test_list_actors_gives_origins(registry):
    rows = {a.id: a for a in list_actors(registry, dt.date(2024, 1, 1))}
    assert rows["splinter"].origins == ["split-from parent-group (2024-05)"]
    assert rows["parent-group"].legal_status == "political"


def test_unknown_actor(registry):
    with pytest.raises(NotFound, match="no actor 'nobody'"):
        actor_detail(registry, "nobody")


def test_an_actor_lists_the_ceasefires_it_joined_at_a_step():
    bundled = reg.load()
    assert "cf-emc-embf-2023-2025" in actor_detail(bundled, "embf").ceasefires
    assert "cf-emc-embf-2023-2025" in actor_detail(bundled, "emc").ceasefires
