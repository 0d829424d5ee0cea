"""Load and crash: many clients, every protocol, `backchannel serve` SIGKILLed and restarted.

Each request carries a unique token (in the comment body, the TrackBack excerpt,
the pingback or webmention source URL). Afterwards every request that was
acknowledged (202, the form's 303, TrackBack `<error>0</error>`, a pingback
answer that is not a fault) must be in the store exactly once, no file may be
partial, and `backchannel check` must be clean. The short run is part of
`make test`; `make soak` runs the long one (>= 10,000 requests, >= 5 kills).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import subprocess
import sys
import threading
import time
import xmlrpc.client
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from backchannel.model import State
from backchannel.store import PRIVATE, Store
from conftest import Site
from receiver_support import Pages, build_site, free_port, wait_for
from serve_support import Served

KINDS = ("comment-json", "comment-form", "trackback", "pingback", "webmention")
TOKEN_RE = re.compile(r"tok[0-9a-f]{16}")


@dataclass
class Tally:
    """What the clients sent and what the server acknowledged, by token."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    sent: int = 0
    acked: dict[str, str] = field(default_factory=dict)  # token -> kind
    answers: Counter[str] = field(default_factory=Counter)

    def record(self, kind: str, token: str, ok: bool, answer: str) -> None:
        with self.lock:
            self.answers[f"{kind} {answer}"] += 1
            if ok:
                self.acked[token] = kind


def source_page(token: str, target: str) -> str:
    """An h-entry on the source server that links to the target article."""
    return (
        f'<html><head><title>Post {token}</title></head><body><article class="h-entry">'
        f'<p class="p-author h-card">Writer {token[-4:]}</p><div class="e-content">'
        f'Replying to <a href="{target}">this post</a>: {token}</div></article></body></html>'
    )


def send(client: httpx.Client, kind: str, token: str, api: str, target: str, pages: Pages) -> bool:
    """Send one request of `kind`; True if the server acknowledged it."""
    if kind == "comment-json":
        r = client.post(
            f"{api}/comments",
            json={"article": "first-post", "author": "Load", "body": f"Load {token}"},
        )
        return r.status_code == 202
    if kind == "comment-form":
        r = client.post(
            f"{api}/comments",
            data={"article": "first-post", "author": "Form", "body": f"Form {token}"},
        )
        return r.status_code == 303 and r.headers["location"].endswith("#comment-pending")
    if kind == "trackback":
        r = client.post(
            f"{api}/trackback/first-post",
            data={"url": f"{pages.base}/tb/{token}", "title": "TB", "excerpt": f"TB {token}"},
        )
        return r.status_code == 200 and "<error>0</error>" in r.text
    source = pages.add(f"/{kind}/{token}", source_page(token, target))
    if kind == "pingback":
        body = xmlrpc.client.dumps((source, target), "pingback.ping")
        r = client.post(f"{api}/pingback", content=body, headers={"Content-Type": "text/xml"})
        return r.status_code == 200 and "<fault>" not in r.text
    r = client.post(f"{api}/webmention", data={"source": source, "target": target})
    return r.status_code == 201


def tokens_in_store(feedback: Path) -> tuple[Counter[str], list[str]]:
    """How many items carry each token, and every problem of every item file."""
    result = Store(feedback).load(tuple(State))
    found: Counter[str] = Counter()
    for item in result.items:
        text = " ".join(filter(None, (item.body, item.source or "", item.title or "")))
        found.update(set(TOKEN_RE.findall(text)))
    problems = [str(p) for p in result.problems]
    for path in (feedback / PRIVATE).glob("*.json"):
        try:
            json.loads(path.read_text("utf-8"))
        except ValueError as exc:
            problems.append(f"{path}: {exc}")
    return found, problems


def run_load(
    site: Site, tmp_path: Path, *, workers: int, requests: int, kills: int, limit: float
) -> None:
    """Drive the load, kill and restart the server `kills` times, then check the store."""
    build_site(site)
    port = free_port()
    site.write_conf(
        'BACKCHANNEL_ALIASES = {"old-first": "first-post"}\n'
        f'BACKCHANNEL_RECEIVER_URL = "http://127.0.0.1:{port}/backchannel"\n'
        "BACKCHANNEL_RATE_LIMIT = None\nBACKCHANNEL_MIN_SECONDS_TO_POST = 0\n"
        "BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True\nBACKCHANNEL_SPAM_THRESHOLD = None\n"
    )
    api = f"http://127.0.0.1:{port}/backchannel"
    target = f"http://127.0.0.1:{port}/first-post.html"
    tally = Tally()
    stop = threading.Event()
    deadline = time.monotonic() + limit
    served = Served(site.conf, site.root, port, log=tmp_path / "serve.log")

    def client_loop(worker: int) -> None:
        with httpx.Client(timeout=10) as client:
            n = 0
            while not stop.is_set() and time.monotonic() < deadline:
                with tally.lock:
                    if tally.sent >= requests:
                        return
                    tally.sent += 1
                kind = KINDS[(worker + n) % len(KINDS)]
                n += 1
                token = "tok" + secrets.token_hex(8)
                try:
                    ok = send(client, kind, token, api, target, pages)
                    tally.record(kind, token, ok, "ack" if ok else "refused")
                except httpx.ConnectError:
                    # Refused at connect: the request never reached a server, so it
                    # does not count; the server is down, wait for its restart.
                    with tally.lock:
                        tally.sent -= 1
                        tally.answers[f"{kind} not connected"] += 1
                    time.sleep(0.1)
                except httpx.HTTPError as exc:  # sent, but the server died before answering
                    tally.record(kind, token, False, type(exc).__name__)

    with Pages() as pages:
        try:
            served.start()
            threads = [threading.Thread(target=client_loop, args=(w,)) for w in range(workers)]
            for t in threads:
                t.start()
            for k in range(kills):
                threshold = requests * (k + 1) // (kills + 1)
                left = max(deadline - time.monotonic(), 1)
                wait_for(lambda th=threshold: tally.sent >= th, timeout=left)
                served.kill()
                time.sleep(0.3)  # clients meet a dead port meanwhile
                served.start()
            for t in threads:
                t.join(timeout=max(deadline - time.monotonic(), 1) + 15)
            assert not any(t.is_alive() for t in threads), "clients did not finish in time"
            # No new webmention arrives after the last restart: what it left queued
            # must be verified by the restarted server on its own.
            acked = dict(tally.acked)

            def all_found() -> bool:
                found, _ = tokens_in_store(site.feedback)
                return all(found[t] >= 1 for t in acked)

            with contextlib.suppress(AssertionError):  # reported below, with the numbers
                wait_for(all_found, timeout=30, interval=0.5)
        finally:
            stop.set()
            served.stop()
    found, problems = tokens_in_store(site.feedback)
    lost = sorted(t for t in acked if found[t] == 0)
    twice = sorted(t for t in acked if found[t] > 1)
    report = (
        f"backchannel load-and-crash: sent {tally.sent}, acknowledged {len(acked)}, "
        f"found {sum(1 for t in acked if found[t])}, lost {len(lost)}, "
        f"duplicated {len(twice)}, kills {served.kills}"
    )
    print(report)
    (tmp_path / "report.txt").write_text(report + "\n" + json.dumps(tally.answers, indent=1))
    assert served.kills == kills
    assert problems == []
    assert lost == [], f"{report}; lost: {[(t, acked[t]) for t in lost[:10]]}"
    assert twice == []
    assert set(acked.values()) == set(KINDS), f"some kind was never acknowledged: {tally.answers}"
    check = site.cli("check")
    assert check.returncode == 0, check.stdout + check.stderr
    assert "all valid" in check.stdout


def test_load_and_crash_short(site: Site, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run_load(site, tmp_path, workers=6, requests=500, kills=2, limit=40)
    with capsys.disabled():
        print("\n" + (tmp_path / "report.txt").read_text().splitlines()[0])


@pytest.mark.soak
@pytest.mark.timeout(1800)
def test_load_and_crash_soak(site: Site, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    run_load(site, tmp_path, workers=10, requests=10_000, kills=6, limit=1200)
    with capsys.disabled():
        print("\n" + (tmp_path / "report.txt").read_text())


def test_webmention_queued_at_a_kill_is_verified_after_restart(site: Site, tmp_path: Path) -> None:
    build_site(site)
    port = free_port()
    site.write_conf(
        f'BACKCHANNEL_RECEIVER_URL = "http://127.0.0.1:{port}/backchannel"\n'
        "BACKCHANNEL_RATE_LIMIT = None\nBACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True\n"
    )
    target = f"http://127.0.0.1:{port}/first-post.html"
    token = "tok" + secrets.token_hex(8)
    served = Served(site.conf, site.root, port, log=tmp_path / "serve.log")
    with Pages() as pages:
        source = pages.add(f"/slow/{token}", source_page(token, target))
        pages.delays[f"/slow/{token}"] = 3.0  # verification is still running at the kill
        try:
            served.start()
            r = httpx.post(
                f"{served.base}/backchannel/webmention",
                data={"source": source, "target": target},
                timeout=5,
            )
            assert r.status_code == 201
            status_url = r.headers["location"]
            served.kill()
            assert tokens_in_store(site.feedback)[0][token] == 0  # not verified before the kill
            pages.delays.clear()
            served.start()  # and no webmention request after it: startup alone resumes
            wait_for(lambda: tokens_in_store(site.feedback)[0][token] == 1, timeout=20)
            status = httpx.get(status_url, timeout=5).json()
            assert status["status"] == "verified"
        finally:
            served.stop()


def test_check_ignores_temps_of_live_writers_and_restart_sweeps_dead_ones(tmp_path: Path) -> None:
    store = Store(tmp_path)
    tmp = tmp_path / ".tmp"
    tmp.mkdir()
    mine = tmp / f"w-{os.getpid()}-abc"  # a write in progress in this (live) process
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    crashed = tmp / f"w-{dead.pid}-xyz"
    legacy = tmp / "w-oldformat"
    for path in (mine, crashed, legacy):
        path.write_text("half a comm")
    assert store.stale_temps() == sorted([crashed, legacy])
    assert store.sweep_temps() == sorted([crashed, legacy])
    assert sorted(tmp.iterdir()) == [mine]
