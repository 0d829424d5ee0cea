"""The digest through its public surface: the CLI, the built site, real SMTP on loopback."""

from __future__ import annotations

import json
import socket
import time
from datetime import UTC, datetime
from email import message_from_bytes

import pytest
from backchannel.model import Item, Kind, State
from backchannel.store import Store
from backchannel.store.state import NOTIFIED_ANSWER, state_of


def digest_json(site, *args: str) -> dict:
    proc = site.cli("digest", *args)
    assert proc.returncode == 0, proc.stderr
    [path] = sorted((site.feedback / "digests").glob("*.json"))[-1:]
    return json.loads(path.read_text("utf-8"))


def test_digest_of_the_sample_feedback(sample_site):
    proc = sample_site.cli("digest")
    assert proc.returncode == 0, proc.stderr
    folder = sample_site.feedback / "digests"
    names = sorted(p.suffix for p in folder.iterdir())
    assert names == [".html", ".json", ".md", ".xml"]
    data = json.loads(next(folder.glob("*.json")).read_text("utf-8"))
    assert data["period"]["since"] is None
    assert len(data["articles"]) == 5
    assert sum(a["comments"] for a in data["articles"]) == 30
    # Ifeoma asks for a pricing post under one article, others under three more.
    # The topic (its name or a related phrase): readers ask about it under several articles.
    pricing = [
        t for t in data["themes"] if any(p.startswith("pric") for p in [t["phrase"], *t["related"]])
    ]
    assert pricing and len(pricing[0]["questions"]) >= 2 and len(pricing[0]["articles"]) >= 2
    assert any("price" in s["title"].lower() for s in data["suggestions"][:3])
    open_ids = {q["comment_id"] for q in data["questions"] if not q["answered"]}
    assert "377216a3f4a1" in open_ids  # the pricing question: nobody answered
    answered = {q["comment_id"]: q["answered_by"] for q in data["questions"] if q["answered"]}
    assert answered.get("275e34aa9ce4") == "author-reply"  # Mara replied under Ana
    html = next(folder.glob("*.html")).read_text("utf-8")
    assert "<svg" in html and "<script" not in html
    assert "#comment-377216a3f4a1" in html
    feed = (folder / "digests.atom.xml").read_text("utf-8")
    assert "<entry>" in feed and "urn:backchannel:digest:" in feed
    assert not (sample_site.output / "digest").exists()  # not published unless set


def test_empty_feedback_and_an_empty_period(site):
    site.article("lonely")
    data = digest_json(site)
    assert data["questions"] == [] and data["themes"] == [] and data["suggestions"] == []
    html = next((site.feedback / "digests").glob("*.html")).read_text("utf-8")
    assert "No new feedback" in html


def test_last_digest_starts_where_the_previous_one_ended(sample_site):
    first = digest_json(sample_site, "--until", "2026-10-01")
    second = digest_json(sample_site, "--last-digest")
    assert second["period"]["since"] == first["period"]["until"]
    assert sum(a["new_comments"] for a in second["articles"]) < 30


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "--since 'yesterday' is not a date"),
        (["--since", "2026-10-10", "--until", "2026-10-01"], "is not before"),
        (["--format", "pdf"], "unknown digest format"),
    ],
)
def test_bad_arguments_are_one_clear_line(sample_site, args, message):
    proc = sample_site.cli("digest", *args)
    assert proc.returncode == 1
    assert message in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Collect:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 — aiosmtpd's name
            self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
            return "250 OK"

    handler = Collect()
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield port, handler
    finally:
        controller.stop()


def test_draft_publish_build_and_the_loop_closes(site, smtp_server):
    port, inbox = smtp_server
    site.write_conf(
        f"BACKCHANNEL_SMTP_HOST = '127.0.0.1'\nBACKCHANNEL_SMTP_PORT = {port}\n"
        "BACKCHANNEL_PUBLISH_DIGEST = True\nSITEURL = 'https://blog.example'\n"
    )
    site.article("pricing-notes", title="Notes on Discovery")
    store = Store(site.feedback)
    asks = [
        (
            "aaaaaaaaaa01",
            "Ifeoma <Okafor>",
            "How do you price expertise you give away?",
            {"email": "ifeoma@example.org", "notify": True},
        ),
        (
            "aaaaaaaaaa02",
            "Tomasz",
            "And how do you price a discovery phase?",
            {"email": "tomasz@example.org", "notify": False},
        ),
    ]
    for n, (cid, name, body, private) in enumerate(asks):
        store.add(
            Item(
                id=cid,
                kind=Kind.COMMENT,
                article="pricing-notes",
                author=name,
                date=datetime(2026, 10, 1 + n, tzinfo=UTC),
                origin="receiver",
                body=body,
                state=State.PUBLISHED,
            ),
            private=private,
        )
    before = digest_json(site)
    assert all(not q["answered"] for q in before["questions"])

    proc = site.cli("draft", "--title", "How to price expertise")
    assert proc.returncode == 0, proc.stderr
    draft = site.content / "drafts" / "how-to-price-expertise.md"
    text = draft.read_text("utf-8")
    assert "Status: draft" in text and "Answers: aaaaaaaaaa01, aaaaaaaaaa02" in text
    assert "Ifeoma &lt;Okafor&gt;" in text and "> How do you price expertise" in text
    again = site.cli("draft", "--title", "How to price expertise")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert draft.read_text("utf-8") == text

    # Still a draft: nothing is answered yet, nobody is mailed.
    assert all(not q["answered"] for q in digest_json(site)["questions"])
    assert "sent 0" in site.cli("notify-answers").stdout

    draft.write_text(text.replace("Status: draft", "Status: published"), "utf-8")
    site.build()
    page = site.page("pricing-notes")
    assert "Answered in" in page and "How to price expertise" in page
    post = site.page("how-to-price-expertise")
    assert "Prompted by questions from" in post and "Ifeoma &lt;Okafor&gt;" in post
    assert "<Okafor>" not in post

    after = digest_json(site)
    assert {q["comment_id"]: q["answered_by"] for q in after["questions"]} == {
        "aaaaaaaaaa01": "how-to-price-expertise",
        "aaaaaaaaaa02": "how-to-price-expertise",
    }
    assert after["suggestions"] == []  # nothing open is left to suggest

    sent = site.cli("notify-answers")
    assert sent.returncode == 0, sent.stderr
    assert "sent 1" in sent.stdout and "1 did not opt in" in sent.stdout
    deadline = time.monotonic() + 10
    while not inbox.messages and time.monotonic() < deadline:
        time.sleep(0.05)
    [(rcpt, msg)] = inbox.messages
    assert rcpt == ["ifeoma@example.org"]
    assert "How to price expertise" in msg["Subject"]
    assert (
        "https://blog.example/how-to-price-expertise.html" in msg.get_payload(decode=True).decode()
    )
    assert msg["List-Unsubscribe"]
    # What was sent is remembered as comment id and article: no address.
    ledger = json.dumps(state_of(Store(site.feedback)).items(NOTIFIED_ANSWER))
    assert "aaaaaaaaaa01" in ledger and "@" not in ledger
    assert "sent 0" in site.cli("notify-answers").stdout  # once only
    assert len(inbox.messages) == 1

    # Publishing the digest was asked for: the built site carries the newest one.
    site.build()
    assert (site.output / "digest" / "index.html").exists()


def test_draft_answers_starts_a_post_for_the_comments_named(site):
    site.article("sync-notes", title="Notes on Sync")
    store = Store(site.feedback)
    bodies = [
        ("bbbbbbbbbb01", "Lena", "How do you resolve conflicts when both phones edited offline?"),
        ("bbbbbbbbbb02", "Omar", "Lovely write-up, I tried it at home and it held up."),
        ("bbbbbbbbbb03", "Ines", "Does the merge keep deletions made on the laptop?"),
    ]
    for n, (cid, name, body) in enumerate(bodies):
        store.add(
            Item(
                id=cid,
                kind=Kind.COMMENT,
                article="sync-notes",
                author=name,
                date=datetime(2026, 10, 1 + n, tzinfo=UTC),
                origin="receiver",
                body=body,
                state=State.PUBLISHED,
            )
        )
    # Any comments, whatever the suggestions hold: one without a question too.
    proc = site.cli("draft", "--answers", "bbbbbbbbbb03", "bbbbbbbbbb02", "--title", "Sync FAQ")
    assert proc.returncode == 0, proc.stderr
    text = (site.content / "drafts" / "sync-faq.md").read_text("utf-8")
    assert "Answers: bbbbbbbbbb03, bbbbbbbbbb02" in text
    assert "Ines and Omar" in text and "Lena" not in text
    assert "> Does the merge keep deletions made on the laptop?" in text
    assert "> Lovely write-up, I tried it at home and it held up." in text
    # Without --title, the first question gives the working title.
    proc = site.cli("draft", "--answers", "bbbbbbbbbb01")
    assert proc.returncode == 0, proc.stderr
    [made] = [p for p in (site.content / "drafts").glob("*.md") if p.name != "sync-faq.md"]
    assert "Answers: bbbbbbbbbb01" in made.read_text("utf-8")
    assert made.name.startswith("how-to-resolve-conflicts")

    before = sorted((site.content / "drafts").glob("*.md"))
    bad = site.cli("draft", "--answers", "bbbbbbbbbb01", "ffffffffffff")
    assert bad.returncode != 0
    assert bad.stderr.strip().count("\n") == 0 and "ffffffffffff" in bad.stderr
    assert sorted((site.content / "drafts").glob("*.md")) == before
