"""The moderation page under the receiver's `/admin`: the inbox, its actions, one-click links.

Decisions go through the same `Moderator` as the `backchannel` CLI (so the same
audit trail and spam training) and then through `follow_up`, the CLI's own
republishing and reader mail, off the event loop and one at a time per process.
Signing in and sessions are in `admin_auth`; the HTML in `admin_pages`.
"""

from __future__ import annotations

import logging
import threading
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from backchannel.build.render import plain_text
from backchannel.build.republish import RepublishError, read_manifest
from backchannel.errors import BackchannelError, StoreError
from backchannel.field_policy import clip, http_url
from backchannel.model import Item, Kind, State
from backchannel.moderation import admin_tokens
from backchannel.moderation.decisions import Moderator, Result, age, scored
from backchannel.moderation.follow_up import FollowUp, follow_up
from backchannel.receiver import admin_pages
from backchannel.receiver.admin_auth import (
    admin_path,
    csrf_token,
    now,
    page,
    read_form,
    sign_in,
    sign_in_link,
    sign_out,
    signed_in,
)
from backchannel.receiver.context import Receiver, receiver_of

logger = logging.getLogger(__name__)

ACTIONS = ("approve", "reject", "spam", "delete")
KIND_LABELS = {
    Kind.COMMENT: "Comment",
    Kind.TRACKBACK: "Trackback",
    Kind.PINGBACK: "Pingback",
    Kind.WEBMENTION: "Webmention",
}
# One decision at a time in this process: two republishes of one page must not interleave.
_DECIDING = threading.Lock()


def _excerpt(text: str, limit: int = 300) -> str:
    return clip(plain_text(text).strip(), limit)


def _view(receiver: Receiver, item: Item, articles: dict[str, Any]) -> dict[str, Any]:
    """What the page shows of one item (every string escaped by the template)."""
    ref = articles.get(item.article)
    parent_item = None
    if item.parent:
        try:
            parent_item = receiver.store.find(item.parent)
        except StoreError:
            parent_item = None
    base = receiver.articles.siteurl_or_empty().rstrip("/")
    return {
        "id": item.id,
        "kind_label": KIND_LABELS.get(item.kind, str(item.kind)),
        "author": item.author or "(no name)",
        "article_title": ref.title if ref else item.article,
        "article_url": f"{base}/{ref.url}" if ref else "",
        "age": age(item.date),
        "score": item.spam_score,
        "reasons": list(item.reasons),
        "parent": item.parent,
        "parent_item": parent_item,
        "parent_excerpt": _excerpt(parent_item.body) if parent_item else "",
        "title": item.title,
        "source": item.source,
        "source_safe": http_url(item.source) is not None,
        "body": item.body,
        "is_comment": item.kind == Kind.COMMENT,
    }


def _articles(receiver: Receiver) -> dict[str, Any]:
    try:
        return read_manifest(receiver.settings.output_path)
    except RepublishError:
        return {}


def _inbox_context(receiver: Receiver) -> dict[str, Any]:
    store, settings = receiver.store, receiver.settings
    loaded = store.load([State.INBOX])
    items = sorted((scored(store, i, settings) for i in loaded.items), key=lambda i: (i.date, i.id))
    articles = _articles(receiver)
    return {
        "items": [_view(receiver, i, articles) for i in items],
        "unreadable": [str(p) for p in loaded.problems],
        "author": settings.site_author,
    }


def _flash(request: Request) -> tuple[list[str], list[str]]:
    signed = request.query_params.get("done")
    if not signed:
        return [], []
    try:
        said, problems = admin_tokens.serializer(receiver_of(request).store, "flash").loads(signed)
        return [str(s) for s in said], [str(p) for p in problems]
    except (BadSignature, ValueError, TypeError):
        return [], []


@signed_in
async def inbox(request: Request) -> Response:
    """The inbox, with the outcome of the last decision when there was one."""
    if request.method == "POST":  # nothing to do here: back to the page (PRG)
        return RedirectResponse(admin_path(request), 303)
    receiver = receiver_of(request)
    context = await run_in_threadpool(_inbox_context, receiver)
    said, problems = _flash(request)
    return page(
        admin_pages.inbox(
            **context,
            base=admin_path(request),
            csrf=csrf_token(request, request.state.sid),
            signout=admin_path(request, "/signout"),
            said=said,
            problems=problems,
        )
    )


def _decide(receiver: Receiver, item_id: str, action: str, text: str, reason: str) -> FollowUp:
    """Take one decision with the CLI's Moderator, then republish and mail as the CLI does."""
    moderator = Moderator(receiver.settings, receiver.store)
    result = Result()
    with _DECIDING:
        try:
            if action == "approve":
                moderator.approve(item_id, result, reason)
            elif action in ("reject", "spam"):
                state = State.SPAM if action == "spam" else State.REJECTED
                moderator.set_aside(item_id, state, result, reason)
            elif action == "delete":
                moderator.delete(item_id, result, reason)
            else:
                moderator.reply(item_id, text, result)
        except BackchannelError as exc:
            message = str(exc)
            return FollowUp(
                problems=[
                    message if message.startswith("backchannel") else f"backchannel: {message}"
                ],
                status=1,
            )
        done = follow_up(receiver.settings, receiver.store, result)
    for problem in done.problems:
        logger.warning("%s", problem)
    return done


def _shown(lines: list[str]) -> list[str]:
    return [line.removeprefix("backchannel: ") for line in lines]


def _back(request: Request, done: FollowUp) -> Response:
    """303 back to the inbox, the outcome signed into the URL (POST, redirect, GET)."""
    store = receiver_of(request).store
    signed = admin_tokens.serializer(store, "flash").dumps(
        [_shown(done.said), _shown(done.problems)]
    )
    return RedirectResponse(f"{admin_path(request)}?{urlencode({'done': signed})}", 303)


@signed_in
async def item_action(request: Request) -> Response:
    """POST approve / reject / spam / delete for one item (GET: back to the inbox)."""
    item_id = request.path_params["id"]
    if request.method == "GET":
        return RedirectResponse(f"{admin_path(request)}#item-{item_id}", 303)
    action = str(request.state.form.get("action", ""))
    if action not in ACTIONS:
        return page(admin_pages.message("Refused", f"Unknown action {action!r}.", error=True), 400)
    done = await run_in_threadpool(
        _decide, receiver_of(request), item_id, action, "", "from the moderation page"
    )
    return _back(request, done)


@signed_in
async def item_reply(request: Request) -> Response:
    """POST the author's reply to one comment (approving it if it waits)."""
    item_id = request.path_params["id"]
    if request.method == "GET":
        return RedirectResponse(f"{admin_path(request)}#item-{item_id}", 303)
    text = str(request.state.form.get("body", "")).replace("\r\n", "\n")
    if not text.strip():
        return _back(request, FollowUp(problems=["reply refused: the text is empty"], status=1))
    done = await run_in_threadpool(_decide, receiver_of(request), item_id, "reply", text, "")
    return _back(request, done)


# --- one-click links from the author's notification e-mail -----------------------------
def _one_click_csrf(request: Request, payload: dict[str, Any]) -> str:
    return admin_tokens.mac(receiver_of(request).store, "csrf-one-click", payload["n"])


async def _one_click_item(
    request: Request, token: str, sign_in_page: str
) -> tuple[dict[str, Any], Item] | Response:
    """The link's payload and the item it names, or the page saying why the link is no good."""
    receiver = receiver_of(request)
    try:
        payload = await run_in_threadpool(
            admin_tokens.read_one_click, receiver.store, token, now(request)
        )
        item = await run_in_threadpool(receiver.store.find, payload["i"])
    except admin_tokens.TokenError as exc:
        return page(
            admin_pages.message(
                "Link not valid", exc.reason, error=True, link=sign_in_page, link_text="Sign in"
            ),
            exc.status,
        )
    except StoreError:
        return page(admin_pages.message("Gone", "That item no longer exists.", error=True), 404)
    return payload, item


async def one_click(request: Request) -> Response:
    """GET: what the link would do, and a button. POST (from that button): do it, once."""
    form = await read_form(request) if request.method == "POST" else None
    token = str((form or request.query_params).get("t", ""))
    sign_in_page = admin_path(request, "/signin")
    if not token:
        return page(
            admin_pages.message(
                "Not signed in",
                "This link is incomplete.",
                error=True,
                link=sign_in_page,
                link_text="Sign in",
            ),
            401,
        )
    found = await _one_click_item(request, token, sign_in_page)
    if isinstance(found, Response):
        return found
    payload, item = found
    if form is not None and not admin_tokens.same_token(
        str(form.get("csrf", "")), _one_click_csrf(request, payload)
    ):
        return page(admin_pages.message("Refused", "Invalid CSRF token.", error=True), 403)
    if item.state != State.INBOX:
        return page(
            admin_pages.message(
                "Already decided",
                f"{item.id} is no longer in the inbox: it is in {item.state}.",
                link=admin_path(request),
                link_text="Open the moderation page",
            ),
            409 if form is not None else 200,
        )
    if form is None:
        return await _one_click_preview(request, item, payload, token)
    return await _one_click_decide(request, item, payload)


async def _one_click_preview(
    request: Request, item: Item, payload: dict[str, Any], token: str
) -> Response:
    """The GET of a one-click link: the item and a button that does what the link says."""
    receiver = receiver_of(request)
    verb = payload["a"]
    articles = await run_in_threadpool(_articles, receiver)
    view = await run_in_threadpool(
        _view, receiver, scored(receiver.store, item, receiver.settings), articles
    )
    return page(
        admin_pages.one_click(
            title="Approve this comment?" if verb == "approve" else "Mark this as spam?",
            item=view,
            verb=verb,
            button="Approve" if verb == "approve" else "Mark as spam",
            action=admin_path(request, "/one-click"),
            token=token,
            csrf=_one_click_csrf(request, payload),
            base=admin_path(request),
        )
    )


async def _one_click_decide(request: Request, item: Item, payload: dict[str, Any]) -> Response:
    """The POST of a one-click link's button: spend the link, then approve or mark as spam."""
    receiver = receiver_of(request)
    verb = payload["a"]
    try:
        await run_in_threadpool(admin_tokens.spend_one_click, receiver.store, payload, now(request))
    except admin_tokens.TokenError as exc:
        return page(admin_pages.message("Link not valid", exc.reason, error=True), exc.status)
    done = await run_in_threadpool(
        _decide, receiver, item.id, verb, "", "one-click link in the notification e-mail"
    )
    return page(
        admin_pages.message(
            "Done" if done.status == 0 else "Done, with problems",
            "\n".join(_shown(done.said + done.problems)),
            error=bool(done.problems),
            link=admin_path(request),
            link_text="Open the moderation page",
        )
    )


# (path, endpoint, methods): added to the receiver's route table.
ROUTES = (
    ("/admin", inbox, ["GET", "POST"]),
    ("/admin/signin", sign_in, ["GET", "POST"]),
    ("/admin/link", sign_in_link, ["GET", "POST"]),
    ("/admin/signout", sign_out, ["GET", "POST"]),
    ("/admin/items/{id}", item_action, ["GET", "POST"]),
    ("/admin/items/{id}/reply", item_reply, ["GET", "POST"]),
    ("/admin/one-click", one_click, ["GET", "POST"]),
)
