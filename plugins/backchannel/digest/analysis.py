"""One comment's analysis: its questions and theme phrases, from one pass over its text.

Everything the digest derives from a comment's body alone lives here, so it can
be computed once per body and cached (see analysis_cache); what depends on the
period, the thread or the articles is decided later, in build.compose.
"""

from __future__ import annotations

from typing import NamedTuple

from backchannel.digest.phrases import theme_forms
from backchannel.digest.questions import questions_in
from backchannel.digest.text import MAX_CHARS, strip_markup


class Analysis(NamedTuple):
    """What one comment body says, as far as the digest is concerned."""

    questions: tuple[str, ...]
    # Surface forms of its 1-3 word phrases, one per stem key (themes.theme_forms).
    forms: tuple[str, ...]
    # Why its themes could not be read ("links_or_emoji", "other_language"), or None.
    unanalysed: str | None
    truncated: bool


def analyse(body: str) -> Analysis:
    """Questions and theme phrases of one comment body (Markdown)."""
    plain = strip_markup(body)
    reason, forms = theme_forms(plain)
    return Analysis(tuple(questions_in(plain)), forms, reason, len(body) > MAX_CHARS)
