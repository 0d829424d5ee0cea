"""Fuzzing with hypothesis: the importers' parsers and the receiver's request parsers.

Importers: real export files mutated (cut, spliced, hostile fragments dropped
in) and arbitrary bytes, through the whole import into a fresh store: the only
failure allowed is the importers' own ImportSourceError, and then the store
holds nothing. Receiver: arbitrary comment JSON and form bodies, TrackBack
forms, Pingback XML-RPC bodies and Webmention forms against a real server on
loopback: never a 5xx, and afterwards every file in the store parses and
`backchannel check` is clean. (tests/test_model.py fuzzes the item format.)

Outbound fetches can only name loopback or private literals, which the
fetcher refuses without a DNS lookup: no traffic leaves the machine.
"""

from __future__ import annotations

import importlib
import json
import tempfile
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import receiver_support
from backchannel.cli.import_commands import article_index
from backchannel.importers.records import ImportSourceError
from backchannel.importers.run import run_import
from backchannel.model import State
from backchannel.receiver.server import create_app
from backchannel.settings import load
from backchannel.store import Store
from conftest import DATA, REALDATA, Site
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from receiver_support import free_port, running, settings_for

# The shared module-scoped site (receiver_support.built).
built = receiver_support.built

SEEDS = {
    "wordpress": REALDATA / "isso" / "wordpress.xml",
    "disqus": REALDATA / "isso" / "disqus.xml",
    "blogger": REALDATA / "google-blog-converters" / "blogger-sample2.xml",
    "feed": DATA / "wp-comments.rss",
    "html": DATA / "wp-page.html",
}
FRAGMENTS = [
    b"<",
    b">",
    b"&",
    b"&amp;",
    b"&#0;",
    b"&#x110000;",
    b"]]>",
    b"<![CDATA[",
    b"<!DOCTYPE x [<!ENTITY e 'e'>]>",
    b"&e;",
    b"\x00",
    b"\xff\xfe",
    b"\xc3\x28",
    b'<a href="javascript:alert(1)">x</a>',
    b"</item>",
    b"<item>",
    b"<wp:comment>",
    b"</channel>",
    b"<entry>",
    b"<post>",
    b"\r\n",
    "\u202e".encode(),
]
FAST = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """A real document, cut and spliced with hostile fragments."""
    data = seed
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(data)))
        action = draw(st.sampled_from(["insert", "delete", "cut"]))
        if action == "insert":
            piece = draw(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=12)))
            data = data[:at] + piece + data[at:]
        elif action == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 200)) :]
        else:
            data = data[:at]
    return data


def import_into_fresh_store(built: Site, fmt: str, data: bytes) -> None:
    """The whole import of `data`; ImportSourceError is the one allowed failure."""
    module = importlib.import_module(f"backchannel.importers.{'pcs' if fmt == 'pcs' else fmt}")
    index = article_index(load(built.conf))
    with tempfile.TemporaryDirectory() as root:
        store = Store(root)
        try:
            run_import(lambda: module.parse(data, "fuzz"), store, index)
        except ImportSourceError as exc:
            assert str(exc).startswith("fuzz"), exc  # it names the source
            assert store.ids() == set() and not any(Path(root).rglob("*.md")), "partial import"
            return
        result = store.load(tuple(State))
        assert result.problems == []


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_importers_survive_mutated_real_exports(built: Site, fmt: str) -> None:
    seed = SEEDS[fmt].read_bytes()

    @FAST
    @given(data=mutated(seed))
    def run(data: bytes) -> None:
        import_into_fresh_store(built, fmt, data)

    run()


@pytest.mark.parametrize("fmt", sorted(SEEDS))
def test_importers_survive_arbitrary_bytes(built: Site, fmt: str) -> None:
    @FAST
    @given(data=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
    def run(data: bytes) -> None:
        import_into_fresh_store(built, fmt, data)

    run()


# --- the receiver ---------------------------------------------------------------------------
HOSTS = ["127.0.0.1", "localhost", "[::1]", "10.0.0.1", "169.254.169.254", "0.0.0.0"]
FIELDS = ["author", "url", "email", "notify", "body", "parent", "article", "token", "homepage"]
json_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=50),
    st.sampled_from(["first-post", "c0ffee000001", "../x", "", "\ud800", "a\x00b"]),
    st.lists(st.text(max_size=5), max_size=3),
)
local_url = st.builds(
    lambda scheme, host, path: f"{scheme}://{host}/{path}",
    st.sampled_from(["http", "https", "ftp", "file", "javascript"]),
    st.sampled_from(HOSTS),
    st.text(max_size=20),
)


@pytest.fixture(scope="module")
def server(built: Site) -> Iterator[tuple[str, Site]]:
    port = free_port()
    conf = settings_for(built.conf, port, RATE_LIMIT=None, MIN_SECONDS_TO_POST=0)
    with running(create_app(conf, built.output), port) as base:
        yield base, built
    result = Store(built.feedback).load(tuple(State))
    assert result.problems == []
    assert Store(built.feedback).stale_temps() == []
    check = built.cli("check")
    assert check.returncode == 0, check.stdout


def no_5xx(r: httpx.Response) -> None:
    assert r.status_code < 500, f"{r.status_code}: {r.text[:300]}"


@FAST
@given(
    fields=st.dictionaries(
        st.one_of(st.sampled_from(FIELDS), st.text(max_size=5)), json_value, max_size=9
    ),
    raw=st.one_of(st.none(), st.binary(max_size=60)),
)
@example(fields={"article": "first-post", "author": "A", "body": "\ud800"}, raw=None)
@example(fields={"article": "first-post", "author": "\udfff", "body": "b"}, raw=None)
@example(
    fields={"article": "first-post", "author": "A", "body": "b", "url": "http://\ud800/"}, raw=None
)
def test_comment_json(server: tuple[str, Site], fields: dict, raw: bytes | None) -> None:
    base, _ = server
    body = raw if raw is not None else json.dumps(fields).encode()
    r = httpx.post(
        f"{base}/backchannel/comments",
        content=body,
        headers={"Content-Type": "application/json"},
        timeout=10,
    )
    no_5xx(r)


@FAST
@given(
    body=st.one_of(
        st.binary(max_size=200),
        st.dictionaries(st.sampled_from(FIELDS), st.text(max_size=40), max_size=9).map(
            lambda d: httpx.QueryParams({"article": "first-post", **d}).__str__().encode()
        ),
    ),
    charset=st.sampled_from(["", "; charset=utf-8", "; charset=latin-1", "; charset=nope"]),
)
def test_comment_form(server: tuple[str, Site], body: bytes, charset: str) -> None:
    base, _ = server
    r = httpx.post(
        f"{base}/backchannel/comments",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded" + charset},
        timeout=10,
    )
    no_5xx(r)


@FAST
@given(
    article=st.sampled_from(["first-post", "second-post", "nope", "%2e%2e", "x" * 300]),
    fields=st.dictionaries(
        st.sampled_from(["url", "title", "excerpt", "blog_name", "x"]),
        st.one_of(st.text(max_size=60), local_url),
        max_size=5,
    ),
    raw=st.one_of(st.none(), st.binary(max_size=100)),
)
def test_trackback_form(
    server: tuple[str, Site], article: str, fields: dict, raw: bytes | None
) -> None:
    base, _ = server
    body = raw if raw is not None else str(httpx.QueryParams(fields)).encode()
    r = httpx.post(
        f"{base}/backchannel/trackback/{article}",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    no_5xx(r)
    assert r.text.startswith("<?xml")


@FAST
@given(
    params=st.lists(
        st.one_of(
            local_url,
            st.text(max_size=30),
            st.integers(-(2**31), 2**31 - 1),
            st.booleans(),
            st.lists(st.text(max_size=5), max_size=2),
        ),
        max_size=3,
    ),
    method=st.sampled_from(["pingback.ping", "pingback.ping", "system.listMethods", ""]),
    mutation=st.one_of(st.none(), st.binary(max_size=20)),
    cut=st.integers(0, 400),
)
def test_pingback_xmlrpc(
    server: tuple[str, Site], params: list, method: str, mutation: bytes | None, cut: int
) -> None:
    base, _ = server
    target = f"{base}/first-post.html"
    body = xmlrpc.client.dumps((*params, target)[:3] if params else (), method).encode()
    if mutation is not None:
        body = body[:cut] + mutation + body[cut:]
    r = httpx.post(
        f"{base}/backchannel/pingback",
        content=body,
        headers={"Content-Type": "text/xml"},
        timeout=10,
    )
    no_5xx(r)
    xmlrpc.client.loads(r.content) if "<fault>" not in r.text else None


@FAST
@given(
    source=st.one_of(local_url, st.text(max_size=40)),
    target=st.one_of(st.just("first-post.html"), st.text(max_size=20)),
    extra=st.one_of(st.none(), st.binary(max_size=40)),
)
def test_webmention_form(
    server: tuple[str, Site], source: str, target: str, extra: bytes | None
) -> None:
    base, _ = server
    body = str(httpx.QueryParams({"source": source, "target": f"{base}/{target}"})).encode()
    if extra is not None:
        body += b"&" + extra
    r = httpx.post(
        f"{base}/backchannel/webmention",
        content=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
        timeout=10,
    )
    no_5xx(r)
    if r.status_code == 201:
        status = httpx.get(r.headers["location"], timeout=10)
        no_5xx(status)
