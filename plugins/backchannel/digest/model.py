"""The digest as data: what every renderer (Markdown, HTML, JSON, Atom) reads."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backchannel.digest.questions import Question
from backchannel.digest.themes import Theme


@dataclass
class ArticleStats:
    """Engagement with one article."""

    slug: str
    title: str
    url: str
    comments: int = 0
    new_comments: int = 0
    linkbacks: int = 0
    new_linkbacks: int = 0
    readers: int = 0
    last_activity: str | None = None


@dataclass
class LinkbackEntry:
    """One linkback as the digest lists it."""

    id: str
    site: str
    source: str
    title: str
    excerpt: str
    article: str
    kind: str
    date: str
    new: bool


@dataclass
class Suggestion:
    """A suggested next post: a working title and what it would answer."""

    title: str
    questions: list[str]
    themes: list[str]
    readers: list[str]
    score: float = 0.0


@dataclass
class Digest:
    """Everything one digest says."""

    since: datetime | None
    until: datetime
    generated: datetime
    site: str
    siteurl: str
    articles: list[ArticleStats] = field(default_factory=list)
    questions: list[Question] = field(default_factory=list)
    themes: list[Theme] = field(default_factory=list)
    linkbacks: list[LinkbackEntry] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)
    activity: list[tuple[str, int, int]] = field(default_factory=list)
    unanalysed: dict[str, int] = field(default_factory=dict)
    totals: dict[str, int] = field(default_factory=dict)
    urls: dict[str, str] = field(default_factory=dict)
    comment_articles: dict[str, str] = field(default_factory=dict)

    def comment_url(self, comment_id: str, article: str) -> str:
        """Link to one comment on the site (the evidence behind a claim)."""
        base = self.urls.get(article, f"{article}.html")
        prefix = self.siteurl.rstrip("/") + "/" if self.siteurl else "/"
        return f"{prefix}{base}#comment-{comment_id}"

    def article_url(self, article: str) -> str:
        """Link to an article on the site."""
        prefix = self.siteurl.rstrip("/") + "/" if self.siteurl else "/"
        return prefix + self.urls.get(article, f"{article}.html")

    @property
    def open_questions(self) -> list[Question]:
        """Questions still waiting for an answer."""
        return [q for q in self.questions if not q.answered]

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (README documents every key)."""
        return {
            "period": {
                "since": self.since.isoformat(timespec="seconds") if self.since else None,
                "until": self.until.isoformat(timespec="seconds"),
            },
            "generated": self.generated.isoformat(timespec="seconds"),
            "totals": self.totals,
            "articles": [
                {
                    "slug": a.slug,
                    "title": a.title,
                    "url": self.article_url(a.slug),
                    "comments": a.comments,
                    "new_comments": a.new_comments,
                    "linkbacks": a.linkbacks,
                    "new_linkbacks": a.new_linkbacks,
                    "readers": a.readers,
                    "last_activity": a.last_activity,
                }
                for a in self.articles
            ],
            "questions": [
                {
                    "comment_id": q.comment_id,
                    "article": q.article,
                    "author": q.author,
                    "text": q.text,
                    "answered": q.answered,
                    "answered_by": q.answered_by,
                    "date": q.date,
                    "url": self.comment_url(q.comment_id, q.article),
                }
                for q in self.questions
            ],
            "themes": [
                {
                    "phrase": t.phrase,
                    "count": t.count,
                    "articles": t.articles,
                    "gap": t.gap,
                    "readers": len(t.readers),
                    "comment_ids": t.comment_ids,
                    "score": t.score,
                }
                for t in self.themes
            ],
            "linkbacks": [
                {
                    "site": lb.site,
                    "source": lb.source,
                    "title": lb.title,
                    "excerpt": lb.excerpt,
                    "article": lb.article,
                    "kind": lb.kind,
                    "date": lb.date,
                    "new": lb.new,
                    "id": lb.id,
                }
                for lb in self.linkbacks
            ],
            "suggestions": [
                {
                    "title": s.title,
                    "questions": s.questions,
                    "themes": s.themes,
                    "readers": s.readers,
                }
                for s in self.suggestions
            ],
            "activity": [{"week": w, "comments": c, "linkbacks": n} for w, c, n in self.activity],
            "unanalysed": self.unanalysed,
        }
