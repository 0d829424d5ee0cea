"""WordPress eXtended RSS (WXR 1.0-1.2): comments, replies, trackbacks, pingbacks.

States: approved `1` -> published, `0` -> inbox, `spam` -> spam, `trash` (and
`post-trashed`) -> not imported, counted as skipped. Dates come from
`comment_date_gmt` (UTC); when that is missing or zero, `comment_date` is
taken as UTC. Comment ids are unique only per post in real exports, so the
origin id is `<post>/<comment>`.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

from backchannel.importers.records import (
    ArticleRef,
    ImportSourceError,
    Record,
    clean_name,
    clean_text,
    http_url,
    utc_from_naive,
)
from backchannel.importers.xmlstream import Source, declare_prefixes, feed, open_source
from backchannel.model import Kind, State

logger = logging.getLogger(__name__)

# Prefixes WordPress used; 2.x exports forgot to declare `excerpt`.
KNOWN_PREFIXES = {
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "wfw": "http://wellformedweb.org/CommentAPI/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
STATES = {"1": State.PUBLISHED, "0": State.INBOX, "spam": State.SPAM}
SKIPPED = {"trash": "trash", "post-trashed": "trash (post trashed)"}
KINDS = {
    "": Kind.COMMENT,
    "comment": Kind.COMMENT,
    "trackback": Kind.TRACKBACK,
    "pingback": Kind.PINGBACK,
}


def _comment(fields: dict[str, str], origin: str, post_key: str, ref: ArticleRef) -> Record:
    cid = fields.get("comment_id", "").strip()
    kind = KINDS.get(fields.get("comment_type", "").strip().lower(), Kind.COMMENT)
    approved = fields.get("comment_approved", "1").strip().lower()
    state = STATES.get(approved, State.INBOX)
    skip = SKIPPED.get(approved)
    date = utc_from_naive(fields.get("comment_date_gmt", "")) or utc_from_naive(
        fields.get("comment_date", "")
    )
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
    )


class _WxrReader:
    """expat handlers that gather each `<item>`'s fields and comments (see xmlstream.feed).

    Only the texts an importer needs are kept: the channel's link, an item's
    direct fields (the first of a name counts) and its comments' fields. A
    field's value is its text before any child element, as ElementTree's
    `.text` gives it, so records (and derived ids) match the earlier parser's.
    """

    def __init__(self, name: str) -> None:
        self.name = name
        self.origin = "wordpress"
        self.depth = 0
        self.seen_wp = False
        self.in_channel = False
        self.channel: dict[str, str] = {}
        self.item: dict[str, str] | None = None
        self.comment: dict[str, str] | None = None
        self.comments: list[dict[str, str]] = []
        self.records: list[Record] = []
        # The field being read: where it goes, its name, its depth, its text so far.
        self.target: dict[str, str] | None = None
        self.key = ""
        self.field_depth = 0
        self.text: list[str] = []

    def _open(self, target: dict[str, str], key: str, depth: int) -> None:
        self.target = target
        self.key = key
        self.field_depth = depth
        self.text = []

    def _close(self) -> None:
        target = self.target
        if target is not None and not (target is self.item and self.key in target):
            target[self.key] = "".join(self.text)
        self.target = None

    def start(self, tag: str, _attrs: list[str]) -> None:
        """An element opens."""
        depth = self.depth = self.depth + 1
        if self.target is not None:
            self._close()  # text after a child element is not the field's
        name = tag.rpartition("}")[2]
        if not self.seen_wp and "wordpress.org/export/" in tag:
            self.seen_wp = True
        if depth == 1:
            if name != "rss":
                raise ImportSourceError(
                    f"not a WordPress WXR file (root element is <{name}>, expected <rss>)",
                    self.name,
                    1,
                    1,
                )
        elif depth == 2:
            self.in_channel = name == "channel"
        elif not self.in_channel:
            return
        elif depth == 3:
            if name == "item":
                self.item = {}
            elif name == "link":
                self._open(self.channel, name, depth)
        elif self.item is None:
            return
        elif depth == 4:
            if name == "comment":
                self.comment = {}
            else:
                self._open(self.item, name, depth)
        elif depth == 5 and self.comment is not None:
            self._open(self.comment, name, depth)

    def data(self, text: str) -> None:
        """Character data."""
        if self.target is not None:
            self.text.append(text)

    def end(self, tag: str) -> None:
        """An element closes."""
        depth = self.depth
        self.depth = depth - 1
        if self.target is not None and depth == self.field_depth:
            self._close()
        if not self.in_channel:
            return
        if depth == 4 and self.comment is not None:
            self.comments.append(self.comment)
            self.comment = None
        elif depth == 3:
            name = tag.rpartition("}")[2]
            if name == "link":
                self.origin = f"wordpress:{self.channel.get('link', '').strip().rstrip('/')}"
            elif name == "item" and self.item is not None:
                self._emit(self.item)
                self.item = None
                self.comments = []

    def _emit(self, item: dict[str, str]) -> None:
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
        origin = self.origin
        self.records.extend(_comment(fields, origin, post_key, ref) for fields in self.comments)


def parse_wxr(source: Source, name: str) -> Iterator[Record]:
    """Every comment of a WXR export, in file order."""
    stream = declare_prefixes(open_source(source), "rss", KNOWN_PREFIXES)
    reader = _WxrReader(name)
    for _ in feed(stream, name, reader.start, reader.end, reader.data):
        yield from reader.records
        reader.records.clear()
    if not reader.seen_wp:
        raise ImportSourceError(
            "not a WordPress WXR file (no wordpress.org/export namespace)", name, 1, 1
        )


def read(source: str) -> Iterator[Record]:
    """Records of a WXR file."""
    return parse_wxr(Path(source), source)


def parse(data: bytes, name: str) -> Iterator[Record]:
    """Records of a fetched WXR export."""
    return parse_wxr(data, name)
