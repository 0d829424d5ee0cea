"""Signing in to the moderation page: sessions, CSRF tokens, the sign-in forms.

A session is a signed cookie (`HttpOnly`, `SameSite=Strict`, `Secure` when the
site or the receiver is https, scoped to the receiver's `/admin` path) holding
a random session id, its expiry and a mark of the password hash in force, so
changing the password signs every session out. Each form carries a CSRF token,
a keyed hash of the session id; the sign-in forms, which come before any
session, use a random cookie and its keyed hash (double submit). Sign-in
attempts are rate-limited per client and in all.
"""

from __future__ import annotations

import functools
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from itsdangerous import BadSignature
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from backchannel.moderation import admin_tokens
from backchannel.receiver import admin_pages
from backchannel.receiver.context import client_ip, read_body, receiver_of
from backchannel.receiver.guard import RateLimiter, retry_after_header

SESSION_COOKIE = "backchannel_admin"
PRE_COOKIE = "backchannel_admin_pre"
SESSION_SECONDS = 12 * 3600
SIGN_IN_RATE = "5/minute"  # per client address
SIGN_IN_RATE_ALL = "30/minute"  # from everywhere: slows guessing from many addresses

Endpoint = Callable[[Request], Awaitable[Response]]


@dataclass
class AdminState:
    """Per-app state of the moderation page; `clock` is replaceable (tests set the time)."""

    clock: Callable[[], float] = time.time
    # Made on first use over the receiver's state database, so every worker on
    # the host counts the same sign-in attempts (see `_limited`).
    limiters: tuple[RateLimiter, RateLimiter] | None = None


def state_of(request: Request) -> AdminState:
    """The app's AdminState (made on first use if the app factory made none)."""
    state = getattr(request.app.state, "admin", None)
    if state is None:
        state = request.app.state.admin = AdminState()
    return state


def now(request: Request) -> float:
    """The moderation page's idea of the time."""
    return state_of(request).clock()


def admin_path(request: Request, sub: str = "") -> str:
    """Absolute path of an admin URL, under wherever the receiver is mounted."""
    return f"{request.scope.get('root_path', '').rstrip('/')}/admin{sub}"


def _secure(request: Request) -> bool:
    settings = receiver_of(request).settings
    return "https" in (urlsplit(settings.receiver_url).scheme, urlsplit(settings.site_url).scheme)


def _password_mark(request: Request) -> str:
    receiver = receiver_of(request)
    current = admin_tokens.admin_password_hash(receiver.settings) or ""
    return admin_tokens.mac(receiver.store, "password", current)[:12]


def session_id(request: Request) -> str | None:
    """The id of the request's valid session, or None."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    store = receiver_of(request).store
    try:
        data = admin_tokens.serializer(store, "session").loads(cookie)
    except BadSignature:
        return None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("e"), int | float)
        or data["e"] <= now(request)
        or data.get("p") != _password_mark(request)
    ):
        return None
    sid = data.get("s")
    return sid if isinstance(sid, str) else None


def csrf_token(request: Request, sid: str) -> str:
    """The CSRF token of every form in a session."""
    return admin_tokens.mac(receiver_of(request).store, "csrf", sid)


def start_session(request: Request, response: Response) -> Response:
    """Set a fresh session cookie on `response` (and drop the sign-in form's cookie)."""
    store = receiver_of(request).store
    data = {
        "s": secrets.token_urlsafe(16),
        "e": int(now(request) + SESSION_SECONDS),
        "p": _password_mark(request),
    }
    session = admin_tokens.serializer(store, "session").dumps(data)
    _set_cookie(request, response, SESSION_COOKIE, session, SESSION_SECONDS)
    response.delete_cookie(PRE_COOKIE, path=admin_path(request))
    return response


def _set_cookie(request: Request, response: Response, name: str, value: str, age: int) -> None:
    """An admin cookie: for the admin pages only, never read by a script or another site."""
    response.set_cookie(
        name,
        value,
        max_age=age,
        path=admin_path(request),
        secure=_secure(request),
        httponly=True,
        samesite="strict",
    )


async def read_form(request: Request) -> dict[str, str]:
    """A url-encoded form under BACKCHANNEL_MAX_BODY_BYTES (413 above); {} if unreadable."""
    body = await read_body(request)
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return {}


# No script, no plugin, no foreign form target on any admin page: even a stranger's text
# that escaped escaping could not run or post anywhere.
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


def page(html: str, status: int = 200) -> HTMLResponse:
    """An admin page: never cached, never framed, never leaking its URL (tokens) onward."""
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Cache-Control": "no-store",
            "X-Frame-Options": "DENY",
            "Content-Security-Policy": CSP,
            "Referrer-Policy": "no-referrer",
        },
    )


def to_sign_in(request: Request) -> Response:
    """No session: a GET is sent to the sign-in page (303), anything else gets 401."""
    if request.method == "GET":
        return RedirectResponse(admin_path(request, "/signin"), status_code=303)
    return page(admin_pages.message("Not signed in", "Sign in first.", error=True), 401)


def signed_in(endpoint: Endpoint) -> Endpoint:
    """Wrap an endpoint: no valid session, no access; state-changing requests need CSRF."""

    @functools.wraps(endpoint)
    async def wrapped(request: Request) -> Response:
        sid = session_id(request)
        if sid is None:
            return to_sign_in(request)
        request.state.sid = sid
        if request.method == "POST":
            form = await read_form(request)
            request.state.form = form
            if not admin_tokens.same_token(str(form.get("csrf", "")), csrf_token(request, sid)):
                return page(admin_pages.message("Refused", "Invalid CSRF token.", error=True), 403)
        return await endpoint(request)

    return wrapped


# --- sign-in -------------------------------------------------------------------------
def _pre_form(request: Request, response_html: Callable[[str], str], status: int = 200) -> Response:
    """A page with a sign-in form, its CSRF token tied to a fresh pre-session cookie."""
    pre = secrets.token_urlsafe(16)
    csrf = admin_tokens.mac(receiver_of(request).store, "csrf-pre", pre)
    response = page(response_html(csrf), status)
    _set_cookie(request, response, PRE_COOKIE, pre, 3600)
    return response


def _pre_csrf_ok(request: Request, form: Any) -> bool:
    pre = request.cookies.get(PRE_COOKIE, "")
    expected = admin_tokens.mac(receiver_of(request).store, "csrf-pre", pre)
    return bool(pre) and admin_tokens.same_token(str(form.get("csrf", "")), expected)


def _limited(request: Request) -> float:
    """0 if a sign-in attempt may go on, else the seconds to wait: per client, then in all."""
    state = state_of(request)
    if state.limiters is None:
        shared = receiver_of(request).guard.state
        state.limiters = (
            RateLimiter(SIGN_IN_RATE, state=shared, name="admin sign-in"),
            RateLimiter(SIGN_IN_RATE_ALL, state=shared, name="admin sign-in, all"),
        )
    per_client, in_all = state.limiters
    at = state.clock()
    return per_client.allow(client_ip(request), at) or in_all.allow("*", at)


async def sign_in(request: Request) -> Response:
    """GET: the password form. POST: check the password, start a session."""
    has_password = bool(admin_tokens.admin_password_hash(receiver_of(request).settings))
    action = admin_path(request, "/signin")

    def form_page(error: str = "", status: int = 200) -> Response:
        return _pre_form(
            request,
            lambda csrf: admin_pages.sign_in(action, csrf, has_password, error),
            status,
        )

    if request.method == "GET":
        if session_id(request):
            return RedirectResponse(admin_path(request), status_code=303)
        return form_page()
    form = await read_form(request)
    if not _pre_csrf_ok(request, form):
        return form_page("The form had expired (invalid CSRF token): please sign in again.", 403)
    wait = _limited(request)
    if wait:
        response = form_page(f"Too many attempts: try again in {wait:.0f} s.", 429)
        response.headers["Retry-After"] = retry_after_header(wait)
        return response
    stored = admin_tokens.admin_password_hash(receiver_of(request).settings)
    password = str(form.get("password", ""))
    ok = bool(stored) and await run_in_threadpool(admin_tokens.verify_password, password, stored)
    if not ok:
        return form_page("Wrong password.", 401)
    return start_session(request, RedirectResponse(admin_path(request), status_code=303))


async def sign_in_link(request: Request) -> Response:
    """GET: a button to spend the one-time link (scanners follow GETs). POST: spend it."""
    store = receiver_of(request).store
    if request.method == "GET":
        token = request.query_params.get("t", "")
        if not token or not await run_in_threadpool(
            admin_tokens.sign_in_link_valid, store, token, now(request)
        ):
            return page(admin_pages.link_gone(admin_path(request, "/signin")), 401)
        return _pre_form(
            request,
            lambda csrf: admin_pages.confirm_link(admin_path(request, "/link"), token, csrf),
        )
    form = await read_form(request)
    if not _pre_csrf_ok(request, form):
        return page(admin_pages.message("Refused", "Invalid CSRF token.", error=True), 403)
    wait = _limited(request)
    if wait:
        response = page(admin_pages.message("Slow down", "Too many attempts.", error=True), 429)
        response.headers["Retry-After"] = retry_after_header(wait)
        return response
    token = str(form.get("t", ""))
    if not token or not await run_in_threadpool(
        admin_tokens.use_sign_in_link, store, token, now(request)
    ):
        return page(admin_pages.link_gone(admin_path(request, "/signin")), 401)
    return start_session(request, RedirectResponse(admin_path(request), status_code=303))


@signed_in
async def sign_out(request: Request) -> Response:
    """End the session on this browser (POST only: a GET just goes back to the inbox)."""
    if request.method == "GET":
        return RedirectResponse(admin_path(request), status_code=303)
    response = RedirectResponse(admin_path(request, "/signin"), status_code=303)
    response.delete_cookie(SESSION_COOKIE, path=admin_path(request))
    return response
