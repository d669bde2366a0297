"""DANE population and MGN files fetched from a given address (a local stand-in) and loaded."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from publishers import Reply, Request, ranged, serve

from peacemonitor.dane_fetch import AddressNeeded, fetch_dane

DATA = Path(__file__).parent / "data"
_LINES = (DATA / "imports" / "population_small.csv").read_text("utf-8").splitlines(keepends=True)
POPULATION = "".join(
    [_LINES[0]] + [line for line in _LINES[1:] if line.split(";")[0] in ("5001", "11001")]
).encode()  # the municipalities dl_municipios.csv knows
BOUNDARIES = (DATA / "territories" / "tiny.topojson").read_bytes()


def _dane(request: Request) -> Reply:
    files = {"/files/POBLACION.csv": POPULATION, "/files/mgn.topojson": BOUNDARIES}
    body = files.get(request.path)
    return ranged(request, body) if body is not None else Reply(404, b"")


def test_an_address_is_required(tmp_path: Path) -> None:
    with pytest.raises(AddressNeeded, match="mgn: DANE publishes no stable file address.*"
                       "geoportal.dane.gov.co.*pass it with --url"):  # fmt: skip
        fetch_dane("mgn", None, tmp_path)
    with pytest.raises(AddressNeeded, match="population projections"):
        fetch_dane("dane-population", None, tmp_path)


def test_fetch_keeps_the_file_and_its_checksum(tmp_path: Path) -> None:
    with serve(_dane) as server:
        got = fetch_dane("dane-population", server.base + "/files/POBLACION.csv", tmp_path)
    assert got.path.read_bytes() == POPULATION
    assert (got.record.source, got.record.file_name) == ("dane-population", "POBLACION.csv")


def test_cli_fetch_and_load(tmp_path: Path, cli: Callable[..., tuple[int, str]]) -> None:
    assert cli("init")[0] == 0
    assert cli("data", "load", str(DATA / "territories" / "dl_municipios.csv"))[0] == 0
    cache = str(tmp_path / "cache")
    with serve(_dane) as server:
        code, population = cli("data", "fetch", "dane-population", "--url",
                               server.base + "/files/POBLACION.csv", "--cache", cache)  # fmt: skip
        assert code == 0, population
        code, boundaries = cli("data", "fetch", "mgn", "--url", server.base + "/files/mgn.topojson",
                               "--cache", cache)  # fmt: skip
        assert code == 0, boundaries
    assert population.splitlines()[0].startswith("dane-population: ")
    assert "population" in population.splitlines()[1]
    assert "boundar" in boundaries.splitlines()[1]
    code, listing = cli("data", "fetches", "--format", "csv")
    assert [line.split(",")[1] for line in listing.splitlines()[1:]] == ["dane-population", "mgn"]
