"""Deciding what a run sends: new links, changed posts, due retries, deletions.

Pure: articles + record + time in, a `Plan` out; no network, no writes. So
`--dry-run` shows exactly what a real run would do, and the rules are tested
without servers.

Rules, per (source, target) pair:
- a link never sent (or sent and later deleted) -> `new`;
- the post changed since: a delivered Webmention -> `update` (Webmention §3.1.3);
  a pair that failed, was refused or had no endpoint -> tried again from scratch;
  a Pingback or TrackBack -> nothing (those protocols have no update), the hash
  is refreshed;
- a temporary failure -> retried once `next_retry` has passed (exponential backoff);
- the post is gone (draft again or deleted) -> `delete` for delivered Webmentions
  (the receiver re-fetches the source and finds 410/404); the link is gone from
  the post -> `removed` (the receiver re-fetches and finds no link). Pingbacks
  and TrackBacks have no such notice: they are only marked deleted.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime

from backchannel.build.articles import ArticleInfo
from backchannel.sender.links import external_links
from backchannel.sender.record import Action, Entry, Protocol, SentRecord, Status


@dataclass(frozen=True)
class Task:
    """One linkback to send."""

    action: Action
    article: str
    source: str
    target: str
    content_hash: str
    entry: Entry | None
    info: ArticleInfo | None
    retry: bool = False  # a due retry of an earlier failure: attempts keep counting


@dataclass(frozen=True)
class Waiting:
    """A pair left alone this run, and why."""

    article: str
    source: str
    target: str
    reason: str


@dataclass
class Plan:
    """What a run will do."""

    tasks: list[Task] = field(default_factory=list)
    bookkeeping: list[Entry] = field(default_factory=list)  # record changes that send nothing
    waiting: list[Waiting] = field(default_factory=list)
    unchanged: int = 0


def content_hash(html: str) -> str:
    """A short hash of a post's rendered content: a change means an update."""
    return hashlib.sha256(html.encode("utf-8")).hexdigest()[:16]


def _retry_when_due(plan: Plan, entry: Entry, now: datetime, retry: Task) -> None:
    """A failed pair: its retry, once its back-off is over; until then it waits."""
    if not entry.next_retry or datetime.fromisoformat(entry.next_retry) <= now:
        plan.tasks.append(retry)
    else:
        why = f"retry after {entry.next_retry} ({entry.reason})"
        plan.waiting.append(Waiting(retry.article, retry.source, retry.target, why))


def _current(
    plan: Plan,
    info: ArticleInfo,
    *,
    source: str,
    target: str,
    digest: str,
    entry: Entry | None,
    now: datetime,
) -> None:
    def task(action: Action, retry: bool = False) -> Task:
        return Task(action, info.slug, source, target, digest, entry, info, retry)

    if entry is None or entry.status == Status.DELETED:
        plan.tasks.append(task(Action.NEW))
    elif entry.status == Status.FAILED and entry.action in (Action.DELETE, Action.REMOVED):
        # The post or link came back while its deletion notice was pending.
        plan.tasks.append(task(Action.UPDATE if entry.delivered else Action.NEW))
    elif entry.content_hash != digest:
        if entry.status == Status.SENT and entry.protocol != Protocol.WEBMENTION:
            plan.bookkeeping.append(entry.with_changes(content_hash=digest))
        else:
            plan.tasks.append(task(Action.UPDATE if entry.delivered else Action.NEW))
    elif entry.status == Status.FAILED:
        _retry_when_due(plan, entry, now, task(entry.action, retry=True))
    else:
        plan.unchanged += 1


def _gone(plan: Plan, entry: Entry, article_gone: bool, now: datetime) -> None:
    action = Action.DELETE if article_gone else Action.REMOVED
    if entry.status == Status.DELETED:
        return
    if entry.action == action and entry.status in (Status.REJECTED, Status.GAVE_UP):
        return
    notice = Task(
        action, entry.article, entry.source, entry.target, entry.content_hash, entry, None
    )
    if entry.action == action and entry.status == Status.FAILED:
        _retry_when_due(plan, entry, now, replace(notice, retry=True))
        return
    if entry.delivered:
        plan.tasks.append(notice)
        return
    what = "post" if article_gone else "link"
    if entry.status == Status.SENT:
        reason = f"{what} removed; {entry.protocol} has no deletion notice, nothing sent"
    else:
        reason = f"{what} removed before a linkback went through"
    plan.bookkeeping.append(
        entry.with_changes(status=Status.DELETED, action=action, reason=reason, next_retry=None)
    )


def make_plan(
    articles: list[ArticleInfo],
    record: SentRecord,
    siteurl: str,
    now: datetime,
    only_article: str | None = None,
) -> Plan:
    """Every send, retry and deletion notice due now, for all articles or one."""
    plan = Plan()
    current: set[tuple[str, str]] = set()
    sources: set[str] = set()
    for info in articles:
        source = info.absolute_url(siteurl)
        sources.add(source)
        digest = content_hash(info.html)
        for target in external_links(info.html, siteurl):
            current.add((source, target))
            if only_article in (None, info.slug, info.id):
                _current(
                    plan,
                    info,
                    source=source,
                    target=target,
                    digest=digest,
                    entry=record.get(source, target),
                    now=now,
                )
    # Only entries under this SITEURL: sending with another site URL (a dev
    # build, a moved site) must not look like every post was deleted.
    prefix = siteurl.rstrip("/") + "/"
    for key, entry in sorted(record.entries.items()):
        if key in current or not entry.source.startswith(prefix):
            continue
        if only_article not in (None, entry.article):
            continue
        _gone(plan, entry, entry.source not in sources, now)
    return plan
