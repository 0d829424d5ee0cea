"""The private state database: its interface, concurrent writers, migration of old files."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
from backchannel.moderation import mail
from backchannel.store import Store
from backchannel.store.state import (
    FILE_NAME,
    NOTIFIED,
    NOTIFIED_ANSWER,
    ONE_CLICK_USED,
    SIGN_IN_LINK,
    UNSUBSCRIBED,
    WEBMENTION,
    PrivateState,
    state_of,
)
from conftest import Site
from receiver_support import build_site, serve_site


def test_values_by_kind_and_key(tmp_path: Path) -> None:
    state = PrivateState(tmp_path)
    state.put(UNSUBSCRIBED, "aaaa")
    state.put(WEBMENTION, "wm1", {"status": "queued"})
    assert state.keys(UNSUBSCRIBED) == {"aaaa"}
    assert state.get(WEBMENTION, "wm1") == {"status": "queued"}
    assert state.get(WEBMENTION, "nope") is None
    assert state.update(WEBMENTION, "wm1", lambda r: {**r, "status": "verified"})["status"] == (
        "verified"
    )
    assert state.remove(UNSUBSCRIBED, "aaaa") and not state.remove(UNSUBSCRIBED, "aaaa")
    assert state.keys(UNSUBSCRIBED) == set()
    # The database is durable WAL, readable by the stdlib client, owner-only.
    db = sqlite3.connect(tmp_path / FILE_NAME)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert oct((tmp_path / FILE_NAME).stat().st_mode)[-3:] == "600"


def test_add_is_once_until_expiry(tmp_path: Path) -> None:
    state = PrivateState(tmp_path)
    assert state.add(ONE_CLICK_USED, "nonce", expires=100.0, now=10.0)
    assert not state.add(ONE_CLICK_USED, "nonce", expires=200.0, now=50.0)
    assert state.has(ONE_CLICK_USED, "nonce", now=99.0)
    assert not state.has(ONE_CLICK_USED, "nonce", now=100.0)
    assert state.add(ONE_CLICK_USED, "nonce", expires=300.0, now=150.0)  # expired: free again
    assert not state.remove(ONE_CLICK_USED, "nonce", now=400.0)  # spending an expired one fails
    state.put(SIGN_IN_LINK, "old", expires=5.0)
    state.sweep(now=10.0)
    assert (
        sqlite3.connect(tmp_path / FILE_NAME)
        .execute("SELECT key FROM entry WHERE kind = ?", (SIGN_IN_LINK,))
        .fetchall()
        == []
    )


def test_hits_count_within_the_window(tmp_path: Path) -> None:
    state = PrivateState(tmp_path)
    assert [state.hit("c", 2, 60.0, now=t) for t in (0.0, 1.0)] == [0.0, 0.0]
    assert state.hit("c", 2, 60.0, now=2.0) == 58.0  # refused, and not counted
    assert state.hit("other", 2, 60.0, now=2.0) == 0.0
    assert state.hit("c", 2, 60.0, now=60.5) == 0.0  # the first hit left the window


def _put_many(folder: str, worker: int, count: int) -> None:
    state = PrivateState(Path(folder))
    for n in range(count):
        state.put(UNSUBSCRIBED, f"{worker}-{n}")
        state.hit("shared", 10**6, 3600.0)


def test_processes_writing_at_once_lose_nothing(tmp_path: Path) -> None:
    """Four worker processes (as four uvicorn workers) each record 50 values and 50 hits."""
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_put_many, args=(str(tmp_path), w, 50)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    state = PrivateState(tmp_path)
    assert len(state.keys(UNSUBSCRIBED)) == 200
    assert state.hit("shared", 200, 3600.0) > 0  # all 200 hits were counted, across processes


def test_forty_simultaneous_unsubscribes_are_all_recorded(site: Site) -> None:
    """F3: 40 one-click unsubscribes at once through the real receiver: 40 recorded."""
    build_site(site)
    store = Store(site.feedback)
    hashes = [store.email_hash(f"reader{n}@example.org") for n in range(40)]
    with serve_site(site) as base:
        url = f"{base}/backchannel/unsubscribe"

        def one(email_hash: str) -> int:
            token = mail.unsubscribe_token(store, email_hash)
            return httpx.post(
                url,
                params={"h": email_hash, "t": token},
                data={"List-Unsubscribe": "One-Click"},
                timeout=60,
            ).status_code

        with ThreadPoolExecutor(40) as pool:
            statuses = list(pool.map(one, hashes))
    assert statuses == [200] * 40
    assert mail.unsubscribed(Store(site.feedback)) == set(hashes)
    assert not any(mail.may_mail(store, h) for h in hashes)


def test_non_ascii_unsubscribe_token_is_refused_not_a_crash(site: Site) -> None:
    build_site(site)
    with serve_site(site) as base:
        answer = httpx.post(
            f"{base}/backchannel/unsubscribe",
            params={"h": "abc", "t": "é" * 32},
            data={"List-Unsubscribe": "One-Click"},
        )
    assert answer.status_code == 400 and "not valid" in answer.text


def test_an_existing_sites_state_files_are_migrated_once(tmp_path: Path) -> None:
    """Every JSON file that held private state before is read into the database, then
    renamed *.migrated; nothing in them is lost, and a broken one is left in place."""
    root = tmp_path / "feedback"
    private = root / "private"
    private.mkdir(parents=True)
    (root / "moderation").mkdir()
    (private / "unsubscribed.json").write_text(json.dumps(["h1", "h2"]))
    (root / "moderation" / "notified.json").write_text(json.dumps({"ids": ["c1", "c2"]}))
    (root / "notified-answers.json").write_text(
        json.dumps({"sent": [{"comment": "c9", "article": "post", "date": "2026-01-01"}]})
    )
    (private / "admin-tokens.json").write_text(
        json.dumps({"links": {"digest": 4e9}, "used": {"nonce": 4e9}})
    )
    record = {"id": "wmabcdef123456", "source": "https://a.example/", "status": "queued"}
    (private / "wmabcdef123456.json").write_text(json.dumps(record))
    (private / "wmbroken00000.json").write_text("{not json")
    (private / "c00000000001.json").write_text(json.dumps({"email": "a@b.c"}))  # an item's
    (private / "known-readers.json").write_text(json.dumps(["h1"]))  # now retired unread

    store = Store(root)
    state = state_of(store)
    assert state.keys(UNSUBSCRIBED) == {"h1", "h2"}
    assert state.keys(NOTIFIED) == {"c1", "c2"}
    assert state.get(NOTIFIED_ANSWER, "c9 post") == {"date": "2026-01-01"}
    assert state.has(SIGN_IN_LINK, "digest") and state.has(ONE_CLICK_USED, "nonce")
    assert state.get(WEBMENTION, "wmabcdef123456") == record
    assert not mail.may_mail(store, "h1") and mail.may_mail(store, "h3")
    for old in (
        private / "unsubscribed.json",
        root / "moderation" / "notified.json",
        root / "notified-answers.json",
        private / "admin-tokens.json",
        private / "wmabcdef123456.json",
        private / "known-readers.json",
    ):
        assert not old.exists() and old.with_name(old.name + ".migrated").exists()
    assert (private / "wmbroken00000.json").exists()  # unreadable: kept, never lost
    assert (private / "c00000000001.json").exists()  # item private data is not state
    # A second process opening it later finds the same, and migrates nothing again.
    again = PrivateState(private)
    assert again.keys(UNSUBSCRIBED) == {"h1", "h2"}


def test_two_receiver_workers_share_the_rate_limit_and_duplicate_memory(site: Site) -> None:
    """Two receivers (as two uvicorn workers) on one site: limits and repeats are shared."""
    build_site(site)
    with (
        serve_site(site, RATE_LIMIT="3/minute") as one,
        serve_site(site, RATE_LIMIT="3/minute") as two,
    ):
        comment = {"article": "first-post", "author": "Grace", "body": "Said once."}
        first = httpx.post(f"{one}/backchannel/comments", json=comment)
        repeat = httpx.post(f"{two}/backchannel/comments", json=comment)
        third = httpx.post(f"{one}/backchannel/comments", json={**comment, "body": "Other."})
        over = httpx.post(f"{two}/backchannel/comments", json={**comment, "body": "More."})
    assert (first.status_code, repeat.status_code, third.status_code) == (202, 409, 202)
    assert over.status_code == 429 and int(over.headers["retry-after"]) >= 1


def test_every_429_of_a_too_fast_comment_says_when_to_retry(site: Site) -> None:
    """The timing check's 429 (form sent too soon after loading) carries Retry-After too."""
    from backchannel.receiver.guard import make_token

    build_site(site)
    token = make_token(Store(site.feedback).secret(), "first-post")
    comment = {"article": "first-post", "author": "Grace", "body": "Fast.", "token": token}
    with serve_site(site, MIN_SECONDS_TO_POST=30) as base:
        as_json = httpx.post(f"{base}/backchannel/comments", json=comment)
        as_form = httpx.post(f"{base}/backchannel/comments", data=comment)
    for answer in (as_json, as_form):
        assert answer.status_code == 429
        assert 1 <= int(answer.headers["retry-after"]) <= 30


def test_one_live_worker_claims_a_queued_webmention(tmp_path: Path) -> None:
    """The queue is shared: a record claimed by another live worker is left to it; a dead
    worker's claim (killed mid-verification) is void, so a restart resumes it at once."""
    import subprocess
    import sys
    from types import SimpleNamespace

    from backchannel.receiver.webmention import _claim
    from backchannel.store.state import WEBMENTION_CLAIM

    receiver = SimpleNamespace(store=Store(tmp_path))
    state = state_of(receiver.store)
    parent = os.getppid()  # another process that is alive
    state.put(WEBMENTION_CLAIM, "wmlive0000001", {"pid": parent, "until": 4e9})
    assert not _claim(receiver, "wmlive0000001")
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    state.put(WEBMENTION_CLAIM, "wmdead0000001", {"pid": dead.pid, "until": 4e9})
    assert _claim(receiver, "wmdead0000001")
    assert _claim(receiver, "wmfree0000001") and _claim(receiver, "wmfree0000001")  # mine
