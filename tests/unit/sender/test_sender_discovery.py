"""Endpoint discovery against real pages on loopback: every webmention.rocks discovery case."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from backchannel.outbound.fetch import Fetcher
from backchannel.sender.discovery import (
    DiscoveryError,
    Endpoint,
    discover,
    parse_link_header,
)
from backchannel.sender.record import Protocol
from backchannel.settings import resolve
from sender_helpers import Server, Web

PAGE = """<!doctype html><html><head><title>Test {n}</title>{head}</head>
<body><article class="h-entry"><p>{body}</p></article></body></html>"""


@pytest.fixture
def web() -> Iterator[Web]:
    """A loopback server the test fills with pages."""
    server = Server()
    yield server.web
    server.close()


@pytest.fixture
def fetcher() -> Fetcher:
    """The real fetcher, allowed to reach loopback, with short limits."""
    return Fetcher(
        resolve(
            {
                "BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES": True,
                "BACKCHANNEL_FETCH_TIMEOUT": 2.0,
                "BACKCHANNEL_FETCH_MAX_BYTES": 200_000,
            }
        )
    )


# (test number, Link headers as (name, value), <head> HTML, <body> HTML, expected path).
# "{base}" is the server's origin. The cases mirror webmention.rocks discovery
# tests 1-23 (aaronpk/webmention.rocks, lib/Rocks/DiscoveryTestData.php).
ROCKS = [
    (1, [("Link", "</test/1/webmention>; rel=webmention")], "", "", "/test/1/webmention"),
    (2, [("Link", "<{base}/test/2/webmention>; rel=webmention")], "", "", "/test/2/webmention"),
    (3, [], '<link rel="webmention" href="/test/3/webmention">', "", "/test/3/webmention"),
    (4, [], '<link href="{base}/test/4/webmention" rel="webmention">', "", "/test/4/webmention"),
    (
        5,
        [],
        "",
        'An <a rel="webmention" href="/test/5/webmention">endpoint</a>.',
        "/test/5/webmention",
    ),
    (
        6,
        [],
        "",
        'An <a href="{base}/test/6/webmention" rel="webmention">endpoint</a>.',
        "/test/6/webmention",
    ),
    (7, [("LinK", "<{base}/test/7/webmention>; rel=webmention")], "", "", "/test/7/webmention"),
    (8, [("Link", '<{base}/test/8/webmention>; rel="webmention"')], "", "", "/test/8/webmention"),
    (
        9,
        [],
        '<link rel="webmention somethingelse" href="{base}/test/9/webmention">',
        "",
        "/test/9/webmention",
    ),
    (
        10,
        [("Link", '<{base}/test/10/webmention>; rel="webmention somethingelse"')],
        "",
        "",
        "/test/10/webmention",
    ),
    (
        11,
        [("Link", '</test/11/webmention>; rel="webmention"')],
        '<link rel="webmention" href="/test/11/webmention/error">',
        'An <a href="/test/11/webmention/error" rel="webmention">a tag</a>.',
        "/test/11/webmention",
    ),
    (
        12,
        [],
        '<link rel="not-webmention" href="/test/12/webmention/error">',
        'A <a href="/test/12/webmention" rel="webmention">correct endpoint</a>.',
        "/test/12/webmention",
    ),
    (
        13,
        [],
        "",
        'A comment <!-- <a href="/test/13/webmention/error" rel="webmention"></a> --> and a '
        '<a href="/test/13/webmention" rel="webmention">correct endpoint</a>.',
        "/test/13/webmention",
    ),
    (
        14,
        [],
        "",
        'Code <code>&lt;a href="/test/14/webmention/error" rel="webmention"&gt;&lt;/a&gt;</code>'
        ' and a <a href="/test/14/webmention" rel="webmention">correct endpoint</a>.',
        "/test/14/webmention",
    ),
    (15, [], '<link rel="webmention" href="">', "", "/test/15"),
    (
        16,
        [],
        "",
        'First <a href="/test/16/webmention" rel="webmention">a tag</a>, then '
        '<link rel="webmention" href="/test/16/webmention/error">.',
        "/test/16/webmention",
    ),
    (
        17,
        [],
        "",
        'First <link rel="webmention" href="/test/17/webmention"> then '
        '<a href="/test/17/webmention/error" rel="webmention">a tag</a>.',
        "/test/17/webmention",
    ),
    (
        18,
        [
            ("Link", '<{base}/test/18/webmention/error>; rel="other"'),
            ("Link", '<{base}/test/18/webmention>; rel="webmention"'),
        ],
        "",
        "",
        "/test/18/webmention",
    ),
    (
        19,
        [
            (
                "Link",
                '<{base}/test/19/webmention/error>; rel="other", '
                '<{base}/test/19/webmention>; rel="webmention"',
            )
        ],
        "",
        "",
        "/test/19/webmention",
    ),
    (
        20,
        [],
        "",
        'A tag <link rel="webmention"> without href, and '
        '<a href="/test/20/webmention" rel="webmention">this endpoint</a>.',
        "/test/20/webmention",
    ),
    (
        21,
        [],
        '<link rel="webmention" href="/test/21/webmention?query=yes">',
        "",
        "/test/21/webmention?query=yes",
    ),
    (22, [], '<link rel="webmention" href="22/webmention">', "", "/test/22/webmention"),
]


@pytest.mark.parametrize("case", ROCKS, ids=[f"rocks-{case[0]}" for case in ROCKS])
def test_webmention_rocks_discovery(web: Web, fetcher: Fetcher, case: tuple) -> None:
    """Each webmention.rocks discovery case finds the one right endpoint."""
    n, headers, head, body, expected = case
    fill = {"base": web.base}
    web.html(
        f"/test/{n}",
        PAGE.format(n=n, head=head.format(**fill), body=body.format(**fill)),
        [(k, v.format(**fill)) for k, v in headers],
    )
    found = discover(fetcher, web.url(f"/test/{n}"))
    assert found == Endpoint(Protocol.WEBMENTION, web.url(expected))


def test_rocks_23_relative_endpoint_after_redirect(web: Web, fetcher: Fetcher) -> None:
    """Rocks 23: the target redirects; the relative endpoint resolves against the final URL."""
    web.routes["/test/23/page"] = (302, [("Location", "/test/23/page/abc123")], b"")
    web.html(
        "/test/23/page/abc123",
        PAGE.format(n=23, head="", body="redirected"),
        [("Link", '<webmention-endpoint/abc123>; rel="webmention"')],
    )
    found = discover(fetcher, web.url("/test/23/page"))
    assert found == Endpoint(
        Protocol.WEBMENTION, web.url("/test/23/page/webmention-endpoint/abc123")
    )


def test_link_header_beats_pingback_and_trackback(web: Web, fetcher: Fetcher) -> None:
    """Webmention first, even when the page also offers Pingback and TrackBack."""
    web.html(
        "/p",
        PAGE.format(n=0, head='<link rel="pingback" href="/xmlrpc">', body=""),
        [("X-Pingback", web.url("/xmlrpc")), ("Link", "</wm>; rel=webmention")],
    )
    assert discover(fetcher, web.url("/p")) == Endpoint(Protocol.WEBMENTION, web.url("/wm"))


def test_pingback_header_first(web: Web, fetcher: Fetcher) -> None:
    """X-Pingback wins over the <link> element."""
    web.html(
        "/p",
        PAGE.format(n=0, head='<link rel="pingback" href="/other">', body=""),
        [("X-Pingback", web.url("/xmlrpc.php"))],
    )
    assert discover(fetcher, web.url("/p")) == Endpoint(Protocol.PINGBACK, web.url("/xmlrpc.php"))


def test_pingback_link_element_relative(web: Web, fetcher: Fetcher) -> None:
    """Only <link rel="pingback">, relative: resolved against the page."""
    web.html("/blog/p", PAGE.format(n=0, head='<link rel="Pingback" href="xmlrpc">', body=""))
    assert discover(fetcher, web.url("/blog/p")) == Endpoint(
        Protocol.PINGBACK, web.url("/blog/xmlrpc")
    )


TRACKBACK_RDF = """<!--
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"
         xmlns:dc="http://purl.org/dc/elements/1.1/"
         xmlns:trackback="http://madskills.com/public/xml/rss/module/trackback/">
<rdf:Description rdf:about="{about}" dc:identifier="{ident}" dc:title="A post"
    trackback:ping="{ping}" />
</rdf:RDF>
-->"""


def test_trackback_rdf_matching_identifier(web: Web, fetcher: Fetcher) -> None:
    """Only a TrackBack RDF block: the Description whose identifier is the target is used."""
    other = TRACKBACK_RDF.format(about=web.url("/other"), ident=web.url("/other"), ping="/tb/other")
    mine = TRACKBACK_RDF.format(about=web.url("/post"), ident=web.url("/post"), ping="/tb/5")
    web.html("/post", PAGE.format(n=0, head="", body=other + mine))
    assert discover(fetcher, web.url("/post")) == Endpoint(Protocol.TRACKBACK, web.url("/tb/5"))


def test_trackback_rdf_for_another_page_is_ignored(web: Web, fetcher: Fetcher) -> None:
    """An RDF block about some other URL advertises nothing for this target."""
    block = TRACKBACK_RDF.format(
        about="https://elsewhere.example/x", ident="https://elsewhere.example/x", ping="/tb/9"
    )
    web.html("/post", PAGE.format(n=0, head="", body=block))
    assert discover(fetcher, web.url("/post")) is None


def test_nothing_advertised_and_non_html(web: Web, fetcher: Fetcher) -> None:
    """A plain page has no endpoint; markup inside a text/plain body is not HTML."""
    web.html("/plain", PAGE.format(n=0, head="", body="just words"))
    web.routes["/text"] = (
        200,
        [("Content-Type", "text/plain")],
        b'<link rel="webmention" href="/wm">',
    )
    assert discover(fetcher, web.url("/plain")) is None
    assert discover(fetcher, web.url("/text")) is None


def test_target_errors_are_classified(web: Web, fetcher: Fetcher) -> None:
    """404 is permanent, 503 is retried, a redirect loop is a failure with its reason."""
    web.routes["/gone"] = (404, [], b"no")
    web.routes["/busy"] = (503, [], b"later")
    web.routes["/loop"] = (302, [("Location", "/loop")], b"")
    with pytest.raises(DiscoveryError) as gone:
        discover(fetcher, web.url("/gone"))
    assert gone.value.permanent and gone.value.http_status == 404
    with pytest.raises(DiscoveryError) as busy:
        discover(fetcher, web.url("/busy"))
    assert not busy.value.permanent and busy.value.http_status == 503
    with pytest.raises(DiscoveryError, match="redirects"):
        discover(fetcher, web.url("/loop"))


def test_parse_link_header_details() -> None:
    """Quoted commas, several rels, only the first rel parameter, odd spacing."""
    links = parse_link_header(
        [
            '<https://a.example/x>; title="a, b"; rel="Other WebMention" ; rel=ignored',
            "</y>;rel=next,</z> ; rel = webmention",
        ]
    )
    assert links == [
        ("https://a.example/x", ["other", "webmention"]),
        ("/y", ["next"]),
        ("/z", ["webmention"]),
    ]
