"""Message catalogs in gettext `.po` files (bot/locales/<lang>/LC_MESSAGES/crisisbot.po), read at first use.

Reading the `.po` directly means translators' tools edit the file the bot runs on, with no compile step.
French typography, checked by tests/core/test_french.py: a non-breaking space U+00A0 (not the narrow U+202F, which
some chat fonts draw badly) before `: ; ? !`, inside « », after n° and between a number and its unit; apostrophe ’.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import polib

LOCALES = Path(__file__).parent / "locales"
LANGUAGES = ("en", "fr")
DOMAIN = "crisisbot"


def catalog_path(language: str) -> Path:
    return LOCALES / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def _catalog(language: str) -> dict[str, str]:
    path = catalog_path(language)
    if not path.exists():
        return {}
    return {entry.msgid: entry.msgstr for entry in polib.pofile(str(path)) if entry.msgstr and not entry.obsolete}


def N_(msgid: str) -> str:
    """Marks a string for extraction where it is defined, translated later where it is shown."""
    return msgid


class Translator:
    def __init__(self, language: str = "en") -> None:
        self.language = language if language in LANGUAGES else "en"
        self._messages = _catalog(self.language)

    def __call__(self, msgid: str, **params: Any) -> str:
        text = self._messages.get(msgid, msgid)
        if not params:
            return text
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):
            # A translation with a broken placeholder must not hide the message itself.
            return msgid.format(**params)


def translator(language: str | None) -> Translator:
    return Translator(language or "en")
