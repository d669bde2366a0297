"""Implementation tracker on a four-provision agreement checkable by hand, and the 2016 accord's
published aggregates kept apart from our coding."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from analytics_fixtures import tiny_registry

from peacemonitor import model
from peacemonitor.errors import NotFound
from peacemonitor.implementation import implementation
from peacemonitor.registry import Registry, load


def test_levels_parties_and_early_implementation() -> None:
    report = implementation(tiny_registry(), "alpha-table")
    lines = {p.provision: p for p in report.agreements[0].provisions}
    assert {k: (v.level, v.party, v.implemented_before_signed) for k, v in lines.items()} == {
        "truce": (3, "armed-group", True),  # level 2 in Feb, before the March signature
        "roads": (0, "government", False),
        "demining": (None, "both", False),
        "mass": (1, "other", False),
    }
    assert report.by_level == {"0": 1, "1": 1, "2": 0, "3": 1, "not coded": 1}
    assert report.agreements[0].before_signed == ["truce"]
    assert [(b.key, b.provisions, b.by_level["3"]) for b in report.by_party] == [
        ("armed-group", 1, 1),
        ("both", 1, 0),
        ("government", 1, 0),
        ("other", 1, 0),
    ]
    assert [b.key for b in report.by_theme] == [
        "ceasefire",
        "demining",
        "humanitarian",
        "infrastructure",
    ]


def test_over_time_counts_a_provision_from_signature_or_first_step() -> None:
    snapshots = implementation(tiny_registry(), "alpha-accord").over_time
    assert [(s.as_of, s.provisions, s.by_level) for s in snapshots] == [
        ("2024-02", 1, {"0": 0, "1": 0, "2": 1, "3": 0, "not coded": 0}),
        ("2024-03-01", 4, {"0": 0, "1": 0, "2": 1, "3": 0, "not coded": 3}),
        ("2024-04-01", 4, {"0": 1, "1": 0, "2": 1, "3": 0, "not coded": 2}),
        ("2024-05-01", 4, {"0": 1, "1": 1, "2": 0, "3": 1, "not coded": 1}),
    ]


def _with_2016(reg: Registry, kroc: bool) -> Registry:
    reg.agreements["farc-2016-final-agreement"] = model.Agreement.model_validate(
        {"id": "farc-2016-final-agreement", "date": "2016", "title": "2016", "kind": "final"}
        | {"sources": [{"source": "src"}]}
    )
    origin = "Kroc Institute (Peace Accords Matrix)" if kroc else "a newspaper"
    reg.statistics["k"] = model.Statistic.model_validate(
        {
            "id": "k",
            "indicator": "accord-2016-stipulations-complete",
            "value": 32,
            "unit": "percent of 578 stipulations",
            "period_end": "2023-11",
            "statement": "32% complete",
            "sources": [{"source": "src", "originally": origin}],
        }
    )
    return reg


def test_2016_accord_shows_kroc_beside_our_coding_labelled() -> None:
    part = implementation(_with_2016(tiny_registry(), True), "farc-2016-final-agreement")
    accord = part.agreements[0]
    assert accord.provisions == [] and accord.coding.startswith("our coding")
    assert [(g.value, g.as_of, g.label) for g in accord.published] == [
        (32.0, "2023-11", "published by the Kroc Institute (Peace Accords Matrix), as cited")
    ]
    assert accord.published_note == (
        "the registry codes none of its provisions one by one (our coding: no data); "
        "the Kroc Institute's aggregates below are published figures, not our coding"
    )


def test_2016_accord_says_when_kroc_is_not_in_the_registry() -> None:
    accord = implementation(_with_2016(tiny_registry(), False), None).agreements[0]
    assert accord.published == []
    assert accord.published_note is not None
    assert accord.published_note.endswith("the Kroc Institute's aggregates are not in the registry")


def test_unknown_scope() -> None:
    with pytest.raises(NotFound, match="no agreement or table 'nope'"):
        implementation(tiny_registry(), "nope")


def test_bundled_registry_comuneros() -> None:
    report = implementation(load(), "gov-comuneros-del-sur")
    early = [(a.agreement, a.before_signed) for a in report.agreements if a.before_signed]
    assert early == [("comuneros-2024-09-first-agreement", ["bilateral-ceasefire"])]
    kroc = implementation(load(), "farc-2016-final-agreement").agreements[0].published
    assert {(g.as_of, g.indicator, g.value) for g in kroc} >= {
        ("2023-11", "accord-2016-stipulations-complete", 32.0)
    }


@pytest.fixture
def tiny_cli(
    monkeypatch: pytest.MonkeyPatch, cli: Callable[..., tuple[int, str]]
) -> Callable[..., tuple[int, str]]:
    from peacemonitor.cli import analytics_commands as analytics

    monkeypatch.setattr(analytics, "_registry", lambda ctx: tiny_registry())
    return cli


def test_cli_csv(tiny_cli: Callable[..., tuple[int, str]]) -> None:
    code, out = tiny_cli("implementation", "alpha-table", "--format", "csv")
    assert code == 0
    assert out == (
        "agreement,provision,theme,party,level,level_as_of,implemented_before_signed\n"
        "alpha-accord,truce,ceasefire,armed-group,3,2024-05-01,yes\n"
        "alpha-accord,roads,infrastructure,government,0,2024-04-01,no\n"
        "alpha-accord,demining,demining,both,,,no\n"
        "alpha-accord,mass,humanitarian,other,1,2024-05-01,no\n"
    )


def test_cli_parquet(tiny_cli: Callable[..., tuple[int, str]], tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    path = tmp_path / "p.parquet"
    code, out = tiny_cli("implementation", "--format", "parquet", "--output", str(path))
    assert (code, out) == (0, f"wrote 4 row(s) to {path}\n")
    table = pq.read_table(path)
    assert table.column("level").to_pylist() == [3, 0, None, 1]
    assert table.column("implemented_before_signed").to_pylist() == [True, False, False, False]


def test_cli_parquet_needs_output(tiny_cli: Callable[..., tuple[int, str]]) -> None:
    code, out = tiny_cli("implementation", "--format", "parquet")
    assert code == 1
