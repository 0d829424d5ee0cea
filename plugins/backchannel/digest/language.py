"""Which language a comment is written in, and that language's stop words.

Most comments on an English blog are plainly English: a text whose words are
at least MIN_STOPWORD_SHARE English function words is taken as English without
asking the detector, which keeps a 100,000-comment digest from paying for a
language model it does not need. Anything else goes to py3langid (its model
ships inside the package). Stop words come from stopwordsiso (58 languages,
data shipped in the package). Languages written without spaces between words
(Chinese, Japanese, Thai…) would need a word segmenter with a large dictionary
to yield phrases; their comments are counted and named, not mined for themes.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from backchannel.digest.text import STOP_WORDS

logger = logging.getLogger(__name__)

ENGLISH = "en"
UNKNOWN = "und"  # ISO 639-2 "undetermined": too little text to tell
# An English comment uses plenty of function words; one that uses almost none
# is in another language.
MIN_STOPWORD_SHARE = 0.12
MIN_WORDS = 6
_STOP_COUNT_BLOCK = 20
# Written without spaces between words: no phrases without a segmenter.
UNSEGMENTED = frozenset({"zh", "ja", "th", "lo", "km", "my", "bo"})
_ASCII_WORD = re.compile(r"[a-z][a-z'’-]*")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
# Han, kana, Hangul, Thai: a few of these in a row is not English.
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{4}")


def looks_english(text: str) -> bool:
    """True when a text's words are English function words often enough to be English."""
    low = text.lower()
    found = _ASCII_WORD.findall(low) if low.isascii() else _WORD.findall(low)
    if len(found) < MIN_WORDS:
        return not _UNSPACED.search(text)
    stop = sum(1 for w in found if w.strip("'’-") in STOP_WORDS)
    return stop / len(found) >= MIN_STOPWORD_SHARE


def is_english(text: str, words: list[str]) -> bool:
    """looks_english, from the text's words already listed (lower case, as analysis lists them)."""
    n_words = len(words)
    if n_words < MIN_WORDS:
        return not _UNSPACED.search(text)
    # Counted a block at a time: the share only grows as words are added, so it
    # is decided once reached, and an English comment reaches it in its first
    # words (a 100,000-comment digest counts a third of the words).
    n_stop = 0
    for start in range(0, n_words, _STOP_COUNT_BLOCK):
        n_stop += sum(map(STOP_WORDS.__contains__, words[start : start + _STOP_COUNT_BLOCK]))
        if n_stop / n_words >= MIN_STOPWORD_SHARE:
            return True
    return False


def detect(text: str, english: bool | None = None) -> str:
    """The ISO 639-1 code of a text's language ("en", "de", "zh"…), or "und".

    `english`: whether it looks English, if already known (see is_english).
    """
    if english if english is not None else looks_english(text):
        return ENGLISH
    letters = sum(ch.isalpha() for ch in text[:2000])
    if letters < 8:
        return UNKNOWN
    import py3langid  # loads its model (~1 s) only when a comment is not plainly English

    code, _ = py3langid.classify(text[:2000])
    return str(code)


@lru_cache(maxsize=64)
def stop_words(language: str) -> frozenset[str]:
    """The stop words of a language (empty when no list ships for it)."""
    import stopwordsiso

    if language == ENGLISH:
        # stopwordsiso's English list merges many lists and takes topics with it
        # ("research", "information", "computer"); the project's own list does not.
        return STOP_WORDS
    return frozenset(stopwordsiso.stopwords(language) if stopwordsiso.has_lang(language) else ())


def analysable(language: str) -> bool:
    """True when themes can be mined from text in this language."""
    if language in UNSEGMENTED or language == UNKNOWN:
        return False
    return language == ENGLISH or bool(stop_words(language))
