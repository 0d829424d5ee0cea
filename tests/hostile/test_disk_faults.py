"""Disk faults: a full disk or a read-only feedback/ gets 503 with the reason, never a 2xx.

feedback/ is a small tmpfs mounted for the test (we run as root, so chmod
would not stop a write); it is filled with a ballast file, or remounted
read-only, then freed again: the receiver must recover without a restart.
"""

from __future__ import annotations

import contextlib
import errno
import os
import subprocess
import time
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from backchannel.model import State
from backchannel.receiver.server import create_app
from backchannel.store import Store
from conftest import Site
from receiver_support import Pages, build_site, free_port, running, settings_for, wait_for
from test_load_crash import source_page, tokens_in_store

SECRET = "disk-fault-test-secret"


def _mount(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["mount", *args], capture_output=True, text=True, check=False)


@contextlib.contextmanager
def small_disk(folder: Path, size: str = "2m") -> Iterator[Path]:
    """A tmpfs of `size` mounted on `folder` (skip loudly where mounting is not allowed)."""
    folder.mkdir(parents=True, exist_ok=True)
    proc = _mount("-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder))
    if proc.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs under CI: {proc.stderr.strip()}")
        pytest.skip(f"SKIPPED LOUDLY: cannot mount a tmpfs here ({proc.stderr.strip()})")
    try:
        yield folder
    finally:
        _mount("-o", "remount,rw", str(folder))
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill(folder: Path) -> Path:
    """Fill the file system of `folder` to the last byte with a ballast file."""
    ballast = folder / "ballast"
    with open(ballast, "wb", buffering=0) as handle:
        for chunk in (65536, 4096, 1):
            try:
                while True:
                    handle.write(b"\0" * chunk)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return ballast


def item_files(feedback: Path) -> list[Path]:
    """Every item file in any state."""
    return sorted(p for p in feedback.rglob("*.md"))


@pytest.fixture
def disk_site(site: Site) -> Iterator[Site]:
    build_site(site)
    with small_disk(site.feedback):
        yield site


def post_all(base: str, pages: Pages, token: str) -> dict[str, httpx.Response]:
    """One request of every kind that writes to the store, carrying `token`."""
    api = base + "/backchannel"
    target = base + "/first-post.html"
    source = pages.add(f"/s/{token}", source_page(token, target))
    wm_source = pages.add(f"/wm/{token}", source_page(token, target))
    with httpx.Client(timeout=10) as client:
        return {
            "comment-json": client.post(
                f"{api}/comments",
                json={"article": "first-post", "author": "A", "body": f"Hi {token}"},
            ),
            "comment-form": client.post(
                f"{api}/comments",
                data={"article": "first-post", "author": "A", "body": f"Form {token}"},
            ),
            "trackback": client.post(
                f"{api}/trackback/first-post",
                data={"url": f"{pages.base}/tb/{token}", "excerpt": token},
            ),
            "pingback": client.post(
                f"{api}/pingback",
                content=xmlrpc.client.dumps((source, target), "pingback.ping"),
                headers={"Content-Type": "text/xml"},
            ),
            "webmention": client.post(
                f"{api}/webmention", data={"source": wm_source, "target": target}
            ),
        }


# The same causes in SQLite's words: a webmention's status goes to the state database.
SQLITE_REASON = {"No space left on device": "disk is full", "Read-only": "readonly database"}


def assert_refused(answers: dict[str, httpx.Response], reason: str) -> None:
    for kind, r in answers.items():
        assert r.status_code == 503, f"{kind}: {r.status_code} {r.text}"
        sqlite_reason = next(v for k, v in SQLITE_REASON.items() if reason.startswith(k))
        said = reason in r.text or (kind == "webmention" and sqlite_reason in r.text)
        assert said, f"{kind}: {r.text}"
        assert "try later" in r.text or "try again" in r.text or "please" in r.text


def assert_kept(answers: dict[str, httpx.Response]) -> None:
    assert answers["comment-json"].status_code == 202
    assert answers["comment-form"].status_code == 303
    assert "<error>0</error>" in answers["trackback"].text
    assert answers["pingback"].status_code == 200 and "<fault>" not in answers["pingback"].text
    assert answers["webmention"].status_code == 201


def serve(site: Site):
    port = free_port()
    settings = settings_for(
        site.conf,
        port,
        RATE_LIMIT=None,
        MIN_SECONDS_TO_POST=0,
        ALLOW_PRIVATE_ADDRESSES=True,
        SECRET=SECRET,
    )
    return running(create_app(settings, site.output), port)


def test_full_disk_is_503_then_recovers(disk_site: Site) -> None:
    site = disk_site
    with Pages() as pages, serve(site) as base:
        ballast = fill(site.feedback)
        before = item_files(site.feedback)
        assert_refused(post_all(base, pages, "tokfffffffffffffff1"), "No space left on device")
        assert item_files(site.feedback) == before  # nothing half-written
        assert Store(site.feedback).stale_temps() == []
        assert list(site.feedback.glob(".tmp/*")) == []
        ballast.unlink()  # space returns: no restart needed
        assert_kept(post_all(base, pages, "tokfffffffffffffff2"))
        wait_for(lambda: tokens_in_store(site.feedback)[0]["tokfffffffffffffff2"] == 5)
    result = Store(site.feedback).load(tuple(State))
    assert result.problems == []
    assert tokens_in_store(site.feedback)[0]["tokfffffffffffffff1"] == 0
    check = site.cli("check")
    assert check.returncode == 0, check.stdout


def test_read_only_feedback_is_503_then_recovers(disk_site: Site) -> None:
    site = disk_site
    with Pages() as pages, serve(site) as base:
        assert _mount("-o", "remount,ro", str(site.feedback)).returncode == 0
        try:
            assert_refused(post_all(base, pages, "tokddddddddddddddd1"), "Read-only file system")
        finally:
            assert _mount("-o", "remount,rw", str(site.feedback)).returncode == 0
        assert_kept(post_all(base, pages, "tokddddddddddddddd2"))
        wait_for(lambda: tokens_in_store(site.feedback)[0]["tokddddddddddddddd2"] == 5)
    assert tokens_in_store(site.feedback)[0]["tokddddddddddddddd1"] == 0
    assert site.cli("check").returncode == 0


def test_webmention_accepted_then_disk_full_is_kept_once_space_returns(disk_site: Site) -> None:
    site = disk_site
    token = "tokeeeeeeeeeeeeeeee"
    with Pages() as pages, serve(site) as base:
        target = base + "/first-post.html"
        source = pages.add(f"/slow/{token}", source_page(token, target))
        pages.delays[f"/slow/{token}"] = 1.0  # the disk fills while verification runs
        r = httpx.post(
            base + "/backchannel/webmention", data={"source": source, "target": target}, timeout=5
        )
        assert r.status_code == 201
        ballast = fill(site.feedback)
        status_url = r.headers["location"]
        time.sleep(1.5)  # the fetch is done and the store refused the item meanwhile
        assert tokens_in_store(site.feedback)[0][token] == 0
        assert httpx.get(status_url, timeout=5).json()["status"] == "queued"
        ballast.unlink()
        wait_for(lambda: tokens_in_store(site.feedback)[0][token] == 1, timeout=20)
        wait_for(lambda: httpx.get(status_url, timeout=5).json()["status"] == "verified")
