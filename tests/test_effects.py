"""Ceasefire effects on the real data: the ELN ceasefire on Police homicides and the official
massacres; what the library and the CLI answer, and where they refuse to give a number."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import world_store

from peacemonitor.effects import Method, ceasefire_effect
from peacemonitor.gazetteer import Gazetteer
from peacemonitor.registry import from_store
from peacemonitor.runner import import_files
from peacemonitor.store import Store


@pytest.fixture(scope="module")
def real(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    store = world_store(
        tmp_path_factory.mktemp("effects") / "effects.duckdb",
        shared_data / "divipola" / "DIVIPOLA-_C_digos_municipios.csv",
        shared_data / "boundaries_mgn2018" / "co_2018_MGN_MPIO_POLITICO.geojson",
        boundary_detail="full",
    )
    gazetteer = Gazetteer.from_store(store)
    police = shared_data / "policia_homicidios_raw"
    files = [police / f"homicidios_{year}.xls" for year in (2021, 2022, 2023, 2024)]
    import_files(store, "police", files, gazetteer)
    massacres = shared_data / "masacres_2022_2025" / "Masacres_en_Colombia_clean.csv"
    import_files(store, "massacres", [massacres], gazetteer)
    return store


def test_eln_ceasefire_on_police_homicides(real: Store) -> None:
    result = ceasefire_effect(real, from_store(real), "cf-eln-2023-2024", "homicide", "police")
    assert (result.unit, result.first_month, result.last_month) == ("victims", "2021-08", "2024-12")
    by = {e.method: e for e in result.estimates}
    start = by["its-start"]
    assert start.answerable and start.units_treated == 1121 and start.months == 41
    assert start.rate_ratio == pytest.approx(1.048, abs=0.002)
    assert start.ci_low < 1 < start.ci_high  # type: ignore[operator]
    assert "the interval includes no change" in start.sentence
    assert by["its-end"].answerable
    # a national ceasefire leaves no municipality outside it: DiD must refuse, not guess
    assert by["did"].reason == "no control municipality: the scope covers them all"
    assert by["did"].rate_ratio is None
    assert by["synth"].reason == (
        "1121 treated municipalities: synthetic control is for few treated units"
    )
    assert any("Homicides mix all kinds of violence" in c for c in result.caveats)


def test_a_source_that_does_not_report_the_outcome_cannot_answer(real: Store) -> None:
    result = ceasefire_effect(
        real, from_store(real), "cf-eln-2023-2024", "state-group", "massacres", Method.ITS
    )
    (only,) = result.estimates
    assert not only.answerable and only.rate_ratio is None
    assert only.sentence.startswith("The data cannot say how state-group (massacres")


def test_cli_effect(real: Store, cli: Callable[..., tuple[int, str]]) -> None:
    from typer.testing import CliRunner

    from peacemonitor.cli import app

    args = ["--db", str(real.path), "ceasefire", "effect", "cf-eln-2023-2024"]
    args += ["--outcome", "massacre", "--source", "massacres", "--method", "its", "-f", "csv"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == (
        "method,rate_ratio,ci_low,ci_high,pre_trend_p,units_treated,units_comparison,months,"
        "events,mde,reason"
    )
    assert [line.split(",")[0] for line in lines[1:]] == ["its-start", "its-end"]
    code, output = cli("init")
    code, output = cli("ceasefire", "effect", "nope")
    assert (code, output.strip()) == (
        1,
        "error: no ceasefire 'nope'; `peacemonitor ceasefires` lists them",
    )


def test_parties_presence_narrows_to_where_the_armed_parties_were(tmp_path: Path) -> None:
    """The EMC/EMBF ceasefire's party is reported in Cauca, Nariño and Valle during it; the ELN
    is reported only after its ceasefire ended, so nothing narrows that one."""
    from peacemonitor.effects import parties_presence

    store = world_store(tmp_path / "presence.duckdb")
    registry = from_store(store)
    found = parties_presence(store, registry, "cf-emc-embf-2023-2025", {"registry"})
    assert sorted({(r.actor_id, r.territory_code) for r in found}) == [
        ("emc", "19"),
        ("emc", "52"),
        ("emc", "76"),
    ]
    assert parties_presence(store, registry, "cf-eln-2023-2024", {"registry"}) == []


def test_cli_effect_says_when_no_presence_is_known(
    tmp_path: Path, cli: Callable[..., tuple[int, str]]
) -> None:
    world_store(tmp_path / "cli.duckdb")
    code, out = cli("ceasefire", "effect", "cf-eln-2023-2024", "--presence", "registry")
    assert (code, out) == (
        1,
        "error: no registry presence of cf-eln-2023-2024's armed parties is recorded from two "
        "years before it to its last step: `peacemonitor presence ACTOR` shows what is known; "
        "leave out --presence to take the registry scope whole\n",
    )


def test_its_and_the_event_study_alone_with_the_fitted_series(real: Store) -> None:
    """What the dashboard asks for: the quick estimators only, the ITS carrying its fit."""
    methods = (Method.ITS, Method.EVENT_STUDY)
    result = ceasefire_effect(
        real, from_store(real), "cf-eln-2023-2024", "homicide", "police", methods
    )
    assert [e.method for e in result.estimates] == ["its-start", "its-end", "event-study"]
    start = result.estimates[0]
    assert [p.month for p in start.fit][0::40] == ["2021-08", "2024-12"]
    assert sum(p.observed for p in start.fit) == start.events
    assert [p.month for p in start.fit if p.share > 0][0] == "2023-08"
    assert result.estimates[2].reason == "needs treated and control municipalities"
    assert result.estimates[1].fit == []
