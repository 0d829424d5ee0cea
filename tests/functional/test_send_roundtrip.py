"""The full round trip: two Backchannel sites on two loopback ports link to each other.

Running `backchannel send` on one makes the other's receiver verify the mention
and hold it in its inbox. Needs the receiver (issue 4, branch `receiver`).
"""

from __future__ import annotations

import importlib.util
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from backchannel.model import Kind, State
from backchannel.settings import load
from backchannel.store import Store
from conftest import Site

RECEIVER_MISSING = importlib.util.find_spec("backchannel.receiver") is None
pytestmark = pytest.mark.skipif(
    RECEIVER_MISSING,
    reason="backchannel.receiver (issue 4, branch `receiver`) is not merged yet; "
    "this round trip runs once it is",
)


def free_port() -> int:
    """A port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Served:
    """A built site served (site + receiver) by uvicorn in a thread, as `backchannel serve` does."""

    def __init__(self, site: Site, port: int) -> None:
        import uvicorn
        from backchannel.receiver.server import create_app

        app = create_app(load(site.conf), site.output)
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise AssertionError(f"uvicorn did not start on port {port}")
            time.sleep(0.05)

    def close(self) -> None:
        """Stop uvicorn."""
        self.server.should_exit = True
        self.thread.join(10)


def make_site(root: Path, port: int, slug: str, other_port: int, other_slug: str) -> Site:
    """A site on one port whose article links to the other site's article."""
    site = Site(root)
    base = f"http://127.0.0.1:{port}"
    site.write_conf(f"""
SITEURL = {base!r}
SITENAME = "Site on {port}"
BACKCHANNEL_RECEIVER_URL = "{base}/backchannel"
BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True
BACKCHANNEL_MIN_SECONDS_TO_POST = 0
BACKCHANNEL_RATE_LIMIT = None
""")
    site.article(
        slug,
        body=f"I agree with [this post](http://127.0.0.1:{other_port}/"
        f"{other_slug}.html) and want to add a thought.",
    )
    site.build()
    return site


def inbox_mentions(site: Site, timeout: float = 30) -> list:
    """The inbox's webmentions, waiting (bounded) for asynchronous verification."""
    store = Store(site.feedback)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        items = [i for i in store.items([State.INBOX]) if i.kind == Kind.WEBMENTION]
        if items:
            return items
        time.sleep(0.2)
    return []


@pytest.fixture
def two_sites(tmp_path: Path) -> Iterator[tuple[Site, Site, int, int]]:
    """Sites A and B, built and served on two loopback ports, linking to each other."""
    port_a, port_b = free_port(), free_port()
    site_a = make_site(tmp_path / "a", port_a, "from-a", port_b, "from-b")
    site_b = make_site(tmp_path / "b", port_b, "from-b", port_a, "from-a")
    served = [Served(site_a, port_a), Served(site_b, port_b)]
    yield site_a, site_b, port_a, port_b
    for s in served:
        s.close()


def test_send_lands_in_the_other_sites_inbox(two_sites: tuple[Site, Site, int, int]) -> None:
    """A sends to B and B to A; each receiver holds the other's mention; repeats send nothing."""
    site_a, site_b, port_a, port_b = two_sites
    page_b = httpx.get(f"http://127.0.0.1:{port_b}/from-b.html", timeout=5)
    assert f"http://127.0.0.1:{port_b}/backchannel/webmention" in page_b.text

    for sender, receiver, port_from, port_to, slug_from, slug_to in (
        (site_a, site_b, port_a, port_b, "from-a", "from-b"),
        (site_b, site_a, port_b, port_a, "from-b", "from-a"),
    ):
        proc = sender.cli("send", "--json")
        assert proc.returncode == 0, proc.stderr
        (result,) = json.loads(proc.stdout)["results"]
        assert result["protocol"] == "webmention" and result["status"] == "sent", result
        assert result["endpoint"] == f"http://127.0.0.1:{port_to}/backchannel/webmention"
        (mention,) = inbox_mentions(receiver)
        assert mention.source == f"http://127.0.0.1:{port_from}/{slug_from}.html"
        assert mention.article == slug_to
        again = sender.cli("send", "--json")
        assert json.loads(again.stdout)["results"] == []
