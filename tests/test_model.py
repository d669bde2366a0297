import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from peacemonitor.model import (
    Actor,
    PartialDate,
    Precision,
    Statistic,
    TerritoryLevel,
    parse_day,
    territory_level,
)


def test_month_precision_is_not_the_first_of_the_month():
    march = PartialDate.parse("2024-03")
    assert march.precision is Precision.MONTH
    assert (march.first, march.last) == (dt.date(2024, 3, 1), dt.date(2024, 3, 31))
    assert str(march) == "2024-03"
    assert march.covers(dt.date(2024, 3, 17))
    assert not PartialDate.parse("2024-03-17").covers(dt.date(2024, 3, 17))


def test_year_and_day_precision():
    assert PartialDate.parse(2024).last == dt.date(2024, 12, 31)
    assert PartialDate.parse(dt.date(2024, 2, 29)).precision is Precision.DAY
    assert PartialDate.parse("2024-02").last == dt.date(2024, 2, 29)


@pytest.mark.parametrize("bad", ["2024-13", "2024-02-30", "March 2024", "24-03", ""])
def test_bad_dates_are_rejected(bad):
    with pytest.raises(ValueError):
        PartialDate.parse(bad)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)))
def test_partial_dates_round_trip_through_text(day):
    for text in (day.isoformat(), day.isoformat()[:7], day.isoformat()[:4]):
        parsed = PartialDate.parse(text)
        assert str(parsed) == text
        assert parsed.first <= day <= parsed.last


def test_as_of_needs_a_full_day():
    assert parse_day("2024-10-01") == dt.date(2024, 10, 1)
    with pytest.raises(ValueError, match="full day"):
        parse_day("2024-10")


def test_territory_codes_are_text_with_a_level():
    assert territory_level("CO") is TerritoryLevel.COUNTRY
    assert territory_level("05") is TerritoryLevel.DEPARTMENT
    assert territory_level("05001") is TerritoryLevel.MUNICIPALITY
    with pytest.raises(ValueError):
        territory_level("5001")


def test_a_numeric_territory_code_is_refused():
    with pytest.raises(ValidationError, match="must be quoted text"):
        Statistic.model_validate(
            {
                "id": "s",
                "indicator": "x",
                "value": 1,
                "unit": "u",
                "statement": "s",
                "territory": 5001,
                "sources": [{"source": "a"}],
            }
        )


def test_a_statistic_needs_a_value_or_a_direction():
    base = {
        "id": "s",
        "indicator": "x",
        "unit": "u",
        "statement": "s",
        "sources": [{"source": "a"}],
    }
    with pytest.raises(ValidationError, match="needs a value, or a direction"):
        Statistic.model_validate(base)
    assert Statistic.model_validate({**base, "direction": "decrease"}).value is None


def test_every_record_needs_a_source_and_known_fields():
    with pytest.raises(ValidationError, match="at least 1"):
        Actor.model_validate({"id": "eln", "name": "ELN", "kind": "insurgency", "sources": []})
    with pytest.raises(ValidationError, match="Extra inputs"):
        Actor.model_validate(
            {"id": "eln", "name": "ELN", "kind": "insurgency", "sources": [{"source": "a"}], "x": 1}
        )


def test_one_territory_level_enum_reads_national_as_the_country() -> None:
    assert TerritoryLevel("national") is TerritoryLevel.COUNTRY
    assert [level.value for level in TerritoryLevel] == [
        "country",
        "department",
        "municipality",
        "cluster",  # a source's own group of municipalities (the Paz Total panel's Tumaco)
    ]
    with pytest.raises(ValueError):
        TerritoryLevel("region")
