"""E-mail notifications through a real SMTP server (aiosmtpd) on a loopback port."""

from __future__ import annotations

import email
import email.policy
import socket
from datetime import UTC, datetime

import pytest
from aiosmtpd.controller import Controller
from backchannel.model import Item, Kind, State
from backchannel.store import Store

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


class Inbox:
    """An aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
        self.envelopes.append(list(envelope.rcpt_tos))
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 OK"


@pytest.fixture
def smtp():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    inbox.port = port
    yield inbox
    controller.stop()


def configure(site, smtp) -> Store:
    site.write_conf(f"""
SITEURL = "https://blog.example"
BACKCHANNEL_SMTP_HOST = "127.0.0.1"
BACKCHANNEL_SMTP_PORT = {smtp.port}
BACKCHANNEL_AUTHOR_EMAIL = "mara@example.org"
BACKCHANNEL_MAIL_FROM = "blog@example.org"
""")
    site.article("post", title="On Listening")
    return Store(site.feedback)


def add(
    store: Store,
    n: int,
    author: str,
    state: State = State.INBOX,
    private: dict | None = None,
    **fields,
) -> Item:
    email_hash = store.email_hash(private["email"]) if private else None
    item = Item(
        id=f"c{n:011d}",
        kind=Kind.COMMENT,
        article="post",
        author=author,
        date=T0,
        origin="receiver",
        body=f"Comment {n} by {author}.",
        state=state,
        email_hash=email_hash,
        **fields,
    )
    return store.add(item, private=private)


def test_author_gets_new_inbox_items_once(site, smtp) -> None:
    store = configure(site, smtp)
    add(store, 1, "Ann", reasons=("3 links",))
    add(store, 2, "Bob")
    proc = site.cli("notify")
    assert proc.returncode == 0, proc.stderr
    assert "about 2 new item(s)" in proc.stdout
    assert len(smtp.messages) == 1 and smtp.envelopes[0] == ["mara@example.org"]
    body = smtp.messages[0].get_content()
    assert "c00000000001" in body and "held because: 3 links" in body and "Bob" in body
    assert site.cli("notify").stdout.strip() == "nothing new in the inbox"
    add(store, 3, "Cy")
    site.cli("notify")
    assert len(smtp.messages) == 2 and "c00000000003" in smtp.messages[1].get_content()
    assert "c00000000001" not in smtp.messages[1].get_content()


def test_notify_without_smtp_says_so(site) -> None:
    site.article("post")
    proc = site.cli("notify")
    assert proc.returncode == 1 and "BACKCHANNEL_SMTP_HOST is not set" in proc.stderr


def test_reader_hears_of_a_reply_only_if_opted_in(site, smtp) -> None:
    store = configure(site, smtp)
    add(store, 1, "Ann", State.PUBLISHED, {"email": "ann@example.org", "notify": True})
    add(store, 2, "Bob", State.PUBLISHED, {"email": "bob@example.org", "notify": False})
    add(
        store,
        3,
        "Cy",
        State.INBOX,
        {"email": "cy@example.org", "notify": True},
        parent="c00000000001",
    )
    site.build()
    proc = site.cli("reply", "c00000000002", "--yes", "--text", "Bob did not ask for mail.")
    assert proc.returncode == 0 and smtp.messages == []
    proc = site.cli("approve", "c00000000003")  # Cy replies to Ann
    assert proc.returncode == 0, proc.stderr
    assert "mailed 1 reader(s)" in proc.stdout
    msg = smtp.messages[0]
    assert smtp.envelopes[0] == ["ann@example.org"]
    assert msg["Subject"] == "Cy replied to your comment on On Listening"
    assert "https://blog.example/post.html#comment-c00000000003" in msg.get_content()
    unsubscribe = msg["List-Unsubscribe"].strip("<>")
    assert unsubscribe in msg.get_content()
    assert msg["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The author's reply also reaches Ann; after she unsubscribes, nothing does.
    assert site.cli("reply", "c00000000001", "--yes", "--text", "Thanks Ann").returncode == 0
    assert len(smtp.messages) == 2 and "Mara Lindqvist replied" in smtp.messages[1]["Subject"]
    from urllib.parse import parse_qs, urlsplit

    from backchannel.moderation.mail import unsubscribe as do_unsubscribe

    query = parse_qs(urlsplit(unsubscribe).query)
    assert do_unsubscribe(store, query["h"][0], query["t"][0])
    assert site.cli("reply", "c00000000001", "--yes", "--text", "Once more").returncode == 0
    assert len(smtp.messages) == 2


def test_names_cannot_inject_headers(site, smtp) -> None:
    store = configure(site, smtp)
    # A name as a stranger might send it (the store folds it onto one line).
    evil = "Eve\r\nBcc: victim@example.net\r\nSubject: hacked"
    add(store, 1, evil, State.PUBLISHED, {"email": "eve@example.org", "notify": True})
    add(store, 2, "Mallory\nBcc: x@example.net", State.INBOX, parent="c00000000001")
    proc = site.cli("approve", "c00000000002", "--no-republish")
    assert proc.returncode == 0, proc.stderr
    assert len(smtp.messages) == 1
    msg = smtp.messages[0]
    assert msg["Bcc"] is None and smtp.envelopes[0] == ["eve@example.org"]
    assert msg["Subject"].startswith("Mallory Bcc: x@example.net replied")
    assert len(msg.get_all("Subject")) == 1
    add(store, 3, evil, State.INBOX)
    assert site.cli("notify").returncode == 0
    assert smtp.messages[1]["Bcc"] is None and smtp.envelopes[1] == ["mara@example.org"]
