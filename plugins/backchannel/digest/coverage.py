"""Whether an article covers a topic: the articles' title, summary, tags and text as stems.

A theme is a gap only when no article covers it (themes.py); the articles' stems
are cached (cached.py) as article_stems makes them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backchannel.build.articles import ArticleInfo
from backchannel.digest.phrases import scan

# Uses in one article that make it cover a phrase (a title, summary or tag counts as many).
COVER_MIN = 3
COVER_MIN_PHRASE = 2


@dataclass
class Coverage:
    """The articles' text as stems, to tell whether an article covers a phrase."""

    # Article id -> (title, summary and tags; text), each as " stem stem | stem " runs.
    stems: dict[str, tuple[str, str]]

    def heading(self, article_id: str) -> str:
        """An article's title, summary and tags as stem runs ("" for an unknown id)."""
        found = self.stems.get(article_id)
        return found[0] if found is not None else ""


def _stem_runs(text: str) -> str:
    return " " + " | ".join(" ".join(stems) for _, stems in scan(text)) + " "


def coverage(articles: Iterable[tuple[str, str]]) -> Coverage:
    """What the articles ((heading, body) pairs, numbered as ids) say, for is_covered."""
    return Coverage(
        {
            str(n): (_stem_runs(heading), _stem_runs(body))
            for n, (heading, body) in enumerate(articles)
        }
    )


def article_stems(article: ArticleInfo) -> tuple[str, str]:
    """An article's (title, summary and tags; text) as Coverage keeps them."""
    heading = f"{article.title}. {article.summary}. {', '.join(article.tags)}"
    return _stem_runs(heading), _stem_runs(article.text)


def is_covered(key: tuple[str, ...], covered: Coverage) -> bool:
    """True when an article is about the phrase.

    It is about it when the phrase is in the article's title, summary or tags, or
    its text uses it COVER_MIN times (COVER_MIN_PHRASE for a longer phrase, which
    is specific). A phrase merely mentioned in passing is not covered.
    """
    needed = COVER_MIN if len(key) == 1 else COVER_MIN_PHRASE
    padded = " " + " ".join(key) + " "
    return any(
        padded in heading or body.count(padded) >= needed
        for heading, body in covered.stems.values()
    )
