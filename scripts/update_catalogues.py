"""Write the message catalogues from the messages the pages use.

``peacemonitor/web/locale/en/LC_MESSAGES/messages.po`` lists every msgid (English is the source);
the Spanish catalogue keeps its translations, gains the new msgids (empty, flagged fuzzy so the
test that every label is translated fails until someone translates them) and drops unused ones.

    python scripts/update_catalogues.py
"""

from __future__ import annotations

from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po

from peacemonitor.web.i18n import LANGUAGES, catalogue_path, read_catalogue, required_messages


def write(language: str, translations: dict[str, str]) -> None:
    catalogue = Catalog(locale=language, project="peacemonitor", fuzzy=False)
    for message in sorted(required_messages()):
        text = translations.get(message, "")
        catalogue.add(message, text, flags=() if text or language == "en" else ("fuzzy",))
    with open(catalogue_path(language), "wb") as handle:
        write_po(handle, catalogue, width=100, omit_header=False, sort_output=True)


def main() -> None:
    for language in LANGUAGES:
        write(language, {} if language == "en" else read_catalogue(language))


if __name__ == "__main__":
    main()
