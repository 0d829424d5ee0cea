"""Suggested next posts: gap themes and open questions, turned into working titles."""

from __future__ import annotations

import re
from collections.abc import Iterable

from backchannel.digest.model import Suggestion
from backchannel.digest.phrases import ngrams
from backchannel.digest.questions import Question
from backchannel.digest.themes import Theme

MAX_SUGGESTIONS = 5
TITLE_CHARS = 80

_LEAD = re.compile(
    r"^(?:(?:but|and|so|ok|okay|also|still|then|well|now|quick one|follow-up, though|"
    r"a practical question|one thing i'm unsure about|my question is)[,:]?\s+)+",
    re.I,
)
_ASK = re.compile(
    r"^(?:would|could|will|can)\s+you\s+(?:please\s+)?(?:consider\s+)?(?:a\s+post|"
    r"writing|write(?:\s+a\s+post)?|say\s+more|explain|talk|cover)\s+(?:on|about)?\s*",
    re.I,
)


_GOOD_START = re.compile(
    r"^(?:how|what|why|when|where|which|whether|should|is|are|do|does|can|who)\b", re.I
)


def working_title(text: str, fallback: str) -> str:
    """A post title from a reader's question ("How do you price X?" -> "How to price X")."""
    t = text.strip().rstrip("?？.!").strip()
    if ":" in t:
        _, _, tail = t.partition(":")
        if len(tail.split()) >= 4:
            t = tail.strip()
    t = _LEAD.sub("", t)
    t = _ASK.sub("", t)
    t = re.sub(r"^how\s+(?:do|would|should|can)\s+(?:you|i|we)\s+", "How to ", t, flags=re.I)
    t = re.sub(r"^what\s+(?:do|should)\s+(?:you|i|we)\s+do\s+", "What to do ", t, flags=re.I)
    t = re.sub(r"^i\s+wonder\s+(?:whether|if)\s+", "Whether ", t, flags=re.I)
    if len(t.split()) < 4 or not _GOOD_START.match(t):
        return fallback
    t = t[0].upper() + t[1:]
    if len(t) > TITLE_CHARS:
        t = t[:TITLE_CHARS].rsplit(" ", 1)[0] + "…"
    return t


def _mentions(grams: dict[str, dict], question: Question, theme: Theme) -> bool:
    if question.text not in grams:
        grams[question.text] = ngrams(question.text)
    return theme.key in grams[question.text]


def _may_mention(lowered: list[str], key: tuple[str, ...]) -> list[int]:
    """Indexes of the texts that can hold the stem key: a cheap test before n-grams.

    stem() only cuts a suffix (or turns "ies" into "y"), so every stem but its
    last letter is part of a word of any text using the phrase.
    """
    maybe: Iterable[int] = range(len(lowered))
    for part in {s[:-1] for s in key if len(s) > 1}:
        maybe = [i for i in maybe if part in lowered[i]]
    return list(maybe)


def suggest(
    questions: Iterable[Question], themes: Iterable[Theme], titles: dict[str, str]
) -> list[Suggestion]:
    """A short ranked list: gap themes with their questions, then follow-ups per article."""
    open_qs = [q for q in questions if not q.answered]
    used: set[str] = set()  # comment ids already behind a suggestion
    grams: dict[str, dict] = {}
    # As themes.ngrams sees the text (lower case, typographic apostrophes plain);
    # 130,000 texts are lowered in one pass when none holds a line break.
    joined = "\n".join(q.text for q in open_qs)
    if open_qs and joined.count("\n") == len(open_qs) - 1:
        lowered = joined.lower().replace("’", "'").split("\n")
    else:
        lowered = [q.text.lower().replace("’", "'") for q in open_qs]
    del joined
    out: list[Suggestion] = []
    for theme in themes:
        if not theme.gap:
            continue
        qs = [
            q
            for q in (open_qs[i] for i in _may_mention(lowered, theme.key))
            if q.comment_id not in used and _mentions(grams, q, theme)
        ]
        if len({q.author for q in qs}) < 2 and theme.count < 4:
            continue  # one reader's aside is not yet a theme worth a post
        qs.sort(
            key=lambda q: (
                -len(q.text) if q.text.lower().startswith(("how", "what", "why", "would")) else 0
            )
        )
        best = qs[0].text if qs else ""
        fallback = f"What readers keep asking about {theme.phrase}"
        readers = sorted({q.author for q in qs} | set(theme.readers))
        used.update(q.comment_id for q in qs)
        out.append(
            Suggestion(
                title=working_title(best, fallback) if best else fallback,
                questions=_unique(q.comment_id for q in qs),
                themes=[theme.phrase],
                readers=readers,
                score=theme.score + 3 * len({q.comment_id for q in qs}) + 2 * len(readers),
            )
        )
    by_article: dict[str, list[Question]] = {}
    for q in open_qs:
        if q.comment_id not in used:
            by_article.setdefault(q.article, []).append(q)
    for article, qs in by_article.items():
        readers = sorted({q.author for q in qs})
        if len(qs) < 2 and len(out) >= MAX_SUGGESTIONS:
            continue
        name = titles.get(article, article)
        out.append(
            Suggestion(
                title=f"Your questions on “{name}”, answered",
                questions=_unique(q.comment_id for q in qs),
                themes=[],
                readers=readers,
                score=2 * len({q.comment_id for q in qs}) + 2 * len(readers),
            )
        )
    out.sort(key=lambda s: (-s.score, s.title))
    return out[:MAX_SUGGESTIONS]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
