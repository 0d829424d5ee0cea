"""The moderation page's credentials: the password hash, one-time sign-in links, signed links.

- The password is kept only as a scrypt hash (stdlib `hashlib.scrypt`, RFC 7914),
  made by `backchannel admin-password`, in BACKCHANNEL_ADMIN_PASSWORD_HASH or the
  environment variable of that name. The hash has no `$` in it, so it survives
  a shell's double quotes and a systemd `Environment=` line.
- A one-time sign-in link (`backchannel admin-link`) is 32 random bytes; only its
  SHA-256 and its expiry are kept, in the private state database (`state.py`).
- The one-click approve / spam links of the author's notification e-mail are
  signed (itsdangerous, keyed by the store's secret) and carry their expiry and a
  nonce; a used nonce is remembered there too until the link expires.
Spending either is one database transaction, so two receiver workers never both
accept the same one-time link.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
import time
from typing import Any
from urllib.parse import urlencode

from itsdangerous import BadSignature, URLSafeSerializer

from backchannel.errors import BackchannelError
from backchannel.settings import Resolved
from backchannel.store import Store
from backchannel.store.state import ONE_CLICK_USED, SIGN_IN_LINK, state_of

logger = logging.getLogger(__name__)

ENV_PASSWORD_HASH = "BACKCHANNEL_ADMIN_PASSWORD_HASH"
SIGN_IN_LINK_SECONDS = 15 * 60
ONE_CLICK_SECONDS = 7 * 86400  # a notification read after a weekend still works
ONE_CLICK_ACTIONS = ("approve", "spam")
# scrypt's cost: 16 MiB and ~50 ms a guess (OWASP's minimum is N=2^17 with r=8 at
# 128 MiB; 2^14 keeps a small VPS receiver responsive, the rate limit does the rest).
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**14, 8, 1
_MAX_N = 2**20  # refuse hashes whose cost would stall the receiver


class TokenError(BackchannelError):
    """A link or token is not (or no longer) valid; the message says why, for the page."""

    def __init__(self, reason: str, status: int = 400) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


def same_token(given: str, expected: str) -> bool:
    """Constant-time check of a token a stranger sent (in any characters) against ours.

    `compare_digest` raises TypeError on a non-ASCII str, which would be a 500:
    the stranger's side is compared as UTF-8 bytes instead.
    """
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * 1024 * 1024, dklen=32
    )


def hash_password(password: str) -> str:
    """`scrypt:N:r:p:salt:hash`, the value for BACKCHANNEL_ADMIN_PASSWORD_HASH."""
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt:{SCRYPT_N}:{SCRYPT_R}:{SCRYPT_P}:{_b64(salt)}:{_b64(digest)}"


def _parse_hash(stored: str) -> tuple[tuple[int, int, int], bytes, bytes]:
    """The (N, r, p) cost, salt and digest of a stored hash; ValueError if it is none."""
    scheme, n, r, p, salt, digest = stored.strip().split(":")
    cost = (int(n), int(r), int(p))
    if scheme != "scrypt" or not 1 < cost[0] <= _MAX_N or min(cost) < 1:
        raise ValueError(scheme)
    return cost, _unb64(salt), _unb64(digest)


def verify_password(password: str, stored: str) -> bool:
    """True if `password` matches the stored hash; False (and a warning) for a malformed hash."""
    try:
        cost, salt, expected = _parse_hash(stored)
        actual = _scrypt(password, salt, *cost)
    except (ValueError, TypeError):
        logger.warning(
            "backchannel: %s is not a hash made by `backchannel admin-password`", ENV_PASSWORD_HASH
        )
        return False
    return hmac.compare_digest(actual, expected)


def admin_password_hash(settings: Resolved) -> str | None:
    """The password hash in force: the environment variable, else the setting."""
    return os.environ.get(ENV_PASSWORD_HASH) or settings["ADMIN_PASSWORD_HASH"] or None


def serializer(store: Store, purpose: str) -> URLSafeSerializer:
    """A signer for one purpose (session, flash, one-click), keyed by the site's secret."""
    return URLSafeSerializer(store.secret(), salt=f"backchannel-admin-{purpose}")


def mac(store: Store, purpose: str, value: str) -> str:
    """A short keyed hash of a value (CSRF tokens, session marks)."""
    data = f"{purpose}:{value}".encode()
    return hmac.new(store.secret(), data, hashlib.sha256).hexdigest()[:32]


# --- the one-time state: sign-in links and used one-click nonces ---------------
def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_sign_in_link(settings: Resolved, store: Store, now: float | None = None) -> str:
    """A sign-in URL valid SIGN_IN_LINK_SECONDS, once; only its hash is kept."""
    now = time.time() if now is None else now
    token = secrets.token_urlsafe(32)
    state_of(store).put(SIGN_IN_LINK, _digest(token), expires=now + SIGN_IN_LINK_SECONDS)
    return f"{settings.receiver_url}/admin/link?{urlencode({'t': token})}"


def sign_in_link_valid(store: Store, token: str, now: float) -> bool:
    """True if the sign-in link is pending (read only: the GET shows a button)."""
    return state_of(store).has(SIGN_IN_LINK, _digest(token), now)


def use_sign_in_link(store: Store, token: str, now: float) -> bool:
    """Spend a sign-in link: True the first time within its 15 minutes, False ever after."""
    return state_of(store).remove(SIGN_IN_LINK, _digest(token), now)


# --- one-click links in the author's e-mail ------------------------------------------
def one_click_url(
    settings: Resolved, store: Store, item_id: str, action: str, now: float | None = None
) -> str:
    """A signed, expiring link that lets the author approve or spam one item after confirming."""
    if action not in ONE_CLICK_ACTIONS:
        raise ValueError(action)
    now = time.time() if now is None else now
    payload = {"i": item_id, "a": action, "e": int(now + ONE_CLICK_SECONDS)}
    payload["n"] = secrets.token_urlsafe(9)
    token = serializer(store, "one-click").dumps(payload)
    return f"{settings.receiver_url}/admin/one-click?{urlencode({'t': token})}"


def read_one_click(store: Store, token: str, now: float) -> dict[str, Any]:
    """The link's {"i": id, "a": action, "e": expiry, "n": nonce}, or TokenError saying why not."""
    try:
        payload = serializer(store, "one-click").loads(token)
    except BadSignature:
        raise TokenError("This link is not valid.", 401) from None
    if (
        not isinstance(payload, dict)
        or payload.get("a") not in ONE_CLICK_ACTIONS
        or not isinstance(payload.get("i"), str)
        or not isinstance(payload.get("e"), int)
        or not isinstance(payload.get("n"), str)
    ):
        raise TokenError("This link is not valid.", 401)
    if payload["e"] <= now:
        raise TokenError("This link has expired: moderate from the moderation page.", 410)
    if state_of(store).has(ONE_CLICK_USED, payload["n"], now):
        raise TokenError("This link was already used.", 410)
    return payload


def spend_one_click(store: Store, payload: dict[str, Any], now: float) -> None:
    """Remember a one-click link as used (TokenError if another request used it first)."""
    if not state_of(store).add(ONE_CLICK_USED, payload["n"], expires=float(payload["e"]), now=now):
        raise TokenError("This link was already used.", 410)
