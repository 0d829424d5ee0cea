"""The reader cookie: which comments this browser sent, so auto-approve needs more than an address.

With BACKCHANNEL_AUTO_APPROVE_KNOWN a comment is published at once only if the
browser that sends it also sent an earlier comment with the same e-mail that
the author approved. Knowing a reader's address is not enough: the proof is
this signed cookie (keyed by the site's secret), which names the comments
(article, id) the browser posted with an e-mail, newest first. It is HttpOnly
and SameSite=Lax, so another site cannot make a reader's browser post with it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from itsdangerous import BadSignature, URLSafeSerializer
from starlette.requests import Request
from starlette.responses import Response

from backchannel.model import ID_RE, Item
from backchannel.store import Store

COOKIE = "backchannel_reader"
KEEP = 5  # comments remembered per browser
MAX_AGE = 365 * 86400


def _signer(store: Store) -> URLSafeSerializer:
    return URLSafeSerializer(store.secret(), salt="backchannel-reader")


def read(request: Request, store: Store) -> tuple[tuple[str, str], ...]:
    """The (article, comment id) pairs this browser sent before; () if none or forged."""
    raw = request.cookies.get(COOKIE, "")
    if not raw or len(raw) > 2000:
        return ()
    try:
        data = _signer(store).loads(raw)
    except BadSignature:
        return ()
    if not isinstance(data, list):
        return ()
    pairs = []
    for entry in data[:KEEP]:
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and all(isinstance(part, str) for part in entry)
            and ID_RE.match(entry[1])
        ):
            pairs.append((entry[0], entry[1]))
    return tuple(pairs)


def remember(
    response: Response,
    request: Request,
    store: Store,
    settings: Any,
    earlier: tuple[tuple[str, str], ...],
    item: Item,
) -> None:
    """Add the comment just stored to the browser's cookie."""
    pairs = [[item.article, item.id], *([a, i] for a, i in earlier if i != item.id)][:KEEP]
    secure = "https" in (urlsplit(settings.receiver_url).scheme, request.url.scheme)
    response.set_cookie(
        COOKIE,
        _signer(store).dumps(pairs),
        max_age=MAX_AGE,
        path=request.scope.get("root_path", "").rstrip("/") or "/",
        secure=secure,
        httponly=True,
        samesite="lax",
    )
