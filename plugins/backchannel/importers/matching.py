"""Map what a source says about a post to a local article: URL, permalink, slug, title.

In that order, each tried directly and through BACKCHANNEL_ALIASES (old slug,
URL or path -> article id). An item whose post matches nothing gets a slug
guess as its `Article` and keeps the post's URL, so it attaches itself at
build time once that article, or an alias for it, exists.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

from backchannel.build.articles import ArticleInfo
from backchannel.importers.records import ArticleRef
from backchannel.model import ARTICLE_RE

_INDEX = re.compile(r"/(index\.html?|index\.php)$")
_EXT = re.compile(r"\.(html?|php)$")


def url_key(url: str) -> str:
    """A URL or path reduced to its path: no scheme, host, query, index file or slashes."""
    parts = urlsplit(url.strip())
    path = unquote(parts.path)
    path = _INDEX.sub("", "/" + path.lstrip("/"))
    path = _EXT.sub("", path).strip("/")
    return path.lower()


def last_segment(url: str) -> str:
    """The last path segment of a URL without its extension (a post's likely slug)."""
    key = url_key(url)
    return key.rpartition("/")[2]


def title_key(title: str) -> str:
    """A title compared without case or spacing differences."""
    return " ".join(title.casefold().split())


def slug_guess(ref: ArticleRef) -> str:
    """A valid article id guessed from what the source says (slug, URL, title)."""
    from pelican.utils import slugify

    for candidate in (
        ref.slug,
        last_segment(ref.url or ""),
        last_segment(ref.permalink or ""),
        slugify(ref.title or "") if ref.title else None,
    ):
        if not candidate:
            continue
        text = re.sub(r"[^\w.-]+", "-", candidate.strip()).strip("-.")[:200]
        if text and ARTICLE_RE.match(text):
            return text
    return "unknown"


class ArticleIndex:
    """Local articles, looked up the way the importers need."""

    def __init__(
        self, articles: Iterable[ArticleInfo], aliases: dict[str, str], siteurl: str = ""
    ) -> None:
        self.ids: set[str] = set()
        self.by_url: dict[str, str] = {}
        self.by_slug: dict[str, str] = {}
        self.by_title: dict[str, str | None] = {}
        self.aliases = dict(aliases)
        for article in articles:
            self.ids.add(article.id)
            self.by_url[url_key(article.url)] = article.id
            if siteurl:
                self.by_url[url_key(article.absolute_url(siteurl))] = article.id
            self.by_slug[article.slug.lower()] = article.id
            self.by_slug[article.id.lower()] = article.id
            key = title_key(article.title)
            # Two articles with one title: a title cannot tell them apart.
            self.by_title[key] = None if key in self.by_title else article.id
        for old in list(self.aliases):
            target = self._follow(old)
            if target:
                self.by_url.setdefault(url_key(old), target)

    def _follow(self, key: str) -> str | None:
        for _ in range(10):  # an alias chain, never a cycle
            if key in self.ids:
                return key
            if key not in self.aliases:
                return None
            key = self.aliases[key]
        return None

    def _by_link(self, link: str | None) -> str | None:
        if not link:
            return None
        return self._follow(link) or self.by_url.get(url_key(link))

    def match(self, ref: ArticleRef) -> str | None:
        """The article id the reference points at, or None."""
        found = self._by_link(ref.url) or self._by_link(ref.permalink)
        if found:
            return found
        for slug in (ref.slug, last_segment(ref.url or "") if ref.url else None):
            if slug:
                found = self._follow(slug) or self.by_slug.get(slug.lower())
                if found:
                    return found
        if ref.title:
            return self.by_title.get(title_key(ref.title))
        return None
