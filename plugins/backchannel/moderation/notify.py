"""Who gets told what by e-mail: the author (new inbox items, batched) and readers (replies).

Readers are mailed only if they ticked "e-mail me" (private `notify: true`) and
did not unsubscribe since; every reader message carries the one-click link.
The author's batch remembers which items it already announced in the private
state database, so a cron job mails each item once.
"""

from __future__ import annotations

import logging
from email.message import EmailMessage
from typing import Any

from backchannel.build.render import plain_text
from backchannel.errors import SettingsError, StoreError
from backchannel.field_policy import clip
from backchannel.model import Item, State
from backchannel.moderation.admin_tokens import ONE_CLICK_ACTIONS, one_click_url
from backchannel.moderation.mail import (
    build_message,
    display_address,
    may_mail,
    send,
    unsubscribe_url,
)
from backchannel.settings import Resolved
from backchannel.store import Store
from backchannel.store.state import NOTIFIED, state_of

logger = logging.getLogger(__name__)


def _article_link(settings: Resolved, articles: dict[str, Any], item: Item) -> str:
    ref = articles.get(item.article)
    if ref is None:
        return ""
    base = settings.site_url.rstrip("/")
    return f"{base}/{ref.url}#comment-{item.id}"


def _excerpt(item: Item, limit: int = 600) -> str:
    return clip(plain_text(item.body).strip(), limit)


def reply_messages(
    settings: Resolved, store: Store, replies: list[Item], articles: dict[str, Any]
) -> list[EmailMessage]:
    """One message per reply whose parent's author opted in and has not unsubscribed."""
    messages = []
    for reply in replies:
        if not reply.parent:
            continue
        try:
            parent = store.find(reply.parent, [State.PUBLISHED])
        except StoreError:  # a vanished parent simply gets no mail
            continue
        private = store.read_private(parent.id)
        email = private.get("email")
        if not email or private.get("notify") is not True:
            continue
        email_hash = parent.email_hash or store.email_hash(email)
        if not may_mail(store, email_hash):
            continue
        if reply.email_hash and reply.email_hash == email_hash:
            continue  # nobody needs mail about their own reply
        title = articles[parent.article].title if parent.article in articles else parent.article
        replier = settings.site_author if reply.author_reply else reply.author
        body = (
            f"{replier} replied to your comment on “{title}”:\n\n"
            f"{_excerpt(reply)}\n\n"
            f"Read it: {_article_link(settings, articles, reply)}\n"
        )
        messages.append(
            build_message(
                settings,
                to=display_address(parent.author, email),
                subject=f"{replier} replied to your comment on {title}",
                body=body,
                unsubscribe_url=unsubscribe_url(settings, store, email_hash),
            )
        )
    return messages


def author_batch(settings: Resolved, store: Store) -> tuple[EmailMessage | None, list[Item]]:
    """The author's message about inbox items not announced before (None if there are none)."""
    if not settings["AUTHOR_EMAIL"]:
        raise SettingsError("backchannel: BACKCHANNEL_AUTHOR_EMAIL is not set; nobody to notify")
    seen = state_of(store).keys(NOTIFIED)
    fresh = [i for i in store.items([State.INBOX]) if i.id not in seen]
    fresh.sort(key=lambda i: (i.date, i.id))
    if not fresh:
        return None, []
    lines = [
        f"{len(fresh)} new item(s) in the Backchannel inbox of {settings.site_name}:",
        "",
    ]
    for item in fresh:
        score = f"spam score {item.spam_score:.2f}" if item.spam_score is not None else "unscored"
        lines.append(
            f"- {item.id} {item.kind} by {' '.join(item.author.split())} "
            f"on {item.article} ({score})"
        )
        lines.append(f"  {_excerpt(item, 160)}".replace("\n", " "))
        if item.reasons:
            lines.append(f"  held because: {'; '.join(item.reasons)}")
        # Signed, expiring links to a confirmation page: a mail scanner's GET changes nothing.
        for action in ONE_CLICK_ACTIONS:
            lines.append(f"  {action}: {one_click_url(settings, store, item.id, action)}")
    lines += [
        "",
        f"Moderate on the page: {settings.receiver_url}/admin",
        "or with: backchannel inbox",
    ]
    message = build_message(
        settings,
        to=settings["AUTHOR_EMAIL"],
        subject=f"{len(fresh)} new item(s) awaiting moderation",
        body="\n".join(lines),
    )
    return message, fresh


def notify_author(settings: Resolved, store: Store) -> list[Item]:
    """Mail the author about new inbox items and remember them; returns the items announced."""
    if not settings["SMTP_HOST"]:
        raise SettingsError("backchannel: BACKCHANNEL_SMTP_HOST is not set; no mail can be sent")
    message, fresh = author_batch(settings, store)
    if message is None:
        return []
    send(settings, [message])
    state = state_of(store)
    state.put_many(NOTIFIED, dict.fromkeys((i.id for i in fresh), True))
    # Only items still in the inbox need remembering: the table stays small.
    state.keep_only(NOTIFIED, {i.id for i in store.items([State.INBOX])})
    return fresh
