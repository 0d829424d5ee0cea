"""One comment's analysis: its language, questions and theme phrases, from one pass over its text.

Everything the digest derives from a comment's body alone lives here, so it can
be computed once per body and cached (see analysis_cache); what depends on the
period, the thread or the articles is decided later, in build.compose.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from backchannel.digest.language import ENGLISH, analysable, detect, is_english
from backchannel.digest.phrases import runs_text, scan_counted
from backchannel.digest.questions import questions_in
from backchannel.digest.text import MAX_CHARS, strip_markup

_LETTER = re.compile(r"[^\W\d_]")


class Analysis(NamedTuple):
    """What one comment body says, as far as the digest is concerned."""

    questions: tuple[str, ...]
    # Its runs of content words, " w1 w2 | w3 w4 " (phrases.runs_text): the theme miner's input.
    runs: str
    # Why its themes could not be read ("links_or_emoji", "other_language"), or None.
    unanalysed: str | None
    truncated: bool
    # ISO 639-1 code of its language ("en", "de", "zh"…; "und" when too short to tell).
    language: str = "en"


def analyse(body: str) -> Analysis:
    """Language, questions and theme phrases of one comment body (Markdown)."""
    plain = strip_markup(body)
    truncated = len(body) > MAX_CHARS
    questions = tuple(questions_in(plain))
    if not _LETTER.search(plain):
        return Analysis(questions, "", "links_or_emoji", truncated, "und")
    # One scan with English stop words both counts them and, for an English
    # comment (most of them), yields its phrases.
    scanned, n_words, n_stop = scan_counted(plain)
    language = detect(plain, is_english(plain, n_words, n_stop))
    if language == ENGLISH:
        return Analysis(questions, runs_text(scanned), None, truncated, language)
    if not analysable(language):
        return Analysis(questions, "", "other_language", truncated, language)
    return Analysis(
        questions, runs_text(scan_counted(plain, language)[0]), None, truncated, language
    )
