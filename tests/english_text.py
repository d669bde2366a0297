"""Page text a Spanish reader sees as Spanish: everything but the elements marked lang="en"."""

from __future__ import annotations

import html
import re

_ENGLISH = re.compile(r'<(span|small|p|li|td)\b[^>]*\blang="en"[^>]*>.*?</\1>', re.S)


def outside_english(page: str) -> str:
    """The visible text of ``page`` with the English-marked elements (and tags) removed."""
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    text = re.sub(r"<[^>]+>", " ", _ENGLISH.sub(" ", body))
    return re.sub(r"\s+", " ", html.unescape(text))


def english_marked(page: str) -> list[str]:
    """The texts of the elements marked lang="en" inside the page's main content."""
    body = page.split("<main", 1)[1].split("</main>", 1)[0]
    found = [m.group(0) for m in _ENGLISH.finditer(body)]
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", t))).strip() for t in found]
