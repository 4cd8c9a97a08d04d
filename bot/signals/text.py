"""Matching public text against watch keywords, in French and English, ignoring case and accents.

`livraison` matches `LIVRAISON`, `livraisón` and `#livraison`, and the plurals `livraisons`/`bateaux`, but never a
part of a longer word (`raison` is not in `livraison`). Keywords of several words match those words in a row.
Keywords are best written in the singular: a text's plural finds them, the reverse is not attempted.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.signals.model import Topic

_WORD = re.compile(r"[^\W_]+")
# Letters NFKD does not split into a base and an accent.
_FOLD = str.maketrans({"œ": "oe", "æ": "ae", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})

_STOPWORDS = (
    """
    a an and are as at be been but by can could did do does for from had has have he her him his how i if in into is
    it its just me my no not now of on or our out over she so than that the their them then there these they this
    to too up us was we were what when where which who why will with would you your yours all any about after again
    get got like one more most only very via https http www com amp
    au aux avec ce ces cet cette dans de des du elle elles en est et etc eux il ils je la le les leur leurs lui ma
    mais me meme mes moi mon ne nos notre nous on ou par pas plus pour qu que qui sa sans se ses si son sont sur ta
    te tes toi ton tu un une vos votre vous ça ca deja encore tout tous toute toutes tres bien fait faire ete etre
    avoir ont suis sommes etes c d j l m n s t y
    """
)
STOPWORDS = frozenset(_STOPWORDS.split())


_ASCII_WORD = re.compile(r"[a-z0-9]+")


def _latin_fold() -> dict[int, str]:
    """Latin letters with accents (U+00C0 to U+017F) to their bare lower-case letters: French and most European
    text then takes the fast path below."""
    table: dict[int, str] = {}
    for code in range(0xC0, 0x180):
        bare = "".join(c for c in unicodedata.normalize("NFKD", chr(code).casefold().translate(_FOLD))
                       if not unicodedata.combining(c))
        if bare.isascii() and bare.isalpha():
            table[code] = bare
    return table


_LATIN = _latin_fold()


def normalise(text: str) -> str:
    """Lower case, without accents, words separated by single spaces."""
    if not text.isascii():
        folded = text.translate(_LATIN)
        if folded.isascii():
            text = folded
    if text.isascii():  # most public text, and the fast path: nothing to decompose
        return " ".join(_ASCII_WORD.findall(text.lower()))
    # Compatibility forms first (𝕬, Ｌ), then case, then once more: folding case may compose again.
    folded = unicodedata.normalize("NFKD", text).casefold().translate(_FOLD)
    decomposed = unicodedata.normalize("NFKD", folded)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_WORD.findall(bare.translate(_FOLD)))


def words(text: str) -> list[str]:
    return normalise(text).split()


def _forms(word: str) -> tuple[str, ...]:
    """The word and its possible singulars (French and English plurals in -s, -x, -es)."""
    if len(word) > 3 and word.endswith("es"):
        return (word, word[:-1], word[:-2])
    if len(word) > 2 and word[-1] in "sx":
        return (word, word[:-1])
    return (word,)


@dataclass(frozen=True)
class _Keyword:
    topic: str
    words: tuple[str, ...]
    excluded: bool


class Matcher:
    """Topics compiled once: each text is split once and only keywords starting with one of its words are tried."""

    def __init__(self, topics: Iterable[Topic]) -> None:
        self.topics = tuple(topics)
        self._by_first: dict[str, list[_Keyword]] = {}
        for topic in self.topics:
            for phrase, excluded in [*((k, False) for k in topic.keywords), *((k, True) for k in topic.excluded)]:
                tokens = tuple(words(phrase))
                if tokens:
                    # Indexed under its plurals too, so a text's word needs one look-up, not one per singular.
                    keyword = _Keyword(topic.name, tokens, excluded)
                    for form in dict.fromkeys((tokens[0], tokens[0] + "s", tokens[0] + "x", tokens[0] + "es")):
                        self._by_first.setdefault(form, []).append(keyword)

    def topics_of(self, text: str) -> tuple[str, ...]:
        """The names of the topics the text matches (a topic's excluded keywords veto it), in the topics' order."""
        tokens = words(text)
        found: set[str] = set()
        vetoed: set[str] = set()
        for position, token in enumerate(tokens):
            for keyword in self._by_first.get(token, ()):
                if len(keyword.words) == 1 or _follows(tokens, position, keyword.words):
                    (vetoed if keyword.excluded else found).add(keyword.topic)
        return tuple(t.name for t in self.topics if t.name in found and t.name not in vetoed)


def _follows(tokens: Sequence[str], start: int, phrase: tuple[str, ...]) -> bool:
    if start + len(phrase) > len(tokens):
        return False
    return all(word in _forms(tokens[start + i]) for i, word in enumerate(phrase))


def top_words(texts: Iterable[str], limit: int = 8, skip: Iterable[str] = ()) -> list[tuple[str, int]]:
    """The most frequent meaningful words, counted once per text (one long rant does not make a trend), each
    shown in its most common written form (`ratée`, not `ratee`)."""
    skipped = set(STOPWORDS) | {w for phrase in skip for w in words(phrase)}
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for text in texts:
        seen: set[str] = set()
        for raw in _WORD.findall(text.casefold()):
            key = normalise(raw)
            if len(key) > 2 and not key.isdigit() and key not in skipped and " " not in key:
                forms.setdefault(key, Counter())[raw] += 1
                seen.add(key)
        counts.update(seen)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [(forms[key].most_common(1)[0][0], count) for key, count in ranked]
