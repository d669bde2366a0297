import datetime as dt
from pathlib import Path

import pytest

from peacemonitor import registry as reg
from peacemonitor.errors import NotFound
from peacemonitor.tables import list_tables, table_detail

FIXTURE = Path(__file__).parent / "data" / "registry"


@pytest.fixture(scope="module")
def registry():
    return reg.load(FIXTURE)


def status(registry, day):
    return [
        (t.id, t.status.value, str(t.status_since), t.status_uncertain)
        for t in list_tables(registry, day)
    ]


def test_a_table_does_not_exist_before_its_history_begins(registry):
    assert status(registry, dt.date(2022, 10, 31)) == []


def test_status_on_a_day_follows_the_history(registry):
    assert status(registry, dt.date(2024, 1, 1)) == [
        ("national-table", "installed", "2022-11", False)
    ]
    assert status(registry, dt.date(2024, 10, 1)) == [
        ("national-table", "suspended", "2024-09-17", False)
    ]
    assert status(registry, dt.date(2024, 11, 7)) == [
        ("national-table", "resumed", "2024-11-07", False)
    ]


def test_a_day_inside_a_month_precision_step_is_uncertain(registry):
    assert status(registry, dt.date(2022, 11, 15)) == [
        ("national-table", "installed", "2022-11", True)
    ]


def test_scope_changes_over_time(registry):
    assert list_tables(registry, dt.date(2024, 9, 30))[0].scope == ["CO"]
    assert list_tables(registry, dt.date(2024, 10, 1))[0].scope == ["50", "18"]


def test_parties_change_over_time(registry):
    before = list_tables(registry, dt.date(2024, 5, 1))[0].armed_groups
    after = list_tables(registry, dt.date(2024, 6, 1))[0].armed_groups
    assert before == ["parent-group", "splinter"]
    assert after == ["parent-group"]


def test_detail_gathers_ceasefires_agreements_red_lines_and_gestures(registry):
    detail = table_detail(registry, "national-table", dt.date(2024, 10, 1))
    assert [c.id for c in detail.ceasefires] == ["national-ceasefire"]
    assert [r.id for r in detail.red_lines] == ["no-kidnapping"]
    assert [g.id for g in detail.gestures] == ["g1"]
    provisions = detail.agreements[0].provisions
    assert [(p.provision.id, int(p.level), p.implemented_before_signed) for p in provisions] == [
        ("p1", 3, True),
        ("p2", 0, False),
    ]


def test_unknown_table(registry):
    with pytest.raises(NotFound):
        table_detail(registry, "none")
