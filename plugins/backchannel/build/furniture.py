"""Reader furniture on the article page: related posts, series navigation, author box.

Attached in `article_generator_finalized` (bake.py) as plain attributes the theme reads
(`article.related` with their `article.related_urls`, `article.series_nav`,
`article.author_box`); a theme without the plugin simply finds them undefined. Everything
here is a function of the articles and the settings, so every build gives the same pages,
and the fast republisher (which only splices the feedback partials) never touches it.
"""

from __future__ import annotations

import heapq
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain
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


def _key(article: Any, url: str) -> tuple[str, str]:
    return (getattr(article, "lang", ""), url)


def _category(article: Any) -> str | None:
    """The category's slug (what Pelican compares categories by), or None."""
    category = getattr(article, "category", None)
    return None if category is None else category.slug


def _tags(article: Any) -> frozenset[str]:
    return frozenset(t.slug for t in getattr(article, "tags", None) or [])


class Related:
    """Related posts for a set of articles, through tag and category indexes.

    Comparing every pair grows with the square of the site; the indexes visit only
    articles that share something. Articles are numbered once, and each one's category
    slug, tags and place in date order are read once (Pelican works a URL out again on
    every access), so ranking a candidate is integer arithmetic, not a Python call.
    """

    def __init__(self, articles: list[Any], urls: list[str]) -> None:
        """`urls`: the articles' URLs in the same order, read once by the caller."""
        self.articles = articles
        self.number = {id(a): n for n, a in enumerate(articles)}
        self.tags = [_tags(a) for a in articles]
        self.category = [_category(a) for a in articles]
        # Newest (date, URL) last; equal ones share a rank, so ties stay ties.
        newness = [(a.date, url) for a, url in zip(articles, urls, strict=True)]
        self.rank = [0] * len(articles)
        previous, rank = None, 0
        for n in sorted(range(len(articles)), key=newness.__getitem__):
            if newness[n] != previous:
                previous, rank = newness[n], rank + 1
            self.rank[n] = rank
        self.step = rank + 1  # one more than any rank: the weight of the next criterion
        self.by_tag: dict[tuple[str, str], list[int]] = defaultdict(list)
        self.by_category: dict[tuple[str, Any], list[int]] = defaultdict(list)
        for n, a in enumerate(articles):
            lang = getattr(a, "lang", "")
            for slug in self.tags[n]:
                self.by_tag[(lang, slug)].append(n)
            if getattr(a, "category", None) is not None:
                self.by_category[(lang, a.category)].append(n)
        for same in self.by_category.values():
            same.sort(key=self.rank.__getitem__, reverse=True)

    def of(self, article: Any, limit: int = RELATED_MAX) -> list[Any]:
        """Most shared tags first, then the same category, then newest; up to `limit`."""
        me = self.number[id(article)]
        lang = getattr(article, "lang", "")
        category = getattr(article, "category", None)
        shared = Counter(chain.from_iterable(self.by_tag[(lang, s)] for s in self.tags[me]))
        shared.pop(me, None)
        mine, cats, rank, step = self.category[me], self.category, self.rank, self.step
        # Only the articles sharing the most tags can be among the first `limit`: the fewest
        # shared tags that still leaves `limit` of them. One tag less never outranks one more.
        tally = Counter(shared.values())
        floor, enough = 0, 0
        for floor in sorted(tally, reverse=True):
            enough += tally[floor]
            if enough >= limit:
                break
        # (shared tags, same category, newness) as one number; then first seen first,
        # as a stable sort would keep them.
        scored = [
            ((count * 2 + (cats[n] == mine)) * step + rank[n], -seen, n)
            for seen, (n, count) in enumerate(shared.items())
            if count >= floor
        ]
        out = [n for _, _, n in heapq.nlargest(limit, scored)]
        # Then articles of the same category that share no tag, newest first.
        for n in self.by_category.get((lang, category), []) if category is not None else []:
            if len(out) >= limit:
                break
            if n != me and n not in shared:
                out.append(n)
        return [self.articles[n] for n in out]


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


def series(pool: list[Any], urls: dict[int, str]) -> dict[tuple[str, str], SeriesNav]:
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
                urls[id(a)],
            )
        )
        for n, part in enumerate(parts):
            out[_key(part, urls[id(part)])] = SeriesNav(
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


def attach(articles: list[Any], settings: Resolved, urls: list[str]) -> None:
    """Set `related`, `series_nav` and `author_box` on every article (`urls`: theirs, in order)."""
    url_of = {id(a): url for a, url in zip(articles, urls, strict=True)}
    navs = series(articles, url_of)
    index = Related(articles, urls)
    for article, url in zip(articles, urls, strict=True):
        article.related = index.of(article)
        # For the theme's links: the URLs read once here, not again on every page.
        article.related_urls = [url_of[id(r)] for r in article.related]
        article.series_nav = navs.get(_key(article, url)) if navs else None
        article.author_box = author_box(article, settings)
