"""The digest as data: what every renderer (Markdown, HTML, JSON, Atom) reads."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backchannel.digest.questions import Question
from backchannel.digest.themes import Theme

# One encoder for every element (json.dumps with options builds one per call).
_ENCODER = json.JSONEncoder(ensure_ascii=False)


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
    # Comments left out of themes per language they are in ({"zh": 12}).
    unanalysed_languages: dict[str, int] = field(default_factory=dict)
    # What one bar of `activity` spans: "week", "month" or "year".
    activity_unit: str = "week"

    def comment_url(self, comment_id: str, article: str) -> str:
        """Link to one comment on the site (the evidence behind a claim)."""
        return f"{self.article_url(article)}#comment-{comment_id}"

    def article_url(self, article: str) -> str:
        """Link to an article on the site."""
        prefix = self.siteurl.rstrip("/") + "/" if self.siteurl else "/"
        return prefix + self.urls.get(article, f"{article}.html")

    def answer_url(self, q: Question) -> str | None:
        """Link to what answered a question: the author's reply on the page, or the post."""
        if q.answered_by is None:
            return None
        if q.answered_by == "author-reply":
            return self.comment_url(q.answer_id, q.article) if q.answer_id else None
        return self.article_url(q.answered_by)

    @property
    def open_questions(self) -> list[Question]:
        """Questions still waiting for an answer."""
        return [q for q in self.questions if not q.answered]

    def to_json(self) -> dict[str, Any]:
        """The stable JSON form (README documents every key)."""
        return {key: list(value) if many else value for key, value, many in self._json_fields()}

    def json_chunks(self) -> Iterator[str]:
        """to_json() as text, one list element per line, made as it is written.

        A 100,000-comment digest's JSON is tens of megabytes; building it whole
        (and indenting it with the pure-Python encoder) cost seconds and hundreds of MB.
        """
        encode = _ENCODER.encode
        yield "{"
        for n, (key, value, many) in enumerate(self._json_fields()):
            yield f"{',' if n else ''}\n {encode(key)}: "
            if not many:
                yield encode(value)
                continue
            # The questions are most of a big digest (130,000 at 100,000 comments).
            texts = self._question_texts() if key == "questions" else map(encode, value)
            empty = True
            for text in texts:
                yield ("[\n  " if empty else ",\n  ") + text
                empty = False
            yield "[]" if empty else "\n ]"
        yield "\n}\n"

    def _question_texts(self) -> Iterator[str]:
        """Each question's JSON text, as _ENCODER makes it from _json_fields.

        At a third of the cost: no dict, strings encoded directly.
        """
        string = json.encoder.encode_basestring  # what _ENCODER uses for str (ensure_ascii off)
        prefix = self.siteurl.rstrip("/") + "/" if self.siteurl else "/"
        urls = self.urls
        for q in self.questions:
            base = urls.get(q.article, f"{q.article}.html")
            by = "null" if q.answered_by is None else string(q.answered_by)
            answer = self.answer_url(q)
            yield (
                f'{{"comment_id": {string(q.comment_id)}, "article": {string(q.article)}, '
                f'"author": {string(q.author)}, "text": {string(q.text)}, '
                f'"answered": {"true" if q.answered else "false"}, "answered_by": {by}, '
                f'"date": {string(q.date)}, '
                f'"url": {string(f"{prefix}{base}#comment-{q.comment_id}")}, '
                f'"answer_url": {"null" if answer is None else string(answer)}}}'
            )

    def _json_fields(self) -> Iterator[tuple[str, Any, bool]]:
        """(key, value, value is a stream of list elements), in the documented order."""
        yield (
            "period",
            {
                "since": self.since.isoformat(timespec="seconds") if self.since else None,
                "until": self.until.isoformat(timespec="seconds"),
            },
            False,
        )
        yield "generated", self.generated.isoformat(timespec="seconds"), False
        yield "totals", self.totals, False
        yield (
            "articles",
            (
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
            ),
            True,
        )
        yield (
            "questions",
            (
                {
                    "comment_id": q.comment_id,
                    "article": q.article,
                    "author": q.author,
                    "text": q.text,
                    "answered": q.answered,
                    "answered_by": q.answered_by,
                    "date": q.date,
                    "url": self.comment_url(q.comment_id, q.article),
                    "answer_url": self.answer_url(q),
                }
                for q in self.questions
            ),
            True,
        )
        yield (
            "themes",
            (
                {
                    "phrase": t.phrase,
                    "count": t.count,
                    "articles": t.articles,
                    "gap": t.gap,
                    "readers": len(t.readers),
                    "comment_ids": t.comment_ids,
                    "score": t.score,
                    "questions": t.questions,
                    "askers": t.askers,
                    "related": t.related,
                }
                for t in self.themes
            ),
            True,
        )
        yield (
            "linkbacks",
            (
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
            ),
            True,
        )
        yield (
            "suggestions",
            (
                {
                    "title": s.title,
                    "questions": s.questions,
                    "themes": s.themes,
                    "readers": s.readers,
                }
                for s in self.suggestions
            ),
            True,
        )
        yield (
            "activity",
            ({"week": w, "comments": c, "linkbacks": n} for w, c, n in self.activity),
            True,
        )
        yield "unanalysed", self.unanalysed, False
        yield "unanalysed_languages", self.unanalysed_languages, False
        yield "activity_unit", self.activity_unit, False
