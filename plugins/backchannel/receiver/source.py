r"""Reading a linkback's source page: does it link to us, and what does it say.

Shared by Pingback and Webmention. HTML is parsed with BeautifulSoup (the
stdlib parser, explicitly); microformats2 with mf2py, whose h-entry gives the
author, content and the Webmention type. Parsers are fallback chains:
h-entry, then <title>/<h1> and the text around the link.

Other sources (JSON, plain text) are searched for URLs with linkify-it-py (the
maintained port of markdown-it's linkify-it): it ends a URL where prose does
(a trailing period, comma or closing bracket is not part of it) and keeps
balanced parentheses. JSON is parsed first, so `{"url":"…"}` and the escaped
`http:\/\/…` PHP writes are read as the strings they are; text that is not
valid JSON has `\/` unescaped before the search.

The target must be linked exactly (Webmention 3.2.2): scheme and host case, a
fragment and a trailing slash aside, the URL must be the target, or another
URL of the same article (an alias, `index.html`) with the same query: a link
to `post.html?utm=1` does not count for `post.html`.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit, urlunsplit

import mf2py
from bs4 import BeautifulSoup, Tag
from linkify_it import LinkifyIt

from backchannel.errors import BackchannelError
from backchannel.field_policy import (
    MAX_AUTHOR_CHARS,
    MAX_AUTHOR_URL_CHARS,
    MAX_TITLE_CHARS,
    clean_line,
    http_url,
)
from backchannel.model import MentionType, parse_date
from backchannel.outbound.fetch import FetchResponse
from backchannel.store import derived_id

logger = logging.getLogger(__name__)

EXCERPT_CHARS = 300
# Real pages nest a few dozen elements deep; far more is an attack on the parsers.
MAX_DEPTH = 400
HTML_TYPES = ("text/html", "application/xhtml+xml")
# Webmention type from the h-entry property that holds the target, in order.
TYPE_PROPERTIES = (
    ("in-reply-to", MentionType.REPLY),
    ("like-of", MentionType.LIKE),
    ("repost-of", MentionType.REPOST),
    ("bookmark-of", MentionType.BOOKMARK),
)
LINK_ATTRS = (
    ("a", "href"),
    ("link", "href"),
    ("area", "href"),
    ("img", "src"),
    ("video", "src"),
    ("audio", "src"),
    ("source", "src"),
)

TargetTest = Callable[[str], bool]
JSON_TYPES = ("application/json",)
_LINKIFY = LinkifyIt().set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})


class SourceError(BackchannelError):
    """A source page cannot be read (nested too deeply for the parsers)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@contextlib.contextmanager
def _readable() -> Iterator[None]:
    # The parsers (mf2py, the JSON decoder) recurse: a page nested 30,000 deep
    # would end in RecursionError, a stranger's input turned into a server error.
    try:
        yield
    except RecursionError:
        raise SourceError("the source page is nested too deeply to read") from None


@dataclass(frozen=True)
class SourceFacts:
    """What a source page says about the target."""

    title: str | None
    excerpt: str
    author: str | None = None
    author_url: str | None = None
    published: datetime | None = None
    mention_type: MentionType = MentionType.MENTION


def normalize(url: str) -> str:
    """A URL compared loosely: lower-case scheme/host, no fragment, no trailing slash."""
    parts = urlsplit(url.strip())
    path = parts.path.rstrip("/") or ""
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), path, parts.query, ""))


def linkback_id(kind: str, article_id: str, source: str) -> str:
    """A linkback's item id: one per kind, article and (loosely compared) source URL.

    The same source pinging the same article again finds its earlier item.
    """
    return derived_id(kind, f"{article_id}\n{normalize(source)}")


def _soup(resp: FetchResponse) -> BeautifulSoup:
    soup = BeautifulSoup(resp.text, "html.parser")
    if _depth(soup) > MAX_DEPTH:
        # mf2py walks the tree recursively and html5lib slows down
        # quadratically with nesting: a page 30,000 <div>s deep is refused.
        raise SourceError(f"the source page is nested more than {MAX_DEPTH} elements deep")
    return soup


def _depth(soup: BeautifulSoup) -> int:
    """How deep the element tree goes (iteratively: no recursion on a hostile page)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(soup, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            break
        stack.extend((child, depth + 1) for child in node.contents if isinstance(child, Tag))
    return deepest


def _links(soup: BeautifulSoup, base: str) -> list[tuple[Any, str]]:
    out = []
    for tag, attr in LINK_ATTRS:
        for element in soup.find_all(tag):
            value = element.get(attr)
            if isinstance(value, str) and value.strip():
                out.append((element, urljoin(base, value.strip())))
    return out


def _strings(value: Any) -> Iterator[str]:
    """Every string in a parsed JSON document (keys too: some APIs key by URL)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _strings(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _strings(inner)


def text_urls(text: str, content_type: str = "") -> list[str]:
    """The http(s) URLs a JSON or plain-text document mentions."""
    texts: list[str] = []
    if content_type in JSON_TYPES or content_type.endswith("+json") or text.lstrip()[:1] in "{[":
        try:
            texts = list(_strings(json.loads(text)))
        except (ValueError, RecursionError):  # not JSON, or too deep: searched as text
            texts = []
    if not texts:
        texts = [text.replace("\\/", "/")]
    urls = []
    for part in texts:
        for match in _LINKIFY.match(part) or []:
            if match.schema.lower() in ("http:", "https:"):
                urls.append(match.url)
    return urls


def exact_target(target: str, article_id: str, by_target: Callable[[str], Any]) -> TargetTest:
    """A test for links to exactly `target`, or to another URL of its article with its query."""
    wanted = normalize(target)
    query = urlsplit(target).query

    def is_target(url: str) -> bool:
        if normalize(url) == wanted:
            return True
        if urlsplit(url).query != query:
            return False
        found = by_target(url)
        return found is not None and found.id == article_id

    return is_target


def links_to(resp: FetchResponse, is_target: TargetTest) -> bool:
    """True if the source links to the target (for non-HTML: mentions the URL)."""
    with _readable():
        return _links_to(resp, is_target)


def _links_to(resp: FetchResponse, is_target: TargetTest) -> bool:
    if resp.content_type in HTML_TYPES or not resp.content_type:
        return any(is_target(url) for _, url in _links(_soup(resp), resp.url))
    return any(is_target(url) for url in text_urls(resp.text, resp.content_type))


def _clip(text: str, around: str = "") -> str:
    text = " ".join(text.split())
    if len(text) <= EXCERPT_CHARS:
        return text
    at = text.find(around) if around else -1
    start = max(0, at - EXCERPT_CHARS // 2) if at >= 0 else 0
    clipped = text[start : start + EXCERPT_CHARS]
    return ("…" if start else "") + clipped + "…"


def excerpt_around_link(soup: BeautifulSoup, base: str, is_target: TargetTest) -> str:
    """The text of the block holding the first link to the target, clipped around the link."""
    for element, url in _links(soup, base):
        if element.name != "a" or not is_target(url):
            continue
        block = element
        for parent in element.parents:
            block = parent
            if parent.name in ("p", "li", "blockquote", "div", "article", "section", "td", "body"):
                break
        return _clip(block.get_text(), element.get_text().strip())
    return ""


def _title(soup: BeautifulSoup) -> str | None:
    for tag in ("title", "h1"):
        element = soup.find(tag)
        if element and element.get_text(strip=True):
            return " ".join(element.get_text(" ").split())[:300]
    return None


def _first(props: dict[str, Any], name: str) -> Any:
    values = props.get(name) or []
    return values[0] if values else None


def _text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("value") or (value.get("properties", {}).get("name") or [""])[0])
    return str(value or "")


def _urls(values: list[Any]) -> list[str]:
    out = []
    for value in values:
        if isinstance(value, dict):
            out.extend(value.get("properties", {}).get("url", []))
            if isinstance(value.get("value"), str):
                out.append(value["value"])
        elif isinstance(value, str):
            out.append(value)
    return [u for u in out if isinstance(u, str)]


def _h_entry(parsed: dict[str, Any]) -> dict[str, Any] | None:
    stack = list(parsed.get("items", []))
    while stack:
        item = stack.pop(0)
        if "h-entry" in item.get("type", []):
            return item
        stack.extend(item.get("children", []))
    return None


def read_source(resp: FetchResponse, is_target: TargetTest) -> SourceFacts:
    """Title, excerpt and (from an h-entry) author, date and mention type.

    Cleaned as the model cleans an item's fields, so a name of only control
    characters is no name (the caller falls back to the host name).
    """
    with _readable():
        facts = _read_source(resp, is_target)
    return replace(
        facts,
        title=clean_line(facts.title, MAX_TITLE_CHARS) or None,
        author=clean_line(facts.author, MAX_AUTHOR_CHARS) or None,
        author_url=http_url(facts.author_url, MAX_AUTHOR_URL_CHARS),
    )


def _read_source(resp: FetchResponse, is_target: TargetTest) -> SourceFacts:
    if resp.content_type not in HTML_TYPES and resp.content_type:
        return SourceFacts(title=None, excerpt=_clip(resp.text))
    soup = _soup(resp)
    excerpt = excerpt_around_link(soup, resp.url, is_target)
    title = _title(soup)
    entry = _h_entry(mf2py.parse(doc=resp.text, url=resp.url))
    if entry is None:
        return SourceFacts(title=title, excerpt=excerpt)
    props = entry.get("properties", {})
    mention_type = MentionType.MENTION
    for prop, kind in TYPE_PROPERTIES:
        if any(is_target(u) for u in _urls(props.get(prop, []))):
            mention_type = kind
            break
    content = _text(_first(props, "content")) or _text(_first(props, "summary"))
    name = _text(_first(props, "name"))
    author = _first(props, "author")
    author_name = author_url = None
    if isinstance(author, dict):
        author_name = _text(_first(author.get("properties", {}), "name")) or None
        author_url = _first(author.get("properties", {}), "url")
    elif isinstance(author, str) and author:
        author_name = author
    published = None
    raw_date = _first(props, "published")
    if isinstance(raw_date, str):
        try:
            published = parse_date(_colon_offset(raw_date))
        except ValueError:
            published = None
    # mf2py makes an implied name of the whole text when there is no p-name.
    entry_title = name if name and " ".join(name.split()) != " ".join(content.split()) else None
    return SourceFacts(
        title=(entry_title or title),
        excerpt=_clip(content) if content else excerpt,
        author=author_name,
        author_url=author_url if isinstance(author_url, str) else None,
        published=published,
        mention_type=mention_type,
    )


def _colon_offset(value: str) -> str:
    """'2015-11-07T12:00:00-0500' -> '...-05:00' (fromisoformat wants the colon on 3.10)."""
    value = value.strip()
    if len(value) > 5 and value[-5] in "+-" and value[-4:].isdigit():
        return value[:-2] + ":" + value[-2:]
    return value
