"""E-mail the readers whose questions a published post answers, once each.

What was sent is remembered in the private state database as pairs of comment
id and article slug: no addresses, nothing personal. Each message is
recorded right after it is sent, so a failure half-way never mails anyone twice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime

from backchannel.build.articles import load_articles
from backchannel.errors import UnknownItemError
from backchannel.model import Item, State
from backchannel.moderation.mail import (
    build_message,
    display_address,
    may_mail,
    send,
    unsubscribe_url,
)
from backchannel.settings import Resolved
from backchannel.store import Store
from backchannel.store.state import NOTIFIED_ANSWER, state_of

logger = logging.getLogger(__name__)


@dataclass
class NotifyReport:
    """What notify-answers did."""

    sent: int = 0
    would_send: int = 0
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, reason: str) -> None:
        """Count one skipped comment."""
        self.skipped[reason] = self.skipped.get(reason, 0) + 1


def notify_answers(settings: Resolved, store: Store, dry_run: bool = False) -> NotifyReport:
    """Mail each opted-in asker of each answered comment once."""
    report = NotifyReport()
    state = state_of(store)
    done = {tuple(key.partition(" ")[::2]) for key in state.keys(NOTIFIED_ANSWER)}
    siteurl = settings.site_url
    # (address, article) -> the reader's answered comments: one message each.
    pending: dict[tuple[str, str], list[Item]] = {}
    articles = load_articles(settings)
    by_slug = {a.slug: a for a in articles}
    for article in articles:
        for cid in article.answers:
            if (cid, article.slug) in done:
                report.skip("already notified")
                continue
            try:
                item = store.find(cid, [State.PUBLISHED])
            except UnknownItemError:
                report.skip("no such published comment")
                continue
            private = store.read_private(item.id)
            email = private.get("email")
            if not email or not private.get("notify"):
                report.skip("did not opt in")
                continue
            if not may_mail(store, item.email_hash or store.email_hash(email)):
                report.skip("unsubscribed")
                continue
            pending.setdefault((email, article.slug), []).append(item)
    if not settings["SMTP_HOST"] or dry_run:
        report.would_send = len(pending)
        return report
    for (email, slug), items in sorted(pending.items()):
        article = by_slug[slug]
        first = items[0]
        asked = "\n\n".join(f"  “{' '.join(i.body.split())[:300]}”" for i in items)
        site_name = settings.site_name
        body = (
            f"Hello {first.author},\n\nYou asked this on {site_name}:"
            f"\n\n{asked}\n\n{settings.site_author} has now answered it in a post:\n\n"
            f"  {article.title}\n  {article.absolute_url(siteurl)}\n\nThank you for asking.\n"
        )
        ehash = first.email_hash or store.email_hash(email)
        msg = build_message(
            settings,
            display_address(first.author, email),
            f"Your question is answered: {article.title}",
            body,
            unsubscribe_url(settings, store, ehash),
        )
        send(settings, [msg])
        now = datetime.now(UTC).isoformat(timespec="seconds")
        state.put_many(NOTIFIED_ANSWER, {f"{i.id} {slug}": {"date": now} for i in items})
        report.sent += 1
        logger.info(
            "backchannel: told the asker of %s about %s", ", ".join(i.id for i in items), slug
        )
    return report
