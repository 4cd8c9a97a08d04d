import re

import polib
import pytest

from bot.catalog import extract
from bot.i18n import LANGUAGES, Translator, catalog_path

PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_in_the_code_is_translated(language: str) -> None:
    translated = {e.msgid: e.msgstr for e in polib.pofile(str(catalog_path(language))) if e.msgstr}
    missing = [msgid for msgid in extract() if msgid not in translated]
    assert missing == [], f"{language}: run `python -m bot.catalog update` and translate: {missing}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_translations_keep_their_placeholders(language: str) -> None:
    for entry in polib.pofile(str(catalog_path(language))):
        if entry.msgstr:
            assert set(PLACEHOLDER.findall(entry.msgstr)) == set(PLACEHOLDER.findall(entry.msgid)), entry.msgid


def test_french_is_used_when_asked() -> None:
    t = Translator("fr")
    assert t("Approve") == "Approuver"
    assert t("There is no incident {key}. Try `list`.", key="CRI-9") == "Aucun incident CRI-9. Essayez `liste`."


def test_unknown_language_falls_back_to_english() -> None:
    assert Translator("xx")("Approve") == "Approve"
