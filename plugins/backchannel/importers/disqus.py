"""Disqus XML export: threads (-> articles by link) and posts with parents.

`isDeleted` posts are not imported (counted as skipped; a reply to one is kept
at the top level), `isSpam` posts go to spam, a post whose thread is not in
the export is skipped as an orphan: it names no page it could ever attach to.
A post without a `dsq:id` is skipped too (a re-import could not recognise it),
reported as `#N`, its position among the file's posts, so each is named apart.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backchannel.field_policy import http_url
from backchannel.importers.records import (
    ArticleRef,
    Record,
    clean_name,
    clean_text,
    iso_date,
)
from backchannel.importers.xmlstream import Source, child_text, local, top_level
from backchannel.model import Kind, State

DSQ_ID = "{http://disqus.com/disqus-internals}id"


def _ref_id(elem: object, name: str) -> str | None:
    for child in elem:  # type: ignore[attr-defined]
        if local(child.tag) == name:
            return child.get(DSQ_ID)
    return None


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def parse(source: Source, name: str) -> Iterator[Record]:
    """Every post of a Disqus export (its path, or its bytes as fetched), in file order."""
    threads: dict[str, ArticleRef] = {}
    forum = ""
    posts = 0
    for elem in top_level(source, name, "disqus", "Disqus export"):
        tag = local(elem.tag)
        if tag == "thread":
            link = (child_text(elem, "link") or "").strip()
            title = clean_name(child_text(elem, "title"))
            forum = forum or (child_text(elem, "forum") or "").strip()
            threads[elem.get(DSQ_ID, "")] = ArticleRef(
                url=link or None,
                permalink=(child_text(elem, "id") or "").strip() or None,
                title=title or None,
            )
        elif tag == "post":
            posts += 1
            yield _post(elem, threads, forum, posts)
        elif tag == "category":
            forum = forum or (child_text(elem, "forum") or "").strip()


def _post(elem: object, threads: dict[str, ArticleRef], forum: str, number: int) -> Record:
    post_id = elem.get(DSQ_ID, "").strip()  # type: ignore[attr-defined]
    thread_id = _ref_id(elem, "thread") or ""
    author = next((c for c in elem if local(c.tag) == "author"), None)  # type: ignore[attr-defined]
    ref = threads.get(thread_id)
    state: State | None = State.SPAM if _true(child_text(elem, "isSpam")) else State.PUBLISHED
    skip = None
    if not post_id:
        post_id = f"#{number}"
        state, skip = None, f"post {post_id} of the export has no dsq:id"
    elif _true(child_text(elem, "isDeleted")):
        state, skip = None, "deleted in Disqus"
    elif ref is None:
        state, skip = None, f"orphan: thread {thread_id} is not in the export"
    return Record(
        origin=f"disqus:{forum}" if forum else "disqus",
        origin_id=post_id,
        kind=Kind.COMMENT,
        state=state,
        skip_reason=skip,
        author=clean_name(child_text(author, "name")) if author is not None else "",
        date=iso_date(child_text(elem, "createdAt")),
        body=clean_text(child_text(elem, "message")),
        article=ref or ArticleRef(),
        author_url=http_url(child_text(author, "link")) if author is not None else None,
        email=(child_text(author, "email") or "").strip() or None if author is not None else None,
        ip=(child_text(elem, "ipAddress") or "").strip() or None,
        parent_origin_id=_ref_id(elem, "parent"),
    )


def read(source: str) -> Iterator[Record]:
    """Records of a Disqus export file."""
    return parse(Path(source), source)
