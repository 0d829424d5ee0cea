"""A post's external links: the candidate targets of its linkbacks."""

from __future__ import annotations

from urllib.parse import urlsplit

from bs4 import BeautifulSoup

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


def external_links(html: str, siteurl: str) -> list[str]:
    """Every `<a href>` to an http(s) URL on another host, once each, in document order.

    "Another host" compares host and port, so two sites on one machine (two
    ports on 127.0.0.1) link to each other as they would on the web.
    """
    own = origin_of(siteurl)
    seen: dict[str, None] = {}
    for anchor in BeautifulSoup(html, "html.parser").find_all("a", href=True):
        href = str(anchor["href"]).strip()
        where = origin_of(href)
        if where is None or where == own:
            continue
        seen.setdefault(href, None)
    return list(seen)
