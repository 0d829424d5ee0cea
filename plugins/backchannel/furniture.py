"""Reader furniture on the article page: related posts, series navigation, author box.

Attached in `article_generator_finalized` as plain attributes the theme reads
(`article.related`, `article.series_nav`, `article.author_box`); a theme
without the plugin simply finds them undefined. Everything here is a function
of the articles and the settings, so every build gives the same pages, and
the fast republisher (which only splices the feedback partials) never
touches it.
"""

from __future__ import annotations

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


def related(article: Any, pool: list[Any], limit: int = RELATED_MAX) -> list[Any]:
    """Other articles sharing tags or the category: most shared tags first, then newest."""
    tags = {t.slug for t in getattr(article, "tags", None) or []}
    category = getattr(article, "category", None)
    scored = []
    for other in pool:
        if other is article or getattr(other, "lang", None) != getattr(article, "lang", None):
            continue
        shared = len(tags & {t.slug for t in getattr(other, "tags", None) or []})
        same = category is not None and getattr(other, "category", None) == category
        if shared or same:
            scored.append((shared, same, other.date, other.url, other))
    scored.sort(key=lambda s: s[:4], reverse=True)
    return [s[-1] for s in scored[:limit]]


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
    name = settings.site_author
    authors = list(getattr(article, "authors", None) or [])
    author = next((a for a in authors if str(a) == name), None)
    if authors and author is None:
        return None  # a guest post: the bio is not theirs
    url = settings["AUTHOR_URL"]
    if url:
        return AuthorBox(name, url, bio, settings["AUTHOR_PHOTO"])
    # No URL set: the author's page the site itself builds.
    local = getattr(author, "url", "") if author is not None else ""
    return AuthorBox(name, local, bio, settings["AUTHOR_PHOTO"], local=bool(local))


def attach(articles: list[Any], settings: Resolved) -> None:
    """Set `related`, `series_nav` and `author_box` on every article."""
    navs = series(articles)
    for article in articles:
        article.related = related(article, articles)
        article.series_nav = navs.get(_key(article))
        article.author_box = author_box(article, settings)


def on_article_generator_finalized(generator: Any) -> None:
    """Attach the furniture to the published articles and their translations."""
    from backchannel.bake import resolved_settings

    articles = list(generator.articles)
    for article in generator.articles:
        articles.extend(article.translations)
    attach(articles, resolved_settings(generator.settings))
