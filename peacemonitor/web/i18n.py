"""Translations (Spanish and English) and per-language dates and numbers.

Labels are written in English in the templates and code, wrapped in ``_()``; the catalogues are
Babel ``.po`` files shipped as package data and read at startup with Babel's own reader, so a
plain ``pip install .`` needs no compile step. English is the source language: its catalogue
only lists the messages; Spanish translates every one of them (a test checks).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from importlib import resources

from peacemonitor.model import PartialDate, Precision

LANGUAGES = ("es", "en")
DEFAULT_LANGUAGE = "es"


def catalogue_path(language: str) -> str:
    """The .po file of one language, inside the installed package."""
    root = resources.files("peacemonitor") / "web" / "locale"
    return str(root / language / "LC_MESSAGES" / "messages.po")


def read_catalogue(language: str) -> dict[str, str]:
    """msgid → msgstr for every translated message of ``language``."""
    from babel.messages.pofile import read_po

    with open(catalogue_path(language), "rb") as handle:
        catalogue = read_po(handle, locale=language)
    return {
        m.id: m.string
        for m in catalogue
        if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string
    }


@dataclass(frozen=True)
class Translator:
    """Everything a page needs to speak one language."""

    language: str
    messages: dict[str, str] = field(default_factory=dict)

    def gettext(self, text: str) -> str:
        return self.messages.get(text, text)

    def number(self, value: float | int | None, digits: int = 0) -> str:
        """A number in the language's notation; '—' for no value (never '0')."""
        from babel.numbers import format_decimal

        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.language)

    def percent(self, share: float | None) -> str:
        """A share (0.05) as a whole percentage in the language's notation ('5 %' in Spanish)."""
        from babel.numbers import format_percent

        return "—" if share is None else format_percent(share, locale=self.language)

    def date(self, value: dt.date | PartialDate | None) -> str:
        """A day, month or year in the language's notation, at the precision it is known to."""
        from babel.dates import format_date, format_skeleton

        if value is None:
            return "—"
        if isinstance(value, PartialDate):
            day = dt.date(value.year, value.month, value.day)
            if value.precision is Precision.YEAR:
                return str(value.year)
            if value.precision is Precision.MONTH:
                return format_skeleton("yMMMM", day, locale=self.language)
            value = day
        return format_date(value, format="long", locale=self.language)


def translators() -> dict[str, Translator]:
    """One translator per language, read once per app."""
    return {lang: Translator(lang, read_catalogue(lang)) for lang in LANGUAGES}


# --- what must be translated -----------------------------------------------------------------

_CALL = re.compile(r"""\b_\(\s*(?:"([^"]+)"|'([^']+)')\s*\)""")
CEASEFIRE_STATUSES = ("not-yet", "declared", "in-force", "partly-suspended", "suspended")
EXTRA = (
    *CEASEFIRE_STATUSES,
    "unknown",
    "ended",
    "national",
    "agreement",
    "actor",
    "table",
    "ceasefire",
    "territory",
    "count",
    "rate",
    *("store", "registry", "divipola", "boundaries", "population", "observations"),
    *("as_of", "start", "end", "by", "outcome", "category", "level", "period", "source"),
    *("metric", "territory", "Error", "JSON API", "applies"),
    *("subject", "weights", "indicator", "computable"),
    *("priority_weights", "violence", "fragmentation", "tables", "seriousness", "implementation"),
    *("high", "medium", "low", "lineage", "alliance", "rivalry", "other", "party"),
    *("no group recorded", "no active table", "mean coded level", "no data"),
    # the armed group page: how presence is known, scorecard components and their status
    *("events", "user", "present (registry)", "present (events)", "present (user)"),
    *("red-lines", "gestures", "provisions", "violence", "measured", "no data", "not applicable"),
    *("hostilities-between-parties", "against-civilians", "unattributed-needs-verification"),
    *("months",),
)


def required_messages() -> set[str]:
    """Every msgid a page can show: the ``_()`` calls in the templates, the page titles, and
    the enum values pages translate (statuses, kinds, levels, categories, views)."""
    from peacemonitor import model
    from peacemonitor.effects import CAVEATS
    from peacemonitor.views import View
    from peacemonitor.web.pages import PAGES

    found: set[str] = set(EXTRA) | {p.title for p in PAGES} | set(CAVEATS.values())
    templates = resources.files("peacemonitor") / "web" / "templates"
    for entry in templates.iterdir():
        if entry.name.endswith(".html"):
            found |= {a or b for a, b in _CALL.findall(entry.read_text(encoding="utf-8"))}
    enums = (
        model.Category, model.TableStatus, model.TableLevel, model.TableTrack, model.PartyRole,
        model.CeasefireKind, model.CeasefireEventKind, model.ActorKind, model.LegalStatus,
        model.RelationKind, model.TerritoryLevel, View,
    )  # fmt: skip
    for enum in enums:
        found |= {e.value for e in enum}
    found |= {f"table-{s.value}" for s in model.TableStatus}
    found |= {f"ceasefire-{k.value}" for k in model.CeasefireEventKind}
    return found
