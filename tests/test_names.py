from hypothesis import given
from hypothesis import strategies as st

from peacemonitor.names import normalize_name


def test_accents_case_and_punctuation_do_not_matter():
    assert normalize_name("Piendamó - Tunía") == "piendamo tunia"
    assert normalize_name("ELN: National Liberation Army") == "eln national liberation army"
    assert normalize_name("  BOGOTÁ, D.C. ") == "bogota d c"


@given(st.text())
def test_normalisation_is_idempotent_and_plain(text):
    once = normalize_name(text)
    assert normalize_name(once) == once
    assert all(c.isascii() and (c.isalnum() or c == " ") for c in once)
