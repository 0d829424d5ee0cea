"""Reader furniture on the article page: related posts, series navigation, author box.

Attached in `article_generator_finalized` as plain attributes the theme reads
(`article.related`, `article.series_nav`, `article.author_box`); a theme
without the plugin simply finds them undefined. Everything here is a function
of the articles and the settings, so every build gives the same pages, and
the fast republisher (which only splices the feedback partials) never
touches it.
"""

from __future__ import annotations

import heapq
import logging
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from backchannel.settings import Resolved

logger = logging.getLogger(__name__)

# How many related posts an article lists at most.
RELATED_MAX = 4


@dataclass(frozen=True)
class SeriesNav:
    """Where an article sits in its series: part N of M and its neighbours."""

    name: str
    index: int  # 1-based
    total: int
    previous: Any = None  # the Pelican article before this one
    next: Any = None  # the one after, once published


@dataclass(frozen=True)
class AuthorBox:
    """The site author's h-card: name, link, bio and an optional photo."""

    name: str
    url: str  # absolute, or relative to SITEURL when `local`
    note: str
    photo: str | None = None
    local: bool = False


def _key(article: Any) -> tuple[str, str]:
    return (getattr(article, "lang", ""), article.url)


def _category(article: Any) -> str | None:
    """The category's slug (what Pelican compares categories by), or None."""
    category = getattr(article, "category", None)
    return None if category is None else category.slug


def _tags(article: Any) -> frozenset[str]:
    return frozenset(t.slug for t in getattr(article, "tags", None) or [])


class Related:
    """Related posts for a set of articles, through tag and category indexes.

    Comparing every pair grows with the square of the site; the indexes visit
    only articles that share something. Each article's category slug, date and
    URL are read once: Pelican works them out again on every access.
    """

    def __init__(self, articles: list[Any]) -> None:
        self.tags = {id(a): _tags(a) for a in articles}
        self.newness = {id(a): (a.date, a.url) for a in articles}
        self.category = {id(a): _category(a) for a in articles}
        self.by_tag: dict[tuple[str, str], list[Any]] = defaultdict(list)
        self.by_category: dict[tuple[str, Any], list[Any]] = defaultdict(list)
        for a in articles:
            lang = getattr(a, "lang", "")
            for slug in self.tags[id(a)]:
                self.by_tag[(lang, slug)].append(a)
            if getattr(a, "category", None) is not None:
                self.by_category[(lang, a.category)].append(a)
        for same in self.by_category.values():
            same.sort(key=lambda a: self.newness[id(a)], reverse=True)

    def of(self, article: Any, limit: int = RELATED_MAX) -> list[Any]:
        """Most shared tags first, then the same category, then newest; up to `limit`."""
        lang = getattr(article, "lang", "")
        category = getattr(article, "category", None)
        mine = _category(article)
        shared: dict[int, list[Any]] = {}
        for slug in self.tags.get(id(article), _tags(article)):
            for other in self.by_tag[(lang, slug)]:
                if other is not article:
                    shared.setdefault(id(other), [0, other])[0] += 1
        ranked = heapq.nlargest(
            limit,
            shared.values(),
            key=lambda s: (s[0], self.category[id(s[1])] == mine, self.newness[id(s[1])]),
        )
        out = [other for _, other in ranked]
        # Then articles of the same category that share no tag, newest first.
        for other in self.by_category.get((lang, category), []) if category is not None else []:
            if len(out) >= limit:
                break
            if other is not article and id(other) not in shared:
                out.append(other)
        return out


def _series_index(article: Any) -> float | None:
    """`Series-Index:` / `Series_index:` as a number, or None when absent or not a number."""
    metadata = getattr(article, "metadata", {})
    raw = metadata.get("series-index") or metadata.get("series_index")
    try:
        return float(raw) if raw not in (None, "") else None
    except (TypeError, ValueError):
        logger.warning(
            "backchannel: %s: Series-Index %r is not a number; ordered by date",
            getattr(article, "source_path", article.url),
            raw,
        )
        return None


def series(pool: list[Any]) -> dict[tuple[str, str], SeriesNav]:
    """Part N of M with neighbours for every article that names a `Series:`."""
    groups: dict[tuple[str, str], list[Any]] = defaultdict(list)
    for article in pool:
        name = str(getattr(article, "series", "") or "").strip()
        if name:
            groups[(getattr(article, "lang", ""), name)].append(article)
    out: dict[tuple[str, str], SeriesNav] = {}
    for (_, name), parts in groups.items():
        # Numbered parts in their order; unnumbered ones by date after them.
        parts.sort(
            key=lambda a: (
                _series_index(a) is None,
                _series_index(a) or 0,
                a.date,
                a.url,
            )
        )
        for n, part in enumerate(parts):
            out[_key(part)] = SeriesNav(
                name=name,
                index=n + 1,
                total=len(parts),
                previous=parts[n - 1] if n else None,
                next=parts[n + 1] if n + 1 < len(parts) else None,
            )
    return out


def author_box(article: Any, settings: Resolved) -> AuthorBox | None:
    """The site author's box when they wrote the article and a bio is set; else None."""
    bio = settings["AUTHOR_BIO"]
    if not bio:
        return None
    names = {n for n in (settings.author, settings["SITE_AUTHOR"]) if n}
    authors = list(getattr(article, "authors", None) or [])
    author = next((a for a in authors if str(a) in names), None)
    if authors and author is None:
        return None  # a guest post: the bio is not theirs
    name = str(author) if author is not None else settings.site_author
    url = settings["AUTHOR_URL"]
    if url:
        return AuthorBox(name, url, bio, settings["AUTHOR_PHOTO"])
    # No URL set: the author's page the site itself builds.
    local = getattr(author, "url", "") if author is not None else ""
    return AuthorBox(name, local, bio, settings["AUTHOR_PHOTO"], local=bool(local))


def attach(articles: list[Any], settings: Resolved) -> None:
    """Set `related`, `series_nav` and `author_box` on every article."""
    navs = series(articles)
    index = Related(articles)
    for article in articles:
        article.related = index.of(article)
        article.series_nav = navs.get(_key(article))
        article.author_box = author_box(article, settings)


def on_article_generator_finalized(generator: Any) -> None:
    """Attach the furniture to the published articles and their translations."""
    from backchannel.build.bake import resolved_settings

    articles = list(generator.articles)
    for article in generator.articles:
        articles.extend(article.translations)
    attach(articles, resolved_settings(generator.settings))
