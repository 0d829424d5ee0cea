"""Notification e-mail: build safe messages, send them over SMTP, honour unsubscribes.

Every header value is checked for CR/LF before it reaches `EmailMessage`, so a
reader's name or a comment title can never inject headers. Sending is off until
BACKCHANNEL_SMTP_HOST is set. Unsubscribing is one click: the link carries the
reader's e-mail hash and an HMAC of it, and the receiver's `/unsubscribe`
calls `unsubscribe()`.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import unicodedata
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlencode

from backchannel.errors import BackchannelError
from backchannel.moderation.admin_tokens import same_token
from backchannel.settings import Resolved
from backchannel.store import Store
from backchannel.store.state import UNSUBSCRIBED, state_of

logger = logging.getLogger(__name__)


class MailError(BackchannelError):
    """A message could not be built or sent."""


def _clean_header(value: str, field: str) -> str:
    if "\r" in value or "\n" in value:
        raise MailError(f"refusing a line break in the {field} header")
    return value


def header_text(value: str) -> str:
    """Text a stranger wrote, made safe for a header: one line, no controls, no encoded words.

    Python's email package (3.11) decodes an RFC 2047 encoded word found in a
    header value it is given (`=?utf-8?q?=0D=0ABcc:_x@y.z?=`) and folds the
    decoded CR LF out as a real line break: the literal encoded word *is* the
    injection. So controls and invisible format characters go, whitespace is
    folded, and every "=?" is broken apart.
    """
    kept = []
    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cc":
            kept.append(" ")
        elif category[0] != "C":  # Cf (RTL override, zero-width), Cs, Co, Cn: dropped
            kept.append(ch)
    return " ".join("".join(kept).split()).replace("=?", "= ?")


def build_message(
    settings: Resolved,
    to: str | Address,
    subject: str,
    body: str,
    unsubscribe_url: str | None = None,
) -> EmailMessage:
    """A plain-text message; List-Unsubscribe headers when a link is given (RFC 8058)."""
    msg = EmailMessage()
    msg["From"] = _clean_header(settings["MAIL_FROM"], "From")
    msg["To"] = to if isinstance(to, Address) else _clean_header(to, "To")
    # Names and titles come from strangers: neutralize rather than refuse.
    msg["Subject"] = header_text(subject)
    msg["Message-ID"] = make_msgid(domain="backchannel.invalid")
    if unsubscribe_url:
        msg["List-Unsubscribe"] = f"<{_clean_header(unsubscribe_url, 'List-Unsubscribe')}>"
        msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        body = f"{body.rstrip()}\n\n--\nStop these e-mails: {unsubscribe_url}\n"
    msg.set_content(body)
    return msg


def send(settings: Resolved, messages: list[EmailMessage]) -> int:
    """Send messages over one SMTP connection; returns how many went out."""
    host = settings["SMTP_HOST"]
    if not host or not messages:
        return 0
    import smtplib  # only when mail is really sent: every CLI command imports this module

    try:
        with smtplib.SMTP(host, settings["SMTP_PORT"], timeout=30) as smtp:
            if settings["SMTP_STARTTLS"]:
                smtp.starttls()
            if settings["SMTP_USER"]:
                smtp.login(settings["SMTP_USER"], settings["SMTP_PASSWORD"] or "")
            for msg in messages:
                smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise MailError(f"cannot send mail through {host}: {exc}") from exc
    return len(messages)


def display_address(name: str, address: str) -> Address:
    """'Name <address>' with the name encoded safely.

    An Address object, not a formatted string: a string with an encoded name
    is parsed again by EmailMessage and, in Python 3.11, folded back out with
    the name's ':' and ',' bare, so "Zoë: a@x.y, b@z.q" became a recipient list.
    """
    if "\r" in address or "\n" in address:
        raise MailError("refusing a line break in the To header")
    # Only letters, digits and name punctuation: Python 3.11 also loses the
    # quotes of a long display name with specials ('=', '?', ':', '@') when it
    # folds the header, which turned the name into addresses again.
    plain = "".join(ch if ch.isalnum() or ch in " .'-_" else " " for ch in header_text(name))
    try:
        return Address(display_name=" ".join(plain.split()), addr_spec=address)
    except (ValueError, IndexError, HeaderParseError) as exc:
        raise MailError(f"not a usable e-mail address {address!r}: {exc}") from None


def unsubscribe_token(store: Store, email_hash: str) -> str:
    """The HMAC that proves an unsubscribe link came from us."""
    return hmac.new(
        store.secret(), f"unsubscribe:{email_hash}".encode(), hashlib.sha256
    ).hexdigest()[:32]


def unsubscribe_url(settings: Resolved, store: Store, email_hash: str) -> str:
    """The one-click unsubscribe link for one reader."""
    query = urlencode({"h": email_hash, "t": unsubscribe_token(store, email_hash)})
    return f"{settings.receiver_url}/unsubscribe?{query}"


def unsubscribed(store: Store) -> set[str]:
    """E-mail hashes that asked for no more mail."""
    return state_of(store).keys(UNSUBSCRIBED)


def unsubscribe(store: Store, email_hash: str, token: str) -> bool:
    """Record an unsubscribe if the token is genuine; False if it is not."""
    if not same_token(token, unsubscribe_token(store, email_hash)):
        return False
    # One row, one transaction: simultaneous unsubscribes never overwrite each other.
    state_of(store).put(UNSUBSCRIBED, email_hash)
    return True


def resubscribe(store: Store, email_hash: str) -> None:
    """Forget an unsubscribe (when the person is forgotten altogether)."""
    state_of(store).remove(UNSUBSCRIBED, email_hash)


def may_mail(store: Store, email_hash: str | None) -> bool:
    """False for readers who unsubscribed."""
    return bool(email_hash) and not state_of(store).has(UNSUBSCRIBED, email_hash)
