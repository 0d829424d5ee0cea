"""W3C Webmention (Recommendation, 12 January 2017): POST /webmention, status URL.

Synchronously: source and target must be http(s) URLs, differ, and the target
must be one of our articles (else 400 with the reason). Then 201 Created with
a Location header naming /webmention/status/<id> (spec 3.2.1: a receiver that
offers a status URL answers 201), and verification runs as a
background task: fetch the source (SSRF-safe Fetcher), check it links to the
target, read its h-entry (mf2py). The item id is derived from source and
article, so a re-sent webmention updates the same item; a source that is now
410 Gone or no longer links deletes it (spec 3.2.2/3.2.3).

Status records hold no personal data (URLs, state, reason) and live in the
private state database (`state.py`, kind "webmention"), so the status URL
survives a restart and every receiver worker answers for every record. Records
still "queued" (a kill interrupted the verification) are the queue: a worker
claims one (an expiring row, so exactly one worker verifies it, and a dead
worker's claim lapses) and verifies it again when it starts. If the store cannot
take a verified item (disk full, read-only), the record stays "queued" and is
retried after RETRY_DELAYS, then at the next start: a 201 is a promise to keep
it. At that start, finished records older than BACKCHANNEL_WEBMENTION_STATUS_DAYS
go, so the database does not grow with every webmention ever sent (spam included).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from backchannel.errors import StoreError
from backchannel.field_policy import http_url
from backchannel.model import Item, Kind, State, format_date, parse_date
from backchannel.outbound.fetch import FetchError, FetchResponse
from backchannel.receiver.articles import KnownArticle
from backchannel.receiver.context import (
    Receiver,
    client_ip,
    exists,
    form_fields,
    limit_rate,
    media_type,
    read_body,
    receiver_of,
    save,
)
from backchannel.receiver.guard import Submission
from backchannel.receiver.problems import RequestProblem
from backchannel.receiver.source import (
    SourceError,
    SourceFacts,
    exact_target,
    linkback_id,
    links_to,
    normalize,
    read_source,
)
from backchannel.store import new_id
from backchannel.store.state import WEBMENTION, WEBMENTION_CLAIM, state_of
from backchannel.store.temps import pid_alive

logger = logging.getLogger(__name__)

STATUS_PREFIX = "wm"
EARLIER_DELETED = "; the earlier webmention was deleted"  # said when a re-sent mention undoes one
# Seconds before verifying again when the store could not take the item; after
# the last one the record stays "queued" until the next start of the receiver.
RETRY_DELAYS = (2.0, 10.0, 60.0, 300.0, 900.0)
# How long a worker's claim on a queued record lasts (longer than one verification
# with its fetch timeout); a worker killed mid-way loses it at once (see _claim).
CLAIM_SECONDS = 600.0


def _now() -> str:
    return format_date(datetime.now(UTC))


def _status_id_ok(status_id: str) -> bool:
    return (
        status_id.startswith(STATUS_PREFIX)
        and status_id[2:].isalnum()
        and status_id.islower()
        and 8 <= len(status_id) <= 40
    )


def write_status(receiver: Receiver, record: dict[str, Any]) -> None:
    """Save a status record (one transaction in the private state database)."""
    record["updated"] = _now()
    state_of(receiver.store).put(WEBMENTION, record["id"], record)


def _claim(receiver: Receiver, status_id: str, renew: bool = False) -> bool:
    """Claim (or renew) a queued record to verify; False if a live worker's claim is in force."""
    mine, now = os.getpid(), time.time()

    def take(old: Any) -> dict[str, Any]:
        if (
            not renew
            and isinstance(old, dict)
            and old.get("pid") != mine
            and float(old.get("until", 0)) > now
            and _alive(old.get("pid"))
        ):
            return old
        return {"pid": mine, "until": now + CLAIM_SECONDS}

    return state_of(receiver.store).update(WEBMENTION_CLAIM, status_id, take)["pid"] == mine


def _alive(pid: Any) -> bool:
    """True if a process of this id runs on this host (the state database is host-local)."""
    return isinstance(pid, int) and pid > 0 and pid_alive(pid)


async def _source_and_target(request: Request) -> tuple[str, str, KnownArticle]:
    """The form's source and target and the article targeted, or a RequestProblem saying why not."""
    body = await read_body(request)
    kind, charset = media_type(request)
    if kind != "application/x-www-form-urlencoded":
        raise RequestProblem(
            f"send source and target as application/x-www-form-urlencoded, not {kind or 'none'!r}",
            415,
        )
    fields = form_fields(body, charset, 20)
    source = (fields.get("source") or [""])[0].strip()
    target = (fields.get("target") or [""])[0].strip()
    if not source or not target:
        raise RequestProblem("both 'source' and 'target' are required")
    if http_url(source) is None:  # the one URL policy: never a 5xx
        raise RequestProblem("source must be an http(s) URL")
    if http_url(target) is None:
        raise RequestProblem("target must be an http(s) URL")
    if normalize(source) == normalize(target):
        raise RequestProblem("source and target are the same URL")
    article = receiver_of(request).articles.by_target(target)
    if article is None:
        raise RequestProblem("target is not an article on this site")
    return source, target, article


async def post_webmention(request: Request) -> Response:
    """POST /webmention: validate, answer 201 with a status URL, verify in the background."""
    receiver = receiver_of(request)
    resume_queued(receiver)
    try:
        await limit_rate(request)
        source, target, article = await _source_and_target(request)
        record = {
            "id": STATUS_PREFIX + new_id(),
            "source": source,
            "target": target,
            "article": article.id,
            "status": "queued",
            "reason": "",
            "item": None,
            "created": _now(),
        }
        try:
            await run_in_threadpool(write_status, receiver, record)
        except StoreError as exc:
            raise RequestProblem(
                f"could not queue the webmention: {exc}; please try later",
                503,
                {"Retry-After": "60"},
            ) from None
    except RequestProblem as exc:
        return PlainTextResponse(exc.reason + "\n", status_code=exc.status, headers=exc.headers)
    with contextlib.suppress(StoreError):  # unclaimed, another worker's start may verify it too
        await run_in_threadpool(_claim, receiver, record["id"], True)
    receiver.spawn(verify(receiver, dict(record), client_ip(request)))
    status_url = f"{receiver.settings.receiver_url}/webmention/status/{record['id']}"
    return JSONResponse(
        {"status": "queued", "status_url": status_url, "id": record["id"]},
        status_code=201,
        headers={"Location": status_url},
    )


async def _remove(receiver: Receiver, item_id: str, article: str) -> bool:
    state = await exists(receiver, item_id, article)
    if state is None:
        return False
    item = await run_in_threadpool(receiver.store.find, item_id)
    await run_in_threadpool(receiver.store.delete, item)
    return True


async def verify(receiver: Receiver, record: dict[str, Any], ip: str) -> dict[str, Any]:
    """Fetch and check the source; store, update or delete the item; record the outcome."""
    try:
        return await _verify(receiver, record, ip)
    except Exception:  # a background task: its status must never stay "queued" on a bug
        logger.exception("backchannel: verifying webmention %s failed", record["id"])
        record.update(status="error", reason="internal error while verifying; try again later")
        with contextlib.suppress(StoreError):
            write_status(receiver, record)
        return record


async def _verify(receiver: Receiver, record: dict[str, Any], ip: str) -> dict[str, Any]:
    source, target, article_id = record["source"], record["target"], record["article"]
    item_id = linkback_id("webmention", article_id, source)

    def done(status: str, reason: str = "", item: str | None = None) -> dict[str, Any]:
        record.update(status=status, reason=reason, item=item)
        try:
            write_status(receiver, record)
            if status != "queued":  # finished: no worker needs to claim it any more
                state_of(receiver.store).remove(WEBMENTION_CLAIM, record["id"])
        except StoreError as exc:
            logger.error("backchannel: cannot write webmention status %s: %s", record["id"], exc)  # noqa: TRY400  a disk fault: its message says all
        logger.info(
            "backchannel: webmention %s %s -> %s: %s %s", source, target, status, reason, item or ""
        )
        return record

    try:
        resp = await receiver.fetcher.aget(source, {"Accept": "text/html, */*;q=0.5"})
    except FetchError as exc:
        return done("rejected", f"source could not be fetched: {exc.reason}")
    try:
        found = await _source_facts(receiver, resp, target, article_id, item_id)
        if not isinstance(found, SourceFacts):
            return done(*found)
        item = _mention_item(receiver, record, found, item_id, ip)
        state = await exists(receiver, item_id, article_id)
        if state is None:
            await save(receiver, item, {"ip": ip})
            return done("verified", f"{found.mention_type.value} stored for moderation", item_id)
        return await _update(receiver, item, state, done)
    except (RequestProblem, StoreError) as exc:
        if isinstance(exc, RequestProblem) and exc.status < 500:
            return done("rejected", exc.reason)  # the item itself was refused: nothing to retry
        return _requeue(receiver, record, ip, exc, done)


async def _source_facts(
    receiver: Receiver, resp: FetchResponse, target: str, article_id: str, item_id: str
) -> SourceFacts | tuple[str, str]:
    """What the source says, or (status, reason) when it is gone, fails or links not to us."""
    if resp.status == 410:
        removed = await _remove(receiver, item_id, article_id)
        return "deleted", "source is gone (410)" + (EARLIER_DELETED if removed else "")
    if resp.status >= 400:
        return "rejected", f"source answered HTTP {resp.status}"
    is_target = exact_target(target, article_id, receiver.articles.by_target)
    try:
        # Parsing a page (up to FETCH_MAX_BYTES) is CPU work: off the event loop.
        linked = await run_in_threadpool(links_to, resp, is_target)
        if linked:
            return await run_in_threadpool(read_source, resp, is_target)
    except SourceError as exc:
        return "rejected", f"source could not be read: {exc.reason}"
    removed = await _remove(receiver, item_id, article_id)
    return (
        "deleted" if removed else "rejected",
        "source does not link to target" + (EARLIER_DELETED if removed else ""),
    )


def _mention_item(
    receiver: Receiver, record: dict[str, Any], facts: SourceFacts, item_id: str, ip: str
) -> Item:
    """The verified mention as an item: in the inbox, or in spam when the blocklist matches."""
    source, article_id = record["source"], record["article"]
    author = facts.author or urlsplit(source).hostname or "unknown"
    sub = Submission(
        kind=Kind.WEBMENTION,
        article=article_id,
        author=author,
        body=facts.excerpt,
        ip=ip,
        title=facts.title or "",
        source=source,
        author_url=facts.author_url or "",
    )
    blocked = receiver.guard.blocklist.match(sub)
    return Item(
        id=item_id,
        kind=Kind.WEBMENTION,
        article=article_id,
        author=author,
        date=(facts.published or datetime.now(UTC)).replace(microsecond=0),
        origin="receiver",
        body=facts.excerpt,
        source=source,
        title=facts.title,
        author_url=facts.author_url,
        mention_type=facts.mention_type,
        reasons=(blocked,) if blocked else (),
        state=State.SPAM if blocked else State.INBOX,
    )


def _requeue(
    receiver: Receiver, record: dict[str, Any], ip: str, exc: Exception, done: Any
) -> dict[str, Any]:
    # The 201 already promised to keep it: stay queued and try again
    # (disk full or read-only is usually fixed); a restart resumes it too.
    attempt = int(record.get("attempts", 0)) + 1
    record["attempts"] = attempt
    if attempt <= len(RETRY_DELAYS):
        receiver.spawn(_retry(receiver, record, ip, RETRY_DELAYS[attempt - 1]))
    return done("queued", f"could not store the webmention yet ({exc}); will try again")


async def _retry(receiver: Receiver, record: dict[str, Any], ip: str, delay: float) -> None:
    await asyncio.sleep(delay)
    with contextlib.suppress(StoreError):
        _claim(receiver, record["id"], renew=True)
    await verify(receiver, record, ip)


async def _update(receiver: Receiver, item: Item, state: State, done: Any) -> dict[str, Any]:
    old = await run_in_threadpool(receiver.store.find, item.id)
    if state == State.PUBLISHED:
        # A stranger's edit goes past the moderator again before it is shown.
        changes = {
            f: getattr(item, f)
            for f in ("author", "date", "body", "title", "author_url", "mention_type")
        }
        changes["reasons"] = (*item.reasons, "updated by its source after publication")
        await run_in_threadpool(receiver.store.move, old, State.INBOX, **changes)
        return done("verified", "updated; back in the inbox for moderation", item.id)
    await run_in_threadpool(receiver.store.update, item.with_changes(state=state))
    return done("verified", f"updated ({state.value})", item.id)


async def get_status(request: Request) -> Response:
    """GET /webmention/status/{id}: the verification status as JSON."""
    receiver = receiver_of(request)
    status_id = request.path_params["id"]
    resume_queued(receiver)
    record = None
    if _status_id_ok(status_id):
        record = await run_in_threadpool(state_of(receiver.store).get, WEBMENTION, status_id)
    if not isinstance(record, dict) or "source" not in record:
        return JSONResponse({"error": f"no webmention status {status_id!r}"}, status_code=404)
    return JSONResponse(record, headers={"Cache-Control": "no-cache"})


def _expired(record: dict[str, Any], days: int | None) -> bool:
    """A finished record last changed more than `days` ago (never one still queued)."""
    if days is None or record.get("status") == "queued":
        return False
    try:
        changed = parse_date(str(record.get("updated") or record.get("created")))
    except ValueError:
        return False  # unreadable: kept, as the status URL still answers with it
    return datetime.now(UTC) - changed > timedelta(days=days)


def resume_queued(receiver: Receiver) -> None:
    """Once per process: verify again the unclaimed queued records, drop expired ones."""
    if receiver.resumed:
        return
    receiver.resumed = True
    state = state_of(receiver.store)
    try:
        records = state.items(WEBMENTION)
    except StoreError as exc:
        logger.error("backchannel: cannot read the webmention queue: %s", exc)  # noqa: TRY400  a disk fault: its message says all
        return
    days = receiver.settings["WEBMENTION_STATUS_DAYS"]
    for status_id, record in records.items():
        if not isinstance(record, dict):
            continue
        try:
            if _expired(record, days):
                state.remove(WEBMENTION, status_id)
                state.remove(WEBMENTION_CLAIM, status_id)
            elif (
                record.get("status") == "queued"
                and "source" in record
                and _claim(receiver, status_id)
            ):
                receiver.spawn(verify(receiver, record, "unknown"))
        except StoreError as exc:
            logger.error("backchannel: webmention %s not resumed: %s", status_id, exc)  # noqa: TRY400  a disk fault: its message says all
