"""Registry records by id, name or alias: case and accents never matter, several are listed."""

from __future__ import annotations

import pytest

from peacemonitor.actors import get_actor
from peacemonitor.ceasefires import get_ceasefire
from peacemonitor.errors import NotFound
from peacemonitor.lookup import Ambiguous, find
from peacemonitor.registry import Registry, load
from peacemonitor.tables import get_table

RECORDS = {"gov-eln": "Government – ELN", "eln": "ELN", "gov-emc": "Gobierno – EMC"}


def names(value: str) -> list[str]:
    return [value]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("eln", "ELN"),  # the id
        ("Eln", "ELN"),  # a whole name, any case
        ("gobierno emc", "Gobierno – EMC"),  # punctuation and dashes ignored
        ("EMC", "Gobierno – EMC"),  # whole words inside one name
    ],
)
def test_find_by_id_or_name(query: str, expected: str) -> None:
    assert find(RECORDS, query, names, "thing", "things") == expected


def test_several_candidates_are_listed_not_guessed() -> None:
    with pytest.raises(Ambiguous) as error:
        find(RECORDS, "gov", names, "thing", "things")
    assert str(error.value) == (
        "thing 'gov' could be any of: gov-eln (Government – ELN); gov-emc (Gobierno – EMC) — "
        "give one of these ids"
    )


def test_unknown_names_say_where_the_list_is() -> None:
    with pytest.raises(NotFound, match=r"^no thing 'farc'; `things` lists them$"):
        find(RECORDS, "farc", names, "thing", "things")


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("EMC", "emc"),
        ("Comuneros del Sur", "comuneros-del-sur"),
        ("ejército de liberación nacional", "eln"),
        ("CLAN DEL GOLFO", "clan-del-golfo"),
    ],
)
def test_actors_by_name_or_alias(registry: Registry, query: str, expected: str) -> None:
    assert get_actor(registry, query).id == expected


def test_tables_and_ceasefires_by_name(registry: Registry) -> None:
    assert get_table(registry, "Comuneros del Sur").id == "gov-comuneros-del-sur"
    assert get_ceasefire(registry, "cf-eln-2023-2024").id == "cf-eln-2023-2024"
    with pytest.raises(Ambiguous, match="cf-eln-2023-2024"):
        get_ceasefire(registry, "eln")
