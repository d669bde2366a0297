"""The bundled registry holds what the two source articles say, each fact citing its article.

``CLAIMS`` is a hand-made list of every number and named event in the CFR post (24 September
2024) and the Al Jazeera feature (21 November 2024): the article's own words, and where in the
registry the fact must be. Each claim is checked for the record, its value or date, and a citation
of the article. When the articles are present (../shared/context) the words are also checked
against the article text, so the list cannot drift from what the articles say.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from conftest import missing_shared
from pydantic import BaseModel

from peacemonitor.model import Citation, Direction, PartialDate, Qualifier
from peacemonitor.registry import Registry, load
from peacemonitor.tables import provision_view

CFR = "cfr-2024-09-24-total-peace-is-dead"
AJ = "aljazeera-2024-11-21-comuneros"
ARTICLE_FILES = {CFR: "000_d31390bd03b60fcf.txt", AJ: "001_0a31aa211d2c20d2.txt"}
CONTEXT = Path(__file__).resolve().parent.parent.parent / "shared" / "context"

Find = Callable[[Registry], BaseModel]
Expect = Callable[[Any], bool]


@dataclass(frozen=True)
class Claim:
    """One statistic or event of an article and where the registry holds it."""

    article: str
    words: str
    find: Find
    expect: Expect = lambda node: True


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load()


def citations(node: object) -> Iterator[Citation]:
    """Every citation in a record and the records nested in it."""
    if isinstance(node, Citation):
        yield node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from citations(getattr(node, name))
    elif isinstance(node, list):
        for item in node:
            yield from citations(item)


def day(text: str) -> PartialDate:
    return PartialDate.parse(text)


def stat(stat_id: str, value: float, qualifier: Qualifier = Qualifier.EXACT) -> Find:
    def find(registry: Registry) -> BaseModel:
        record = registry.statistics[stat_id]
        assert (record.value, record.qualifier) == (value, qualifier), stat_id
        return record

    return find


def event(ceasefire_id: str, kind: str, date: str) -> Find:
    def find(registry: Registry) -> BaseModel:
        found = [e for e in registry.ceasefires[ceasefire_id].events if e.kind.value == kind]
        return next(e for e in found if e.date == day(date))

    return find


def status(table_id: str, name: str, date: str) -> Find:
    def find(registry: Registry) -> BaseModel:
        history = registry.tables[table_id].status_history
        return next(s for s in history if s.status.value == name and s.date == day(date))

    return find


def relation(actor_id: str, kind: str, target: str, since: str) -> Find:
    def find(registry: Registry) -> BaseModel:
        relations = registry.actors[actor_id].relations
        return next(
            r for r in relations if (r.kind.value, r.actor, r.since) == (kind, target, day(since))
        )

    return find


def legal(actor_id: str, name: str) -> Find:
    def find(registry: Registry) -> BaseModel:
        return next(s for s in registry.actors[actor_id].legal_status if s.status.value == name)

    return find


def provision(agreement_id: str, provision_id: str) -> Find:
    def find(registry: Registry) -> BaseModel:
        agreement = registry.agreements[agreement_id]
        return next(p for p in agreement.provisions if p.id == provision_id)

    return find


def record(kind: str, record_id: str) -> Find:
    return lambda registry: getattr(registry, kind)[record_id]


def field_is(name: str, value: object) -> Expect:
    return lambda node: getattr(node, name) == value


M = Qualifier.MORE_THAN
CLAIMS: list[Claim] = [
    # --- CFR: numbers ---
    Claim(
        CFR,
        "66 percent of Colombians say",
        stat("cfr-poll-total-peace-wrong-direction-2024-06", 66),
    ),
    Claim(
        CFR,
        "85 percent think Colombia’s security situation is worsening",
        stat("cfr-poll-security-worsening-2024-06", 85),
    ),
    Claim(
        CFR,
        "Four in five Colombians live in cities",
        stat("cfr-urban-population-share", 80, Qualifier.ABOUT),
    ),
    Claim(
        CFR,
        "homicide rates northwards of 90 per 100,000",
        stat("cfr-homicide-rate-over-90-antioquia", 90, M),
        field_is("territory", "05"),
    ),
    Claim(
        CFR,
        "parts of Antioquia, Valle del Cauca, and Cauca",
        stat("cfr-homicide-rate-over-90-valle-del-cauca", 90, M),
        field_is("territory", "76"),
    ),
    Claim(
        CFR,
        "parts of Antioquia, Valle del Cauca, and Cauca",
        stat("cfr-homicide-rate-over-90-cauca", 90, M),
        field_is("territory", "19"),
    ),
    Claim(
        CFR,
        "more than 350 social leaders and human rights defenders",
        stat("cfr-social-leaders-killed-first-two-years", 350, M),
    ),
    Claim(
        CFR,
        "at least 75 signatories of the 2016 peace deal",
        stat("cfr-signatories-killed-first-two-years", 75, Qualifier.AT_LEAST),
    ),
    Claim(CFR, "over 165 massacres have occurred", stat("cfr-massacres-first-two-years", 165, M)),
    Claim(
        CFR,
        "kidnappings in 2023 reached their highest level in eight years",
        stat("cfr-kidnappings-2023-highest-in-eight-years", 8),
        field_is("period_start", day("2023")),
    ),
    Claim(
        CFR,
        "11 percent more human rights violations than in the first two years of his predecessor",
        stat("cfr-human-rights-violations-vs-predecessor", 11),
        lambda s: s.baseline is not None,
    ),
    Claim(
        CFR,
        "68 percent of the provisions in the 2016 Peace Accord",
        stat("cfr-2016-accord-provisions-unfulfilled", 68),
        lambda s: s.baseline is not None,
    ),
    Claim(
        CFR,
        "present in about 30 percent of the country",
        stat("cfr-clan-del-golfo-territorial-presence", 30, Qualifier.ABOUT),
        field_is("actor", "clan-del-golfo"),
    ),
    Claim(
        CFR,
        "in control of 60 percent of its cocaine trade",
        stat("cfr-clan-del-golfo-cocaine-trade", 60),
        field_is("actor", "clan-del-golfo"),
    ),
    Claim(
        CFR,
        "as well as with 40 percent of the EMC continue",
        stat("cfr-emc-share-in-talks", 40),
        field_is("actor", "emc"),
    ),
    Claim(
        CFR,
        "against the remaining 60 percent",
        stat("cfr-emc-share-under-offensive", 60),
        field_is("actor", "emc"),
    ),
    Claim(
        CFR,
        "three criminal organizations in Quibdó ended a ceasefire",
        stat("cfr-quibdo-organisations-ended-ceasefire", 3),
    ),
    Claim(
        CFR,
        "Regional dialogues in two departments, Nariño and Guaviare",
        stat("cfr-regional-dialogues-departments", 2),
    ),
    Claim(
        CFR,
        "Congress has voted to halve U.S. assistance to Colombia",
        stat("cfr-us-assistance-halving-vote", 50),
    ),
    # --- CFR: events ---
    Claim(
        CFR,
        "In March, Petro suspended the bilateral ceasefire with the Central General Staff (EMC)",
        event("cf-emc-embf-2023-2025", "suspended", "2024-03-17"),
        lambda e: sorted(e.scope or []) == ["19", "52", "76"],
    ),
    Claim(
        CFR,
        "after the group rejected the renewal of a bilateral ceasefire",
        event("cf-eln-2023-2024", "ended", "2024-08-03"),
    ),
    Claim(
        CFR,
        "In August, negotiations with the National Liberation Army (ELN)",
        status("gov-eln", "suspended", "2024-08"),
    ),
    Claim(
        CFR,
        "an attack on September 17 by the ELN in Arauca",
        record("gestures", "eln-puerto-jordan-attack-2024-09-17"),
        lambda g: g.date == day("2024-09-17") and g.territories == ["81"],
    ),
    Claim(
        CFR,
        "an attack on September 17 by the ELN in Arauca",
        status("gov-eln", "suspended", "2024-09-17"),
    ),
    Claim(
        CFR,
        "the ELN and Colombian security forces have clashed in Chocó and Arauca",
        lambda r: r.actors["eln"].presence[0],
        field_is("territories", ["27", "81"]),
    ),
    Claim(
        CFR,
        "criticizes the ELN for resuming ransom kidnapping",
        record("red_lines", "eln-ransom-kidnapping"),
        lambda r: "kidnapping" in r.categories,
    ),
    Claim(
        CFR,
        "three criminal organizations in Quibdó ended a ceasefire",
        event("cf-quibdo-2024", "ended", "2024-09"),
    ),
    Claim(
        CFR,
        "began negotiations with the Second Marquetalia",
        record("tables", "gov-segunda-marquetalia-cneb"),
    ),
    Claim(
        CFR,
        "the Sierra Nevada Self-Defense Forces (ACSN)",
        status("gov-acsn", "exploratory", "2024-08-01"),
    ),
    Claim(CFR, "and the Gulf Clan", status("gov-clan-del-golfo", "exploratory", "2024-08-05")),
    Claim(
        CFR,
        "urban gangs in the Valle de Aburrá and Buenaventura",
        record("tables", "valle-de-aburra-urban-peace"),
    ),
    Claim(
        CFR,
        "urban gangs in the Valle de Aburrá and Buenaventura",
        record("tables", "buenaventura-urban-peace"),
    ),
    Claim(
        CFR,
        "designate the Second Marquetalia as a political group",
        legal("segunda-marquetalia", "political"),
    ),
    Claim(
        CFR,
        "the ACSN and Gaitanistas aren’t eligible for transitional justice",
        legal("acsn", "criminal"),
    ),
    Claim(
        CFR,
        "the ACSN and Gaitanistas aren’t eligible for transitional justice",
        legal("clan-del-golfo", "high-impact-criminal"),
    ),
    Claim(
        CFR,
        "Colombian law defines urban bands like these as “criminal groups,”",
        legal("shottas", "criminal"),
    ),
    Claim(
        CFR,
        "negotiating at the regional level with the Comuneros del Sur",
        record("tables", "gov-comuneros-del-sur"),
        lambda t: t.level.value == "regional",
    ),
    Claim(
        CFR,
        "Regional dialogues in two departments, Nariño and Guaviare",
        record("tables", "narino-regional-dialogue"),
    ),
    Claim(
        CFR,
        "The AGC’s decision to select members of its top leadership",
        record("gestures", "agc-leadership-on-negotiating-team"),
    ),
    Claim(
        CFR,
        "Gaitanist Self-Defense Forces of Colombia (AGC or Gulf Clan)",
        record("actors", "clan-del-golfo"),
    ),
    # --- Al Jazeera: numbers ---
    Claim(AJ, "told a crowd of 100,000 onlookers", stat("aj-inauguration-crowd-2022-08", 100000)),
    Claim(
        AJ,
        "internal conflict for over half a century",
        stat("aj-internal-conflict-duration", 50, M),
    ),
    Claim(
        AJ,
        "189 social leaders were murdered",
        stat("indepaz-social-leaders-first-year", 189),
        lambda s: s.sources[0].originally is not None,
    ),
    Claim(
        AJ,
        "94 massacres were documented",
        stat("indepaz-massacres-first-year", 94),
        lambda s: s.sources[0].originally is not None,
    ),
    Claim(
        AJ,
        "as many as 10 municipalities",
        stat("aj-comuneros-municipalities-controlled", 10, Qualifier.UP_TO),
    ),
    Claim(AJ, "Approximately 200 fighters", stat("aj-comuneros-fighters", 200, Qualifier.ABOUT)),
    Claim(
        AJ,
        "Approximately 200 fighters",
        lambda r: r.actors["comuneros-del-sur"].strength[0],
        field_is("value", 200),
    ),
    Claim(
        AJ,
        "five times higher than in the United States or Canada",
        stat("aj-oecd-regional-inequality-vs-us-canada", 5),
    ),
    Claim(
        AJ,
        "42 times higher than in Australia",
        stat("aj-oecd-regional-inequality-vs-australia", 42),
    ),
    Claim(
        AJ,
        "nearly two-thirds of its provinces",
        stat("aj-rural-provinces-share", 66.7, Qualifier.LESS_THAN),
    ),
    Claim(AJ, "nine negotiations are under way", stat("aj-negotiations-under-way-2024-11", 9)),
    Claim(
        AJ,
        "the parties have signed two agreements",
        stat("aj-comuneros-agreements-signed-2024-11", 2),
    ),
    # --- Al Jazeera: events ---
    Claim(
        AJ,
        "Established in 1992",
        record("actors", "comuneros-del-sur"),
        field_is("founded", day("1992")),
    ),
    Claim(
        AJ,
        "In May, the Comuneros announced their rupture from the ELN",
        relation("comuneros-del-sur", "split-from", "eln", "2024-05"),
    ),
    Claim(
        AJ,
        "After an initial meeting in July",
        status("gov-comuneros-del-sur", "exploratory", "2024-07-19"),
    ),
    Claim(
        AJ,
        "Security Council recognised the rebel group as independent",
        legal("comuneros-del-sur", "political"),
        field_is("since", day("2024-08")),
    ),
    Claim(
        AJ,
        "officially began on September 13",
        status("gov-comuneros-del-sur", "installed", "2024-09-13"),
    ),
    Claim(
        AJ,
        "three agreed-upon areas",
        record("tables", "gov-comuneros-del-sur"),
        lambda t: len(t.agenda) == 3,
    ),
    Claim(
        AJ, "proposed a unilateral ceasefire", record("ceasefires", "cf-comuneros-unilateral-2024")
    ),
    Claim(
        AJ,
        "as a sign of good faith",
        record("gestures", "comuneros-unilateral-ceasefire-2024"),
        lambda g: g.valence.value == "goodwill",
    ),
    Claim(
        AJ,
        "The first agreement comprises four points",
        record("agreements", "comuneros-2024-09-first-agreement"),
        lambda a: len(a.provisions) == 4,
    ),
    Claim(
        AJ, "a definitive bilateral ceasefire", record("ceasefires", "cf-comuneros-bilateral-2024")
    ),
    Claim(
        AJ,
        "the gradual destruction of the group’s weapons",
        provision("comuneros-2024-09-first-agreement", "weapons-destruction"),
    ),
    Claim(
        AJ,
        "a collaborative programme to remove land mines throughout Nariño",
        provision("comuneros-2024-09-first-agreement", "demining"),
    ),
    Claim(
        AJ,
        "safety guarantees for the Red Cross",
        provision("comuneros-2024-10-18-second-agreement", "red-cross-guarantees"),
    ),
    Claim(
        AJ,
        "searching for people who have gone missing",
        provision("comuneros-2024-10-18-second-agreement", "search-team"),
    ),
    *[
        Claim(
            AJ,
            "roads, aqueducts, schools and universities",
            provision("comuneros-2024-government-pledge", item),
        )
        for item in ("roads", "aqueducts", "schools", "universities")
    ],
    Claim(
        AJ,
        "we have even implemented before agreements are formally reached",
        provision("comuneros-2024-09-first-agreement", "bilateral-ceasefire"),
        lambda p: p.implementation[0].as_of.last < dt.date(2024, 9, 1),
    ),
    Claim(
        AJ,
        "On November 7, the government and ELN announced they would indeed resume peace talks",
        status("gov-eln", "resumed", "2024-11-07"),
    ),
    Claim(
        AJ,
        "Colombia signed a historic peace deal with the FARC",
        record("agreements", "farc-2016-final-agreement"),
    ),
    Claim(
        AJ,
        "including the Central General Staff (EMC), have re-armed",
        relation("emc", "split-from", "farc-ep", "2016"),
    ),
    Claim(
        AJ,
        "the Gaitanist Self-Defense Forces of Colombia (AGC)",
        record("actors", "clan-del-golfo"),
    ),
    # --- issue 11, section 5: what the registry had left out of the articles ---
    *[
        Claim(
            CFR,
            "with the EMC, the Second Marquetalia, and the Gaitanist Self-Defense Forces of "
            "Colombia (AGC or Gulf Clan) expanding the most",
            record("statistics", f"cfr-territorial-control-expansion-{actor}"),
            lambda s, actor=actor: (
                (s.actor, s.direction, s.value) == (actor, Direction.INCREASE, None)
            ),
        )
        for actor in ("emc", "segunda-marquetalia", "clan-del-golfo")
    ],
    Claim(
        CFR,
        "the Gaitanistas have previously demanded transitional justice and could derail talks",
        record("red_lines", "agc-transitional-justice-demand"),
        lambda r: (r.table, r.actors) == ("gov-clan-del-golfo", ["clan-del-golfo"]),
    ),
    Claim(
        AJ,
        "caused peace talks between the ELN and the government to falter",
        record("red_lines", "eln-ransom-kidnapping"),
        lambda r: r.table == "gov-eln",
    ),
    Claim(
        AJ,
        "We don’t have a national conflict but have regional conflicts",
        record("gestures", "petro-un-security-council-2024-07"),
        lambda g: (g.actor, g.date) == ("gov-colombia", day("2024-07")),
    ),
    Claim(
        AJ,
        "the larger group denounced the government talks with the Comuneros",
        record("gestures", "eln-denounces-comuneros-talks-2024"),
        lambda g: (
            (g.actor, g.table, g.valence.value) == ("eln", "gov-comuneros-del-sur", "hostile")
        ),
    ),
    Claim(
        AJ,
        "Andrei Gómez-Suárez, a delegate for the Colombian government",
        lambda r: r.tables["gov-comuneros-del-sur"].delegations[-1],
        lambda d: (d.members, d.head) == (["Andrei Gómez-Suárez"], None),
    ),
    Claim(
        AJ,
        "his role as a chief negotiator",
        lambda r: r.tables["gov-comuneros-del-sur"].delegations[-1],
        lambda d: "chief negotiator" in (d.note or ""),
    ),
    Claim(
        AJ,
        "During his inauguration in August 2022",
        record("gestures", "petro-inauguration-2022-08-07"),
        field_is("date", day("2022-08-07")),
    ),
]


@pytest.mark.parametrize("claim", CLAIMS, ids=[f"{c.article[:3]}: {c.words[:50]}" for c in CLAIMS])
def test_each_article_claim_is_in_the_registry_citing_its_article(
    registry: Registry, claim: Claim
) -> None:
    node = claim.find(registry)
    assert claim.expect(node), f"{claim.words!r}: the record does not say it"
    assert claim.article in {c.source for c in citations(node)}, (
        f"{claim.words!r}: article not cited"
    )


def _normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("’", "'").replace("“", '"').replace("”", '"'))


@pytest.mark.parametrize("article", [CFR, AJ])
def test_claim_words_are_the_articles_words(article: str) -> None:
    path = CONTEXT / ARTICLE_FILES[article]
    if not path.is_file():
        missing_shared(f"article text at {path}")
    text = _normalise(path.read_text(encoding="utf-8"))
    missing = [c.words for c in CLAIMS if c.article == article and _normalise(c.words) not in text]
    assert missing == []


def test_implemented_before_signed_is_derived_for_the_comuneros_ceasefire(
    registry: Registry,
) -> None:
    agreement = registry.agreements["comuneros-2024-09-first-agreement"]
    views = {p.id: provision_view(agreement, p) for p in agreement.provisions}
    assert views["bilateral-ceasefire"].implemented_before_signed
    assert not views["weapons-destruction"].implemented_before_signed


def test_every_source_is_cited_at_least_once(registry: Registry) -> None:
    cited = {c.source for _, record in registry.records() for c in citations(record)}
    assert sorted(set(registry.sources) - cited) == []


def test_every_actor_has_a_passage(registry: Registry) -> None:
    bare = [a.id for a in registry.actors.values() if not any(c.passage for c in citations(a))]
    assert bare == []


def test_every_unverified_record_explains_why(registry: Registry) -> None:
    def unexplained(node: object) -> Iterator[str]:
        if isinstance(node, BaseModel):
            if getattr(node, "unverified", False) and not getattr(node, "note", None):
                yield type(node).__name__
            for name in type(node).model_fields:
                yield from unexplained(getattr(node, name))
        elif isinstance(node, list):
            for item in node:
                yield from unexplained(item)

    found = [(kind, r.id) for kind, r in registry.records() if list(unexplained(r))]  # type: ignore[attr-defined]
    assert found == []


# --- the CLI, in process, against a temporary store ---------------------------------------------


CliRun = Callable[..., tuple[int, str]]


@pytest.fixture
def loaded(cli: CliRun) -> CliRun:
    code, output = cli("init")
    assert code == 0, output
    return cli


def test_registry_check_passes_on_the_bundled_registry(cli: CliRun) -> None:
    code, output = cli("registry", "check")
    assert code == 0
    assert output.startswith("registry OK: ")


def test_actor_comuneros_shows_its_split_from_the_eln_with_date_and_source(loaded: CliRun) -> None:
    code, output = loaded("actor", "comuneros-del-sur")
    assert code == 0
    expected = (
        "split-from eln since 2024-05 — Al Jazeera (Features/Longform), 2024-11-21: "
        '"In May, the Comuneros announced their rupture from the ELN after the larger group said '
        'it would resume kidnapping for ransom"'
    )
    assert expected in output.splitlines()
    assert "  eln — Ejército de Liberación Nacional" in output.splitlines()


LATEST = {
    "buenaventura-urban-peace": ("urban", "installed"),
    "gov-acsn": ("regional", "suspended"),
    "gov-clan-del-golfo": ("national", "installed"),
    "gov-comuneros-del-sur": ("regional", "installed"),
    "gov-eln": ("national", "suspended"),
    "gov-emc-embf": ("national", "resumed"),
    "gov-segunda-marquetalia-cneb": ("national", "installed"),
    "narino-regional-dialogue": ("regional", "installed"),
    "quibdo-urban-peace": ("urban", "resumed"),
    "valle-de-aburra-urban-peace": ("urban", "installed"),
}


def test_tables_json_lists_every_table_with_level_and_current_status(loaded: CliRun) -> None:
    code, output = loaded("tables", "--format", "json")
    assert code == 0
    rows = {row["id"]: (row["level"], row["status"]) for row in json.loads(output)}
    assert rows == LATEST


def _tables_on(cli: CliRun, day: str) -> dict[str, dict[str, object]]:
    code, output = cli("tables", "--format", "json", "--as-of", day)
    assert code == 0, output
    return {row["id"]: row for row in json.loads(output)}


def test_tables_on_two_days_differ_as_the_history_says(loaded: CliRun) -> None:
    before, after = _tables_on(loaded, "2024-01-01"), _tables_on(loaded, "2024-10-01")
    assert set(before) == {
        "buenaventura-urban-peace",
        "gov-eln",
        "gov-emc-embf",
        "quibdo-urban-peace",
        "valle-de-aburra-urban-peace",
    }
    assert set(after) - set(before) == {
        "gov-acsn",
        "gov-clan-del-golfo",
        "gov-comuneros-del-sur",
        "gov-segunda-marquetalia-cneb",
        "narino-regional-dialogue",
    }
    assert (before["gov-eln"]["status"], after["gov-eln"]["status"]) == ("installed", "suspended")
    # suspended in August 2024 and again on 17 September: the second does not reset "since"
    assert (after["gov-eln"]["status_since"], after["gov-eln"]["latest_step"]) == (
        "2024-08",
        "2024-09-17",
    )
    assert (before["gov-emc-embf"]["armed_groups"], after["gov-emc-embf"]["armed_groups"]) == (
        ["emc"],
        ["embf"],
    )
    assert after["buenaventura-urban-peace"]["armed_groups"] == ["shottas"]
    assert before["buenaventura-urban-peace"]["armed_groups"] == ["shottas", "espartanos"]
    assert after["gov-comuneros-del-sur"]["status_since"] == "2024-09-13"
    assert after["gov-clan-del-golfo"]["status"] == "exploratory"


def test_ceasefires_on_a_day_show_the_emc_suspension_by_department(loaded: CliRun) -> None:
    code, output = loaded("ceasefires", "--format", "json", "--as-of", "2024-05-01")
    assert code == 0
    states = {row["id"]: row for row in json.loads(output)}
    emc = states["cf-emc-embf-2023-2025"]
    assert (emc["status"], emc["suspended"], emc["planned_end"]) == (
        "partly-suspended",
        ["19", "52", "76"],
        "2024-07-15",
    )
    assert states["cf-eln-2023-2024"]["status"] == "in-force"


# --- issue 11, section 5: facts of the fact sheet, and fixes the registry needed ------------------

FACTS_FILE = CONTEXT / "total-peace-facts.md"


@dataclass(frozen=True)
class Fact:
    """One fact of ../shared/context/total-peace-facts.md, where the registry holds it, and the
    source it must cite (the fact sheet's own tag for it)."""

    words: str
    find: Find
    source: str
    expect: Expect = lambda node: True


FACTS: list[Fact] = [
    Fact(
        "Constitutional Court press release No. 50 (29 Nov 2023) on C-525/2023",
        record("gestures", "c-525-2023-ruling"),
        "corteconstitucional-2023-11-29-comunicado-50",
        field_is("date", day("2023-11-29")),
    ),
    Fact(
        "The Fiscalía suspended arrest warrants for Calarcá and Ciro Alfonso Romero Ospina "
        "('Willy') as EMC representatives by a resolution of 16 January 2024",
        record("gestures", "emc-arrest-warrants-suspended-2024-01-16"),
        "pares-2024-cuarto-ciclo-emc",
        lambda g: (g.date, g.table) == (day("2024-01-16"), "gov-emc-embf"),
    ),
    Fact(
        "after Colombia's top prosecutor lifted his arrest warrant days earlier",
        record("gestures", "garcia-arrest-warrant-lifted-2023-06"),
        "trtworld-2023-06-09-eln-six-month",
        lambda g: g.date.last < dt.date(2023, 6, 9) or g.date == day("2023-06"),
    ),
    Fact(
        "the ELN carried out more than 10 attacks on oil infrastructure in Arauca before 17 Sep "
        "2024",
        record("statistics", "eln-oil-infrastructure-attacks-arauca-2024"),
        "amnewsonline-2024-09-report-puerto-jordan",
        lambda s: (s.value, s.qualifier, s.territory) == (10, Qualifier.MORE_THAN, "81"),
    ),
    Fact(
        "claimed on 18 March (2024, year inferred) in a column that military-intelligence agents "
        "had infiltrated the front",
        record("gestures", "eln-garcia-infiltration-claim-2024-03-18"),
        "eseurocom-2024-die-front-der",
        lambda g: g.unverified and g.date == day("2024-03-18"),
    ),
    Fact(
        "an unverified letter attributed to Márquez disowning a 16 November 2024 meeting in "
        "Puerto Asís",
        record("gestures", "marquez-letter-disowning-puerto-asis-2024-11"),
        "elpais-2024-11-20-segunda-marquetalia-desintegra",
        lambda g: g.unverified,
    ),
    Fact(
        "proposing a 'goal for 2026'",
        record("gestures", "eln-goal-for-2026"),
        "semana-2024-eln-paz-embolatada",
        lambda g: g.unverified and g.actor == "eln",
    ),
    Fact(
        "Rastrojos Costeños",
        record("actors", "rastrojos-costenos"),
        "pledgetimes-2023-06-peace-is-planned",
    ),
    Fact(
        "Voting was suspended in Ricaurte (Nariño) and Santiago (Putumayo) over clashes",
        record("ceasefires", "cf-emc-embf-2023-2025"),
        "headtopics-2023-resultados-elecciones-regionales",
        lambda c: "29 October 2023" in (c.note or ""),
    ),
    Fact(
        "at December 2025 illegal armed groups had 27,121 members — 13,794 armed and 13,327 in "
        "support networks",
        record("statistics", "armed-group-members-2025-12-fip"),
        "caracolradio-2026-01-30-combatientes-colombia-aumentan",
        lambda s: (s.value, s.period_end) == (27121, day("2025-12")),
    ),
    Fact(
        "13,794 armed and 13,327 in support networks",
        record("statistics", "armed-group-armed-members-2025-12-fip"),
        "caracolradio-2026-01-30-combatientes-colombia-aumentan",
        lambda s: s.value == 13794,
    ),
    Fact(
        "13,794 armed and 13,327 in support networks",
        record("statistics", "armed-group-support-networks-2025-12-fip"),
        "caracolradio-2026-01-30-combatientes-colombia-aumentan",
        lambda s: s.value == 13327,
    ),
]


@pytest.mark.parametrize("fact", FACTS, ids=[f.words[:50] for f in FACTS])
def test_each_fact_sheet_fact_is_in_the_registry_citing_its_source(
    registry: Registry, fact: Fact
) -> None:
    node = fact.find(registry)
    assert fact.expect(node), f"{fact.words!r}: the record does not say it"
    assert fact.source in {c.source for c in citations(node)}, f"{fact.words!r}: not cited"


def test_fact_words_are_the_fact_sheets_words() -> None:
    if not FACTS_FILE.is_file():
        missing_shared(f"fact sheet at {FACTS_FILE}")
    text = _normalise(FACTS_FILE.read_text(encoding="utf-8"))
    assert [f.words for f in FACTS if _normalise(f.words) not in text] == []


def test_the_27000_combatants_at_2026_01_are_gone(registry: Registry) -> None:
    values = [(s.value, str(s.period_end)) for s in registry.statistics.values()]
    assert (27000, "2026-01") not in values


def test_agreement_16_is_not_the_instrument_of_the_february_2024_extension(
    registry: Registry,
) -> None:
    events = registry.ceasefires["cf-eln-2023-2024"].events
    (extension,) = [e for e in events if e.date == day("2024-02-06")]
    assert extension.instrument is None
    assert "30 January 2024" in (extension.note or "")


def test_the_caracas_cycle_of_august_2023_is_scheduled_not_held(registry: Registry) -> None:
    (suspension,) = [
        s for s in registry.tables["gov-eln"].status_history if s.date == day("2024-02")
    ]
    note = _normalise(suspension.note or "")
    assert "scheduled in Caracas for 14 August" in note
    assert "Caracas from 14 August 2023" not in note


def test_the_governments_first_day_is_7_august_2022_and_the_8th_is_flagged(
    registry: Registry,
) -> None:
    inauguration = registry.gestures["petro-inauguration-2022-08-07"]
    assert inauguration.date == day("2022-08-07")
    assert "8 August 2022" in (inauguration.note or "")
    passages = [c.passage or "" for c in registry.actors["gov-colombia"].sources]
    assert not any("8 August 2022" in p for p in passages)


def test_the_may_2023_emc_suspension_is_recorded_by_department(registry: Registry) -> None:
    events = registry.ceasefires["cf-2023-emc"].events
    (suspension,) = [e for e in events if e.kind.value == "suspended"]
    assert (suspension.date, sorted(suspension.scope or [])) == (
        day("2023-05-22"),
        ["18", "50", "86", "95"],
    )


def test_a_newer_delegation_entry_does_not_hide_the_head(loaded: CliRun) -> None:
    code, output = loaded("table", "gov-comuneros-del-sur", "--as-of", "2024-12-01")
    assert code == 0
    assert (
        "delegation gov-colombia (2024-11-21): head not named here "
        "(latest recorded: Carlos Erazo, 2024-10); members Andrei Gómez-Suárez"
    ) in output.splitlines()
