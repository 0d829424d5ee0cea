"""Readers' comments: the form POST (303 back) and JSON (202), the thread as JSON, tokens.

Fields come in through an allow-list (`author`, `url`, `email`, `notify`,
`body`, `parent`, `article`, `token`, honeypot `homepage`); anything else is
ignored. A form request is answered as a browser needs it (303 to the article's
`#comment-pending`, or an HTML error page); a JSON request gets JSON.
"""

from __future__ import annotations

import json
import logging
import os
import re
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from backchannel.build.render import render_markdown
from backchannel.errors import ItemFormatError
from backchannel.field_policy import clean_text, http_url, one_line
from backchannel.model import ID_RE, Item, Kind, State, format_date
from backchannel.receiver import pages, reader_cookie, reply
from backchannel.receiver.articles import KnownArticle
from backchannel.receiver.context import (
    Receiver,
    RequestProblem,
    client_ip,
    decode,
    form_fields,
    limit_rate,
    media_type,
    read_body,
    receiver_of,
    save,
)
from backchannel.receiver.guard import Outcome, Rejected, Submission, make_token
from backchannel.store import SUFFIX, new_id

logger = logging.getLogger(__name__)

FIELDS = ("author", "url", "email", "notify", "body", "parent", "article", "token", "homepage")
# What the reader wrote, cleaned at the door; ids and the token are matched as
# sent (a NUL inside an id must not turn it into another, valid one).
TEXT_FIELDS = frozenset({"author", "url", "email", "body", "homepage"})
EMAIL_RE = re.compile(r"^[^@\s<>\",;]+@[^@\s<>\",;]+\.[^@\s<>\",;]+$")
THREAD_CACHE_SECONDS = 5.0


def _wants_json(request: Request) -> bool:
    return media_type(request)[0] == "application/json"


def _error(
    request: Request,
    reason: str,
    status: int,
    headers: dict[str, str] | None = None,
    fields: dict[str, Any] | None = None,
) -> Response:
    """A JSON error for the script; for a browser form, the form again with what was typed."""
    if _wants_json(request):
        return JSONResponse({"error": reason}, status_code=status, headers=headers)
    if fields:
        again = reply.form_again(request, fields, reason, status, headers)
        if again is not None:
            return again
    receiver = receiver_of(request)
    back = request.headers.get("referer")
    return pages.message_response(
        "Your comment was not sent",
        reason,
        receiver.articles.siteurl_or_empty(),
        status=status,
        headers=headers,
        back=back if back and back.startswith(("http://", "https://")) else None,
        site_name=receiver.settings.site_name,
    )


async def _fields(request: Request) -> dict[str, Any]:
    """The allow-listed fields of a form or JSON body, control characters removed.

    This is the model's one normalisation, here at the door: a name of only ESC is empty.
    """
    body = await read_body(request)
    kind, charset = media_type(request)
    if kind == "application/json":
        text = decode(body, charset)
        try:
            data = json.loads(text)
        except ValueError as exc:
            raise RequestProblem(f"body is not valid JSON: {exc}") from None
        except RecursionError:  # [[[[... 30,000 deep: a form has no nesting at all
            raise RequestProblem("body is not valid JSON: nested too deeply") from None
        if not isinstance(data, dict):
            raise RequestProblem("JSON body must be an object of fields")
        out: dict[str, Any] = {}
        for name in FIELDS:
            value = data.get(name)
            if value is None:
                continue
            if name == "notify" and isinstance(value, bool):
                out[name] = value
            elif isinstance(value, str):
                # JSON's \ud800 escapes decode to lone surrogates, which no file can hold.
                try:
                    value.encode("utf-8")
                except UnicodeEncodeError:
                    raise RequestProblem(
                        f"field {name!r} is not valid Unicode (a lone surrogate)"
                    ) from None
                out[name] = clean_text(value) if name in TEXT_FIELDS else value
            else:
                raise RequestProblem(f"field {name!r} must be a string")
        return out
    if kind == "application/x-www-form-urlencoded":
        parsed = form_fields(body, charset, 50)
        return {
            name: clean_text(parsed[name][0]) if name in TEXT_FIELDS else parsed[name][0]
            for name in FIELDS
            if name in parsed
        }
    raise RequestProblem(
        f"unsupported content type {kind or 'none'!r}: send "
        "application/x-www-form-urlencoded or application/json",
        415,
    )


class _Comment(NamedTuple):
    """A comment form's fields, checked: what the reader asked to publish."""

    article: KnownArticle
    author: str
    body: str
    url: str
    email: str
    notify: bool
    parent: str | None


def _checked_comment(receiver: Receiver, fields: dict[str, Any]) -> _Comment:
    """The comment the fields describe, or a RequestProblem saying which field is wrong."""
    article_id = one_line(str(fields.get("article", "")))
    if not article_id:
        raise RequestProblem("missing field 'article'")
    article = receiver.articles.get(article_id)
    if article is None:
        raise RequestProblem(f"unknown article {article_id!r}", 404)
    author = one_line(str(fields.get("author", "")))
    body = str(fields.get("body", "")).replace("\r\n", "\n").strip()
    if not author:
        raise RequestProblem("missing field 'author': please give a name")
    if not body:
        raise RequestProblem("missing field 'body': the comment is empty")
    url = one_line(str(fields.get("url", "")))
    if url and http_url(url) is None:  # the model's URL policy: what it would drop is refused
        raise RequestProblem("field 'url' must be an http(s) URL")
    email = one_line(str(fields.get("email", "")))
    if email and not EMAIL_RE.match(email):
        raise RequestProblem("field 'email' is not an e-mail address")
    notify = fields.get("notify") is True or str(fields.get("notify", "")).lower() in reply.TRUE
    parent = one_line(str(fields.get("parent", ""))) or None
    if parent and (
        not ID_RE.match(parent) or not reply.parent_exists(receiver, article.id, parent)
    ):
        raise RequestProblem(f"field 'parent': no comment {parent!r} on this article")
    return _Comment(article, author, body, url, email, notify, parent)


def _submission(request: Request, comment: _Comment, fields: dict[str, Any]) -> Submission:
    """What the guard judges: the comment, the sender's address, token and honeypot."""
    return Submission(
        kind=Kind.COMMENT,
        article=comment.article.id,
        author=comment.author,
        body=comment.body,
        ip=client_ip(request),
        author_url=comment.url,
        email=comment.email,
        token=str(fields.get("token", "")).strip() or None,
        honeypot=str(fields.get("homepage", "")),
        checks_timing=True,
    )


def _new_item(receiver: Receiver, comment: _Comment, outcome: Outcome) -> Item:
    """The comment as a new item, in the inbox or (judged so) in spam."""
    return Item(
        id=new_id(),
        kind=Kind.COMMENT,
        article=comment.article.id,
        author=comment.author,
        date=datetime.now(UTC).replace(microsecond=0),
        origin="receiver",
        body=comment.body,
        author_url=comment.url or None,
        email_hash=receiver.store.email_hash(comment.email) if comment.email else None,
        parent=comment.parent,
        reasons=tuple(outcome.reasons),
        state=State.SPAM if outcome.spam else State.INBOX,
    )


def _private_of(sub: Submission, comment: _Comment) -> dict[str, Any]:
    """What is kept of the comment but never published: address, e-mail, notify."""
    private: dict[str, Any] = {"ip": sub.ip, "notify": bool(comment.notify and comment.email)}
    if comment.email:
        private["email"] = comment.email
    return private


async def _store_comment(request: Request, fields: dict[str, Any]) -> tuple[Item, _Comment, Any]:
    """Check, judge and store a comment: the stored item, the comment, the cookie's pairs."""
    receiver = receiver_of(request)
    comment = _checked_comment(receiver, fields)
    sub = _submission(request, comment, fields)
    outcome = receiver.guard.judge(sub)
    item = _new_item(receiver, comment, outcome)
    earlier = reader_cookie.read(request, receiver.store)
    try:
        item = await save(receiver, item, _private_of(sub, comment), earlier)
    except RequestProblem:
        receiver.guard.forget(sub)
        raise
    return item, comment, earlier


async def post_comment(request: Request) -> Response:
    """POST /comments: store a comment in the inbox (or spam)."""
    receiver = receiver_of(request)
    fields: dict[str, Any] | None = None
    try:
        # Read before the rate check, so that even a 429 gives the reader's text back.
        fields = await _fields(request)
        await limit_rate(request)
        item, comment, earlier = await _store_comment(request, fields)
    except (Rejected, RequestProblem) as exc:
        return _error(request, exc.reason, exc.status, exc.headers, fields)
    article = comment.article
    logger.info("backchannel: comment %s on %s -> %s", item.id, article.id, item.state)
    response: Response
    if _wants_json(request):
        response = JSONResponse(_comment_json(item, pending=True), status_code=202)
    else:
        target = receiver.articles.article_url(article) + "#comment-pending"
        response = RedirectResponse(target, status_code=303)
    if comment.email:  # the browser's proof for auto-approve next time (reader_cookie.py)
        reader_cookie.remember(response, request, receiver.store, receiver.settings, earlier, item)
    return response


def _comment_json(item: Item, pending: bool = False) -> dict[str, Any]:
    """The public fields of a comment (never e-mail, IP or moderation reasons)."""
    data = {
        "id": item.id,
        "article": item.article,
        "parent": item.parent,
        "author": item.author,
        "author_url": item.author_url,
        "author_reply": item.author_reply,
        "date": format_date(item.date),
        "html": str(render_markdown(item.body)),
    }
    if pending:
        data["status"] = "pending"
    return data


def _thread_json(receiver: Receiver, article: str) -> bytes:
    """The published comments of an article as JSON, cached until its folder changes.

    Moderation moves files in and out (renames), which changes the folder's
    mtime; a short lifetime also catches an author editing a file in place.
    """
    folder = receiver.store.folder(State.PUBLISHED, article)
    try:
        stamp = os.stat(folder).st_mtime_ns
    except FileNotFoundError:
        stamp = 0
    now = time.monotonic()
    cached = receiver.cache.get(article)
    if cached and cached[0] == stamp and now - cached[1] < THREAD_CACHE_SECONDS:
        return cached[2]
    items = _published(receiver, folder)
    data = json.dumps(
        {"article": article, "comments": [_comment_json(i) for i in items]}, ensure_ascii=False
    ).encode("utf-8")
    if len(receiver.cache) > 1000:
        receiver.cache.clear()
    receiver.cache[article] = (stamp, now, data)
    return data


def _published(receiver: Receiver, folder: Path) -> list[Item]:
    items = []
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(SUFFIX))
    except FileNotFoundError:
        return []
    for name in names:
        try:
            item = receiver.store.read(folder / name, State.PUBLISHED)
        except (ItemFormatError, OSError) as exc:
            logger.warning("backchannel: skipping %s: %s", folder / name, exc)
            continue
        if item.kind == Kind.COMMENT:
            items.append(item)
    items.sort(key=lambda i: i.date)
    return items


async def get_comments(request: Request) -> Response:
    """GET /comments?article=ID: the published comments as JSON."""
    receiver = receiver_of(request)
    article_id = request.query_params.get("article", "")
    try:
        article = receiver.articles.get(article_id)
    except RequestProblem as exc:
        return JSONResponse({"error": exc.reason}, status_code=exc.status)
    if article is None:
        return JSONResponse({"error": f"unknown article {article_id!r}"}, status_code=404)
    data = await run_in_threadpool(_thread_json, receiver, article.id)
    return Response(data, media_type="application/json", headers={"Cache-Control": "no-cache"})


async def get_token(request: Request) -> Response:
    """GET /token?article=ID: a fresh signed timing token."""
    receiver = receiver_of(request)
    article_id = request.query_params.get("article", "")
    article = receiver.articles.get(article_id)
    if article is None:
        return JSONResponse({"error": f"unknown article {article_id!r}"}, status_code=404)
    return JSONResponse(
        {
            "article": article.id,
            "token": make_token(receiver.guard.secret, article.id),
            "min_seconds": receiver.settings["MIN_SECONDS_TO_POST"],
        },
        headers={"Cache-Control": "no-store"},
    )
