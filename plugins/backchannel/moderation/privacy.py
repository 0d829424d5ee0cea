"""Privacy requests: everything held about one person (`export`), and erasing it (`forget`).

A person is found by the keyed hash of their e-mail address on an item's
`Email-Hash` header and by the address in the item's private data, in every
state (inbox, published, spam, rejected, unmatched).
"""

from __future__ import annotations

import logging
from typing import Any

from backchannel.model import Item, public_json
from backchannel.moderation.mail import unsubscribed
from backchannel.store import Store

logger = logging.getLogger(__name__)


def items_of(store: Store, email: str) -> list[tuple[Item, dict[str, Any]]]:
    """Every item one e-mail address submitted, with its private data."""
    wanted = email.strip().lower()
    email_hash = store.email_hash(wanted)
    found = []
    for item in store.items():
        private = store.read_private(item.id)
        address = str(private.get("email") or "").strip().lower()
        if item.email_hash == email_hash or (address and address == wanted):
            found.append((item, private))
    found.sort(key=lambda pair: (pair[0].date, pair[0].id))
    return found


def export(store: Store, email: str) -> dict[str, Any]:
    """Everything held about one person, as JSON data."""
    email_hash = store.email_hash(email)
    items = []
    for item, private in items_of(store, email):
        data = public_json(item)
        data["email_hash"] = item.email_hash
        data["spam_score"] = item.spam_score
        data["private"] = private
        items.append(data)
    return {
        "email": email.strip(),
        "email_hash": email_hash,
        "unsubscribed": email_hash in unsubscribed(store),
        "items": items,
    }
