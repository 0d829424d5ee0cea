"""TrackBack, Pingback and Webmention over real HTTP, with source pages on a second local server."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from functools import partial

import httpx
import pytest
import receiver_support
from backchannel.model import Kind, MentionType, State, loads
from backchannel.store import Store
from backchannel.store.state import WEBMENTION, state_of
from conftest import REALDATA, Site
from receiver_support import (
    Pages,
    empty_store,
    inbox_files,
    serve_site,
    wait_for,
)

# The shared module-scoped site (receiver_support.built).
built = receiver_support.built

WMIO = REALDATA / "webmention-io"


@pytest.fixture
def site(built: Site) -> Iterator[Site]:
    yield built
    empty_store(built)
    published = built.feedback / "published" / "first-post"
    for path in published.glob("*.md"):
        if path.stem != "c0ffee000001":
            path.unlink()


@pytest.fixture
def pages() -> Iterator[Pages]:
    with Pages() as server:
        yield server


class Receiver:
    """The running site + receiver, with its URLs."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.api = base + "/backchannel"
        self.article = base + "/first-post.html"


# The receiver beside the built site (receiver_support.serve_site).
serve = partial(serve_site, ALLOW_PRIVATE_ADDRESSES=True)


def items(site: Site, state: str = "inbox"):
    return [loads(p.read_text("utf-8"), p) for p in inbox_files(site, state)]


# --- TrackBack ------------------------------------------------------------------
WP_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
    "User-Agent": "WordPress/6.5; http://blog.example",
}


def test_trackback_as_wordpress_sends_it(site: Site) -> None:
    body = (
        "title=Re%3A+First+Post&url=https%3A%2F%2Fblog.example%2F2026%2Freply%2F"
        "&excerpt=I+wrote+about+this+%E2%80%94+here.&blog_name=Example+Blog"
    )
    with serve(site) as base:
        ok = httpx.post(
            f"{base}/backchannel/trackback/first-post", content=body, headers=WP_HEADERS
        )
        again = httpx.post(
            f"{base}/backchannel/trackback/first-post", content=body, headers=WP_HEADERS
        )
    assert ok.status_code == 200 and ok.headers["content-type"].startswith("text/xml")
    assert "<error>0</error>" in ok.text
    assert "<error>1</error>" in again.text and "already registered" in again.text
    [item] = items(site)
    assert item.kind == Kind.TRACKBACK and item.source == "https://blog.example/2026/reply/"
    assert (item.title, item.author, item.body) == (
        "Re: First Post",
        "Example Blog",
        "I wrote about this — here.",
    )


@pytest.mark.parametrize(
    ("path", "body", "ctype", "message"),
    [
        ("first-post", "title=x", WP_HEADERS["Content-Type"], "missing field 'url'"),
        ("first-post", "url=ftp%3A%2F%2Fx", WP_HEADERS["Content-Type"], "http(s) URL"),
        (
            "no-such-post",
            "url=http%3A%2F%2Fa.example",
            WP_HEADERS["Content-Type"],
            "unknown article",
        ),
        ("first-post", "<xml/>", "text/xml", "form-encoded"),
        (
            "first-post",
            b"url=\xff",
            "application/x-www-form-urlencoded; charset=utf-8",
            "not valid utf-8",
        ),
    ],
)
def test_trackback_errors(
    site: Site, path: str, body: str | bytes, ctype: str, message: str
) -> None:
    with serve(site) as base:
        r = httpx.post(
            f"{base}/backchannel/trackback/{path}", content=body, headers={"Content-Type": ctype}
        )
    assert r.status_code == 200
    assert "<error>1</error>" in r.text and message in r.text
    assert items(site) == []


# --- Pingback -------------------------------------------------------------------
LINKING = """<html><head><title>A reply post</title></head><body>
<p>Before. As <a href="{target}">Mara wrote</a>, readers are experts. After.</p></body></html>"""


def proxy(base: str) -> xmlrpc.client.ServerProxy:
    return xmlrpc.client.ServerProxy(f"{base}/backchannel/pingback")


def fault_code(call) -> int:
    with pytest.raises(xmlrpc.client.Fault) as info:
        call()
    return info.value.faultCode


def test_pingback_with_xmlrpc_client(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        source = pages.add("/reply", LINKING.format(target=target))
        result = proxy(base).pingback.ping(source, target)
        again = fault_code(lambda: proxy(base).pingback.ping(source, target))
    assert "registered" in result and again == 0x0030
    [item] = items(site)
    assert item.kind == Kind.PINGBACK and item.source == source
    assert item.title == "A reply post"
    assert item.body == "Before. As Mara wrote, readers are experts. After."


def test_pingback_faults(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        nolink = pages.add("/nolink", "<p>No link here.</p>")
        gone = pages.base + "/missing"
        broken = pages.add("/broken", "oops", status=500)
        linking = pages.add("/ok", LINKING.format(target=target))
        p = proxy(base)
        codes = {
            "no link": fault_code(lambda: p.pingback.ping(nolink, target)),
            "404": fault_code(lambda: p.pingback.ping(gone, target)),
            "500": fault_code(lambda: p.pingback.ping(broken, target)),
            "unknown path": fault_code(lambda: p.pingback.ping(linking, f"{base}/nope.html")),
            "other host": fault_code(
                lambda: p.pingback.ping(linking, "http://example.com/post/1000")
            ),
            "bad source": fault_code(lambda: p.pingback.ping("file:///etc/passwd", target)),
            # Hosts urllib cannot split: the protocol's fault, never a 5xx.
            "unsplittable source": fault_code(lambda: p.pingback.ping("http://[a/x", target)),
            "unsplittable target": fault_code(lambda: p.pingback.ping(linking, "http://[b/")),
            "same": fault_code(lambda: p.pingback.ping(target, target)),
            "method": fault_code(lambda: p.pingback.other(linking, target)),
            "params": fault_code(lambda: p.pingback.ping(linking)),
        }
    assert codes == {
        "no link": 0x11,
        "404": 0x10,
        "500": 0x32,
        "unknown path": 0x20,
        "other host": 0x21,
        "bad source": 0x10,
        "unsplittable source": 0x10,
        "unsplittable target": 0x20,
        "same": 0,
        "method": -32601,
        "params": -32602,
    }
    assert items(site) == []


def test_pingback_refuses_loopback_source_when_not_allowed(site: Site, pages: Pages) -> None:
    with serve(site, ALLOW_PRIVATE_ADDRESSES=False) as base:
        target = f"{base}/first-post.html"
        source = pages.add("/reply", LINKING.format(target=target))
        code = fault_code(lambda: proxy(base).pingback.ping(source, target))
    assert code == 0x31 and items(site) == []


def test_pingback_real_request_body_and_xml_attacks(site: Site) -> None:
    bomb = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<methodCall><methodName>&lol2;</methodName></methodCall>"""
    external = b"""<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
<methodCall><methodName>&e;</methodName></methodCall>"""
    with serve(site) as base:
        url = f"{base}/backchannel/pingback"
        real = httpx.post(
            url,
            content=(WMIO / "README-pingback-request.xml").read_bytes(),
            headers={"Content-Type": "application/xml"},
        )
        answers = [
            httpx.post(url, content=body, headers={"Content-Type": "text/xml"})
            for body in (bomb, external, b"<methodCall><unclosed>", b"<other/>")
        ]
        big = httpx.post(
            url,
            content=b"<methodCall>" + b" " * 70000 + b"</methodCall>",
            headers={"Content-Type": "text/xml"},
        )
    # webmention.io's real request: example.com is not our host.
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(real.content)
    assert info.value.faultCode == 0x21
    for answer in answers:
        with pytest.raises(xmlrpc.client.Fault) as info:
            xmlrpc.client.loads(answer.content)
        assert info.value.faultCode == -32700
        assert "passwd" not in answer.text or "refused" in answer.text
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(big.content)
    assert "larger than" in info.value.faultString
    assert items(site) == []


# --- Webmention -----------------------------------------------------------------
def realdata_page(name: str, target: str) -> str:
    """A webmention.io source page, pointing at our article instead of target.example.com."""
    return (WMIO / name).read_text("utf-8").replace("http://target.example.com/entry", target)


def send(base: str, source: str, target: str) -> httpx.Response:
    return httpx.post(f"{base}/backchannel/webmention", data={"source": source, "target": target})


def final_status(r: httpx.Response) -> dict:
    assert r.status_code == 201  # Webmention 3.2.1: a status URL comes with 201 Created
    url = r.headers["location"]

    def finished() -> dict | None:
        data = httpx.get(url).json()
        return data if data["status"] != "queued" else None

    return wait_for(finished)


def test_webmention_reply_from_real_source_page(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        source = pages.add("/in-reply-to", realdata_page("in-reply-to.html", target))
        status = final_status(send(base, source, target))
    assert status["status"] == "verified" and status["source"] == source
    assert status["article"] == "first-post"
    [item] = items(site)
    assert item.id == status["item"] and item.kind == Kind.WEBMENTION
    assert item.mention_type == MentionType.REPLY
    assert item.author == "Source Author" and item.author_url == "http://source.example.org/"
    assert item.body == (
        "Thanks for the information, it was super helpful. "
        "I am looking forward to putting it to use right away."
    )
    assert item.date.isoformat() == "2015-11-07T12:00:00-05:00"
    assert "@" not in status.get("reason", "") and "ip" not in status


def test_webmention_like_then_update_then_delete(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        source = pages.add("/like-of", realdata_page("like-of.html", target))
        first = final_status(send(base, source, target))
        [like] = items(site)
        assert like.mention_type == MentionType.LIKE and like.title == "Liked this"
        # The source changes into a reply: same item id, new content.
        pages.add("/like-of", realdata_page("in-reply-to.html", target))
        second = final_status(send(base, source, target))
        [reply] = items(site)
        assert reply.id == like.id == first["item"] == second["item"]
        assert reply.mention_type == MentionType.REPLY
        # Published, then updated again: back to the inbox for another look.
        store = Store(site.feedback)
        store.move(store.find(reply.id), State.PUBLISHED)
        pages.add("/like-of", realdata_page("like-of.html", target))
        final_status(send(base, source, target))
        [again] = items(site)
        assert again.mention_type == MentionType.LIKE
        assert "updated by its source after publication" in again.reasons
        # The source no longer links: deleted.
        pages.add("/like-of", "<p>I changed my mind.</p>")
        unlinked = final_status(send(base, source, target))
        assert unlinked["status"] == "deleted" and items(site) == []
        # Re-added, then gone: 410 deletes too.
        pages.add("/like-of", realdata_page("like-of.html", target))
        final_status(send(base, source, target))
        assert len(items(site)) == 1
        pages.add("/like-of", "gone", status=410)
        gone = final_status(send(base, source, target))
    assert gone["status"] == "deleted" and "410" in gone["reason"]
    assert items(site) == []


def test_webmention_rejections_are_reported(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        nolink = final_status(send(base, pages.add("/x", "<p>nothing</p>"), target))
        missing = final_status(send(base, pages.base + "/missing", target))
    assert nolink["status"] == "rejected" and "does not link" in nolink["reason"]
    assert missing["status"] == "rejected" and "404" in missing["reason"]
    with serve(site, ALLOW_PRIVATE_ADDRESSES=False) as base:
        target = f"{base}/first-post.html"
        refused = final_status(send(base, pages.add("/y", f'<a href="{target}">x</a>'), target))
    assert refused["status"] == "rejected" and "refusing" in refused["reason"]
    assert items(site) == []


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"source": "http://a.example/x"}, "both 'source' and 'target' are required"),
        ({"source": "ftp://a.example/x", "target": "{t}"}, "source must be an http(s) URL"),
        # urllib cannot split this host: a clear 400, never a 5xx.
        ({"source": "http://[a.example/x", "target": "{t}"}, "source must be an http(s) URL"),
        ({"source": "http://a.example/x", "target": "http://[b/"}, "target must be"),
        ({"source": "http://a.example/x", "target": "javascript:1"}, "target must be"),
        ({"source": "{t}", "target": "{t}"}, "source and target are the same"),
        ({"source": "http://a.example/x", "target": "{b}/nope.html"}, "not an article"),
        (
            {"source": "http://a.example/x", "target": "http://elsewhere.example/first-post.html"},
            "not an article",
        ),
    ],
)
def test_webmention_bad_requests(site: Site, data: dict, reason: str) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        filled = {k: v.format(t=target, b=base) for k, v in data.items()}
        r = httpx.post(f"{base}/backchannel/webmention", data=filled)
        json_body = httpx.post(f"{base}/backchannel/webmention", json=filled)
    assert r.status_code == 400 and reason in r.text
    assert json_body.status_code == 415
    assert items(site) == [] and state_of(Store(site.feedback)).items(WEBMENTION) == {}


def test_webmention_status_survives_restart(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        status = final_status(
            send(base, pages.add("/r", realdata_page("like-of.html", target)), target)
        )
    with serve(site) as base:
        again = httpx.get(f"{base}/backchannel/webmention/status/{status['id']}")
        unknown = httpx.get(f"{base}/backchannel/webmention/status/wm0000000000")
        bad = httpx.get(f"{base}/backchannel/webmention/status/..%2Fsecret")
    assert again.json() == status
    assert unknown.status_code == 404 and bad.status_code == 404


def test_finished_webmention_statuses_expire_at_the_next_start(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        source = pages.add("/r", realdata_page("like-of.html", target))
        done = final_status(send(base, source, target))
    state = state_of(Store(site.feedback))
    old = "2020-01-01T00:00:00+00:00"
    state.put(WEBMENTION, done["id"], {**done, "updated": old})
    with serve(site, WEBMENTION_STATUS_DAYS=None) as base:
        kept = httpx.get(f"{base}/backchannel/webmention/status/{done['id']}")
    assert kept.status_code == 200  # None keeps every record
    # A record still queued is as old, but a 202 is a promise: it is verified, never dropped.
    queued = {**done, "id": "wmqueued0001", "status": "queued", "item": None, "updated": old}
    state.put(WEBMENTION, "wmqueued0001", queued)
    with serve(site) as base:
        gone = httpx.get(f"{base}/backchannel/webmention/status/{done['id']}")
        url = f"{base}/backchannel/webmention/status/wmqueued0001"
        verified = wait_for(lambda: (d := httpx.get(url).json())["status"] != "queued" and d)
    assert gone.status_code == 404 and state.get(WEBMENTION, done["id"]) is None
    assert verified["status"] == "verified" and verified["item"] == done["item"]
    assert len(items(site)) == 1  # the webmention itself stays


def test_webmention_via_alias_target(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/old-first"
        status = final_status(send(base, pages.add("/a", f'<a href="{target}">old</a>'), target))
    assert status["status"] == "verified" and status["article"] == "first-post"
    [item] = items(site)
    assert item.mention_type == MentionType.MENTION and item.article == "first-post"
