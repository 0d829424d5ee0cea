"""Helpers for the receiver tests: free ports, uvicorn in a thread, a source-page server."""

from __future__ import annotations

import contextlib
import http.server
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from backchannel.settings import Resolved, load
from backchannel.store.state import FILE_NAME as STATE_FILE


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def settings_for(conf: Path, port: int, **overrides: Any) -> Resolved:
    """The site's settings with the receiver on `port` and BACKCHANNEL_* overrides."""
    base = load(conf)
    values = dict(base.values)
    values["BACKCHANNEL_RECEIVER_URL"] = f"http://127.0.0.1:{port}/backchannel"
    for key, value in overrides.items():
        values["BACKCHANNEL_" + key] = value
    return replace(base, values=values)


@contextlib.contextmanager
def running(app: Any, port: int) -> Iterator[str]:
    """Serve an ASGI app with real uvicorn on 127.0.0.1:port; yields the base URL."""
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


class Pages:
    """A second local server: path -> (status, content type, body), changeable by tests."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.delays: dict[str, float] = {}
        pages = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                status, ctype, body = pages.routes.get(self.path, (404, "text/plain", b"nope"))
                time.sleep(min(pages.delays.get(self.path, 0.0), 5.0))
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", ctype)
                    ctype = "text/plain"
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                # The client may stop reading (size cap, timeout): expected.
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = http.server.ThreadingHTTPServer((host, 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Pages:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(
        self,
        path: str,
        body: str | bytes,
        status: int = 200,
        content_type: str = "text/html; charset=utf-8",
    ) -> str:
        """Serve `body` at `path`; returns its URL."""
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = (status, content_type, data)
        return self.base + path


def wait_for(predicate: Any, timeout: float = 10.0, interval: float = 0.05) -> Any:
    """Poll until predicate() is truthy (bounded); returns its value or raises."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


PUBLISHED_COMMENT = """Id: c0ffee000001
Kind: comment
Article: first-post
Author: Ada Reader
Date: 2026-09-02T10:00:00+00:00
Origin: receiver

Does this **work** with <script>alert(1)</script> feeds?
"""


def build_site(site: Any) -> Any:
    """A two-article site with one published comment and an alias, built by real Pelican."""
    site.write_conf('BACKCHANNEL_ALIASES = {"old-first": "first-post"}\n')
    site.article("first-post", title="First Post")
    site.article("second-post", title="Second Post", date="2026-09-03 10:00")
    site.item("published", "first-post", "c0ffee000001", PUBLISHED_COMMENT)
    site.build()
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """One `build_site` site shared by a test module that imports this fixture."""
    from conftest import Site

    return build_site(Site(tmp_path_factory.mktemp("site") / "site"))


@pytest.fixture
def site(built: Any) -> Iterator[Any]:
    """The shared built site; what a test added to its store goes after the test."""
    yield built
    empty_store(built)


def inbox_files(site: Any, state: str = "inbox") -> list[Path]:
    """Item files in a flat state folder."""
    folder = site.feedback / state
    return sorted(folder.glob("*.md")) if folder.is_dir() else []


def empty_store(site: Any) -> None:
    """Remove what a test added to the store (inbox, spam, private data, temp files)."""
    for state in ("inbox", "spam", "private", ".tmp"):
        folder = site.feedback / state
        if folder.is_dir():
            for path in folder.iterdir():
                if path.name != "secret" and not path.name.startswith(STATE_FILE):
                    path.unlink()
    # The state database stays (this process may hold it open); its rows go.
    state_file = site.feedback / "private" / STATE_FILE
    if state_file.exists():
        with contextlib.closing(sqlite3.connect(state_file, timeout=10)) as db, db:
            db.execute("DELETE FROM entry")
            db.execute("DELETE FROM hit")


def serve_site(site: Any, **overrides: Any) -> Any:
    """The receiver of a built test site on a free loopback port, rate limit and timing
    check off unless overridden; a context manager yielding its base URL."""
    from backchannel.receiver.server import create_app

    port = free_port()
    defaults = {"RATE_LIMIT": None, "MIN_SECONDS_TO_POST": 0}
    settings = settings_for(site.conf, port, **{**defaults, **overrides})
    return running(create_app(settings, site.output), port)
