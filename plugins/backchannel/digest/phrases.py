"""Phrases of a text: runs of content words and their 1-3 word stem n-grams.

What the theme miner counts, what the article coverage is measured in, and what a
comment's cached analysis keeps (theme_forms). Runs break at stop words and
punctuation (the RAKE idea); n-grams are keyed by crude stems so *price*, *prices*
and *pricing* meet, and keep the surface form first seen for display.
"""

from __future__ import annotations

import re
import sys

from backchannel.digest.compiled import speedups
from backchannel.digest.text import STOP_WORDS, stem

MAX_N = 3  # _ngrams_of is written out for this length
# An English comment uses plenty of function words; one that uses almost none
# is in another language and would only add noise to English themes.
MIN_STOPWORD_SHARE = 0.12
MIN_WORDS_FOR_LANGUAGE = 6

# One scan of the lower-cased text yields both punctuation (which ends a phrase:
# "pricing, scale" is not the phrase "pricing scale") and words (as text.words).
_TOKEN = re.compile(r"[.,;:!?()\[\]\"“”—–/…？\n]+|[^\W\d_][\w'’-]*")
# The same scan for ASCII text (most comments): a third faster, the same tokens.
_ASCII_TOKEN = re.compile(r"[.,;:!?()\[\]\"/\n]+|[a-z][a-z0-9_'-]*")
_PUNCT_CHARS = frozenset('.,;:!?()[]"“”—–/…？\n')
# token -> (word or None for punctuation, is a stop word, stem or None when the
# token ends a run); words repeat across comments, so each is classified once.
_TokenInfo = tuple[str | None, bool, str | None]
_PUNCT_INFO: _TokenInfo = (None, False, None)
_TOKEN_INFO: dict[str, _TokenInfo] = {}
MAX_TOKEN_CACHE = 300_000


def _token_info(token: str) -> _TokenInfo:
    if token[0] in _PUNCT_CHARS:
        return _PUNCT_INFO
    w = token.strip("'-")
    is_stop = w in STOP_WORDS
    ends_run = is_stop or len(w) < 3 or "'" in w
    return (w, is_stop, None if ends_run else stem(w))


Scanned = list[tuple[list[str], list[str]]]


def scan(text: str) -> tuple[Scanned, int, int]:
    """(runs of content words as (words, stems), word count, stop-word count)."""
    if len(_TOKEN_INFO) > MAX_TOKEN_CACHE:
        _TOKEN_INFO.clear()  # bounded memory on huge vocabularies
    if speedups is not None:
        return speedups.scan(text, _TOKEN_INFO, _token_info, _TOKEN)  # type: ignore[no-any-return]
    return _scan_python(text)


def _scan_python(text: str) -> tuple[Scanned, int, int]:
    # What _speedups.scan does, compiled (tests/test_digest_speedups.py).
    cache = _TOKEN_INFO
    found: Scanned = []
    run_w: list[str] = []
    run_s: list[str] = []
    n_words = n_stop = 0
    low = text.lower()
    tokens = _ASCII_TOKEN.findall(low) if low.isascii() else _TOKEN.findall(low.replace("’", "'"))
    for token in tokens:
        info = cache.get(token)
        if info is None:
            info = cache[token] = _token_info(token)
        w, is_stop, s = info
        if w is not None:
            n_words += 1
            n_stop += is_stop
        if s is None:
            if run_w:
                found.append((run_w, run_s))
                run_w, run_s = [], []
        else:
            run_w.append(w)
            run_s.append(s)
    if run_w:
        found.append((run_w, run_s))
    return found, n_words, n_stop


def runs(text: str) -> list[list[str]]:
    """Runs of content words (lower case), broken at stop words and punctuation."""
    return [run_w for run_w, _ in scan(text)[0]]


def _ngrams_of(scanned: Scanned) -> dict[tuple[str, ...], str]:
    if speedups is not None:
        return speedups.ngrams_of(scanned)  # type: ignore[no-any-return]
    return _ngrams_of_python(scanned)


def _ngrams_of_python(scanned: Scanned) -> dict[tuple[str, ...], str]:
    # Written out for MAX_N == 3: the general loop built every tuple and form twice.
    # What _speedups.ngrams_of does, compiled (tests/test_digest_speedups.py).
    found: dict[tuple[str, ...], str] = {}
    for run_w, run_s in scanned:
        size = len(run_s)
        for i in range(size):
            a = run_s[i]
            key: tuple[str, ...] = (a,)
            if key not in found:
                found[key] = run_w[i]
            if i + 1 < size:
                b = run_s[i + 1]
                key = (a, b)
                if key not in found:
                    found[key] = f"{run_w[i]} {run_w[i + 1]}"
                if i + 2 < size:
                    key = (a, b, run_s[i + 2])
                    if key not in found:
                        found[key] = f"{run_w[i]} {run_w[i + 1]} {run_w[i + 2]}"
    return found


def ngrams(text: str) -> dict[tuple[str, ...], str]:
    """Stem n-grams (1..3) of a text, each with the surface form first seen."""
    return _ngrams_of(scan(text)[0])


def form_key(form: str) -> tuple[str, ...]:
    """The stem n-gram of a surface form ("pricing tiers" -> ("pric", "tier"))."""
    return tuple(stem(w) for w in form.split(" "))


def theme_forms(plain: str) -> tuple[str | None, tuple[str, ...]]:
    """(reason it cannot be analysed or None, its n-grams' surface forms, one per stem key)."""
    scanned, n_words, n_stop = scan(plain)
    if not n_words:
        return "links_or_emoji", ()
    if n_words >= MIN_WORDS_FOR_LANGUAGE and n_stop / n_words < MIN_STOPWORD_SHARE:
        return "other_language", ()
    # Interned: the same phrase in many comments is one string in memory and cache.
    return None, tuple(map(sys.intern, _ngrams_of(scanned).values()))
