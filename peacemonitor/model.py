"""The project's vocabulary: enums and typed records shared by every module.

Registry records are pydantic models because they arrive from human-edited files; observations are
plain dataclasses because importers make millions of them. Nothing here touches the store.

Why over 600 lines: it is the one vocabulary every module shares — every registry record kind
(actors, tables, ceasefires with their steps, agreements, link overrides …) and the observation
— and the records nest in each other; split across files they would import one another, and a
reviewer of the registry's schema would have to read several modules instead of one.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
    field_validator,
    model_validator,
)


class Precision(StrEnum):
    """How much of a date a source actually gives."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"


_DATE_RE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date with the precision its source gives: "2024-03" is March 2024, not 1 March."""

    year: int
    month: int = 1
    day: int = 1
    precision: Precision = Precision.DAY

    @classmethod
    def parse(cls, value: object) -> PartialDate:
        """Read "2024", "2024-03", "2024-03-17", a date or a PartialDate."""
        if isinstance(value, PartialDate):
            return value
        if isinstance(value, dt.datetime):
            return cls(value.year, value.month, value.day, Precision.DAY)
        if isinstance(value, dt.date):
            return cls(value.year, value.month, value.day, Precision.DAY)
        text = str(value).strip()
        match = _DATE_RE.match(text)
        if not match:
            raise ValueError(f"not a date: {text!r} (write YYYY, YYYY-MM or YYYY-MM-DD)")
        year, month, day = match.groups()
        precision = Precision.DAY if day else Precision.MONTH if month else Precision.YEAR
        result = cls(int(year), int(month or 1), int(day or 1), precision)
        result.first  # noqa: B018 - validates month and day
        return result

    @property
    def first(self) -> dt.date:
        """The first day the date may mean."""
        return dt.date(self.year, self.month, self.day)

    @property
    def last(self) -> dt.date:
        """The last day the date may mean: 31 March for "2024-03"."""
        if self.precision is Precision.YEAR:
            return dt.date(self.year, 12, 31)
        if self.precision is Precision.MONTH:
            return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])
        return self.first

    def covers(self, day: dt.date) -> bool:
        """True when ``day`` falls inside this date's window of uncertainty."""
        return self.first <= day <= self.last and self.precision is not Precision.DAY

    def __str__(self) -> str:
        if self.precision is Precision.YEAR:
            return f"{self.year:04d}"
        if self.precision is Precision.MONTH:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"


PDate = Annotated[
    PartialDate,
    PlainValidator(PartialDate.parse),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$"}),
]


def parse_day(value: str | dt.date) -> dt.date:
    """An exact day for ``--as-of``: a partial date is not allowed there."""
    if isinstance(value, dt.date):
        return value
    parsed = PartialDate.parse(value)
    if parsed.precision is not Precision.DAY:
        raise ValueError(f"{value!r}: give a full day (YYYY-MM-DD)")
    return parsed.first


# --- territories -----------------------------------------------------------------------------


COUNTRY_CODE = "CO"
"""The country's code wherever a territory code is expected (ISO 3166 alpha-2)."""
COUNTRY_NAME = "COLOMBIA"


class TerritoryLevel(StrEnum):
    """The one level vocabulary; "national" (the CLI's word) is read as, and stored as, COUNTRY."""

    COUNTRY = "country"
    DEPARTMENT = "department"
    MUNICIPALITY = "municipality"
    CLUSTER = "cluster"  # municipalities a source groups, not in DIVIPOLA: code cluster:<name>

    @classmethod
    def _missing_(cls, value: object) -> TerritoryLevel | None:
        return cls.COUNTRY if value == "national" else None


def territory_level(code: str) -> TerritoryLevel:
    """The level a territory code names: "CO" country, "52" department, "52835" municipality."""
    if re.fullmatch(r"[A-Z]{2}", code):
        return TerritoryLevel.COUNTRY
    if re.fullmatch(r"\d{2}", code):
        return TerritoryLevel.DEPARTMENT
    if re.fullmatch(r"\d{5}", code):
        return TerritoryLevel.MUNICIPALITY
    raise ValueError(
        f"not a territory code: {code!r} (ISO country 'CO', DIVIPOLA department '52' "
        "or municipality '52835', as text)"
    )


def _territory_code(value: object) -> str:
    if not isinstance(value, str):
        raise ValueError(f"territory code {value!r} must be quoted text: '05001' is not 5001")
    territory_level(value)
    return value


TerritoryCode = Annotated[str, PlainValidator(_territory_code), WithJsonSchema({"type": "string"})]


class MatchKind(StrEnum):
    """How a place was resolved to a territory."""

    CODE = "code"
    EXACT_NAME = "exact-name"
    VARIANT = "variant"
    FUZZY = "fuzzy"
    POINT_IN_POLYGON = "point-in-polygon"
    NEAREST = "nearest"
    SUCCESSOR = "successor"
    COUNTRY_ONLY = "country-only"


class Unresolved(StrEnum):
    """Why a place could not be resolved to a municipality."""

    UNKNOWN = "unknown"
    AMBIGUOUS = "ambiguous"
    OUTSIDE_COUNTRY = "outside-country"
    TOO_IMPRECISE = "too-imprecise"


class QuarantineReason(StrEnum):
    """Why a row was quarantined rather than stored (the ``reason`` of every quarantined row)."""

    BAD_DATE = "bad-date"
    BAD_COUNT = "bad-count"
    BAD_VALUE = "bad-value"
    BAD_CATEGORY = "bad-category"
    MISSING_ID = "missing-id"
    MISSING_PLACE = "missing-place"
    OUTSIDE_CATEGORIES = "outside-categories"
    UNKNOWN_DATASET = "unknown-dataset"
    TERRITORY_UNKNOWN = "territory-unknown"
    TERRITORY_AMBIGUOUS = "territory-ambiguous"
    TERRITORY_OUTSIDE_COUNTRY = "territory-outside-country"
    TERRITORY_TOO_IMPRECISE = "territory-too-imprecise"
    TERRITORY_CONFLICT = "territory-conflict"
    TERRITORY_LEVEL = "territory-level"
    DUPLICATE_KEY = "duplicate-key"

    @classmethod
    def of_place(cls, why: Unresolved) -> QuarantineReason:
        """The reason for a place the gazetteer could not resolve."""
        return cls(f"territory-{why.value}")


# --- categories ------------------------------------------------------------------------------


class Category(StrEnum):
    """Canonical observation categories; docs/categories.md maps each source onto them."""

    HOMICIDE = "homicide"
    MASSACRE = "massacre"
    SOCIAL_LEADER_KILLING = "social-leader-killing"
    PEACE_SIGNATORY_KILLING = "peace-signatory-killing"
    STATE_GROUP_CLASH = "state-group-clash"
    GROUP_GROUP_CLASH = "group-group-clash"
    ATTACK_ON_SECURITY_FORCES = "attack-on-security-forces"
    VIOLENCE_AGAINST_CIVILIANS = "violence-against-civilians"
    KIDNAPPING = "kidnapping"
    EXTORTION = "extortion"
    FORCED_DISPLACEMENT = "forced-displacement"
    CONFINEMENT = "confinement"
    THREAT = "threat"
    LANDMINE_IED = "landmine-ied"
    FORCED_RECRUITMENT = "forced-recruitment"
    STRATEGIC_DEVELOPMENT = "strategic-development"
    TERRORISM = "terrorism"
    POLITICAL_VIOLENCE = "political-violence"
    DEMONSTRATION = "demonstration"
    ATTACK_ON_TOWN = "attack-on-town"
    COCA_CULTIVATION = "coca-cultivation"


class Unit(StrEnum):
    """What an observation's count counts."""

    INCIDENTS = "incidents"
    VICTIMS = "victims"
    DEATHS = "deaths"
    EVENTS = "events"
    HECTARES = "hectares"


# --- registry records ------------------------------------------------------------------------


class Record(BaseModel):
    """Strict base: an unknown field in a registry file is an error, not a silent drop."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Record):
    """A document a fact was read in."""

    id: str
    publisher: str
    title: str
    author: str | None = None
    date: PDate | None = None
    url: str | None = None
    url_unverified: bool = False
    licence: str | None = None
    accessed: PDate | None = None
    note: str | None = None


class Citation(Record):
    """One fact's support: the document read, its passage, and the original source if secondary."""

    source: str
    passage: str | None = None
    originally: str | None = Field(
        default=None, description="the original publisher when learnt second-hand, e.g. INDEPAZ"
    )


class Cited(Record):
    """Anything that states a fact: at least one citation, optionally marked unverified."""

    sources: list[Citation] = Field(min_length=1)
    unverified: bool = False
    note: str | None = None


class ActorKind(StrEnum):
    STATE = "state"
    SUBNATIONAL_GOVERNMENT = "subnational-government"
    STATE_FORCE = "state-force"
    INSURGENCY = "insurgency"
    DISSIDENT_FACTION = "dissident-faction"
    CRIMINAL_ORGANISATION = "criminal-organisation"
    URBAN_GANG = "urban-gang"
    PARAMILITARY = "paramilitary"
    OTHER = "other"


class AliasKind(StrEnum):
    NAME = "name"
    SPANISH = "spanish"
    ENGLISH = "english"
    ABBREVIATION = "abbreviation"
    FORMER = "former"
    ACLED = "acled"
    UCDP = "ucdp"


class Alias(Record):
    """A name an actor goes by; ``since``/``until`` date a rename where a source gives them."""

    name: str
    kind: AliasKind = AliasKind.NAME
    since: PDate | None = None
    until: PDate | None = None


class LegalStatus(StrEnum):
    """Standing under Ley 2272 of 2022; it decides transitional-justice eligibility."""

    POLITICAL = "political"
    HIGH_IMPACT_CRIMINAL = "high-impact-criminal"
    CRIMINAL = "criminal"
    STATE = "state"


class LegalStatusSpan(Cited):
    status: LegalStatus
    since: PDate | None = None
    until: PDate | None = None
    instrument: str | None = None


class StrengthEstimate(Cited):
    value: int
    high: int | None = None
    qualifier: str | None = None
    unit: str = "members"
    as_of: PDate


class PresenceKind(StrEnum):
    """Presence a source reports, and presence derived from events: never mixed."""

    REPORTED = "reported"
    DERIVED = "derived"


class Presence(Cited):
    territories: list[TerritoryCode] = Field(min_length=1)
    as_of: PDate
    kind: PresenceKind = PresenceKind.REPORTED
    detail: str | None = None


class ActorMapping(Cited):
    """How an event source names registry actors: a UCDP side or an ACLED actor name → actors.

    Presence derived from events rests on this table, so it is curated and cited like any
    other fact; ``since``/``until`` bound the event dates it holds for (UCDP's "FARC" is the
    FARC-EP only until its 2016-2017 demobilisation)."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    source: str = Field(description="the importer's source name: ucdp or acled")
    name: str = Field(description="the actor name exactly as the source publishes it")
    source_id: str | None = Field(default=None, description="the source's own actor id")
    actors: list[str] = Field(min_length=1)
    since: PDate | None = None
    until: PDate | None = None


MAPPED_SOURCES = ("ucdp", "acled")
"""Event sources whose actor names the registry maps (ACLED's HDX aggregates name no actor)."""


class RelationKind(StrEnum):
    SPLIT_FROM = "split-from"
    MERGED_INTO = "merged-into"
    RENAMED_FROM = "renamed-from"
    FACTION_OF = "faction-of"
    ALLIED_WITH = "allied-with"
    RIVAL_OF = "rival-of"


LINEAGE_RELATIONS = (RelationKind.SPLIT_FROM, RelationKind.FACTION_OF, RelationKind.RENAMED_FROM)


class ActorRelation(Cited):
    kind: RelationKind
    actor: str
    since: PDate | None = None
    until: PDate | None = None


class Actor(Cited):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    kind: ActorKind
    aliases: list[Alias] = []
    founded: PDate | None = None
    legal_status: list[LegalStatusSpan] = []
    strength: list[StrengthEstimate] = []
    presence: list[Presence] = []
    relations: list[ActorRelation] = []

    def existed_from(self) -> PartialDate | None:
        """When the actor came to exist as itself: its founding date where a source gives one,
        else the earliest verified date it split from another group (a faction is not itself
        before it splits). Unverified dates never decide this."""
        if self.founded is not None:
            return self.founded
        splits = [
            r.since
            for r in self.relations
            if r.kind is RelationKind.SPLIT_FROM and r.since is not None and not r.unverified
        ]
        return min(splits, key=lambda d: d.first, default=None)


class TableLevel(StrEnum):
    NATIONAL = "national"
    REGIONAL = "regional"
    URBAN = "urban"


class TableTrack(StrEnum):
    """Political negotiation (Ley 2272 GAO) or socio-legal talks towards submission to justice."""

    POLITICAL = "political"
    SOCIO_LEGAL = "socio-legal"


class TableStatus(StrEnum):
    EXPLORATORY = "exploratory"
    INSTALLED = "installed"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    CONCLUDED = "concluded"
    BROKEN_OFF = "broken-off"


class PartyRole(StrEnum):
    GOVERNMENT = "government"
    ARMED_GROUP = "armed-group"
    GUARANTOR = "guarantor"
    MEDIATOR = "mediator"
    COMPANION = "companion"


class TableParty(Cited):
    actor: str
    role: PartyRole = PartyRole.ARMED_GROUP
    since: PDate | None = None
    until: PDate | None = None


class Delegation(Cited):
    actor: str
    head: str | None = None
    members: list[str] = []
    as_of: PDate


class StatusChange(Cited):
    status: TableStatus
    date: PDate
    venue: str | None = None


class AgendaPoint(Cited):
    title: str


class ScopeChange(Cited):
    """From ``date`` on, a table covers ``scope`` (the EMBF table dropped three departments)."""

    date: PDate
    scope: list[TerritoryCode] = Field(min_length=1)


class NegotiationTable(Cited):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    level: TableLevel
    track: TableTrack
    parties: list[TableParty] = Field(min_length=1)
    delegations: list[Delegation] = []
    scope: list[TerritoryCode] = ["CO"]
    agenda: list[AgendaPoint] = []
    venue: str | None = None
    status_history: list[StatusChange] = Field(min_length=1)
    scope_changes: list[ScopeChange] = []


class CeasefireKind(StrEnum):
    UNILATERAL = "unilateral"
    BILATERAL = "bilateral"
    MULTILATERAL = "multilateral"


class CeasefireEventKind(StrEnum):
    DECLARED = "declared"
    IN_FORCE = "in-force"
    EXTENDED = "extended"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    ENDED = "ended"


class CeasefireEvent(Cited):
    """One step of a ceasefire's life; ``scope`` limits a suspension to some territories."""

    kind: CeasefireEventKind
    date: PDate
    until: PDate | None = Field(default=None, description="planned end set by this step")
    scope: list[TerritoryCode] | None = None
    parties: list[str] | None = Field(
        default=None, description="the parties from this step on, when they change"
    )
    instrument: str | None = None
    reason: str | None = None
    not_before: PDate | None = Field(
        default=None, description="earliest day a source allows for a step dated coarsely"
    )
    not_after: PDate | None = Field(
        default=None, description="latest day a source allows for a step dated coarsely"
    )


class Ceasefire(Cited):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    name: str
    kind: CeasefireKind
    parties: list[str] = Field(min_length=1)
    table: str | None = None
    purpose: str | None = None
    verification: str | None = None
    instruments: list[str] = []
    scope: list[TerritoryCode] = ["CO"]
    events: list[CeasefireEvent] = Field(min_length=1)


class GestureValence(StrEnum):
    """How an act bears on a table: goodwill, hostile, or neutral (a statement, a ruling)."""

    GOODWILL = "goodwill"
    HOSTILE = "hostile"
    NEUTRAL = "neutral"


class Gesture(Cited):
    id: str
    actor: str
    date: PDate
    kind: str
    valence: GestureValence
    description: str
    table: str | None = None
    territories: list[TerritoryCode] = []


class ImplementationLevel(IntEnum):
    """An implementation level the registry assigns: OUR coding from reported events, on a 0-3
    scale shaped like the Kroc Institute's (not PA-X's 0-3, which measures how detailed a
    provision is). It is never the Kroc Institute's own assessment, and every output says so."""

    NOT_STARTED = 0
    MINIMAL = 1
    INTERMEDIATE = 2
    COMPLETE = 3


class ImplementationStatus(Cited):
    """A provision's implementation level at a date, as the registry codes it from reported
    events: our coding, never the Kroc Institute's assessment."""

    level: ImplementationLevel = Field(
        description="our coding from reported events (0-3, Kroc-style); not the Kroc Institute's"
    )
    as_of: PDate


class Provision(Cited):
    id: str
    text: str
    theme: str
    responsible: list[str] = []
    implementation: list[ImplementationStatus] = []


class Agreement(Cited):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    table: str | None = None
    date: PDate
    title: str
    kind: str
    provisions: list[Provision] = []


class RedLine(Cited):
    id: str
    table: str
    description: str
    categories: list[Category] = []
    actors: list[str] = []
    since: PDate | None = None


class LinkKind(StrEnum):
    """What an imported record's link points at in the registry."""

    ACTOR = "actor"
    TABLE = "table"
    AGREEMENT = "agreement"
    CEASEFIRE = "ceasefire"


class LinkOverride(Cited):
    """A registry correction of one imported record's link (PA-X agreement, ETH/PRIO ceasefire):
    ``remove`` drops a link the name matching made wrongly, ``add`` sets one it missed. Kept in
    the registry, so it holds through every re-import and relink, and cited like any fact."""

    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    dataset: str = Field(description="the import source: pax or ceasefires")
    record: str = Field(description="the record's id in that dataset, e.g. a PA-X AgtId")
    kind: LinkKind
    remove: str | None = Field(default=None, description="registry id that must not be linked")
    add: str | None = Field(default=None, description="registry id to link instead")

    @model_validator(mode="after")
    def _remove_or_add(self) -> LinkOverride:
        if self.remove is None and self.add is None:
            raise ValueError("a link override needs `remove`, `add` or both")
        if self.remove == self.add:
            raise ValueError("`remove` and `add` name the same record")
        return self


class Qualifier(StrEnum):
    EXACT = "exact"
    ABOUT = "about"
    MORE_THAN = "more-than"
    AT_LEAST = "at-least"
    LESS_THAN = "less-than"
    UP_TO = "up-to"


class Direction(StrEnum):
    """For claims that give a direction without a number ("declined slightly")."""

    INCREASE = "increase"
    DECREASE = "decrease"
    UNCHANGED = "unchanged"


class Baseline(Record):
    description: str
    value: float | None = None
    period_start: PDate | None = None
    period_end: PDate | None = None


class Statistic(Cited):
    id: str
    indicator: str
    value: float | None = None
    direction: Direction | None = None
    unit: str
    qualifier: Qualifier = Qualifier.EXACT
    qualifier_text: str | None = None
    baseline: Baseline | None = None
    territory: TerritoryCode = "CO"
    period_start: PDate | None = None
    period_end: PDate | None = None
    actor: str | None = None
    category: Category | None = None
    statement: str

    @model_validator(mode="after")
    def _value_or_direction(self) -> Statistic:
        if self.value is None and self.direction is None:
            raise ValueError("a statistic needs a value, or a direction for a qualitative claim")
        return self

    @field_validator("indicator")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not re.fullmatch(r"[a-z0-9]+([-_][a-z0-9]+)*", value):
            raise ValueError("indicator is a lower-case slug, e.g. social-leaders-killed")
        return value
