"""Endpoint discovery: Webmention (W3C, §3.1.2), then Pingback 1.0, then TrackBack 1.2.

A fallback chain, in the order the specs rank the sources: for Webmention the
HTTP Link header first, then the first `<link>` or `<a>` with rel=webmention in
document order; relative URLs are resolved against the page's final URL (after
redirects), an empty href means the page itself, and the query string is kept.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin
from xml.etree.ElementTree import ParseError

from bs4 import BeautifulSoup
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from backchannel.errors import BackchannelError
from backchannel.outbound.fetch import Fetcher, FetchError, FetchResponse
from backchannel.sender.record import Protocol

logger = logging.getLogger(__name__)

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml", ""})
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
DC_NS = "http://purl.org/dc/elements/1.1/"
TB_NS = "http://madskills.com/public/xml/rss/module/trackback/"
RDF_BLOCK_RE = re.compile(r"<rdf:RDF\b.*?</rdf:RDF>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Endpoint:
    """Where and how to send a linkback for one target."""

    protocol: Protocol
    url: str


class DiscoveryError(BackchannelError):
    """The target page could not be read; `permanent` when retrying would not help."""

    def __init__(
        self, reason: str, http_status: int | None = None, permanent: bool = False
    ) -> None:
        self.reason = reason
        self.http_status = http_status
        self.permanent = permanent
        super().__init__(reason)


def parse_link_header(values: list[str]) -> list[tuple[str, list[str]]]:
    """Every (URI-reference, rel values lower-cased) in a list of Link header values (RFC 8288)."""
    links: list[tuple[str, list[str]]] = []
    for value in values:
        i, n = 0, len(value)
        while i < n:
            start = value.find("<", i)
            if start < 0:
                break
            end = value.find(">", start)
            if end < 0:
                break
            uri = value[start + 1 : end].strip()
            i = end + 1
            rels: list[str] = []
            # Parameters run to the next comma outside a quoted string.
            while i < n and value[i] != ",":
                if value[i] != ";":
                    i += 1
                    continue
                i += 1
                match = re.match(
                    r'\s*([!#$%&\'*+.^_`|~0-9A-Za-z-]+)\s*(?:=\s*("(?:[^"\\]|\\.)*"|'
                    r"[^;,\s]*))?",
                    value[i:],
                )
                if not match:
                    continue
                i += match.end()
                name, raw = match.group(1).lower(), match.group(2) or ""
                if raw.startswith('"'):
                    raw = re.sub(r"\\(.)", r"\1", raw[1:-1])
                if name == "rel" and not rels:  # RFC 8288: only the first rel counts
                    rels = raw.lower().split()
            links.append((uri, rels))
            i += 1
    return links


def _is_html(response: FetchResponse) -> bool:
    return response.content_type in HTML_TYPES


def _soup(response: FetchResponse) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def _rels(tag: object) -> list[str]:
    rel = tag.get("rel") or []  # type: ignore[attr-defined]
    if isinstance(rel, str):
        rel = rel.split()
    return [r.lower() for r in rel]


def webmention_endpoint(response: FetchResponse, soup: BeautifulSoup | None) -> str | None:
    """The Webmention endpoint a page advertises, resolved against its final URL."""
    for uri, rels in parse_link_header(response.header_values("link")):
        if "webmention" in rels:
            return urljoin(response.url, uri)
    if soup is None:
        return None
    for tag in soup.find_all(["link", "a"]):
        if "webmention" in _rels(tag) and tag.has_attr("href"):
            # An empty href resolves to the page itself, as URL resolution says.
            return urljoin(response.url, str(tag["href"]).strip())
    return None


def pingback_server(response: FetchResponse, soup: BeautifulSoup | None) -> str | None:
    """The Pingback server: the X-Pingback header, else `<link rel="pingback">`."""
    header = (response.header("x-pingback") or "").strip()
    if header:
        return urljoin(response.url, header)
    if soup is None:
        return None
    for tag in soup.find_all("link"):
        if "pingback" in _rels(tag) and tag.get("href"):
            return urljoin(response.url, str(tag["href"]).strip())
    return None


def _same_page(a: str, b: str) -> bool:
    return urldefrag(a)[0].rstrip("/") == urldefrag(b)[0].rstrip("/")


def trackback_ping(response: FetchResponse, target: str) -> str | None:
    """The TrackBack ping URL from the page's RDF block whose identifier is the target."""
    for block in RDF_BLOCK_RE.findall(response.text):
        try:
            root = ElementTree.fromstring(block)
        except (ParseError, DefusedXmlException) as exc:
            logger.info("backchannel: unreadable TrackBack RDF on %s: %s", response.url, exc)
            continue
        for desc in root.iter(f"{{{RDF_NS}}}Description"):
            ping = desc.get(f"{{{TB_NS}}}ping")
            ident = desc.get(f"{{{DC_NS}}}identifier") or desc.get(f"{{{RDF_NS}}}about") or ""
            if ping and (_same_page(ident, target) or _same_page(ident, response.url)):
                return urljoin(response.url, ping.strip())
    return None


def find_endpoint(response: FetchResponse, target: str) -> Endpoint | None:
    """The best endpoint a fetched page offers: Webmention, then Pingback, then TrackBack."""
    soup = _soup(response) if _is_html(response) else None
    url = webmention_endpoint(response, soup)
    if url:
        return Endpoint(Protocol.WEBMENTION, url)
    url = pingback_server(response, soup)
    if url:
        return Endpoint(Protocol.PINGBACK, url)
    url = trackback_ping(response, target) if soup is not None else None
    if url:
        return Endpoint(Protocol.TRACKBACK, url)
    return None


def fetch_target(fetcher: Fetcher, target: str) -> FetchResponse:
    """GET the target page (redirects followed); DiscoveryError when it cannot be read."""
    try:
        response = fetcher.get(
            target, {"Accept": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"}
        )
    except FetchError as exc:
        raise DiscoveryError(f"target: {exc.reason}") from None
    if response.status >= 500 or response.status in (408, 429):
        raise DiscoveryError(f"target answered HTTP {response.status}", response.status)
    if response.status >= 400:
        raise DiscoveryError(
            f"target answered HTTP {response.status}", response.status, permanent=True
        )
    return response


def discover(fetcher: Fetcher, target: str) -> Endpoint | None:
    """Fetch a target and find its endpoint (None when it advertises none)."""
    return find_endpoint(fetch_target(fetcher, target), target)
