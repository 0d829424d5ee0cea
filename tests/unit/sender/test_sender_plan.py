"""The send plan and the record: pure rules, atomic writes, backoff, give-up."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from backchannel.build.articles import ArticleInfo
from backchannel.outbound.fetch import Fetcher
from backchannel.sender.links import external_links
from backchannel.sender.plan import content_hash, make_plan
from backchannel.sender.record import (
    Action,
    Entry,
    Protocol,
    SendError,
    SentRecord,
    Status,
    backoff,
    send_lock,
)
from backchannel.sender.run import Sender
from backchannel.settings import resolve
from sender_helpers import Server, Web

SITE = "https://me.example"
NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def article(slug: str, html: str) -> ArticleInfo:
    """A published article as load_articles returns it."""
    return ArticleInfo(
        id=slug,
        slug=slug,
        title=slug.title(),
        url=f"{slug}.html",
        date=NOW,
        status="published",
        source_path=f"{slug}.md",
        html=html,
        summary="A summary.",
    )


def entry(target: str, status: Status, **changes: object) -> Entry:
    """A record entry for me.example/post.html -> target."""
    base = Entry(
        source=f"{SITE}/post.html",
        target=target,
        article="post",
        status=status,
        action=Action.NEW,
        date=NOW.isoformat(),
        content_hash=content_hash(HTML),
        protocol=Protocol.WEBMENTION,
        endpoint="https://t.example/wm",
        delivered=status == Status.SENT,
    )
    return base.with_changes(**changes)


HTML = '<p><a href="https://t.example/a">a</a> and <a href="https://t.example/b">b</a></p>'


def record_of(tmp_path: Path, *entries: Entry) -> SentRecord:
    """A record holding some entries."""
    record = SentRecord(tmp_path / "sent.json")
    for e in entries:
        record.put(e)
    return record


def test_external_links() -> None:
    """http(s) links to other hosts, once, in order; own host (same port), relative, mailto out."""
    html = (
        '<a href="https://t.example/a">1</a> <a href="/local">2</a>'
        '<a href="https://me.example/other.html">3</a> <a href="mailto:x@y.z">4</a>'
        '<a href="https://t.example/a">again</a> <a href="http://me.example:8001/x">5</a>'
        '<a href="ftp://t.example/f">6</a> <a href="https://ME.example:443/y">7</a>'
    )
    assert external_links(html, SITE) == ["https://t.example/a", "http://me.example:8001/x"]


def test_new_links_then_nothing(tmp_path: Path) -> None:
    """Unsent links are new; once sent and unchanged, nothing is planned."""
    plan = make_plan([article("post", HTML)], record_of(tmp_path), SITE, NOW)
    assert [(t.action, t.target) for t in plan.tasks] == [
        (Action.NEW, "https://t.example/a"),
        (Action.NEW, "https://t.example/b"),
    ]
    record = record_of(
        tmp_path,
        entry("https://t.example/a", Status.SENT),
        entry("https://t.example/b", Status.NO_ENDPOINT),
    )
    plan = make_plan([article("post", HTML)], record, SITE, NOW)
    assert plan.tasks == [] and plan.unchanged == 2


def test_changed_post_updates_webmentions_only(tmp_path: Path) -> None:
    """A changed post: Webmention update, fresh try for no-endpoint, no Pingback repeat."""
    record = record_of(
        tmp_path,
        entry("https://t.example/a", Status.SENT),
        entry("https://t.example/b", Status.SENT, protocol=Protocol.PINGBACK, delivered=False),
        entry("https://t.example/c", Status.NO_ENDPOINT, delivered=False),
    )
    html = HTML + '<a href="https://t.example/c">c</a> (edited)'
    plan = make_plan([article("post", html)], record, SITE, NOW)
    assert [(t.action, t.target) for t in plan.tasks] == [
        (Action.UPDATE, "https://t.example/a"),
        (Action.NEW, "https://t.example/c"),
    ]
    assert [(e.target, e.content_hash) for e in plan.bookkeeping] == [
        ("https://t.example/b", content_hash(html))
    ]


def test_failed_waits_for_backoff(tmp_path: Path) -> None:
    """A failure is retried only once next_retry has passed, keeping its attempt count."""
    later = (NOW + timedelta(hours=1)).isoformat()
    record = record_of(
        tmp_path,
        entry(
            "https://t.example/a", Status.FAILED, next_retry=later, attempts=2, reason="timed out"
        ),
        entry("https://t.example/b", Status.SENT),
    )
    plan = make_plan([article("post", HTML)], record, SITE, NOW)
    assert plan.tasks == [] and "timed out" in plan.waiting[0].reason
    plan = make_plan([article("post", HTML)], record, SITE, NOW + timedelta(hours=2))
    (task,) = plan.tasks
    assert task.retry and task.action == Action.NEW and task.entry.attempts == 2


def test_deleted_post_and_removed_link(tmp_path: Path) -> None:
    """Gone post -> delete notice; gone link -> removed; undelivered pairs only marked."""
    record = record_of(
        tmp_path,
        entry("https://t.example/a", Status.SENT),
        entry("https://t.example/gone", Status.SENT),
        entry("https://t.example/pb", Status.SENT, protocol=Protocol.PINGBACK, delivered=False),
        entry("https://t.example/x", Status.SENT, source=f"{SITE}/old.html", article="old"),
        entry("https://t.example/y", Status.SENT, source="http://localhost:8000/old.html"),
    )
    plan = make_plan([article("post", HTML)], record, SITE, NOW)
    assert sorted((t.action, t.target) for t in plan.tasks) == [
        (Action.DELETE, "https://t.example/x"),
        (Action.NEW, "https://t.example/b"),
        (Action.REMOVED, "https://t.example/gone"),
    ]  # /y belongs to another site URL: left alone
    (marked,) = plan.bookkeeping
    assert marked.target == "https://t.example/pb" and marked.status == Status.DELETED
    assert "no deletion notice" in marked.reason


def test_only_article(tmp_path: Path) -> None:
    """--article restricts sends and deletions to one post."""
    record = record_of(
        tmp_path,
        entry("https://t.example/x", Status.SENT, source=f"{SITE}/old.html", article="old"),
    )
    arts = [article("post", HTML), article("other", '<a href="https://o.example/">o</a>')]
    plan = make_plan(arts, record, SITE, NOW, only_article="other")
    assert [(t.article, t.target) for t in plan.tasks] == [("other", "https://o.example/")]
    plan = make_plan(arts, record, SITE, NOW, only_article="old")
    assert [(t.action, t.article) for t in plan.tasks] == [(Action.DELETE, "old")]


def test_record_roundtrip_and_atomic_save(tmp_path: Path) -> None:
    """sent.json round-trips, is sorted, and no temp file is left behind."""
    record = record_of(
        tmp_path,
        entry("https://t.example/b", Status.SENT),
        entry("https://t.example/a", Status.FAILED, next_retry=NOW.isoformat()),
    )
    record.path = tmp_path / "sent.json"
    record.save()
    data = json.loads((tmp_path / "sent.json").read_text("utf-8"))
    assert [e["target"] for e in data["sent"]] == ["https://t.example/a", "https://t.example/b"]
    assert set(data["sent"][0]) >= {
        "source",
        "target",
        "endpoint",
        "protocol",
        "status",
        "date",
        "content_hash",
        "attempts",
        "next_retry",
    }
    again = SentRecord.load(tmp_path)
    assert again.entries == record.entries
    assert list((tmp_path / ".tmp").iterdir()) == []


def test_record_broken_is_a_clear_error(tmp_path: Path) -> None:
    """A broken sent.json stops with the file named, and is not overwritten."""
    (tmp_path / "sent.json").write_text("{not json", "utf-8")
    with pytest.raises(SendError, match=r"sent\.json: not valid JSON"):
        SentRecord.load(tmp_path)
    (tmp_path / "sent.json").write_text('{"sent": [{"source": "x"}]}', "utf-8")
    with pytest.raises(SendError, match="entry 1 is invalid"):
        SentRecord.load(tmp_path)
    assert (tmp_path / "sent.json").read_text("utf-8") == '{"sent": [{"source": "x"}]}'


def test_lock_refuses_a_second_run(tmp_path: Path) -> None:
    """Two sends at once: the second stops instead of sending twice."""
    with send_lock(tmp_path), pytest.raises(SendError, match="another"), send_lock(tmp_path):
        pass


def test_backoff_doubles() -> None:
    """base, 2 x base, 4 x base."""
    assert [backoff(n, 60).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]


@pytest.fixture
def web() -> Iterator[Web]:
    """A loopback target whose endpoint always fails with 503."""
    server = Server()
    server.web.html("/t", "<p>t</p>", [("Link", "</wm>; rel=webmention")])
    server.web.routes["/wm"] = (503, [], b"")
    yield server.web
    server.close()


def test_retries_back_off_then_give_up(tmp_path: Path, web: Web) -> None:
    """Each failure doubles the wait; after SEND_MAX_ATTEMPTS the pair is given up."""
    settings = resolve(
        {
            "BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES": True,
            "BACKCHANNEL_SEND_RETRY_BASE": 60,
            "BACKCHANNEL_SEND_MAX_ATTEMPTS": 3,
        }
    )
    html = f'<a href="{web.url("/t")}">t</a>'
    record = SentRecord(tmp_path / "sent.json")
    now, waits = NOW, []
    for _ in range(3):
        sender = Sender(settings, record, now, Fetcher(settings))
        (task,) = make_plan([article("post", html)], record, SITE, now).tasks
        result = sender.execute(task)
        record.put(result)
        if result.next_retry:
            waits.append((datetime.fromisoformat(result.next_retry) - now).total_seconds())
            now = datetime.fromisoformat(result.next_retry)
    assert waits == [60, 120]
    assert result.status == Status.GAVE_UP and result.attempts == 3
    assert "gave up after 3 attempts" in result.reason
    assert make_plan([article("post", html)], record, SITE, now + timedelta(days=9)).tasks == []
    assert len(web.posts("/wm")) == 3
