"""How far a phrase's words are from everyday language, from wordfreq's shipped counts.

The IDF idea without a corpus per site: "cache line" is specific, "simple" and
"level" are not. wordfreq takes ~0.3-0.5 s to import and load its English list, so
the values a digest looked up are kept in CACHE_PATH and a later digest imports
wordfreq only when a theme candidate holds a word it has not seen.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from backchannel.digest.cache_file import fingerprint, read_cache, write_cache

logger = logging.getLogger(__name__)

CACHE_NAME = "backchannel-digest-wordfreq.pickle"
# Zipf frequency (log10 uses per billion words) at which a word is everyday language;
# rarer words are more specific (capped), commoner ones barely count.
EVERYDAY_ZIPF = 6.0
MAX_SPECIFICITY = 2.0
MIN_SPECIFICITY = 0.2
# Languages with a large enough wordfreq list that need no extra segmenter.
_CODES = "ar bn bs bg ca cs da de el en es fa fi fil fr he hi hu id is it lt lv mk ms nb nl pl pt"
LANGUAGES = frozenset(f"{_CODES} ro ru sh sk sl sr sv sw ta tr uk ur vi".split(" "))


def _stamp() -> str:
    try:
        return fingerprint("wordfreq", version("wordfreq"))
    except PackageNotFoundError:
        return fingerprint("wordfreq", None)


class Specificity:
    """Word specificity with the values already looked up kept in `cache_dir`."""

    def __init__(self, cache_dir: Path | None = None) -> None:
        self.path = cache_dir / CACHE_NAME if cache_dir is not None else None
        self.stamp = _stamp()
        self.known: dict[tuple[str, str], float] = read_cache(self.path, self.stamp)
        self.added = False

    def zipf(self, word: str, language: str) -> float:
        """wordfreq's Zipf frequency of a word (0 for a word it has never seen)."""
        found = self.known.get((language, word))
        if found is None:
            from wordfreq import zipf_frequency  # imported only for a word not yet seen

            found = self.known[(language, word)] = zipf_frequency(word, language)
            self.added = True
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
        if self.added:
            write_cache(self.path, self.stamp, self.known)
            self.added = False
