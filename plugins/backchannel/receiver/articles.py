"""The articles the receiver accepts feedback for, from the build's manifest.

Every build writes OUTPUT_PATH/backchannel-articles.json (ids, URLs, aliases,
SITEURL). The receiver reads it lazily and again whenever its mtime changes, so
a rebuild is picked up without restarting. Linkback targets are URLs: they map
to an article by path on one of our hosts (SITEURL's or the receiver's own;
never a Host header a client could choose), by the article URL or an alias.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from backchannel.build.manifest import MANIFEST
from backchannel.receiver.problems import RequestProblem
from backchannel.settings import Resolved

logger = logging.getLogger(__name__)


class ManifestError(RequestProblem):
    """The build's article manifest is missing or unreadable (503: build the site)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason, 503)


@dataclass(frozen=True)
class KnownArticle:
    """One article as the manifest lists it."""

    id: str
    url: str
    title: str


def _norm_path(path: str) -> str:
    """A URL path compared loosely: unquoted, no leading slash, index.html dropped."""
    return unquote(path).lstrip("/").removesuffix("index.html")


class Articles:
    """Lookup of known articles by id and by target URL; reloads on rebuild."""

    def __init__(self, settings: Resolved) -> None:
        output = settings.output_path
        if not output.is_absolute():
            output = settings.base_dir / output
        self.path = output / MANIFEST
        receiver = urlsplit(settings.receiver_url)
        self.receiver_host = (receiver.netloc or "").lower()
        self.receiver_origin = (
            f"{receiver.scheme}://{receiver.netloc}" if receiver.scheme and receiver.netloc else ""
        )
        self._mtime: int | None = None
        self._by_id: dict[str, KnownArticle] = {}
        self._by_path: dict[str, str] = {}
        self._siteurl = ""

    def _refresh(self) -> None:
        try:
            mtime = os.stat(self.path).st_mtime_ns
        except FileNotFoundError:
            raise ManifestError(
                f"no article manifest at {self.path}: build the site first (make html)"
            ) from None
        if mtime == self._mtime:
            return
        try:
            data = json.loads(self.path.read_text("utf-8"))
            entries = data["articles"]
            siteurl = str(data.get("siteurl") or "")
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ManifestError(f"cannot read article manifest {self.path}: {exc}") from exc
        by_id: dict[str, KnownArticle] = {}
        by_path: dict[str, str] = {}
        site_path = urlsplit(siteurl).path.strip("/")
        for entry in entries:
            article = KnownArticle(id=entry["id"], url=entry["url"], title=entry.get("title", ""))
            by_id[article.id] = article
            by_path[_norm_path(article.url)] = article.id
            for alias in entry.get("aliases", []):
                # An alias is an old slug, site path or full URL.
                parts = urlsplit(alias)
                path = _norm_path(parts.path)
                if site_path and path.startswith(site_path + "/"):
                    path = path[len(site_path) + 1 :]
                by_path.setdefault(path, article.id)
                by_id.setdefault(alias, article)
        self._by_id, self._by_path, self._siteurl = by_id, by_path, siteurl
        self._mtime = mtime
        logger.info("backchannel: receiver knows %d articles from %s", len(entries), self.path)

    def get(self, article_id: str) -> KnownArticle | None:
        """The article with this id (or alias), or None."""
        self._refresh()
        return self._by_id.get(article_id)

    @property
    def siteurl(self) -> str:
        """SITEURL of the last build."""
        self._refresh()
        return self._siteurl

    def siteurl_or_empty(self) -> str:
        """SITEURL of the last build, or "" before any (a page is then unstyled, still clear)."""
        try:
            return self.siteurl
        except RequestProblem:
            return ""

    def article_url(self, article: KnownArticle) -> str:
        """The URL of an article; never on a Host header a client could choose.

        SITEURL-based, else on the receiver's configured host, else site-relative.
        """
        base = self.siteurl.rstrip("/") or self.receiver_origin
        return f"{base}/{article.url}"

    def is_our_host(self, url: str) -> bool:
        """True when a URL points at SITEURL's host or the receiver's."""
        host = urlsplit(url).netloc.lower()
        ours = {self.receiver_host, urlsplit(self.siteurl).netloc.lower()} - {""}
        return bool(host) and host in ours

    def page_exists(self, url: str) -> bool:
        """True when a URL on our host names a built page (home, archives, tags, ...)."""
        self._refresh()
        path = unquote(urlsplit(url).path).lstrip("/")
        site_path = urlsplit(self._siteurl).path.strip("/")
        if site_path:
            if not (path + "/").startswith(site_path + "/"):
                return False
            path = path[len(site_path) :].lstrip("/")
        output = self.path.parent.resolve()
        page = (output / path).resolve()
        if not page.is_relative_to(output):
            return False
        return page.is_file() or (page / "index.html").is_file()

    def by_target(self, url: str) -> KnownArticle | None:
        """The article a linkback target URL names, or None if it names none of ours."""
        self._refresh()
        if not self.is_our_host(url):
            return None
        path = _norm_path(urlsplit(url).path)
        site_path = urlsplit(self._siteurl).path.strip("/")
        if site_path:
            if not (path + "/").startswith(site_path + "/"):
                return None
            path = path[len(site_path) :].lstrip("/")
        article_id = self._by_path.get(path)
        if article_id is None and not path.endswith("/") and path:
            article_id = self._by_path.get(path + "/")
        return self._by_id.get(article_id) if article_id else None
