"""RSS and Atom feeds of comments or mentions, read with feedparser.

What an entry is, in this order:
* a webmention.io mention (the feed is webmention.io's): a webmention whose
  source and target are the first and last URL of its summary;
* a comment: it has `thr:in-reply-to` (Blogger, Atom threading), or a link
  with a `#comment-`/`#c` fragment and a "By: " title (WordPress comment feeds);
* otherwise a post: not imported, but a `wfw:commentRss` or `rel="replies"`
  link is reported as a comment feed, which `collect` follows.

The document is first streamed through the defusedxml parser (no entities,
no external references; errors name line and column); feedparser's `bozo`
flag is checked as well, so a truncated feed is refused rather than half read.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag

import feedparser

from backchannel.field_policy import http_url
from backchannel.importers.records import (
    ArticleRef,
    ImportSourceError,
    Record,
    clean_name,
    clean_text,
)
from backchannel.importers.xmlstream import iterparse, open_source
from backchannel.model import Kind, MentionType, State

HARMLESS_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_URL = re.compile(r"https?://[^\s<>\"]+")
_VERBS = {
    "liked": MentionType.LIKE,
    "reposted": MentionType.REPOST,
    "bookmarked": MentionType.BOOKMARK,
    "replied": MentionType.REPLY,
}


@dataclass
class FeedDocument:
    """A parsed feed: the records it holds and the comment feeds it points at."""

    records: list[Record] = field(default_factory=list)
    comment_feeds: list[dict[str, Any]] = field(default_factory=list)


def strip_http_head(data: bytes) -> bytes:
    """The body of a raw captured HTTP response (status line, headers, blank line)."""
    if data.startswith(b"HTTP/"):
        _head, sep, body = data.partition(b"\r\n\r\n")
        if not sep:
            _head, sep, body = data.partition(b"\n\n")
        if sep:
            return body
    return data


def _date(entry: Any) -> datetime | None:
    parsed = entry.get("published_parsed") or entry.get("updated_parsed")
    if not parsed:
        return None
    return datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)


def _body(entry: Any) -> str:
    content = entry.get("content")
    if content:
        return clean_text(content[0].get("value"))
    return clean_text(entry.get("summary"))


def _author(entry: Any) -> tuple[str, str | None]:
    detail = entry.get("author_detail") or {}
    name = detail.get("name") or entry.get("author") or ""
    return clean_name(name), http_url(detail.get("href"))


def parse_feed(data: bytes, name: str) -> FeedDocument:
    """Every comment or mention of one feed document."""
    data = strip_http_head(data)
    for _ in iterparse(open_source(data), name, events=("end",)):
        pass  # safety and well-formedness first, with positions
    parsed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if parsed.bozo and not isinstance(parsed.bozo_exception, HARMLESS_BOZO):
        exc = parsed.bozo_exception
        line = exc.getLineNumber() if hasattr(exc, "getLineNumber") else 0
        raise ImportSourceError(f"feedparser could not read the feed: {exc}", name, line)
    if not parsed.version:
        raise ImportSourceError("not an RSS or Atom feed", name, 1, 1)
    feed = parsed.feed
    feed_id = feed.get("id") or feed.get("link") or name
    is_webmention_io = "webmention.io" in feed_id or "webmention.io" in feed.get("link", "")
    origin = f"feed:{feed_id}"
    doc = FeedDocument()
    for entry in parsed.entries:
        record = _mention(entry, origin) if is_webmention_io else _comment(entry, origin, feed)
        if record is not None:
            doc.records.append(record)
            continue
        links = {link.get("rel"): link for link in entry.get("links", [])}
        comments_url = entry.get("wfw_commentrss") or (links.get("replies") or {}).get("href")
        if comments_url:
            count = entry.get("slash_comments") or (links.get("replies") or {}).get("thr_count")
            doc.comment_feeds.append(
                {
                    "feed": comments_url,
                    "post": entry.get("link"),
                    "title": clean_name(entry.get("title")) or None,
                    "comments": int(count) if str(count or "").isdigit() else None,
                }
            )
    return doc


def _comment(entry: Any, origin: str, feed: Any) -> Record | None:
    link = entry.get("link") or ""
    reply_to = entry.get("thr_in-reply-to")
    post_url, fragment = urldefrag(link)
    title = entry.get("title") or ""
    by_title = title.startswith("By: ") or (feed.get("title") or "").startswith("Comments on")
    if reply_to:
        post_url = reply_to.get("href") or post_url
    elif not (by_title and fragment):
        return None
    author, author_url = _author(entry)
    if not author and title.startswith("By: "):
        author = clean_name(title[4:])
    return Record(
        origin=origin,
        origin_id=entry.get("id") or link,
        kind=Kind.COMMENT,
        state=State.INBOX,  # collected feedback is moderated like any other
        author=author,
        date=_date(entry),
        body=_body(entry),
        article=ArticleRef(
            url=http_url(post_url),
            title=clean_name(feed.get("title", "")).removeprefix("Comments on: ") or None,
        ),
        author_url=author_url,
    )


def _mention(entry: Any, origin: str) -> Record:
    text = entry.get("summary") or ""
    urls = _URL.findall(text)
    source = urls[0] if urls else entry.get("link")
    target = urls[-1] if len(urls) > 1 else None
    title = entry.get("title") or ""
    verb = next((t for w, t in _VERBS.items() if f" {w} " in f" {title} "), MentionType.MENTION)
    author, author_url = _author(entry)
    return Record(
        origin=origin,
        origin_id=entry.get("id") or source or "",
        kind=Kind.WEBMENTION,
        state=State.INBOX,
        author=author
        if author and author != "webmention.io"
        else (title.split(" ", 1)[0] if title else "unknown"),
        date=_date(entry),
        body=clean_text(text),
        article=ArticleRef(url=http_url(target)),
        source=http_url(source),
        title=clean_name(title) or None,
        author_url=author_url,
        mention_type=verb,
    )


def parse(data: bytes, name: str) -> Iterator[Record]:
    """Records of a fetched feed."""
    return iter(parse_feed(data, name).records)


def read(source: str) -> Iterator[Record]:
    """Records of a feed file."""
    try:
        data = Path(source).read_bytes()
    except OSError as exc:
        raise ImportSourceError(f"cannot read: {exc.strerror}", source) from None
    return parse(data, source)
