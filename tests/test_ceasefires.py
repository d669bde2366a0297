import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacemonitor import registry as reg
from peacemonitor.ceasefires import (
    IN_FORCE,
    LIVE,
    STATUSES,
    all_parties,
    first_day,
    list_ceasefires,
    state_on,
)
from peacemonitor.model import Ceasefire

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


def test_a_lapse_without_a_recorded_step_is_unknown_not_expired(registry):
    lapsed = state_on(registry.ceasefires["national-ceasefire"], dt.date(2024, 2, 1))
    assert (lapsed.status, str(lapsed.since), lapsed.last_known, lapsed.in_force) == (
        "unknown",
        "2024-01-30",
        "in-force until 2024-01-29",
        [],
    )
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


def test_parties_change_and_a_suspension_belongs_to_its_extension(registry):
    before = state_on(registry.ceasefires["national-ceasefire"], dt.date(2024, 8, 2))
    after = state_on(registry.ceasefires["national-ceasefire"], dt.date(2024, 8, 4))
    assert (before.parties, after.parties) == (["gov", "parent-group"], ["gov"])
    assert (before.status, before.suspended) == ("partly-suspended", ["19", "52", "76"])
    assert (after.status, after.suspended, str(after.since)) == ("in-force", [], "2024-08-03")


def test_end_reason_and_lapse(registry):
    assert state(registry, "2024-10-04")[0] == "unknown"
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


# --- lifecycles that read right on any day -----------------------------------------------------

SOURCE = [{"source": "src-a"}]


def ceasefire(*events, parties=("gov", "group"), scope=("CO",)):
    """A synthetic ceasefire for unit tests (never shown as real)."""
    return Ceasefire.model_validate(
        {
            "id": "synthetic",
            "name": "Synthetic ceasefire",
            "kind": "bilateral",
            "parties": list(parties),
            "scope": list(scope),
            "events": [{"sources": SOURCE, **e} for e in events],
            "sources": SOURCE,
        }
    )


def on(record, day):
    return state_on(record, dt.date.fromisoformat(day))


def test_a_year_only_step_never_overrides_a_finer_step_of_that_year():
    record = ceasefire(
        {"kind": "declared", "date": "2023-08-10"},
        {"kind": "extended", "date": "2024-02", "until": "2024-05-05"},
        {"kind": "extended", "date": "2024", "until": "2025-02"},
    )
    march = on(record, "2024-03-15")
    assert (march.status, str(march.planned_end), str(march.term_since)) == (
        "in-force",
        "2024-05-05",
        "2024-02",
    )
    june = on(record, "2024-06-01")
    assert (str(june.planned_end), str(june.term_since)) == ("2025-02", "2024")
    assert june.uncertain
    assert on(record, "2025-02-28").status == "in-force"
    assert on(record, "2025-03-01").status == "unknown"


def test_a_step_bounded_by_not_before_does_not_count_earlier():
    record = ceasefire(
        {"kind": "declared", "date": "2024", "not_before": "2024-05", "not_after": "2024-07-19"},
        parties=("group",),
    )
    assert on(record, "2024-01-01").status == "not-yet"
    assert on(record, "2024-04-30").status == "not-yet"
    may = on(record, "2024-05-01")
    assert (may.status, may.uncertain, may.open_ended) == ("declared", True, True)
    assert on(record, "2024-08-01").uncertain is False


def test_two_suspensions_in_a_row_keep_the_first_since():
    record = ceasefire(
        {"kind": "in-force", "date": "2024-01-01", "until": "2024-12-31"},
        {"kind": "suspended", "date": "2024-03-01", "scope": ["19"]},
        {"kind": "suspended", "date": "2024-04-01", "scope": ["19"]},
        scope=("19", "52"),
    )
    april = on(record, "2024-04-10")
    assert (april.status, str(april.since), str(april.term_since)) == (
        "partly-suspended",
        "2024-03-01",
        "2024-01-01",
    )


def test_a_state_shows_its_own_start_and_its_terms():
    record = ceasefire(
        {"kind": "declared", "date": "2023-06-09", "until": "2024-01-29", "instrument": "Accord"},
        {"kind": "in-force", "date": "2023-08-03", "instrument": "Decree 1"},
        {"kind": "extended", "date": "2024-01-29", "until": "2024-02-05"},
        {"kind": "extended", "date": "2024-02-06", "until": "2024-08-03", "instrument": "Deal"},
    )
    feb = on(record, "2024-02-01")
    assert (feb.status, str(feb.since), str(feb.term_since), feb.instrument) == (
        "in-force",
        "2023-08-03",
        "2024-01-29",
        None,
    )
    march = on(record, "2024-03-01")
    assert (str(march.since), str(march.term_since), march.instrument) == (
        "2023-08-03",
        "2024-02-06",
        "Deal",
    )


def test_in_force_on_the_planned_last_day_and_not_the_day_after():
    lapsing = ceasefire({"kind": "in-force", "date": "2024-01-01", "until": "2024-08-03"})
    ending = ceasefire(
        {"kind": "in-force", "date": "2024-01-01", "until": "2024-08-03"},
        {"kind": "ended", "date": "2024-08-03", "reason": "not renewed"},
    )
    for record, after in ((lapsing, "unknown"), (ending, "ended")):
        assert on(record, "2024-08-03").status == "in-force"
        assert on(record, "2024-08-03").in_force == ["CO"]
        assert on(record, "2024-08-04").status == after
        assert on(record, "2024-08-04").in_force == []


def test_an_end_before_the_planned_end_counts_from_its_day():
    record = ceasefire(
        {"kind": "in-force", "date": "2024-01-01", "until": "2024-08-03"},
        {"kind": "ended", "date": "2024-06-10"},
    )
    assert on(record, "2024-06-09").status == "in-force"
    assert on(record, "2024-06-10").status == "ended"


def test_open_ended_is_flagged_only_while_live():
    record = ceasefire({"kind": "declared", "date": "2022-08-07"}, parties=("group",))
    assert on(record, "2030-01-01").open_ended is True
    ended = ceasefire({"kind": "in-force", "date": "2022-08-07"}, {"kind": "ended", "date": "2023"})
    assert on(ended, "2024-01-01").open_ended is False


def test_all_parties_include_those_who_joined_later():
    record = ceasefire(
        {"kind": "in-force", "date": "2024-01-01"},
        {"kind": "extended", "date": "2024-10-15", "parties": ["gov", "splinter"]},
    )
    assert all_parties(record) == ["gov", "group", "splinter"]
    assert on(record, "2024-10-14").parties == ["gov", "group"]
    assert on(record, "2024-10-15").parties == ["gov", "splinter"]


# --- properties over --as-of, for every ceasefire of the bundled registry -----------------------

BUNDLED = reg.load()
DAYS = st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2027, 12, 31))


@pytest.mark.parametrize("ceasefire_id", sorted(BUNDLED.ceasefires))
@settings(max_examples=150, deadline=None)
@given(day=DAYS)
def test_every_bundled_ceasefire_reads_right_on_any_day(ceasefire_id: str, day: dt.date) -> None:
    record = BUNDLED.ceasefires[ceasefire_id]
    state = state_on(record, day)
    assert state.status in STATUSES
    assert (state.status == "not-yet") == (day < first_day(record))
    if state.status != "not-yet":
        assert state.since is not None and state.since.first <= day
    if state.term_since is not None:
        assert state.term_since.first <= day
    assert bool(state.in_force) == (state.status in IN_FORCE)
    assert set(state.suspended) <= set(state.in_force) | set(state.suspended)
    if state.status in LIVE and state.planned_end is not None:
        assert state.planned_end.last >= day
    assert set(state.parties) <= set(all_parties(record))
    assert state.open_ended == (state.status in LIVE and state.planned_end is None)


@settings(max_examples=100, deadline=None)
@given(day=DAYS)
def test_the_ceasefire_list_on_any_day_is_the_started_ones(day: dt.date) -> None:
    listed = {s.id for s in list_ceasefires(BUNDLED, day)}
    assert listed == {c.id for c in BUNDLED.ceasefires.values() if first_day(c) <= day}


@pytest.mark.parametrize(
    ("ceasefire_id", "last_day", "after"),
    [
        ("cf-eln-2023-2024", "2024-08-03", "ended"),
        ("cf-emc-embf-2023-2025", "2025-04-15", "ended"),
        ("cf-quibdo-2024-2025", "2025-03-31", "ended"),
        ("cf-2023-segunda-marquetalia", "2023-06-30", "unknown"),
    ],
)
def test_bundled_ceasefires_in_force_on_their_last_day(ceasefire_id, last_day, after):
    record = BUNDLED.ceasefires[ceasefire_id]
    last = dt.date.fromisoformat(last_day)
    assert state_on(record, last).status == "in-force"
    assert state_on(record, last + dt.timedelta(days=1)).status == after


def bundled(ceasefire_id: str, day: str):
    return state_on(BUNDLED.ceasefires[ceasefire_id], dt.date.fromisoformat(day))


def test_bundled_lifecycles_of_issue_11():
    # the Buenaventura extension dated "2024" waits for the February one's term (to 5 May)
    assert str(bundled("cf-buenaventura-truce", "2024-03-15").planned_end) == "2024-05-05"
    assert str(bundled("cf-buenaventura-truce", "2024-06-01").planned_end) == "2025-02"
    # the Comuneros' unilateral ceasefire is not in force before the May 2024 split
    assert bundled("cf-comuneros-unilateral-2024", "2024-01-01").status == "not-yet"
    assert bundled("cf-comuneros-unilateral-2024", "2024-06-01").status == "declared"
    # the EMC ceasefire in August 2024: unknown, not expired, and no EMBF party yet
    august = bundled("cf-emc-embf-2023-2025", "2024-08-15")
    assert (august.status, august.last_known, august.parties) == (
        "unknown",
        "partly-suspended until 2024-07-15",
        ["gov-colombia", "emc"],
    )
    november = bundled("cf-emc-embf-2023-2025", "2024-11-01")
    assert (november.status, november.parties, november.suspended) == (
        "in-force",
        ["gov-colombia", "embf"],
        [],
    )
    assert (str(november.term_since), november.instrument) == ("2024-10-15", "Decreto 1280 de 2024")
    assert bundled("cf-agc-unilateral-2022", "2025-01-01").open_ended
