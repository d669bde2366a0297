"""Weights: parsing ``k=v`` over visible defaults, and the weighted mean's invariants."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peacemonitor.weights import BadWeights, parse_weights, weighted_mean

DEFAULTS = {"a": 1.0, "b": 2.0}


def test_parse() -> None:
    assert parse_weights(None, DEFAULTS) == DEFAULTS
    assert parse_weights(" b = 0.5 ,", DEFAULTS) == {"a": 1.0, "b": 0.5}
    with pytest.raises(BadWeights, match="'x' is not a number"):
        parse_weights("a=x", DEFAULTS)


def test_mean_leaves_out_missing_and_zero_weights() -> None:
    assert weighted_mean({"a": 1.0, "b": None}, DEFAULTS) == 1.0
    assert weighted_mean({"a": 1.0, "b": 0.0}, DEFAULTS) == round(1 / 3, 4)
    assert weighted_mean({"a": None, "b": None}, DEFAULTS) is None
    assert weighted_mean({"a": 0.2}, {"a": 0.0}) is None


scores = st.dictionaries(
    st.sampled_from("abcdef"), st.one_of(st.none(), st.floats(0, 1)), min_size=1
)
weights = st.dictionaries(st.sampled_from("abcdef"), st.floats(0, 10), min_size=6)


@given(scores, weights)
def test_mean_lies_between_the_scores_it_uses(
    s: dict[str, float | None], w: dict[str, float]
) -> None:
    mean = weighted_mean(s, w)
    used = [v for k, v in s.items() if v is not None and w[k] > 0]
    if not used or sum(w[k] for k, v in s.items() if v is not None and w[k] > 0) == 0:
        assert mean is None
    else:
        assert mean is not None and min(used) - 1e-4 <= mean <= max(used) + 1e-4


@given(scores, weights, st.floats(0.01, 100))
def test_scaling_all_weights_changes_nothing(
    s: dict[str, float | None], w: dict[str, float], k: float
) -> None:
    scaled = {key: value * k for key, value in w.items()}
    a, b = weighted_mean(s, w), weighted_mean(s, scaled)
    assert (a is None) == (b is None) or min(w.values()) * k < 1e-300
    if a is not None and b is not None:
        assert abs(a - b) <= 1e-4


def test_a_tiny_weight_alone_still_gives_its_score() -> None:
    """Found by hypothesis: 0.5 × 5e-324 underflows to 0, so weights are shares first."""
    assert weighted_mean({"f": 0.5}, {"a": 0.0, "f": 5e-324}) == 0.5
