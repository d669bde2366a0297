"""Weights of composite indices: visible defaults the user can change with ``k=v,...``.

Every index in the analytics (scorecard, priorities, vacuum risk) is a weighted mean of components
scored 0–1; the weights are data, printed with every result, never constants hidden in code.
"""

from __future__ import annotations

from collections.abc import Mapping

from peacemonitor.errors import PeacemonitorError


class BadWeights(PeacemonitorError):
    """A ``--weights`` text that names an unknown component or is not a number ≥ 0."""


def parse_weights(text: str | None, defaults: Mapping[str, float]) -> dict[str, float]:
    """``"violence=2,groups=0"`` over the defaults; unknown names and negatives are errors."""
    weights = dict(defaults)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        name, _, value = part.partition("=")
        name = name.strip()
        if name not in weights:
            raise BadWeights(f"unknown weight {name!r}: use {', '.join(weights)}")
        try:
            number = float(value)
        except ValueError:
            raise BadWeights(f"weight {name!r}: {value.strip()!r} is not a number") from None
        if number < 0:
            raise BadWeights(f"weight {name!r} must be 0 or more, not {number:g}")
        weights[name] = number
    return weights


def weighted_mean(scores: Mapping[str, float | None], weights: Mapping[str, float]) -> float | None:
    """Σ w·s / Σ w over the components that have a score; None when none has (or all weigh 0)."""
    used = [(weights[k], s) for k, s in scores.items() if s is not None and weights.get(k, 0) > 0]
    total = sum(w for w, _ in used)
    if not total:
        return None
    # Weights are shares of their total before they multiply: a tiny weight never underflows
    # the product to 0 (5e-324 × 0.5 is 0 in floating point; 5e-324 / 5e-324 is 1).
    return round(sum((w / total) * s for w, s in used), 4)
