"""Comparing names across sources: accents, case and punctuation never decide a match."""

from __future__ import annotations

import re
from functools import lru_cache

from unidecode import unidecode

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@lru_cache(maxsize=65536)
def normalize_name(text: str) -> str:
    """'Piendamó - Tunía' → 'piendamo tunia'; 'ELN: National Liberation Army' → 'eln national
    liberation army'. Cached because importers see the same few thousand names millions of times."""
    return _NON_ALNUM.sub(" ", unidecode(text).lower()).strip()
