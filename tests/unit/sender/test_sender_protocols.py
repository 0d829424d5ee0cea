"""Webmention, Pingback and TrackBack sending against real endpoints on loopback."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator

import pytest
from backchannel.outbound.fetch import Fetcher
from backchannel.sender.protocols import (
    parse_pingback_response,
    parse_trackback_response,
    send_pingback,
    send_trackback,
    send_webmention,
)
from backchannel.settings import resolve
from conftest import REALDATA
from sender_helpers import Reply, Request, Server, Web

SOURCE = "https://a.example/post.html"


@pytest.fixture
def web() -> Iterator[Web]:
    """A loopback server standing in for the target site's endpoints."""
    server = Server()
    yield server.web
    server.close()


@pytest.fixture
def fetcher() -> Fetcher:
    """The real fetcher, allowed to reach loopback."""
    return Fetcher(
        resolve({"BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES": True, "BACKCHANNEL_FETCH_TIMEOUT": 2.0})
    )


def xmlrpc_reply(*, fault: tuple[int, str] | None = None, value: str = "Thanks!") -> Reply:
    """An XML-RPC methodResponse as a Pingback server would send it."""
    if fault:
        body = xmlrpc.client.dumps(xmlrpc.client.Fault(*fault), methodresponse=True)
    else:
        body = xmlrpc.client.dumps((value,), methodresponse=True)
    return (200, [("Content-Type", "text/xml")], body.encode())


@pytest.mark.parametrize("status", [200, 201, 202])
def test_webmention_2xx_is_success_and_location_kept(
    web: Web, fetcher: Fetcher, status: int
) -> None:
    """Any 2xx succeeds; the status URL of a 201/202 is recorded, absolute."""
    web.routes["/wm"] = (status, [("Location", "/status/7")], b"")
    outcome = send_webmention(fetcher, web.url("/wm?token=x"), SOURCE, web.url("/t"))
    assert outcome.ok and outcome.http_status == status
    assert outcome.location == (web.url("/status/7") if status != 200 else None)
    (request,) = web.posts("/wm")
    assert request.path == "/wm?token=x"  # the endpoint's query string is kept
    assert request.form == {"source": SOURCE, "target": web.url("/t")}
    assert request.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert request.headers["User-Agent"].startswith("Backchannel/")


def test_webmention_errors(web: Web, fetcher: Fetcher) -> None:
    """400 is a refusal (no retry), 503 is retried, and the reason carries the body."""
    web.routes["/bad"] = (400, [("Content-Type", "text/plain")], b"target not found")
    web.routes["/busy"] = (503, [], b"")
    bad = send_webmention(fetcher, web.url("/bad"), SOURCE, web.url("/t"))
    assert not bad.ok and not bad.retry and "400: target not found" in bad.reason
    busy = send_webmention(fetcher, web.url("/busy"), SOURCE, web.url("/t"))
    assert not busy.ok and busy.retry and busy.http_status == 503


def test_pingback_request_is_xmlrpc(web: Web, fetcher: Fetcher) -> None:
    """pingback.ping(source, target) arrives as a well-formed XML-RPC call."""
    web.routes["/xmlrpc"] = xmlrpc_reply()
    outcome = send_pingback(fetcher, web.url("/xmlrpc"), SOURCE, web.url("/t"))
    assert outcome.ok and outcome.reason == "Thanks!"
    (request,) = web.posts("/xmlrpc")
    params, method = xmlrpc.client.loads(request.body)
    assert method == "pingback.ping" and params == (SOURCE, web.url("/t"))
    assert request.headers["Content-Type"].startswith("text/xml")


def test_pingback_faults(web: Web, fetcher: Fetcher) -> None:
    """0x0030 already registered is success; 0x0011 retried; 0x0021 refused for good."""
    web.routes["/dup"] = xmlrpc_reply(fault=(0x30, "The pingback has already been registered."))
    web.routes["/nolink"] = xmlrpc_reply(fault=(0x11, "Source does not link"))
    web.routes["/nope"] = xmlrpc_reply(fault=(0x21, "Cannot be used as a target"))
    dup = send_pingback(fetcher, web.url("/dup"), SOURCE, web.url("/t"))
    assert dup.ok and "already registered" in dup.reason
    nolink = send_pingback(fetcher, web.url("/nolink"), SOURCE, web.url("/t"))
    assert not nolink.ok and nolink.retry and "0x0011" in nolink.reason
    nope = send_pingback(fetcher, web.url("/nope"), SOURCE, web.url("/t"))
    assert not nope.ok and not nope.retry


def test_pingback_garbage_is_a_failure(web: Web, fetcher: Fetcher) -> None:
    """A server answering HTML instead of XML-RPC is a failure with a reason."""
    web.html("/xmlrpc", "<p>hello</p>")
    outcome = send_pingback(fetcher, web.url("/xmlrpc"), SOURCE, web.url("/t"))
    assert not outcome.ok and "not XML-RPC" in outcome.reason


def test_pingback_response_rejects_entities() -> None:
    """The XML-RPC answer is parsed with defusedxml: entity tricks are refused."""
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
        b"<methodResponse><params><param><value>&a;</value></param></params>"
        b"</methodResponse>"
    )
    with pytest.raises(ValueError, match="not XML-RPC"):
        parse_pingback_response(bomb)


def test_trackback_success_and_form(web: Web, fetcher: Fetcher) -> None:
    """The four TrackBack fields are posted; <error>0</error> is success; excerpt capped."""
    web.routes["/tb/5"] = (
        200,
        [("Content-Type", "text/xml")],
        b'<?xml version="1.0" encoding="utf-8"?>\n<response><error>0</error></response>',
    )
    outcome = send_trackback(
        fetcher,
        web.url("/tb/5"),
        SOURCE,
        title="Ünïcode post",
        excerpt="x" * 400,
        blog_name="My blog",
    )
    assert outcome.ok
    (request,) = web.posts("/tb/5")
    form = request.form
    assert form["title"] == "Ünïcode post" and form["url"] == SOURCE
    assert form["blog_name"] == "My blog" and len(form["excerpt"]) == 255
    assert "charset=utf-8" in request.headers["Content-Type"]


def test_trackback_real_error_response_latin1(web: Web, fetcher: Fetcher) -> None:
    """PEAR Services_Trackback's real error answer (error -1, ISO-8859-1) is a failure."""
    data = (
        REALDATA / "pear-services-trackback" / "testInterpretTrackbackResponseFailure.xml"
    ).read_bytes()
    assert parse_trackback_response(data) == (-1, "No more trackbacks from this host")

    def route(_: Request) -> Reply:
        return (200, [("Content-Type", "text/xml; charset=iso-8859-1")], data)

    web.routes["/tb"] = route
    outcome = send_trackback(fetcher, web.url("/tb"), SOURCE, title="t", excerpt="e", blog_name="b")
    assert not outcome.ok
    assert outcome.reason == "error -1: No more trackbacks from this host"


def test_trackback_latin1_message_decoded() -> None:
    """A Latin-1 message is decoded by its XML declaration, not as UTF-8."""
    body = (
        "<?xml version='1.0' encoding='iso-8859-1'?>\n<response><error>1</error>"
        "<message>Déjà reçu</message></response>"
    ).encode("latin-1")
    assert parse_trackback_response(body) == (1, "Déjà reçu")


def test_trackback_not_xml(web: Web, fetcher: Fetcher) -> None:
    """An HTML page where TrackBack XML should be is a failure, not a crash."""
    web.html("/tb", "<html><body>Thanks</body></html><p>")
    outcome = send_trackback(fetcher, web.url("/tb"), SOURCE, title="t", excerpt="e", blog_name="b")
    assert not outcome.ok and "TrackBack" in outcome.reason


def test_unreachable_endpoint_is_retried(fetcher: Fetcher) -> None:
    """Nothing listening: a failure to retry, with the reason."""
    outcome = send_webmention(fetcher, "http://127.0.0.1:9/wm", SOURCE, "http://127.0.0.1:9/t")
    assert not outcome.ok and outcome.retry and outcome.reason


def test_private_addresses_refused_by_default(web: Web) -> None:
    """Without ALLOW_PRIVATE_ADDRESSES the sender never reaches loopback."""
    web.routes["/wm"] = (202, [], b"")
    strict = Fetcher(resolve({}))
    outcome = send_webmention(strict, web.url("/wm"), SOURCE, web.url("/t"))
    assert not outcome.ok and "refusing" in outcome.reason
    assert web.posts("/wm") == []
