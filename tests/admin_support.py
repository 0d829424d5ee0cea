"""Helpers for the moderation page tests: a built site with an inbox, served on loopback."""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx
from aiosmtpd.controller import Controller
from backchannel.model import Item, Kind, State
from backchannel.moderation.admin_tokens import hash_password
from backchannel.receiver.admin_auth import AdminState
from backchannel.receiver.server import create_app
from backchannel.store import Store
from conftest import Site
from receiver_support import PUBLISHED_COMMENT, free_port, running, settings_for

PASSWORD = "correct horse battery staple"
PASSWORD_HASH = hash_password(PASSWORD)
T0 = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


class Clock:
    """The moderation page's clock, moved forward by tests instead of sleeping."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


def inbox_item(n: int, author: str, body: str, **fields: Any) -> Item:
    """A comment waiting in the inbox on first-post."""
    return Item(
        id=f"c{n:011d}",
        kind=Kind.COMMENT,
        article="first-post",
        author=author,
        date=T0,
        origin="receiver",
        body=body,
        state=State.INBOX,
        **fields,
    )


def admin_site(site: Site, port: int, extra: str = "") -> Store:
    """Two articles, one published comment, five inbox items (one a reply), built."""
    site.write_conf(
        f'BACKCHANNEL_RECEIVER_URL = "http://127.0.0.1:{port}/backchannel"\n'
        "BACKCHANNEL_SPAM_THRESHOLD = None\n" + extra
    )
    site.article("first-post", title="First Post")
    site.article("second-post", title="Second Post", date="2026-09-03 10:00")
    site.item("published", "first-post", "c0ffee000001", PUBLISHED_COMMENT)
    store = Store(site.feedback)
    store.add(
        inbox_item(
            1,
            'Ann <script>alert("name")</script>',
            "Does <script>window.__xss=1</script> **this** work with feeds?",
        )
    )
    store.add(inbox_item(2, "Ben Replier", "I agree with Ada on feeds.", parent="c0ffee000001"))
    store.add(
        inbox_item(
            3,
            "Casino Bonus",
            "Free spins https://casino.example/a https://casino.example/b https://x.example/",
            reasons=("3 links",),
        )
    )
    store.add(inbox_item(4, "Dee Dull", "Meh."))
    store.add(inbox_item(5, "Eve Erase", "Please delete me."))
    site.build()
    return store


@dataclass
class Served:
    """A served site: base URL of the site, of the admin page, and the page's clock."""

    base: str
    admin: str
    clock: Clock
    settings: Any


@contextlib.contextmanager
def serving(site: Site, port: int, **overrides: Any) -> Iterator[Served]:
    """The built site and its receiver on loopback (real uvicorn), password set by default."""
    overrides.setdefault("ADMIN_PASSWORD_HASH", PASSWORD_HASH)
    settings = settings_for(site.conf, port, **overrides)
    app = create_app(settings, site.output)
    clock = Clock()
    app.routes[0].app.state.admin = AdminState(clock=clock)  # the mounted receiver
    with running(app, port) as base:
        yield Served(base, f"{base}/backchannel/admin", clock, settings)


CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def csrf_in(html: str) -> str:
    """The first CSRF token of a page."""
    found = CSRF.search(html)
    assert found, html
    return found.group(1)


def sign_in(client: httpx.Client, admin: str, password: str = PASSWORD) -> httpx.Response:
    """Sign in through the password form; returns the POST's response."""
    form = client.get(f"{admin}/signin")
    return client.post(f"{admin}/signin", data={"csrf": csrf_in(form.text), "password": password})


# --- a real SMTP server on loopback ------------------------------------------------------
class MailBox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.port = 0

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@contextlib.contextmanager
def smtp_server() -> Iterator[MailBox]:
    """aiosmtpd on a free loopback port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    box = MailBox()
    box.port = port
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box
    finally:
        controller.stop()


def one_click_links(message: email.message.EmailMessage, item_id: str) -> dict[str, str]:
    """The approve / spam links the author's message gives for one item."""
    body = message.get_body(("plain",)).get_content()
    block = body.split(f"- {item_id} ", 1)[1].split("\n- ", 1)[0]
    return dict(re.findall(r"^\s+(approve|spam): (\S+)", block, re.MULTILINE))


__all__ = ["free_port"]
