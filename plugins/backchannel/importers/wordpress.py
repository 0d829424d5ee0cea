"""WordPress eXtended RSS (WXR 1.0-1.2): comments, replies, trackbacks, pingbacks.

States: approved `1` -> published, `0` -> inbox, `spam` -> spam, `trash` (and
`post-trashed`) -> not imported, counted as skipped. Dates come from
`comment_date_gmt` (UTC); when that is missing or zero, `comment_date` is
taken as UTC. Comment ids are unique only per post in real exports, so the
origin id is `<post>/<comment>`.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
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
from backchannel.importers.xmlstream import (
    Source,
    child_text,
    declare_prefixes,
    iterparse,
    local,
    open_source,
)
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


def parse_wxr(source: Source, name: str) -> Iterator[Record]:
    """Every comment of a WXR export, in file order."""
    stream = declare_prefixes(open_source(source), "rss", KNOWN_PREFIXES)
    origin = "wordpress"
    path: list[str] = []
    channel: ET.Element | None = None
    comments: list[dict[str, str]] = []
    seen_wp = False
    for event, elem in iterparse(stream, name):
        tag = local(elem.tag)
        if event == "start":
            if not path and tag != "rss":
                raise ImportSourceError(
                    f"not a WordPress WXR file (root element is <{tag}>, expected <rss>)",
                    name,
                    1,
                    1,
                )
            if "wordpress.org/export/" in elem.tag:
                seen_wp = True
            if tag == "channel" and len(path) == 1:
                channel = elem
            path.append(tag)
            continue
        path.pop()
        if tag == "link" and path == ["rss", "channel"]:
            origin = f"wordpress:{(elem.text or '').strip().rstrip('/')}"
        elif tag == "comment" and path[-2:] == ["channel", "item"]:
            comments.append({local(c.tag): c.text or "" for c in elem})
            elem.clear()
        elif tag == "item" and path == ["rss", "channel"]:
            post_id = (child_text(elem, "post_id") or "").strip()
            link = (child_text(elem, "link") or "").strip()
            guid = (child_text(elem, "guid") or "").strip()
            ref = ArticleRef(
                url=link or None,
                permalink=guid or None,
                slug=(child_text(elem, "post_name") or "").strip() or None,
                title=clean_name(child_text(elem, "title")) or None,
            )
            post_key = post_id or guid or link
            for fields in comments:
                yield _comment(fields, origin, post_key, ref)
            comments.clear()
            elem.clear()
            if channel is not None:
                del channel[:]  # drop finished items so memory stays flat
    if not seen_wp:
        raise ImportSourceError(
            "not a WordPress WXR file (no wordpress.org/export namespace)", name, 1, 1
        )


def read(source: str) -> Iterator[Record]:
    """Records of a WXR file."""
    return parse_wxr(Path(source), source)


def parse(data: bytes, name: str) -> Iterator[Record]:
    """Records of a fetched WXR export."""
    return parse_wxr(data, name)
