"""Atom (RFC 4287) feeds of comments: one per article and one for the whole site."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from feedgenerator import Atom1Feed

from backchannel.render import plain_text
from backchannel.thread import SITE_FEED, CommentNode, Thread


def _absolute(siteurl: str, path: str) -> str:
    return f"{siteurl.rstrip('/')}/{path.lstrip('/')}" if siteurl else f"/{path.lstrip('/')}"


def _summary(node: CommentNode, limit: int = 80) -> str:
    text = " ".join(plain_text(node.item.body if node.item else "").split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _add(feed: Atom1Feed, node: CommentNode, article: Any, siteurl: str) -> None:
    link = _absolute(siteurl, f"{article.url}#comment-{node.id}")
    feed.add_item(
        title=f"{node.author} on {article.title}: {_summary(node, 60)}",
        link=link,
        unique_id=f"urn:backchannel:comment:{node.id}",
        description=str(node.html),
        content=str(node.html),
        author_name=node.author,
        author_link=node.author_url,
        pubdate=node.date,
        updateddate=node.date,
    )


def comment_feed(thread: Thread, article: Any, siteurl: str, sitename: str) -> str:
    """One article's comments as an Atom document, oldest first."""
    article_url = _absolute(siteurl, article.url)
    feed = Atom1Feed(
        title=f"Comments on {article.title} — {sitename}",
        link=article_url,
        description=f"Comments on {article.title}",
        feed_url=_absolute(siteurl, thread.feed_url),
        feed_guid=f"urn:backchannel:thread:{thread.id}",
    )
    for node in sorted(thread.all_comments(), key=lambda n: (n.date, n.id)):
        _add(feed, node, article, siteurl)
    feed.latest_post_date = lambda: max(  # deterministic: no "now" in output
        [n.date for n in thread.all_comments()] or [article.date]
    )
    return feed.writeString("utf-8")


def site_feed(
    threads: Iterable[tuple[Thread, Any]], siteurl: str, sitename: str, limit: int
) -> str:
    """The latest comments across the whole site, newest first."""
    entries = [(node, article) for thread, article in threads for node in thread.all_comments()]
    entries.sort(key=lambda pair: (pair[0].date, pair[0].id), reverse=True)
    entries = entries[:limit]
    feed = Atom1Feed(
        title=f"Comments — {sitename}",
        link=_absolute(siteurl, ""),
        description=f"Latest comments on {sitename}",
        feed_url=_absolute(siteurl, SITE_FEED),
        feed_guid="urn:backchannel:comments",
    )
    for node, article in entries:
        _add(feed, node, article, siteurl)
    newest = [node.date for node, _ in entries]
    if newest:
        feed.latest_post_date = lambda: max(newest)
    return feed.writeString("utf-8")


def write_feeds(
    output: Path, threads: dict[str, Thread], articles: dict[str, Any], settings: dict[str, Any],
    limit: int,
) -> list[Path]:
    """Write every comment feed under `output`; returns the files written."""
    siteurl = settings.get("SITEURL", "")
    sitename = settings.get("SITENAME", "")
    written = []
    for tid, thread in threads.items():
        path = output / thread.feed_url
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(comment_feed(thread, articles[tid], siteurl, sitename), "utf-8")
        written.append(path)
    path = output / SITE_FEED
    pairs = [(threads[tid], articles[tid]) for tid in threads]
    path.write_text(site_feed(pairs, siteurl, sitename, limit), "utf-8")
    written.append(path)
    return written
