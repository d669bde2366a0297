import datetime as dt
from pathlib import Path

import pytest

from peacemonitor import registry as reg
from peacemonitor.ceasefires import list_ceasefires, state_on

FIXTURE = Path(__file__).parent / "data" / "registry"


@pytest.fixture(scope="module")
def registry():
    return reg.load(FIXTURE)


def state(registry, day, ceasefire="national-ceasefire"):
    s = state_on(registry.ceasefires[ceasefire], dt.date.fromisoformat(day))
    return s.status, s.in_force, s.suspended, str(s.planned_end or ""), s.uncertain


def test_lifecycle_of_a_bilateral_ceasefire(registry):
    assert state(registry, "2023-06-01") == ("not-yet", [], [], "", False)
    assert state(registry, "2023-07-01") == ("declared", [], [], "", False)
    assert state(registry, "2023-09-01") == ("in-force", ["CO"], [], "2024-01-29", False)


def test_a_lapse_without_a_recorded_extension_is_expired(registry):
    assert state(registry, "2024-02-01")[0] == "expired"
    assert state(registry, "2024-02-06")[:2] == ("in-force", ["CO"])


def test_a_suspension_in_some_departments_leaves_the_rest_in_force(registry):
    assert state(registry, "2024-04-01") == (
        "partly-suspended",
        ["CO"],
        ["19", "52", "76"],
        "2024-08-03",
        False,
    )


def test_a_month_precision_step_makes_days_inside_that_month_uncertain(registry):
    assert state(registry, "2024-03-10")[4] is True


def test_parties_can_change_along_the_way(registry):
    before = state_on(registry.ceasefires["national-ceasefire"], dt.date(2024, 8, 2))
    after = state_on(registry.ceasefires["national-ceasefire"], dt.date(2024, 8, 4))
    assert (before.parties, after.parties) == (["gov", "parent-group"], ["gov"])
    assert after.status == "partly-suspended" and after.suspended == ["19", "52", "76"]


def test_end_reason_and_expiry(registry):
    assert state(registry, "2024-10-04")[0] == "expired"
    ended = state_on(registry.ceasefires["ended-ceasefire"], dt.date(2024, 10, 1))
    assert (ended.status, ended.end_reason, ended.in_force) == (
        "ended",
        "broken by the parties",
        [],
    )


def test_list_only_live(registry):
    live = list_ceasefires(registry, dt.date(2024, 4, 1), only_live=True)
    assert [c.id for c in live] == ["ended-ceasefire", "national-ceasefire"]
    assert [c.id for c in list_ceasefires(registry, dt.date(2024, 10, 4), only_live=True)] == []
