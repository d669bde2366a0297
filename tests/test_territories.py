"""Territory vocabulary: DIVIPOLA codes in every form a file gives them, and place keys."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peacemonitor.model import TerritoryLevel
from peacemonitor.territories import InvalidCode, parse_code, place_key

_LETTERS = st.text(alphabet="abcdefghijklmnñopqrstuvwxyzáéíóúü -.,", min_size=1, max_size=30)


@given(st.integers(min_value=1000, max_value=99999))
def test_municipality_codes_read_alike_in_every_form(number: int) -> None:
    text = f"{number:05d}"
    forms: list[str | int | float] = [
        number,
        text,
        float(number),
        f"{number}",
        f"{number * 1000:08d}",
        number * 1000.0,
    ]
    assert {parse_code(f).code for f in forms} == {text}
    assert parse_code(f"CO{text}").code == text


@given(st.integers(min_value=0, max_value=99))
def test_department_codes_are_two_digits(number: int) -> None:
    parsed = parse_code(number)
    assert parsed.code == f"{number:02d}"
    assert parsed.level is TerritoryLevel.DEPARTMENT


@given(st.integers(min_value=1000, max_value=99999), st.integers(min_value=0, max_value=999))
def test_populated_centre_digits_are_kept_apart(number: int, centre: int) -> None:
    parsed = parse_code(number * 1000 + centre)
    assert (parsed.code, parsed.suffix) == (f"{number:05d}", f"{centre:03d}")


@pytest.mark.parametrize(
    "bad", ["", "abc", "123", "123456", "5001.5", -5001, 5001.25, "12345678901"]
)
def test_what_is_not_a_code_is_refused(bad: object) -> None:
    with pytest.raises(InvalidCode):
        parse_code(bad)  # type: ignore[arg-type]


@given(_LETTERS)
def test_place_key_ignores_case_accents_and_capital_marker(name: str) -> None:
    key = place_key(name)
    assert place_key(name.upper()) == key
    assert place_key(f"{name} (CT)") == key
    assert place_key(key) == key
    assert key == key.strip() and "  " not in key


def test_place_key_examples() -> None:
    assert place_key("Leticia (CT)") == "leticia"
    assert place_key("BOGOTÁ, D.C.") == place_key("Bogotá D.C. (CT)") == "bogota d c"
    assert place_key("Piendamó - Tunía") == "piendamo tunia"
