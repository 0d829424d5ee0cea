"""How far a phrase's words are from everyday language, from wordfreq's shipped counts.

The IDF idea without a corpus per site: "cache line" is specific, "simple" and
"level" are not. Importing wordfreq and loading its English list is slow next to
a warm digest (bench/results/digest.md), so the values a digest looked up are kept
in the cache (rows "digest-wordfreq", keyed by language and word) and a later
digest imports wordfreq only when a theme candidate holds a word it has not seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version

from backchannel.store.cache import Cache

KIND = "digest-wordfreq"
# Zipf frequency (log10 uses per billion words) at which a word is everyday language;
# rarer words are more specific (capped), commoner ones barely count.
EVERYDAY_ZIPF = 6.0
MAX_SPECIFICITY = 2.0
MIN_SPECIFICITY = 0.2
# Languages with a large enough wordfreq list that need no extra segmenter.
_CODES = "ar bn bs bg ca cs da de el en es fa fi fil fr he hi hu id is it lt lv mk ms nb nl pl pt"
LANGUAGES = frozenset(f"{_CODES} ro ru sh sk sl sr sv sw ta tr uk ur vi".split(" "))


def _version() -> str:
    try:
        return f"wordfreq {version('wordfreq')}"
    except PackageNotFoundError:
        return "wordfreq"


class Specificity:
    """Word specificity with the values already looked up kept in `cache`."""

    def __init__(self, cache: Cache | None = None) -> None:
        self.cache = cache or Cache(None)
        self.version = _version()
        # Keyed "language:word"; a few thousand rows at most (theme candidates' words).
        self.known: dict[str, float] = self.cache.get_many(KIND, self.version)
        self.added: dict[str, float] = {}

    def zipf(self, word: str, language: str) -> float:
        """The Zipf frequency wordfreq gives a word (0 for a word it has never seen)."""
        key = f"{language}:{word}"
        found = self.known.get(key)
        if found is None:
            from wordfreq import zipf_frequency  # imported only for a word not yet seen

            found = self.known[key] = self.added[key] = zipf_frequency(word, language)
        return found

    def of(self, words: Iterable[str], language: str) -> float:
        """How far from everyday language a phrase's words are, on average (1 if unknown)."""
        if language not in LANGUAGES:
            return 1.0
        values = [
            min(MAX_SPECIFICITY, max(0.0, EVERYDAY_ZIPF - self.zipf(w, language))) for w in words
        ]
        return max(MIN_SPECIFICITY, sum(values) / len(values)) if values else 1.0

    def save(self) -> None:
        """Keep the values looked up for the next digest (a failed write only costs time)."""
        self.cache.put_many(KIND, self.version, self.added)
        self.added = {}
