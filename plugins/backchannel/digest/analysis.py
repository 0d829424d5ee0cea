"""One comment's analysis: its language, questions and theme phrases, from one pass over its text.

Everything the digest derives from a comment's body alone lives here, so it can
be computed once per body and cached (see cached.py); what depends on the
period, the thread or the articles is decided later, in build.compose.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from types import ModuleType
from typing import NamedTuple

from backchannel.digest.language import ENGLISH, analysable, detect, is_english
from backchannel.digest.questions import questions_in
from backchannel.digest.text import MAX_CHARS, strip_markup

_LETTER = re.compile(r"[^\W\d_]")
_NON_WORD = re.compile(r"[^\w'-]+")
# Everything but letters, digits, "_", "'" and "-" becomes a space.
_ASCII_NON_WORD = bytes(
    c if chr(c).isalnum() or chr(c) in "_'-" or c >= 128 else 32 for c in range(256)
)


class Analysis(NamedTuple):
    """What one comment body says, as far as the digest is concerned."""

    questions: tuple[str, ...]
    # Its words, lower case, one space apart and around (" w1 w2 w3 "): the theme miner
    # counts a phrase there when f" {phrase} " is.
    words: str
    # Why its themes could not be read ("links_or_emoji", "other_language"), or None.
    unanalysed: str | None
    truncated: bool
    # ISO 639-1 code of its language ("en", "de", "zh"…; "und" when too short to tell).
    language: str = "en"


def body_hash(body: str) -> str:
    """The key of what is cached of a comment body (its analysis, its phrases)."""
    return hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def code_version(*modules: ModuleType) -> str:
    """A hash of the source of the modules whose output a cache row holds."""
    digest = hashlib.blake2b(digest_size=16)
    for module in modules:
        try:
            digest.update(Path(module.__file__ or "").read_bytes())
        except OSError:
            digest.update(repr(module).encode())
    return digest.hexdigest()


def _word_list(plain: str) -> list[str]:
    """A text's words, lower case: what the theme miner counts phrases in."""
    low = plain.lower()
    if low.isascii():
        # bytes.translate is a table lookup in C (str.translate on a dict calls
        # Python per character).
        low = low.encode("ascii").translate(_ASCII_NON_WORD).decode("ascii")
    else:
        low = _NON_WORD.sub(" ", low.replace("’", "'"))
    return low.split()


def analyse(body: str) -> Analysis:
    """Language, questions and words of one comment body (Markdown)."""
    plain = strip_markup(body)
    truncated = len(body) > MAX_CHARS
    questions = tuple(questions_in(plain))
    if not _LETTER.search(plain):
        return Analysis(questions, "", "links_or_emoji", truncated, "und")
    listed = _word_list(plain)
    words = " " + " ".join(listed) + " "
    # English function words are counted on these words (a comment that is plainly
    # English, most of them, never reaches the language detector).
    language = detect(plain, is_english(plain, listed))
    if language != ENGLISH and not analysable(language):
        return Analysis(questions, "", "other_language", truncated, language)
    return Analysis(questions, words, None, truncated, language)
