"""Suggested next posts: open questions grouped by topic or article, with working titles."""

from __future__ import annotations

import heapq
import re
from collections.abc import Iterable

from backchannel.digest.model import Suggestion
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


def phrase_starts(theme: Theme) -> list[str]:
    """What `mentions` looks for: " " and each of the theme's phrases."""
    return [f" {p}" for p in [theme.phrase, *theme.related]]


def mentions(question: Question, starts: list[str]) -> bool:
    """True when a word of the question starts one of the topic's phrases.

    As themes count a theme's questions: "static mesh" in "…the static meshes?".
    """
    text = " " + question.text.lower().replace("’", "'")
    return any(start in text for start in starts)


def suggest(
    questions: Iterable[Question], themes: Iterable[Theme], titles: dict[str, str]
) -> list[Suggestion]:
    """A short ranked list of posts that would answer open questions.

    First one per theme: the open questions that mention the theme's topic, from
    any article; then, for what is left, the open questions of one article. Only
    open questions count, and only the readers who asked them are credited: a
    theme nobody has an open question about suggests nothing.
    """
    by_comment: dict[str, list[Question]] = {}
    for q in questions:
        if not q.answered:
            by_comment.setdefault(q.comment_id, []).append(q)
    used: set[int] = set()  # id() of questions already behind a suggestion
    out: list[Suggestion] = []
    for theme in themes:
        starts = phrase_starts(theme)
        qs = [
            q
            for cid in theme.questions
            for q in by_comment.get(cid, ())
            if id(q) not in used and mentions(q, starts)
        ]
        if not qs:
            continue
        used.update(id(q) for q in qs)
        qs.sort(
            key=lambda q: (
                -len(q.text) if q.text.lower().startswith(("how", "what", "why", "would")) else 0
            )
        )
        readers = _credited(qs)
        out.append(
            Suggestion(
                title=working_title(qs[0].text, f"What readers ask about {theme.phrase}"),
                questions=_unique(q.comment_id for q in qs),
                themes=[theme.phrase],
                readers=readers,
                score=3 * len(qs) + 2 * len(readers) + (4 if theme.gap else 0),
            )
        )
    by_article: dict[str, list[Question]] = {}
    for qs in by_comment.values():
        for q in qs:
            if id(q) not in used:
                by_article.setdefault(q.article, []).append(q)
    # A big site has open questions under hundreds of articles: rank them by counts
    # first, and make suggestions only of those that can reach the list.
    ranked = []
    for article, qs in by_article.items():
        name = titles.get(article, article)
        score = 2 * len(qs) + 2 * len({q.reader for q in qs})
        ranked.append((-score, f"Your questions on “{name}”, answered", qs))
    for neg_score, title, qs in heapq.nsmallest(MAX_SUGGESTIONS, ranked, key=lambda r: r[:2]):
        out.append(
            Suggestion(
                title=title,
                questions=_unique(q.comment_id for q in qs),
                themes=[],
                readers=_credited(qs),
                score=-neg_score,
            )
        )
    out.sort(key=lambda s: (-s.score, s.title))
    return out[:MAX_SUGGESTIONS]


def _credited(qs: list[Question]) -> list[str]:
    """The names of the readers who asked, one per reader (two guests: "Guest" twice)."""
    return sorted({q.reader: q.author for q in qs}.values())


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))
