"""Blogger Atom export: comments (entries of kind#comment) and the posts they answer.

A comment names its post with `thr:in-reply-to` (ref and href); a reply to a
comment has a `link rel="related"` to its parent comment.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from xml.etree.ElementTree import Element

from backchannel.field_policy import http_url
from backchannel.importers.records import (
    ArticleRef,
    ImportSourceError,
    Record,
    clean_name,
    clean_text,
    iso_date,
)
from backchannel.importers.xmlstream import Source, child_text, local, top_level
from backchannel.model import Kind, State

KIND_SCHEME = "http://schemas.google.com/g/2005#kind"
NOREPLY = "noreply@blogger.com"


def _kind(entry: Element) -> str:
    for child in entry:
        if local(child.tag) == "category" and child.get("scheme") == KIND_SCHEME:
            return child.get("term", "").rpartition("#")[2]
    return ""


def _post_key(tag_id: str) -> str:
    """`tag:blogger.com,1999:blog-1.post-42` -> `post-42`."""
    return tag_id.strip().rpartition(".")[2]


def _links(entry: Element) -> dict[str, str]:
    return {c.get("rel", ""): c.get("href", "") for c in entry if local(c.tag) == "link"}


def parse(source: Source, name: str) -> Iterator[Record]:
    """Every comment of a Blogger export (its path, or its bytes as fetched), in file order."""
    posts: dict[str, ArticleRef] = {}
    origin = "blogger"
    for elem in top_level(source, name, "feed", "Blogger export"):
        tag = local(elem.tag)
        if tag == "id":
            origin = "blogger:" + (elem.text or "").strip().removesuffix(".archive")
        elif tag == "generator" and "blogger" not in (elem.get("uri") or "").lower():
            raise ImportSourceError(
                "not a Blogger export (the generator is not Blogger)", name, 1, 1
            )
        elif tag == "entry":
            kind = _kind(elem)
            if kind == "post":
                key = _post_key(child_text(elem, "id") or "")
                posts[key] = ArticleRef(
                    url=http_url(_links(elem).get("alternate")),
                    permalink=key,
                    title=clean_name(child_text(elem, "title")) or None,
                )
            elif kind == "comment":
                yield _comment(elem, posts, origin)


def _comment(entry: Element, posts: dict[str, ArticleRef], origin: str) -> Record:
    reply_to = next((c for c in entry if local(c.tag) == "in-reply-to"), None)
    post_key = _post_key(reply_to.get("ref", "")) if reply_to is not None else ""
    ref = posts.get(post_key) or ArticleRef(
        url=http_url(reply_to.get("href")) if reply_to is not None else None,
        permalink=post_key or None,
    )
    related = _links(entry).get("related", "")
    parent = "post-" + related.rstrip("/").rpartition("/")[2] if related else None
    author = next((c for c in entry if local(c.tag) == "author"), None)
    email = (child_text(author, "email") or "").strip() if author is not None else ""
    return Record(
        origin=origin,
        origin_id=_post_key(child_text(entry, "id") or ""),
        kind=Kind.COMMENT,
        state=State.PUBLISHED,
        author=clean_name(child_text(author, "name")) if author is not None else "",
        date=iso_date(child_text(entry, "published")),
        body=clean_text(child_text(entry, "content")),
        article=ref,
        author_url=http_url(child_text(author, "uri")) if author is not None else None,
        email=email if email and email != NOREPLY else None,
        parent_origin_id=parent,
    )


def read(source: str) -> Iterator[Record]:
    """Records of a Blogger export file."""
    return parse(Path(source), source)
