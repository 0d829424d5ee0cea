"""Assemble a Digest from published feedback and the site's articles."""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime

from backchannel.build.articles import ArticleInfo
from backchannel.digest.addressing import greeted_in
from backchannel.digest.analysis import Analysis, analyse
from backchannel.digest.cached import load_articles_cached
from backchannel.digest.coverage import Coverage, article_stems
from backchannel.digest.engagement import activity, article_stats
from backchannel.digest.feedback import Comment, load_feedback
from backchannel.digest.linkbacks import linkback_entries
from backchannel.digest.model import Digest
from backchannel.digest.questions import find_questions
from backchannel.digest.suggestions import suggest
from backchannel.digest.themes import Doc, Unanalysed, mine_themes
from backchannel.model import Item, Kind
from backchannel.settings import Resolved
from backchannel.store.cache import Cache

logger = logging.getLogger(__name__)

_NAME_WORD = re.compile(r"[^\W\d_]+")


def people(items: Iterable[Item], articles: Iterable[ArticleInfo]) -> set[str]:
    """Every word of every name on the site.

    Commenters', the author's replies', article authors' and the names comments greet.
    """
    found: set[str] = set()
    for a in articles:
        for key in ("author", "authors"):
            value = a.metadata.get(key)
            for one in value if isinstance(value, list | tuple) else [value]:
                if one:
                    found.update(_NAME_WORD.findall(str(one).lower()))
    comments = [i for i in items if i.kind == Kind.COMMENT]
    for name in {c.author for c in comments}:
        found.update(_NAME_WORD.findall(name.lower()))
    # The names readers greet ("Hi Phil,"): the author may sign with a handle.
    # Greeted in two comments at least, so "Hello world" names no one.
    greetings = Counter(name for c in comments for name in set(greeted_in(c)))
    found.update(name for name, count in greetings.items() if count >= 2)
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
    analyses: Mapping[str, Analysis | Comment] | None = None,
    stems: Mapping[str, tuple[str, str]] | None = None,
    cache: Cache | None = None,
) -> Digest:
    """The digest of `items` (published feedback) against `articles` for [since, until).

    `analyses` holds comments' analyses already made (by id; a Comment read from
    the digest's rows is its own analysis), `stems` articles' stems
    (coverage.article_stems, by id); others are made here. `cache` keeps the
    word frequencies the themes looked up.
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
    docs: list[Doc | Comment] = []
    for c in comments:
        if c.author_reply or (since is not None and c.date < since):
            continue  # (every one of `upto` is before `until`)
        found = analyses.get(c.id) or analyse(c.body)
        if found.truncated:
            unanalysed.count("truncated", c.id)
        if found.unanalysed:
            unanalysed.count(found.unanalysed, c.id, found.language)
        elif found is c:
            docs.append(c)  # a Comment read from the digest's rows is its own Doc
        else:
            words, questions, language = found.words, found.questions, found.language
            reader = c.reader
            # A Comment analysed here (no analyses given) has its body's hash, not its body.
            key = getattr(c, "body_key", "")
            body = "" if key else c.body
            docs.append(Doc(c.id, c.article, reader, words, questions, language, body, key))
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
        if not q.answered or since is None or item.date >= since
    ]
    stems = stems or {}
    published = {a.id: stems.get(a.id) or article_stems(a) for a in articles if a.date < until}
    covered = Coverage(published)
    by_id = {c.id: c for c in comments}
    digest.themes = mine_themes(
        docs, covered, people(comments, articles), cache=cache, body_of=lambda i: by_id[i].body
    )
    titles = {a.id: (a.title, a.url) for a in articles}
    digest.articles = article_stats(upto, titles, since, until)
    digest.activity, digest.activity_unit = activity(upto, since, until)
    digest.comment_articles = {doc.id: doc.article for doc in docs}
    names = {c.reader: c.author for c in comments}
    for theme in digest.themes:
        theme.readers = sorted(names.get(r, r) for r in theme.readers)
        theme.askers = sorted(names.get(r, r) for r in theme.askers)
    digest.linkbacks = linkback_entries(upto, since, until)
    digest.suggestions = suggest(digest.questions, digest.themes, {a.id: a.title for a in articles})
    digest.unanalysed = {
        "links_or_emoji": unanalysed.links_or_emoji,
        "other_language": unanalysed.other_language,
        "truncated": unanalysed.truncated,
    }
    digest.unanalysed_languages = dict(unanalysed.languages.most_common())
    # Counted over the comments and the (few) other items apart, not every item thrice.
    new_comments = comments if since is None else [c for c in comments if c.date >= since]
    others = [i for i in upto if i.kind != Kind.COMMENT]
    digest.totals = {
        "comments": len(new_comments),
        "linkbacks": sum(1 for i in others if i.is_linkback and (since is None or i.date >= since)),
        "readers": len({c.reader for c in new_comments if not c.author_reply}),
        "open_questions": len(digest.open_questions),
        "answered_questions": sum(1 for q in digest.questions if q.answered),
        "analysed_comments": len(docs),
    }
    return digest


def build_digest(
    settings: Resolved,
    since: datetime | None,
    until: datetime | None = None,
    now: datetime | None = None,
) -> Digest:
    """Read the published store and content/, and compose the digest."""
    now = now or datetime.now(UTC)
    until = until or now
    with Cache(settings.cache_dir) as cache:
        # Every reader's comment in the store is analysed (questions carry over from
        # earlier periods; later ones keep their cache rows for a later digest).
        items, analyses, problems = load_feedback(settings.feedback_path, cache)
        for problem in problems:
            logger.warning("backchannel: digest skips %s", problem)
        articles, stems = load_articles_cached(settings, cache)
        return compose(
            items,
            articles,
            since,
            until,
            site=settings.site_name,
            siteurl=settings.site_url,
            now=now,
            analyses=analyses,
            stems=stems,
            cache=cache,
        )
