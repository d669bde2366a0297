import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacemonitor import registry as reg
from peacemonitor.errors import NotFound
from peacemonitor.model import NegotiationTable
from peacemonitor.tables import ENDED, list_tables, summary_on, table_detail

SOURCE = [{"source": "src-a"}]

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


def test_a_second_suspension_does_not_reset_since():
    eln = BUNDLED.tables["gov-eln"]
    october = summary_on(eln, dt.date(2024, 10, 1))
    assert october is not None
    assert (october.status.value, str(october.status_since), str(october.latest_step)) == (
        "suspended",
        "2024-08",
        "2024-09-17",
    )


def test_a_year_only_status_never_overrides_a_finer_one_of_that_year():
    table = NegotiationTable.model_validate(
        {
            "id": "synthetic",
            "name": "Synthetic table",
            "level": "national",
            "track": "political",
            "parties": [{"actor": "gov", "role": "government", "sources": SOURCE}],
            "status_history": [
                {"status": "installed", "date": "2025-03-10", "sources": SOURCE},
                {"status": "suspended", "date": "2025", "sources": SOURCE},
            ],
            "sources": SOURCE,
        }
    )
    assert summary_on(table, dt.date(2025, 3, 10)).status.value == "installed"
    later = summary_on(table, dt.date(2025, 3, 11))
    assert (later.status.value, later.status_uncertain) == ("suspended", True)
    assert summary_on(table, dt.date(2025, 1, 5)) is None


# --- properties over --as-of, for every table of the bundled registry ---------------------------

BUNDLED = reg.load()
DAYS = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2027, 12, 31))


@pytest.mark.parametrize("table_id", sorted(BUNDLED.tables))
@settings(max_examples=150, deadline=None)
@given(day=DAYS)
def test_every_bundled_table_reads_right_on_any_day(table_id: str, day: dt.date) -> None:
    table = BUNDLED.tables[table_id]
    summary = summary_on(table, day)
    opened = table.status_history[0].date.first
    assert (summary is None) == (day < opened)
    if summary is None:
        return
    assert summary.status_since.first <= day
    assert summary.latest_step is not None and summary.latest_step.first <= day
    assert summary.status_since.first <= summary.latest_step.first
    assert summary.status in [s.status for s in table.status_history]
    assert summary.open_ended == (summary.status not in ENDED)
    assert summary.status_uncertain == (summary.latest_step.last > day)
    parties = {p.actor for p in table.parties}
    assert set(summary.armed_groups) <= parties
    detail = table_detail(BUNDLED, table_id, day)
    assert {c.id for c in detail.ceasefires} == {
        c.id for c in BUNDLED.ceasefires.values() if c.table == table_id
    }
    for state in detail.ceasefires:
        assert state.since is None or state.since.first <= day
