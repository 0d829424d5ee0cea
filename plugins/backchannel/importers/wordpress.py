"""WordPress eXtended RSS (WXR 1.0-1.2): comments, replies, trackbacks, pingbacks.

States: approved `1` -> published, `0` -> inbox, `spam` -> spam, `trash` (and
`post-trashed`) -> not imported, counted as skipped. Dates come from
`comment_date_gmt` (UTC); when that is missing or zero, `comment_date` is
taken as UTC; a comment with no date at all gets its post's date (post_date_gmt,
post_date, then pubDate) and a note in the summary, so nothing is lost.
Only the channel's own RSS `<link>` names the site (WordPress.com adds an
`<atom:link>` beside it, which must not replace it). Comment ids are unique
only per post in real exports, so the origin id is `<post>/<comment>`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

from backchannel.field_policy import http_url
from backchannel.importers.records import (
    ArticleRef,
    ImportSourceError,
    Record,
    clean_name,
    clean_text,
    utc_from_naive,
)
from backchannel.importers.xmlstream import Source, declare_prefixes, feed, open_source
from backchannel.model import Kind, State

logger = logging.getLogger(__name__)

STATES = {"1": State.PUBLISHED, "0": State.INBOX, "spam": State.SPAM}
SKIPPED = {"trash": "trash", "post-trashed": "trash (post trashed)"}
KINDS = {
    "": Kind.COMMENT,
    "comment": Kind.COMMENT,
    "trackback": Kind.TRACKBACK,
    "pingback": Kind.PINGBACK,
}


def _post_date(item: dict[str, str]) -> datetime | None:
    """The post's own date, for a comment that has none."""
    date = utc_from_naive(item.get("post_date_gmt", "")) or utc_from_naive(
        item.get("post_date", "")
    )
    if date is None and item.get("pubDate", "").strip():
        try:
            date = parsedate_to_datetime(item["pubDate"].strip())
        except (TypeError, ValueError):
            return None
        if date.tzinfo is None:
            date = date.replace(tzinfo=UTC)
    return date


def _comment(
    fields: dict[str, str],
    origin: str,
    post_key: str,
    ref: ArticleRef,
    post_date: datetime | None = None,
) -> Record:
    cid = fields.get("comment_id", "").strip()
    kind = KINDS.get(fields.get("comment_type", "").strip().lower(), Kind.COMMENT)
    approved = fields.get("comment_approved", "1").strip().lower()
    state = STATES.get(approved, State.INBOX)
    skip = SKIPPED.get(approved)
    date = utc_from_naive(fields.get("comment_date_gmt", "")) or utc_from_naive(
        fields.get("comment_date", "")
    )
    note = None
    if date is None and post_date is not None:
        date = post_date
        note = "no date in the export; dated with its post's date"
    parent = fields.get("comment_parent", "").strip()
    url = http_url(fields.get("comment_author_url"))
    return Record(
        origin=origin,
        origin_id=f"{post_key}/{cid}",
        kind=kind,
        state=None if skip else state,
        skip_reason=skip,
        author=clean_name(fields.get("comment_author")),
        date=date,
        body=clean_text(fields.get("comment_content")),
        article=ref,
        author_url=url,
        email=(fields.get("comment_author_email") or "").strip() or None,
        ip=(fields.get("comment_author_IP") or "").strip() or None,
        parent_origin_id=f"{post_key}/{parent}" if parent not in ("", "0") else None,
        source=url if kind != Kind.COMMENT else None,
        title=clean_name(fields.get("comment_author")) if kind != Kind.COMMENT else None,
        note=note,
    )


class _Wxr:
    """What the handlers found so far: records ready to hand on, the origin, the namespace."""

    def __init__(self) -> None:
        self.records: list[Record] = []
        self.origin = "wordpress"
        self.seen_wp = False


def _in_channel(depth: int, local: str, name: str) -> bool:
    """Whether an element of depth 1 or 2 opens `<channel>`; a non-<rss> root is refused."""
    if depth == 1 and local != "rss":
        raise ImportSourceError(
            f"not a WordPress WXR file (root element is <{local}>, expected <rss>)", name, 1, 1
        )
    return depth == 2 and local == "channel"


def _wxr_handlers(name: str) -> tuple[_Wxr, Any, Any, Any]:  # noqa: PLR0915  three closures sharing local state, for speed (see below)
    """Expat handlers that gather each `<item>`'s fields and comments (see xmlstream.feed).

    Only the texts an importer needs are kept: the channel's link, an item's
    direct fields (the first of a name counts) and its comments' fields. A
    field's value is its text before any child element, as ElementTree's
    `.text` gives it, so records (and derived ids) match the earlier parser's.
    Closures over local state, because these run for every element of files
    with millions of them (attribute look-ups on an object cost more).
    """
    found = _Wxr()
    depth = 0
    in_channel = False
    channel: dict[str, str] = {}
    item: dict[str, str] | None = None
    comment: dict[str, str] | None = None
    comments: list[dict[str, str]] = []
    # The field being read: where it goes, its name, its depth, its text so far.
    target: dict[str, str] | None = None
    key = ""
    field_depth = 0
    text: list[str] = []

    def close() -> None:
        nonlocal target
        if target is not item or key not in target:  # type: ignore[operator]
            target[key] = "".join(text)  # type: ignore[index]
        target = None

    def start(tag: str, _attrs: list[str]) -> None:
        nonlocal depth, in_channel, item, comment, target, key, field_depth, text
        depth += 1
        if target is not None:
            close()  # text after a child element is not the field's
        if depth == 5:
            if comment is not None:
                target, key, field_depth, text = comment, tag.rpartition("}")[2], 5, []
            return
        local = tag.rpartition("}")[2]
        if not found.seen_wp and "wordpress.org/export/" in tag:
            found.seen_wp = True
        if depth <= 2:
            in_channel = _in_channel(depth, local, name)
        elif not in_channel or depth > 4:
            return
        elif depth == 3:
            if local == "item":
                item = {}
            elif tag == "link" and "link" not in channel:  # RSS's own, not atom:link
                target, key, field_depth, text = channel, local, 3, []
        elif item is not None:  # depth 4
            if local == "comment":
                comment = {}
            elif local != "link" or tag == "link":
                target, key, field_depth, text = item, local, 4, []

    def end(tag: str) -> None:
        nonlocal depth, item, comment, comments
        if target is not None and depth == field_depth:
            close()
        depth -= 1
        if depth >= 4 or not in_channel:
            return
        if depth == 3:
            if comment is not None:
                comments.append(comment)
                comment = None
        elif depth == 2:
            local = tag.rpartition("}")[2]
            if tag == "link":
                found.origin = f"wordpress:{channel.get('link', '').strip().rstrip('/')}"
            elif local == "item" and item is not None:
                _emit(found, item, comments)
                item = None
                comments = []

    def data(chunk: str) -> None:
        if target is not None:
            text.append(chunk)

    return found, start, end, data


def _emit(found: _Wxr, item: dict[str, str], comments: list[dict[str, str]]) -> None:
    post_id = item.get("post_id", "").strip()
    link = item.get("link", "").strip()
    guid = item.get("guid", "").strip()
    ref = ArticleRef(
        url=link or None,
        permalink=guid or None,
        slug=item.get("post_name", "").strip() or None,
        title=clean_name(item.get("title")) or None,
    )
    post_key = post_id or guid or link
    origin = found.origin
    post_date = _post_date(item)
    found.records.extend(_comment(fields, origin, post_key, ref, post_date) for fields in comments)


def parse(source: Source, name: str) -> Iterator[Record]:
    """Every comment of a WXR export (its path, or its bytes as fetched), in file order."""
    stream = declare_prefixes(open_source(source), "rss", name)
    found, start, end, data = _wxr_handlers(name)
    for _ in feed(stream, name, start, end, data):
        yield from found.records
        found.records.clear()
    if not found.seen_wp:
        raise ImportSourceError(
            "not a WordPress WXR file (no wordpress.org/export namespace)", name, 1, 1
        )


def read(source: str) -> Iterator[Record]:
    """Records of a WXR file."""
    return parse(Path(source), source)
