"""A post's external links: the candidate targets of its linkbacks."""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def origin_of(url: str) -> tuple[str, int] | None:
    """(host, port) of an http(s) URL with the scheme's default port filled in, or None."""
    parts = urlsplit(url)
    if parts.scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    try:
        port = parts.port or DEFAULT_PORTS[parts.scheme]
    except ValueError:  # a port that is not a number
        return None
    return parts.hostname.lower(), port


class _Hrefs(HTMLParser):
    """Collects the href of every <a>; a streaming parser, as no tree is needed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = next((v for k, v in attrs if k == "href" and v), None)
            if href:
                self.hrefs.append(href.strip())


def external_links(html: str, siteurl: str) -> list[str]:
    """Every `<a href>` to an http(s) URL on another host, once each, in document order.

    "Another host" compares host and port, so two sites on one machine (two
    ports on 127.0.0.1) link to each other as they would on the web.
    """
    parser = _Hrefs()
    parser.feed(html)
    parser.close()
    own = origin_of(siteurl)
    seen: dict[str, None] = {}
    for href in parser.hrefs:
        if href not in seen:
            where = origin_of(href)
            if where is not None and where != own:
                seen[href] = None
    return list(seen)
