"""TrackBack 1.2: a form-encoded POST to /trackback/{article}, an XML <response>.

Fields (spec): `url` (required), `title`, `excerpt`, `blog_name`. Success is
`<error>0</error>`; failure `<error>1</error>` with a `<message>`, always with
HTTP 200 as the spec's clients expect (they read the XML, not the status).
TrackBack has no verification in its spec: the item is held with a reason
saying the source was not checked, and one ping per (article, URL) is kept.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit
from xml.sax.saxutils import escape

from starlette.requests import Request
from starlette.responses import Response

from backchannel.field_policy import (
    MAX_AUTHOR_CHARS,
    MAX_TITLE_CHARS,
    clean_text,
    clip,
    http_url,
    one_line,
)
from backchannel.model import Item, Kind, State
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
from backchannel.receiver.guard import Rejected, Submission
from backchannel.receiver.problems import RequestProblem
from backchannel.receiver.source import linkback_id

logger = logging.getLogger(__name__)

UNVERIFIED = "trackback: TrackBack has no verification, the source was not checked"


def response(
    error: str | None = None, status: int = 200, headers: dict[str, str] | None = None
) -> Response:
    """The spec's XML response: error 0, or error 1 with a message.

    HTTP 200 as the spec's clients expect, except when we could not keep the
    ping (disk full, read-only store): 503, so no client or proxy takes a 2xx
    for an acknowledgment.
    """
    if error is None:
        body = "<response>\n<error>0</error>\n</response>\n"
    else:
        body = f"<response>\n<error>1</error>\n<message>{escape(error)}</message>\n</response>\n"
    return Response(
        '<?xml version="1.0" encoding="utf-8"?>\n' + body,
        status_code=status,
        headers=headers,
        media_type="text/xml; charset=utf-8",
    )


async def _ping_fields(request: Request) -> dict[str, str]:
    """The form's fields, one line each, or a RequestProblem for a ping that is no form."""
    body = await read_body(request)
    kind, charset = media_type(request)
    if kind != "application/x-www-form-urlencoded":
        raise RequestProblem(f"TrackBack pings are form-encoded POSTs, not {kind or 'none'!r}")
    fields = form_fields(body, charset, 20)
    # Control characters removed at the door (the model's one normalisation),
    # so a blog name of only ESC is no name and falls back to the host.
    return {k: one_line(clean_text(v[0])) for k, v in fields.items() if v}


def _ping_url(value: dict[str, str]) -> str:
    """The pinging page's URL, or a RequestProblem when it is missing or not http(s)."""
    url = value.get("url", "")
    if not url:
        raise RequestProblem("missing field 'url'")
    if http_url(url) is None:
        raise RequestProblem("field 'url' must be an http(s) URL")
    return url


def _known_article(receiver: Receiver, article_id: str) -> KnownArticle:
    """The article pinged, or a RequestProblem for an unknown one."""
    article = receiver.articles.get(article_id)
    if article is None:
        raise RequestProblem(f"unknown article {article_id!r}")
    return article


async def _new_ping_id(receiver: Receiver, article_id: str, url: str) -> str:
    """The id of a ping from `url` (one per article and page), or a 409 if it is known."""
    item_id = linkback_id("trackback", article_id, url)
    if await exists(receiver, item_id, article_id):
        raise RequestProblem("this TrackBack was already registered", 409)
    return item_id


async def post_trackback(request: Request) -> Response:
    """POST /trackback/{article}: store a TrackBack ping in the inbox."""
    receiver = receiver_of(request)
    article_id = request.path_params["article"]
    try:
        await limit_rate(request)
        value = await _ping_fields(request)
        article = _known_article(receiver, article_id)
        url = _ping_url(value)
        title = clip(value.get("title", ""), MAX_TITLE_CHARS)
        excerpt = clip(value.get("excerpt", ""), receiver.settings["MAX_FIELD_CHARS"])
        blog_name = clip(value.get("blog_name", ""), MAX_AUTHOR_CHARS) or urlsplit(url).hostname
        item_id = await _new_ping_id(receiver, article.id, url)
        sub = Submission(
            kind=Kind.TRACKBACK,
            article=article.id,
            author=blog_name,
            body=excerpt,
            ip=client_ip(request),
            title=title,
            source=url,
        )
        outcome = receiver.guard.judge(sub)
        item = Item(
            id=item_id,
            kind=Kind.TRACKBACK,
            article=article.id,
            author=blog_name,
            date=datetime.now(UTC).replace(microsecond=0),
            origin="receiver",
            body=excerpt,
            source=url,
            title=title or None,
            reasons=(*outcome.reasons, UNVERIFIED),
            state=State.SPAM if outcome.spam else State.INBOX,
        )
        try:
            await save(receiver, item, {"ip": sub.ip})
        except RequestProblem:
            receiver.guard.forget(sub)
            raise
    except (Rejected, RequestProblem) as exc:
        logger.info("backchannel: trackback to %s refused: %s", article_id, exc.reason)
        if isinstance(exc, RequestProblem) and exc.status >= 500:
            return response(exc.reason, exc.status, exc.headers)
        return response(exc.reason)
    logger.info("backchannel: trackback %s from %s -> %s", item.id, url, item.state)
    return response()
