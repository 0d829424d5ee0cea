"""The three ways of telling a site it was linked: Webmention, Pingback, TrackBack.

Each sender returns an `Outcome` instead of raising, so one bad endpoint is a
recorded failure and the run goes on. `retry` says whether trying again later
can help (timeouts, 5xx) or not (the endpoint refused the mention).
"""

from __future__ import annotations

import xmlrpc.client
from dataclasses import dataclass
from urllib.parse import urljoin
from xml.etree.ElementTree import Element, ParseError

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from backchannel.field_policy import clip
from backchannel.outbound.fetch import Fetcher, FetchError, FetchResponse

# Pingback 1.0 fault codes: 0x0030 means the ping is already registered, which
# for a sender that lost its record is success; 0x0010/0x0011 (source missing
# or not linking) usually mean the post is not online yet, so they are retried.
PINGBACK_ALREADY_REGISTERED = 0x0030
PINGBACK_RETRY_FAULTS = frozenset({0, 0x0010, 0x0011, 0x0032})
TRACKBACK_EXCERPT_CHARS = 255


@dataclass(frozen=True)
class Outcome:
    """What an endpoint said."""

    ok: bool
    reason: str
    http_status: int | None = None
    location: str | None = None
    retry: bool = False


def _http_failure(response: FetchResponse) -> Outcome:
    """An HTTP error status: 5xx, 408 and 429 are worth retrying, other 4xx are not."""
    retry = response.status >= 500 or response.status in (408, 429)
    detail = " ".join(response.text.split())[:200]
    reason = f"endpoint answered HTTP {response.status}" + (f": {detail}" if detail else "")
    return Outcome(False, reason, response.status, retry=retry)


def send_webmention(fetcher: Fetcher, endpoint: str, source: str, target: str) -> Outcome:
    """POST source and target as a form; any 2xx is success, Location kept for 201/202."""
    try:
        response = fetcher.post(endpoint, {"source": source, "target": target})
    except FetchError as exc:
        return Outcome(False, exc.reason, retry=True)
    if 200 <= response.status < 300:
        location = response.header("location")
        if location and response.status in (201, 202):
            location = urljoin(response.url, location.strip())
        else:
            location = None
        return Outcome(True, f"accepted ({response.status})", response.status, location)
    return _http_failure(response)


def _xmlrpc_value(value: Element) -> object:
    """The Python value of an XML-RPC <value> (the few types a pingback answer uses)."""
    children = list(value)
    if not children:
        return value.text or ""
    child = children[0]
    tag = child.tag
    if tag in ("int", "i4", "i8"):
        return int((child.text or "0").strip())
    if tag == "struct":
        result = {}
        for member in child.findall("member"):
            name = member.findtext("name") or ""
            inner = member.find("value")
            result[name] = _xmlrpc_value(inner) if inner is not None else None
        return result
    return child.text or ""


def parse_pingback_response(body: bytes) -> tuple[int | None, str]:
    """(fault code or None for success, message) from an XML-RPC methodResponse."""
    try:
        root = ElementTree.fromstring(body)
    except (ParseError, DefusedXmlException) as exc:
        raise ValueError(f"not XML-RPC: {exc}") from None
    if root.tag != "methodResponse":
        raise ValueError(f"not XML-RPC: root element is <{root.tag}>")
    fault = root.find("fault/value")
    if fault is not None:
        data = _xmlrpc_value(fault)
        if not isinstance(data, dict):
            raise ValueError("XML-RPC fault without a struct")
        code = data.get("faultCode")
        return (code if isinstance(code, int) else 0), str(data.get("faultString", ""))
    value = root.find("params/param/value")
    if value is None:
        raise ValueError("XML-RPC response without params or fault")
    return None, str(_xmlrpc_value(value))


def send_pingback(fetcher: Fetcher, server: str, source: str, target: str) -> Outcome:
    """Call pingback.ping(source, target) on the server over XML-RPC."""
    body = xmlrpc.client.dumps(
        (source, target), methodname="pingback.ping", encoding="utf-8"
    ).encode("utf-8")
    try:
        response = fetcher.post(server, body, {"Content-Type": "text/xml; charset=utf-8"})
    except FetchError as exc:
        return Outcome(False, exc.reason, retry=True)
    if response.status != 200:
        return _http_failure(response)
    try:
        code, message = parse_pingback_response(response.content)
    except ValueError as exc:
        return Outcome(False, str(exc), response.status, retry=True)
    if code is None:
        return Outcome(True, message or "pinged", response.status)
    if code == PINGBACK_ALREADY_REGISTERED:
        return Outcome(True, f"already registered (fault {code:#06x})", response.status)
    return Outcome(
        False, f"fault {code:#06x}: {message}", response.status, retry=code in PINGBACK_RETRY_FAULTS
    )


def parse_trackback_response(body: bytes) -> tuple[int, str]:
    """(error code, message) of a TrackBack `<response>`; 0 means success."""
    try:
        root = ElementTree.fromstring(body)
    except (ParseError, DefusedXmlException) as exc:
        raise ValueError(f"not a TrackBack response: {exc}") from None
    if root.tag != "response":
        raise ValueError(f"not a TrackBack response: root element is <{root.tag}>")
    raw = (root.findtext("error") or "").strip()
    try:
        code = int(raw)
    except ValueError:
        raise ValueError(f"TrackBack <error> is {raw!r}, not a number") from None
    return code, " ".join((root.findtext("message") or "").split())


def send_trackback(
    fetcher: Fetcher, ping_url: str, source: str, *, title: str, excerpt: str, blog_name: str
) -> Outcome:
    """POST title, url, excerpt and blog_name; any non-zero <error> is a failure."""
    excerpt = clip(excerpt, TRACKBACK_EXCERPT_CHARS)
    form = {"title": title, "url": source, "excerpt": excerpt, "blog_name": blog_name}
    try:
        response = fetcher.post(
            ping_url,
            form,
            {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
    except FetchError as exc:
        return Outcome(False, exc.reason, retry=True)
    if response.status != 200:
        return _http_failure(response)
    try:
        code, message = parse_trackback_response(response.content)
    except ValueError as exc:
        return Outcome(False, str(exc), response.status, retry=True)
    if code == 0:
        return Outcome(True, "pinged", response.status)
    return Outcome(False, f"error {code}: {message or 'no message'}", response.status, retry=True)
