"""Drawing page models as HTML: Jinja2 templates, the request's language, links that keep the
filters, and the chart and map data handed to the page's own scripts."""

from __future__ import annotations

import json
from typing import Any

from fastapi import Request
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup
from pydantic import BaseModel

from peacemonitor.web import maps
from peacemonitor.web.filters import Filters
from peacemonitor.web.i18n import DEFAULT_LANGUAGE, LANGUAGES, Translator


class Renderer:
    """One Jinja2 environment per app; each render gets the request's translator."""

    def __init__(self, translators: dict[str, Translator], pages: tuple[Any, ...]) -> None:
        self.translators = translators
        self.pages = pages
        self.env = Environment(
            loader=PackageLoader("peacemonitor.web", "templates"),
            autoescape=select_autoescape(["html"]),
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.env.filters["format_with"] = _format_with
        self.env.filters["upfirst"] = lambda text: text[:1].upper() + text[1:]

    def _globals(self, filters: Filters, request: Request) -> dict[str, Any]:
        lang = filters.lang or DEFAULT_LANGUAGE
        t = self.translators[lang]
        other = next(code for code in LANGUAGES if code != lang)
        return {
            "_": t.gettext,
            "lang": lang,
            "other_lang": other,
            "num": t.number,
            "pct": t.percent,
            "date": t.date,
            "f": filters,
            "q": lambda **changes: filters.query(**changes),
            "path": request.url.path,
            "nav": [p for p in self.pages if p.nav],
            "tojson": lambda value: Markup(_json(value)),
            "palette": maps.PALETTE,
            "labels": lambda keys: {k: t.gettext(k) for k in keys},
        }

    def page(
        self,
        page: Any,
        data: BaseModel,
        filters: Filters,
        request: Request,
        outline: maps.Outline | None,
    ) -> str:
        values = self._globals(filters, request)
        values.update(page=page, data=data, title=values["_"](page.title))
        if outline is not None and page.name in ("actor", "ceasefire"):
            values["map_svg"] = Markup(self._where(data, outline, values))
        elif outline is not None:
            values["map_svg"] = Markup(self._map(data, outline, values))
        return self.env.get_template(page.template).render(values)

    def _map(self, data: Any, outline: maps.Outline, values: dict[str, Any]) -> str:
        view = data if hasattr(data, "categories") else data.map
        _, num = values["_"], values["num"]

        def label(code: str, area: maps.Area | None) -> str:
            name = area.name if area and area.name else code
            if area is None or area.value is None:
                return f"{name}: {_('no data')}"
            return f"{name}: {num(area.value, 0 if view.data.metric == 'count' else 2)}"

        # The territory link keeps the page's filters (period, weights…), so a shared view
        # stays what it was one click later; braces escaped for ``str.format``.
        query = values["f"].query(lang=values["lang"]).replace("{", "{{").replace("}", "}}")
        return maps.svg(outline, view.data, label, "/territory/{code}" + query)

    def _where(self, data: Any, outline: maps.Outline, values: dict[str, Any]) -> str:
        """Reported presence of a group, or where a ceasefire is in force and suspended."""
        _ = values["_"]
        if hasattr(data, "presence"):  # a group: how each department's presence is known
            groups = data.presence.departments
            words = {h: _(f"present ({h})") for h in groups} | {None: _("not recorded")}
            return maps.highlight_svg(outline, groups, lambda code, g: f"{code}: {words[g]}")
        else:
            groups = {"suspended": data.state.suspended, "in": data.state.in_force}
        words = {"in": _("applies"), "suspended": _("suspended"), None: _("not recorded")}
        return maps.highlight_svg(outline, groups, lambda code, g: f"{code}: {words[g]}")

    def error(self, status: int, message: str, lang: str, request: Request) -> str:
        filters = Filters(lang=lang if lang in LANGUAGES else None)
        values = self._globals(filters, request)
        values.update(status=status, message=message, title=values["_"]("Error"))
        return self.env.get_template("error.html").render(values)

    def api_docs(self, spec: dict[str, Any], filters: Filters, request: Request) -> str:
        values = self._globals(filters, request)
        values.update(spec=spec, title=values["_"]("JSON API"))
        return self.env.get_template("api_docs.html").render(values)


def _format_with(message: str, **parts: Any) -> Markup:
    """A translated message with its ``{named}`` parts filled in: text parts are escaped, parts
    already drawn as HTML (macros, ``lang="en"`` spans) are kept."""
    return Markup(message).format(**parts)


def _json(value: Any) -> str:
    """JSON safe to embed in a <script type="application/json"> element."""
    from peacemonitor.cli.render import to_jsonable

    return json.dumps(to_jsonable(value), ensure_ascii=False).replace("</", "<\\/")
