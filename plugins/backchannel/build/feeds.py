"""Atom (RFC 4287) feeds of comments: one per article and one for the whole site.

Written with plain string building and XML escaping rather than feedgenerator,
whose SAX writer cost more per entry than the rest of the feed: a site has as many
entries as comments. tests/test_site.py checks the output with
feedparser (no bozo flag) and test_feeds.py checks RFC 4287's required elements.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from html import escape as _escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.build.render import plain_text
from backchannel.build.thread import SITE_FEED, CommentNode, Thread
from backchannel.field_policy import clip

if TYPE_CHECKING:
    from backchannel.build.fragments import Fragments

ATOM = "{http://www.w3.org/2005/Atom}"
COMMENT_URN = "urn:backchannel:comment:"


# html.escape rather than xml.sax.saxutils, whose import pulls in urllib.request
# and ssl, which `backchannel approve` (it rewrites feeds) needs nowhere else.
def escape(text: str) -> str:
    """Escape text for an XML element (&, <, >)."""
    return _escape(text, quote=False)


def quoteattr(text: str) -> str:
    """Escape and double-quote text for an XML attribute."""
    return f'"{_escape(text, quote=True)}"'


def _absolute(siteurl: str, path: str) -> str:
    return f"{siteurl.rstrip('/')}/{path.lstrip('/')}" if siteurl else f"/{path.lstrip('/')}"


def _summary(node: CommentNode, limit: int = 60) -> str:
    text = plain_text(node.item.body) if node.item else ""
    return clip(" ".join(text.split()), limit)


def _date(value: datetime) -> str:
    return value.isoformat(timespec="seconds")


def _entry(node: CommentNode, article_url: str, title: str) -> str:
    author = f"<name>{escape(node.author)}</name>"
    if node.author_url:
        author += f"<uri>{escape(node.author_url)}</uri>"
    link = f"{article_url}#comment-{node.id}"
    date = node.date_iso  # formatted on each access
    return (
        "<entry>"
        f"<title>{escape(f'{node.author} on {title}: {_summary(node)}')}</title>"
        f'<link href={quoteattr(link)} rel="alternate"/>'
        f"<id>{COMMENT_URN}{escape(node.id)}</id>"
        f"<published>{date}</published><updated>{date}</updated>"
        f"<author>{author}</author>"
        f'<content type="html">{escape(str(node.html))}</content>'
        "</entry>"
    )


def _feed(
    title: str, link: str, self_url: str, feed_id: str, updated: datetime, entries: Iterable[str]
) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>{escape(title)}</title>"
        f'<link href={quoteattr(link)} rel="alternate"/>'
        f'<link href={quoteattr(self_url)} rel="self"/>'
        f"<id>{escape(feed_id)}</id><updated>{_date(updated)}</updated>"
        + "".join(entries)
        + "</feed>\n"
    )


def comment_feed(thread: Thread, article: Any, siteurl: str, sitename: str) -> str:
    """One article's comments as an Atom document, oldest first."""
    # The URL the build read once (Pelican works `article.url` out again on every access).
    article_url = _absolute(siteurl, thread.article_url or article.url)
    nodes = sorted(thread.all_comments(), key=lambda n: (n.date, n.id))
    # The newest comment, not the build time: a rebuild changes nothing.
    updated = max([n.date for n in nodes] or [article.date])
    return _feed(
        f"Comments on {article.title} — {sitename}",
        article_url,
        _absolute(siteurl, thread.feed_url),
        f"urn:backchannel:thread:{thread.id}",
        updated,
        (_entry(n, article_url, article.title) for n in nodes),
    )


def site_feed(
    threads: Iterable[tuple[Thread, Any]], siteurl: str, sitename: str, limit: int
) -> str:
    """The latest comments across the whole site, newest first."""
    threads = list(threads)
    entries = [(node, article) for thread, article in threads for node in thread.all_comments()]
    entries.sort(key=lambda pair: (pair[0].date, pair[0].id), reverse=True)
    return latest_feed(entries[:limit], [a for _, a in threads], siteurl, sitename)


def latest_feed(
    entries: list[tuple[CommentNode, Any]], articles: Iterable[Any], siteurl: str, sitename: str
) -> str:
    """The site feed of `entries` (the latest comments and their articles, newest first)."""
    # Never "now": a rebuild with nothing new must write the same bytes.
    oldest = min((a.date for a in articles), default=datetime.fromtimestamp(0, UTC))
    updated = entries[0][0].date if entries else oldest
    return _feed(
        f"Comments — {sitename}",
        _absolute(siteurl, ""),
        _absolute(siteurl, SITE_FEED),
        "urn:backchannel:comments",
        updated,
        (_entry(n, _absolute(siteurl, a.url), a.title) for n, a in entries),
    )


def feed_text(thread: Thread, article: Any, settings: dict[str, Any], fragments: Fragments) -> str:
    """One article's comment feed, from the build's `fragments` cache if it can."""
    siteurl = settings.get("SITEURL", "")
    sitename = settings.get("SITENAME", "")

    def make() -> str:
        return comment_feed(thread, article, siteurl, sitename)

    return fragments.get(("feed", thread.id, thread.fingerprint, siteurl, sitename), make)


def write_feeds(
    output: Path,
    threads: dict[str, Thread],
    articles: dict[str, Any],
    settings: dict[str, Any],
    latest: list[tuple[CommentNode, Any]],
    fragments: Fragments,
) -> list[Path]:
    """Write every comment feed and the site feed of `latest` under `output`; the files written.

    With the build's `fragments`, an article's feed whose thread, article and site are as
    in the last build is taken from the cache rather than made again.
    """
    written = []
    for tid, thread in threads.items():
        path = output / thread.feed_url
        _write(path, feed_text(thread, articles[tid], settings, fragments))
        thread.release()
        written.append(path)
    path = output / SITE_FEED
    siteurl = settings.get("SITEURL", "")
    _write(path, latest_feed(latest, articles.values(), siteurl, settings.get("SITENAME", "")))
    written.append(path)
    return written


def _write(path: Path, text: str) -> None:
    # Written in place, as Pelican writes the pages beside it: a build makes output/ again
    # from the store, and a temp file renamed into place cost each of its ~1,000 feeds a
    # second directory operation. (The fast republisher, which updates a live site without
    # a build, places whole files: republish.py.)
    data = text.encode("utf-8")
    try:
        path.write_bytes(data)
    except FileNotFoundError:  # the first feed of its folder
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def site_feed_entries(
    path: Path, siteurl: str, article_ids: dict[str, str]
) -> list[tuple[str, str | None]] | None:
    """(comment id, article id) of each entry of a site feed written by `site_feed`.

    None when the file is missing or not one of ours: the caller then rebuilds it
    from every thread. `article_ids` maps an article's URL to its id.
    """
    from defusedxml import ElementTree

    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return None
    base = siteurl.rstrip("/") + "/"
    out = []
    for entry in root.iter(f"{ATOM}entry"):
        urn = entry.findtext(f"{ATOM}id") or ""
        if not urn.startswith(COMMENT_URN):
            return None
        link = entry.find(f"{ATOM}link")
        href = link.get("href", "") if link is not None else ""
        url = href.removeprefix(base).split("#")[0]
        out.append((urn[len(COMMENT_URN) :], article_ids.get(url)))
    return out
