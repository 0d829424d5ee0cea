"""The no-JS comment form page: `GET /comments/new`, and the same form again on an error.

A reader without JavaScript reaches it from a comment's Reply link; it quotes
the published comment being answered (a comment still in the inbox is not
quoted: its text is not public yet). When a form POST is refused, the reader
gets this form back with everything they typed and the reason in an error box.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from backchannel.build.render import render_markdown
from backchannel.errors import BackchannelError
from backchannel.field_policy import one_line
from backchannel.model import ID_RE, Kind, State
from backchannel.receiver import pages
from backchannel.receiver.articles import KnownArticle
from backchannel.receiver.context import Receiver, limit_rate, receiver_of
from backchannel.receiver.guard import make_token, token_age
from backchannel.receiver.problems import RequestProblem
from backchannel.store import SUFFIX

logger = logging.getLogger(__name__)

TRUE = {"1", "on", "yes", "true"}


def parent_exists(receiver: Receiver, article: str, parent: str) -> bool:
    """True when `parent` is a comment on `article`, published or in the inbox."""
    store = receiver.store
    return any(
        (store.folder(state, article) / f"{parent}{SUFFIX}").exists()
        for state in (State.PUBLISHED, State.INBOX)
    )


def quote_of(receiver: Receiver, article: str, parent: str) -> pages.Quote | None:
    """The published comment `parent` as the article page renders it, else None.

    Read from the article's own folder: one file, whatever the size of the
    store (a search of every article folder per GET was an easy flood).
    """
    if not parent or not ID_RE.match(parent):
        return None
    path = receiver.store.folder(State.PUBLISHED, article) / f"{parent}{SUFFIX}"
    try:
        item = receiver.store.read(path, State.PUBLISHED)
    except (BackchannelError, OSError):  # in the inbox (not public yet), or unreadable
        return None
    if item.article != article or item.kind != Kind.COMMENT:
        return None
    author = receiver.settings.site_author if item.author_reply else item.author
    return pages.Quote(author=author, html=render_markdown(item.body))


def _page(
    receiver: Receiver,
    article: KnownArticle,
    parent: str,
    token: str,
    typed: pages.Typed | None = None,
    error: str | None = None,
) -> str:
    return pages.reply_form_page(
        action=f"{receiver.settings.receiver_url}/comments",
        article=article.id,
        article_title=article.title,
        article_url=receiver.articles.article_url(article),
        parent=parent,
        quote=quote_of(receiver, article.id, parent),
        token=token,
        siteurl=receiver.articles.siteurl,
        site_name=receiver.settings.site_name,
        typed=typed,
        error=error,
    )


def form_again(
    request: Request, fields: dict[str, Any], reason: str, status: int, headers: Any
) -> Response | None:
    """The form again with the typed fields and the error, or None without a known article."""
    receiver = receiver_of(request)
    try:
        article = receiver.articles.get(one_line(str(fields.get("article", ""))))
    except BackchannelError:
        return None
    if article is None:
        return None
    parent = one_line(str(fields.get("parent", "")))
    if parent and (not ID_RE.match(parent) or not parent_exists(receiver, article.id, parent)):
        parent = ""  # sending it back would fail the same way
    token = str(fields.get("token", "")).strip()
    # A valid token is kept: "wait and send again" counts from when the form was opened.
    if token_age(receiver.guard.secret, article.id, token) is None:
        token = make_token(receiver.guard.secret, article.id)
    notify = fields.get("notify")
    typed = pages.Typed(
        author=str(fields.get("author", "")),
        url=str(fields.get("url", "")),
        email=str(fields.get("email", "")),
        notify=notify is True or str(notify or "").lower() in TRUE,
        body=str(fields.get("body", "")),
    )
    html = _page(receiver, article, parent, token, typed, reason)
    return HTMLResponse(html, status_code=status, headers=headers)


async def new_comment_form(request: Request) -> Response:
    """GET /comments/new?article=&parent=: the reply form for readers without JavaScript.

    Rate-limited like a POST, and its file reads (two stats, one item) run off
    the event loop.
    """
    receiver = receiver_of(request)
    article_id = request.query_params.get("article", "")
    parent = request.query_params.get("parent", "")
    siteurl = receiver.articles.siteurl
    name = receiver.settings.site_name
    try:
        await limit_rate(request)
    except RequestProblem as exc:
        return pages.message_response(
            "Please wait",
            exc.reason,
            siteurl,
            status=exc.status,
            headers=exc.headers,
            site_name=name,
        )
    article = receiver.articles.get(article_id)
    if article is None:
        message = f"There is no article {article_id!r}."
        return pages.message_response(
            "Unknown article", message, siteurl, status=404, site_name=name
        )
    html = await run_in_threadpool(_new_form, request, receiver, article, parent)
    if html is None:
        message = f"There is no comment {parent!r} on this article."
        return pages.message_response(
            "Unknown comment", message, siteurl, status=404, site_name=name
        )
    return HTMLResponse(html, headers={"Cache-Control": "no-store"})


def _new_form(
    request: Request, receiver: Receiver, article: KnownArticle, parent: str
) -> str | None:
    """The form page, or None when `parent` is no comment on this article."""
    if parent and (not ID_RE.match(parent) or not parent_exists(receiver, article.id, parent)):
        return None
    token = make_token(receiver.guard.secret, article.id)
    return _page(receiver, article, parent, token)
