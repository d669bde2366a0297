"""The real-data estimates written up in docs/ceasefire-effects.md (a script, not a test).

Usage: PEACEMONITOR_DB=store.duckdb python bench/real_effects.py

The store must hold DIVIPOLA, the MGN 2018 municipal boundaries, the registry, UCDP GED Colombia,
the Police homicide files 2003–2024, the official massacre list and the ETH/PRIO ceasefires (see
docs/ceasefire-effects.md for the exact commands). Prints each estimate as a Markdown row.
"""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

from peacemonitor import estimators as est
from peacemonitor.effects import Method, ceasefire_effect, run
from peacemonitor.model import Ceasefire, CeasefireEvent, CeasefireEventKind, Citation
from peacemonitor.panels import adjacency, assign, build_panel, expand, treated_by_month
from peacemonitor.registry import from_store
from peacemonitor.settings import Settings
from peacemonitor.views import categories_for


def row(label: str, e: est.Estimate) -> str:
    if not e.answerable:
        number = f"no answer: {e.reason}"
    elif e.method == "event-study":
        lags = {p.k: p.rate_ratio for p in e.path}
        number = "path " + ", ".join(
            f"k={k}: {lags[k]:.2f}" for k in (-12, -6, 0, 6, 12) if k in lags
        )
    elif e.ci_low is None:
        number = f"{e.rate_ratio:.3f} (placebo p {e.p_value:.2f})"
    else:
        number = f"{e.rate_ratio:.3f} [{e.ci_low:.3f}, {e.ci_high:.3f}]"
    mde = f"{e.mde:.0%}" if e.mde is not None else ""
    pre = "" if e.pre_trend_p is None else f"{e.pre_trend_p:.3f}"
    return (
        f"| {label} | {e.method} | {number} | {pre} | {e.units_treated} | {e.units_comparison} | "
        f"{e.months} | {e.events:g} | {mde} |"
    )


HEAD = (
    "| analysis | method | rate ratio [95% CI] | pre-trend p | treated | comparison | months "
    "| events | MDE |\n|---|---|---|---|---|---|---|---|---|"
)


def farc(store: Any) -> list[str]:
    """ETH/PRIO FARC ceasefire of 17 Dec 2014 (record 9), UCDP state-group deaths."""
    with store.read() as db:
        start = db.execute(
            "SELECT date_first FROM imported_ceasefires WHERE record_id = 'Colombia:9:FARC:623.0'"
        ).fetchone()[0]
        present = {
            r[0]
            for r in db.execute(
                "SELECT DISTINCT territory_code FROM observations WHERE source = 'ucdp' AND "
                "territory_level = 'municipality' AND list_contains(actor_ids, 'farc-ep') AND "
                "date_first BETWEEN DATE '2012-12-01' AND DATE '2014-11-30'"
            ).fetchall()
        }
    cite = [Citation(source="ethprio-cf-4-3")]
    event = CeasefireEvent(kind=CeasefireEventKind.IN_FORCE, date=start, sources=cite)
    ceasefire = Ceasefire.model_construct(
        id="ethprio-farc-2014-12-17",
        name="FARC ceasefire (ETH/PRIO)",
        kind="unilateral",
        parties=["farc-ep"],
        scope=["CO"],
        events=[event],
        sources=cite,
    )
    lines = []
    for outcome in ("state-group", "civilians"):
        panel = build_panel(store, categories_for(outcome), "ucdp", ("2012-12", "2016-07"))
        codes = panel.frame["code"].unique()
        for label, presence in (("all municipalities", None), ("FARC presence", present)):
            treated = treated_by_month(ceasefire, panel.months, codes, presence)
            design = assign(panel, treated, adjacency(store))
            for e in run(design, Method.ALL):
                lines.append(row(f"FARC 2014-12, UCDP {outcome}, {label}", e))
    lines.append(f"<!-- FARC presence: {len(present)} municipalities -->")
    return lines


def eln(store: Any, registry: Any) -> list[str]:
    lines = []
    for outcome, source in (("homicide", "police"), ("massacre", "massacres")):
        result = ceasefire_effect(store, registry, "cf-eln-2023-2024", outcome, source)
        for e in result.estimates:
            lines.append(row(f"ELN 2023-24, {source} {outcome} ({result.unit})", e))
    return lines


def emc(store: Any, registry: Any) -> list[str]:
    """The March 2024 suspension in Cauca, Nariño, Valle as the treatment, the departments where
    the ceasefire stayed in force as controls (their bordering municipalities excluded)."""
    ceasefire = registry.ceasefires["cf-emc-embf-2023-2025"]
    lines = []
    for outcome, source in (("homicide", "police"), ("massacre", "massacres")):
        panel = build_panel(store, categories_for(outcome), source, ("2023-11", "2024-06"))
        codes = panel.frame["code"].unique()
        in_force = treated_by_month(ceasefire, panel.months, codes)
        scope = expand(["CO"], codes)
        suspended = {m: (scope - active) for m, active in in_force.items()}
        design = assign(panel, suspended, adjacency(store))
        study = est.event_study(design)
        for e in (
            est.with_pre_trend(est.did(design), study),
            est.with_pre_trend(est.spillover(design), study),
            study,
        ):
            lines.append(
                row(f"EMC suspension 2024-03 (Cauca, Nariño, Valle), {source} {outcome}", e)
            )
        result = ceasefire_effect(store, registry, "cf-emc-embf-2023-2025", outcome, source)
        for e in result.estimates:
            lines.append(row(f"EMC 2023-25 whole, {source} {outcome}", e))
    return lines


def main() -> int:
    store = Settings.from_env().store()
    registry = from_store(store)
    began = dt.datetime.now()
    print(HEAD)
    for line in [*farc(store), *eln(store, registry), *emc(store, registry)]:
        print(line)
    print(f"<!-- {dt.datetime.now() - began} -->")
    return 0


if __name__ == "__main__":
    sys.exit(main())
