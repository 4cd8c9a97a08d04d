"""Matching is case and accent insensitive, on word boundaries, in French and English."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from bot.signals.model import Topic
from bot.signals.text import Matcher, normalise, top_words

TOPICS = (
    Topic("delivery", ("livraison", "late delivery", "colis perdu"), excluded=("point relais",)),
    Topic("app", ("crash", "bug")),
)


def topics_of(text: str) -> tuple[str, ...]:
    return Matcher(TOPICS).topics_of(text)


def test_case_and_accents_do_not_matter() -> None:
    for text in ("LIVRAISON ratée", "livraisón ratée", "Ma Livraison!", "#livraison", "Ｌｉｖｒａｉｓｏｎ"):
        assert topics_of(text) == ("delivery",), text


def test_word_boundaries() -> None:
    assert topics_of("aucune raison") == ()
    assert Matcher([Topic("r", ("raison",))]).topics_of("livraison en retard") == ()
    assert topics_of("crashed") == ()
    assert topics_of("the app crash again") == ("app",)


def test_plurals_in_french_and_english() -> None:
    assert topics_of("trois livraisons en retard") == ("delivery",)
    assert topics_of("so many bugs") == ("app",)


def test_phrases_match_words_in_a_row() -> None:
    assert topics_of("Another LATE delivery today") == ("delivery",)
    assert topics_of("late for the delivery") == ()
    assert topics_of("Colis perdu, encore") == ("delivery",)


def test_excluded_keywords_veto_their_topic_only() -> None:
    assert topics_of("livraison au point relais: crash") == ("app",)


def test_top_words_skip_stopwords_and_keywords() -> None:
    texts = ["Le colis est en retard", "retard encore", "RETARD énorme", "the parcel is late"]
    assert top_words(texts, skip=("colis",))[0] == ("retard", 3)
    assert all(word not in {"le", "est", "the", "is", "colis"} for word, _ in top_words(texts, skip=("colis",)))


words = st.text(alphabet=st.characters(categories=("Ll", "Lu", "Nd")), min_size=1, max_size=12)
texts = st.text(max_size=80)


@given(texts)
def test_normalise_is_idempotent(text: str) -> None:
    assert normalise(normalise(text)) == normalise(text)


@given(texts)
def test_normalise_ignores_case(text: str) -> None:
    assert normalise(text.upper()) == normalise(text.lower()) == normalise(text)


ACCENTS = ["\u0301", "\u0300", "\u0302", "\u0308", "\u0303", "\u0327"]


@given(st.text(alphabet="aeiouncAEIOUNC", min_size=1, max_size=20), st.sampled_from(ACCENTS))
def test_normalise_ignores_accents(text: str, accent: str) -> None:
    accented = unicodedata.normalize("NFC", "".join(ch + accent for ch in text))
    assert normalise(accented) == normalise(text)


@given(words, texts, texts)
def test_a_keyword_is_found_among_any_words(keyword: str, before: str, after: str) -> None:
    if not normalise(keyword) or " " in normalise(keyword):
        return
    matcher = Matcher([Topic("t", (keyword,))])
    assert matcher.topics_of(f"{before} {keyword.upper()} {after}") == ("t",)


@given(words)
def test_a_keyword_is_not_found_inside_a_longer_word(keyword: str) -> None:
    if not normalise(keyword) or " " in normalise(keyword):
        return
    assert Matcher([Topic("t", (keyword,))]).topics_of(f"zq{keyword}zq") == ()
