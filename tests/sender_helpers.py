"""A small programmable web server on 127.0.0.1 for the sender's tests.

Each route answers with (status, headers, body) or runs a function, so a test
can stand up targets that advertise endpoints, redirect, fail, stall or send
huge bodies, and see exactly which requests arrived.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

Reply = tuple[int, list[tuple[str, str]], bytes]


@dataclass
class Request:
    """One request the server received."""

    method: str
    path: str  # with the query string
    headers: dict[str, str]
    body: bytes

    @property
    def form(self) -> dict[str, str]:
        """The body as a url-encoded form (first value of each field)."""
        return {k: v[0] for k, v in parse_qs(self.body.decode("utf-8")).items()}


@dataclass
class Web:
    """Routes by path (without query) -> a Reply or a function of the Request."""

    routes: dict[str, Reply | Callable[[Request], Reply]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    base: str = ""

    def url(self, path: str) -> str:
        """Absolute URL of a path on this server."""
        return self.base + path

    def html(
        self, path: str, body: str, headers: list[tuple[str, str]] | None = None, status: int = 200
    ) -> None:
        """Serve an HTML page."""
        self.routes[path] = (
            status,
            [("Content-Type", "text/html; charset=utf-8"), *(headers or [])],
            body.encode("utf-8"),
        )

    def posts(self, path: str) -> list[Request]:
        """The POSTs that reached a path (query string ignored)."""
        return [r for r in self.requests if r.method == "POST" and urlsplit(r.path).path == path]


def make_handler(web: Web) -> type[BaseHTTPRequestHandler]:
    """A request handler class bound to one Web."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            request = Request(self.command, self.path, dict(self.headers.items()), body)
            web.requests.append(request)
            route = web.routes.get(urlsplit(self.path).path)
            if route is None:
                reply: Reply = (404, [("Content-Type", "text/plain")], b"not found")
            elif callable(route):
                reply = route(request)
            else:
                reply = route
            status, headers, content = reply
            try:
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (size cap, timeout): that is the test's point

        do_GET = _answer  # noqa: N815 — http.server's naming
        do_POST = _answer  # noqa: N815

    return Handler


class Server:
    """A running Web on an ephemeral loopback port."""

    def __init__(self, web: Web | None = None) -> None:
        self.web = web or Web()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(self.web))
        self.httpd.daemon_threads = True
        self.web.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    def close(self) -> None:
        """Stop serving."""
        self.httpd.shutdown()
        self.httpd.server_close()


def slow(seconds: float, reply: Reply) -> Callable[[Request], Reply]:
    """A route that answers after a delay (bounded by the test's choice)."""

    def route(_: Request) -> Reply:
        time.sleep(seconds)
        return reply

    return route
