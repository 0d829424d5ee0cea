"""Assemble a Digest from published feedback and the site's articles."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

from backchannel.articles import ArticleInfo
from backchannel.background import Deferred, Forked
from backchannel.digest.analysis import Analysis, analyse
from backchannel.digest.analysis_cache import analyse_all
from backchannel.digest.article_cache import CACHE_NAME as ARTICLES_CACHE
from backchannel.digest.article_cache import load_articles_cached, load_articles_plain
from backchannel.digest.engagement import activity, article_stats, in_period
from backchannel.digest.gc_pause import gc_paused
from backchannel.digest.linkbacks import linkback_entries
from backchannel.digest.model import ArticleStats, Digest
from backchannel.digest.questions import find_questions
from backchannel.digest.suggestions import suggest
from backchannel.digest.themes import Doc, Theme, Unanalysed, coverage, mine_themes
from backchannel.model import Item, Kind, State
from backchannel.settings import Resolved
from backchannel.store import open_store

logger = logging.getLogger(__name__)

_NAME_WORD = re.compile(r"[^\W\d_]+")
# Comments in the period below which mining themes in a child costs more than it saves.
FORK_MIN = 5000


def _themes_and_engagement(
    docs: list[Doc],
    upto: list[Item],
    articles: Sequence[ArticleInfo],
    since: datetime | None,
    until: datetime,
    cache_dir: Path | None = None,
) -> tuple[list[Theme], list[ArticleStats], tuple[list[tuple[str, int, int]], str]]:
    """The themes of `docs` (gaps judged against the articles before `until`), and engagement."""
    covered = coverage(
        (f"{a.title}. {a.summary}. {', '.join(a.tags)}", a.text) for a in articles if a.date < until
    )
    titles = {a.id: (a.title, a.url) for a in articles}
    return (
        mine_themes(docs, covered, people(upto, articles), cache_dir=cache_dir),
        article_stats(upto, titles, since, until),
        activity(upto, since, until),
    )


def people(items: Iterable[Item], articles: Iterable[ArticleInfo]) -> set[str]:
    """Every word of every name on the site: commenters, the author's replies, article authors."""
    found: set[str] = set()
    for a in articles:
        for key in ("author", "authors"):
            value = a.metadata.get(key)
            for one in value if isinstance(value, list | tuple) else [value]:
                if one:
                    found.update(_NAME_WORD.findall(str(one).lower()))
    for name in {i.author for i in items if i.kind == Kind.COMMENT}:
        found.update(_NAME_WORD.findall(name.lower()))
    return {w for w in found if len(w) >= 3}


def compose(
    items: Sequence[Item],
    articles: Sequence[ArticleInfo],
    since: datetime | None,
    until: datetime,
    *,
    site: str = "",
    siteurl: str = "",
    now: datetime | None = None,
    analyses: Mapping[str, Analysis] | None = None,
    cache_dir: Path | None = None,
) -> Digest:
    """The digest of `items` (published feedback) against `articles` for [since, until).

    `analyses` holds comments' analyses already made (by id); others are analysed here.
    """
    digest = Digest(
        since=since,
        until=until,
        generated=now or datetime.now(UTC),
        site=site,
        siteurl=siteurl,
    )
    digest.urls = {a.id: a.url for a in articles}
    upto = [i for i in items if i.date < until]
    comments = [i for i in upto if i.kind == Kind.COMMENT]
    if analyses is None:
        analyses = {c.id: analyse(c.body) for c in comments if not c.author_reply}
    unanalysed = Unanalysed()
    docs = []
    for c in comments:
        if c.author_reply or not in_period(c, since, until):
            continue
        found = analyses.get(c.id) or analyse(c.body)
        if found.truncated:
            unanalysed.count("truncated", c.id)
        if found.unanalysed:
            unanalysed.count(found.unanalysed, c.id, found.language)
        else:
            reader = c.email_hash or c.author
            docs.append(
                Doc(c.id, c.article, reader, found.words, found.questions, found.language, c.body)
            )
    # Themes and engagement need neither the questions nor each other: a child
    # works them out while this process finds the questions (~1 s and ~1.5 s of
    # CPU at 100,000 comments; what comes back is small).
    mining = Forked(
        _themes_and_engagement,
        docs,
        upto,
        articles,
        since,
        until,
        cache_dir,
        worth_it=len(docs) >= FORK_MIN,
    )
    answers: dict[str, str] = {}
    for a in articles:
        if a.date < until:
            for comment_id in a.answers:
                answers.setdefault(comment_id, a.slug)
    # Open questions carry over from earlier periods; answered ones only show
    # in the period they were asked.
    digest.questions = [
        q
        for item, q in find_questions(comments, answers, analyses)
        if not q.answered or in_period(item, since, until)
    ]
    digest.themes, digest.articles, (digest.activity, digest.activity_unit) = mining.result()
    digest.comment_articles = {doc.id: doc.article for doc in docs}
    names = {c.email_hash or c.author: c.author for c in comments}
    for theme in digest.themes:
        theme.readers = sorted({names.get(r, r) for r in theme.readers})
        theme.askers = sorted({names.get(r, r) for r in theme.askers})
    digest.linkbacks = linkback_entries(upto, since, until)
    digest.suggestions = suggest(digest.questions, digest.themes, {a.id: a.title for a in articles})
    digest.unanalysed = {
        "links_or_emoji": unanalysed.links_or_emoji,
        "other_language": unanalysed.other_language,
        "truncated": unanalysed.truncated,
    }
    digest.unanalysed_languages = dict(unanalysed.languages.most_common())
    new = [i for i in upto if in_period(i, since, until)]
    digest.totals = {
        "comments": sum(1 for i in new if i.kind == Kind.COMMENT),
        "linkbacks": sum(1 for i in new if i.is_linkback),
        "readers": len(
            {i.email_hash or i.author for i in new if i.kind == Kind.COMMENT and not i.author_reply}
        ),
        "open_questions": len(digest.open_questions),
        "answered_questions": sum(1 for q in digest.questions if q.answered),
        "analysed_comments": len(docs),
    }
    return digest


@gc_paused
def build_digest(
    settings: Resolved,
    since: datetime | None,
    until: datetime | None = None,
    now: datetime | None = None,
    later: Deferred | None = None,
) -> Digest:
    """Read the published store and content/, and compose the digest.

    The caches are written by a child while the digest is composed; with
    `later`, the caller waits for it (after writing the digest, say).
    """
    now = now or datetime.now(UTC)
    store = open_store(settings)
    # The three caches are written by a child (see background.py), at the lowest
    # priority: it takes the core time this process and its helpers leave idle.
    own = later is None
    later = later or Deferred()
    # A first digest reads every article with Pelican (~1.5 s for 1,000), which
    # needs nothing from the store: a child does it while the store is parsed.
    # Later digests find them in the cache (~20 ms): no child then.
    cache = settings.cache_dir
    first = cache is None or not (cache / ARTICLES_CACHE).exists()
    reading = Forked(load_articles_plain, settings) if first else None
    # The store's helper and this process share the parsing as they go (see
    # parallel.in_two), so the articles child's core time is balanced too.
    result = store.load([State.PUBLISHED])
    for problem in result.problems:
        logger.warning("backchannel: digest skips %s", problem)
    until = until or now
    # Every reader's comment up to `until` is analysed (questions carry over from
    # earlier periods), through the cache of per-comment analyses.
    analyses = analyse_all(
        (
            i
            for i in result.items
            if i.kind == Kind.COMMENT and not i.author_reply and i.date < until
        ),
        settings.cache_dir,
        keep={i.id for i in result.items},
        defer=later,
    )
    articles = reading.result() if reading else load_articles_cached(settings, defer=later)
    later.start()
    try:
        return compose(
            result.items,
            articles,
            since,
            until,
            site=settings.site_name,
            siteurl=settings.site_url,
            now=now,
            analyses=analyses,
            cache_dir=settings.cache_dir,
        )
    finally:
        if own:
            later.wait()
