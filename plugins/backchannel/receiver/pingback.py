"""Pingback 1.0: XML-RPC `pingback.ping(sourceURI, targetURI)` at /pingback.

The request is parsed with defusedxml first (no DTDs, entities or external
references: XML bombs are refused) and only then decoded by xmlrpc.client.
Verification is synchronous, as the spec's fault codes require an answer:
fetch the source through the SSRF-safe Fetcher, check it links to the
target, take its title and the text around the link.
"""

from __future__ import annotations

import logging
import re
import xmlrpc.client
from datetime import UTC, datetime
from urllib.parse import urlsplit

import defusedxml.ElementTree as DefusedET
from defusedxml import DefusedXmlException
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from backchannel.field_policy import http_url
from backchannel.model import Item, Kind, State
from backchannel.outbound.fetch import FetchError
from backchannel.receiver.articles import KnownArticle
from backchannel.receiver.context import (
    Receiver,
    client_ip,
    exists,
    limit_rate,
    read_body,
    receiver_of,
    save,
    text_charset,
)
from backchannel.receiver.guard import Rejected, Submission
from backchannel.receiver.problems import RequestProblem
from backchannel.receiver.source import (
    SourceError,
    exact_target,
    linkback_id,
    links_to,
    normalize,
    read_source,
)

logger = logging.getLogger(__name__)

# Fault codes of Pingback 1.0, and XML-RPC's interoperability codes.
GENERIC = 0
SOURCE_NOT_FOUND = 0x0010
NO_LINK = 0x0011
TARGET_NOT_FOUND = 0x0020
TARGET_NOT_ENABLED = 0x0021
ALREADY_REGISTERED = 0x0030
ACCESS_DENIED = 0x0031
UPSTREAM_ERROR = 0x0032
PARSE_ERROR = -32700
METHOD_NOT_FOUND = -32601
INVALID_PARAMS = -32602


class PingbackFault(Exception):  # noqa: N818 - mirrors xmlrpc's Fault
    """An answer as an XML-RPC fault."""

    def __init__(self, code: int, reason: str, http_status: int = 200) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason
        # XML-RPC answers faults with 200, but "could not store" (disk full,
        # read-only) is a lower-level failure: 503, never a 2xx for a lost ping.
        self.http_status = http_status


def _xml(body: str) -> Response:
    return Response(body, media_type="text/xml; charset=utf-8")


def fault(code: int, reason: str, http_status: int = 200) -> Response:
    """An XML-RPC fault response (HTTP 200, as XML-RPC wants, unless storage failed)."""
    response = _xml(xmlrpc.client.dumps(xmlrpc.client.Fault(code, reason), methodresponse=True))
    response.status_code = http_status
    return response


# The XML declaration's encoding, when there is one (XML 1.0 section 4.3.3).
_DECLARED = re.compile(rb"""^\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z][\w.:-]*)["']""")
_DECLARED_TEXT = re.compile(_DECLARED.pattern.decode("ascii"))
# What expat decodes itself; any other declared charset is decoded here first.
_EXPAT_NATIVE = frozenset({"utf-8", "utf-16", "iso8859-1", "ascii"})


def as_expat_input(body: bytes) -> bytes:
    """The body in an encoding expat reads: UTF-8 when another charset was declared.

    expat knows only UTF-8, UTF-16, ISO-8859-1 and ASCII (pyexpat adds one-byte
    charsets and refuses multi-byte ones with a bare ValueError); a `gbk` or
    `shift_jis` declaration is decoded here and the declaration rewritten, and an
    unknown or non-ASCII-compatible one (utf-7, utf-32) is a parse error fault.
    """
    match = _DECLARED.match(body)
    if match is None:
        return body
    declared = match.group(1).decode("ascii")
    try:
        codec = text_charset(declared)
    except RequestProblem:
        raise PingbackFault(PARSE_ERROR, f"unsupported XML encoding {declared!r}") from None
    if codec in _EXPAT_NATIVE:
        return body
    try:
        text = body.decode(codec)
    except ValueError:
        raise PingbackFault(PARSE_ERROR, f"request is not valid {declared}") from None
    found = _DECLARED_TEXT.match(text)
    if found is not None:
        text = text[: found.start(1)] + "utf-8" + text[found.end(1) :]
    return text.encode("utf-8")


def parse_call(body: bytes) -> tuple[str, tuple[object, ...]]:
    """(method, params) of an XML-RPC call, parsed safely."""
    body = as_expat_input(body)
    try:
        root = DefusedET.fromstring(body)
    except DefusedXmlException as exc:
        raise PingbackFault(PARSE_ERROR, f"refused unsafe XML: {exc}") from None
    except DefusedET.ParseError as exc:
        raise PingbackFault(PARSE_ERROR, f"request is not well-formed XML: {exc}") from None
    except (ValueError, LookupError) as exc:  # pyexpat's own refusals of an encoding
        raise PingbackFault(PARSE_ERROR, f"request cannot be decoded: {exc}") from None
    if root.tag != "methodCall":
        raise PingbackFault(PARSE_ERROR, "request is not an XML-RPC methodCall")
    try:
        # Safe now: defusedxml has already refused DTDs and entity tricks.
        params, method = xmlrpc.client.loads(body)
    except Exception as exc:  # noqa: BLE001  expat and xmlrpc raise many unrelated types on junk
        raise PingbackFault(PARSE_ERROR, f"malformed XML-RPC call: {exc}") from None
    return method or "", params


def _target_article(receiver: Receiver, target: str) -> KnownArticle:
    article = receiver.articles.by_target(target)
    if article is not None:
        return article
    if not receiver.articles.is_our_host(target):
        raise PingbackFault(TARGET_NOT_ENABLED, "targetURI is not on this site")
    # 0x0020 is for a page that does not exist; an existing page that takes no
    # pingbacks (the home page, an archive) is 0x0021.
    if receiver.articles.page_exists(target):
        raise PingbackFault(
            TARGET_NOT_ENABLED, "targetURI exists but is not a pingback-enabled article"
        )
    raise PingbackFault(TARGET_NOT_FOUND, "targetURI does not exist on this site")


async def ping(request: Request, source: str, target: str) -> str:
    """Verify and store one pingback; the success string, or PingbackFault."""
    receiver = receiver_of(request)
    # The one URL policy (field_policy.http_url) before anything splits them: a URL
    # urllib cannot split ("http://[x/") is refused here, never a 5xx later.
    if http_url(source) is None:
        raise PingbackFault(SOURCE_NOT_FOUND, "sourceURI is not an http(s) URL")
    if http_url(target) is None:
        raise PingbackFault(TARGET_NOT_FOUND, "targetURI is not an http(s) URL")
    if normalize(source) == normalize(target):
        raise PingbackFault(GENERIC, "sourceURI and targetURI are the same")
    article = _target_article(receiver, target)
    item_id = linkback_id("pingback", article.id, source)
    if await exists(receiver, item_id, article.id):
        raise PingbackFault(ALREADY_REGISTERED, "this pingback was already registered")
    try:
        resp = await receiver.fetcher.aget(source, {"Accept": "text/html, */*;q=0.5"})
    except FetchError as exc:
        code = (
            ACCESS_DENIED
            if "refusing" in exc.reason
            else (UPSTREAM_ERROR if "timed out" in exc.reason else SOURCE_NOT_FOUND)
        )
        raise PingbackFault(code, f"cannot fetch sourceURI: {exc.reason}") from None
    if resp.status >= 500:
        raise PingbackFault(UPSTREAM_ERROR, f"sourceURI answered HTTP {resp.status}")
    if resp.status >= 400:
        raise PingbackFault(SOURCE_NOT_FOUND, f"sourceURI answered HTTP {resp.status}")

    is_target = exact_target(target, article.id, receiver.articles.by_target)

    try:
        # Parsing a page (up to FETCH_MAX_BYTES) is CPU work: off the event loop.
        if not await run_in_threadpool(links_to, resp, is_target):
            raise PingbackFault(NO_LINK, "sourceURI does not link to targetURI")
        facts = await run_in_threadpool(read_source, resp, is_target)
    except SourceError as exc:
        raise PingbackFault(SOURCE_NOT_FOUND, f"cannot read sourceURI: {exc.reason}") from None
    author = facts.author or urlsplit(source).hostname
    sub = Submission(
        kind=Kind.PINGBACK,
        article=article.id,
        author=author,
        body=facts.excerpt,
        ip=client_ip(request),
        title=facts.title or "",
        source=source,
    )
    try:
        outcome = receiver.guard.judge(sub)
    except Rejected as exc:
        raise PingbackFault(
            ACCESS_DENIED if exc.status != 409 else ALREADY_REGISTERED, exc.reason
        ) from None
    item = Item(
        id=item_id,
        kind=Kind.PINGBACK,
        article=article.id,
        author=author,
        date=datetime.now(UTC).replace(microsecond=0),
        origin="receiver",
        body=facts.excerpt,
        source=source,
        title=facts.title,
        author_url=facts.author_url,
        reasons=tuple(outcome.reasons),
        state=State.SPAM if outcome.spam else State.INBOX,
    )
    try:
        await save(receiver, item, {"ip": sub.ip})
    except RequestProblem as exc:
        receiver.guard.forget(sub)
        if exc.status < 500:  # the item itself was refused: no storage trouble
            raise PingbackFault(GENERIC, exc.reason) from None
        raise PingbackFault(UPSTREAM_ERROR, exc.reason, exc.status) from None
    logger.info("backchannel: pingback %s from %s -> %s", item.id, source, item.state)
    return f"Pingback from {source} to {target} registered; it awaits moderation."


def _ping_params(method: str, params: tuple[object, ...]) -> tuple[str, str]:
    """The (sourceURI, targetURI) of a pingback.ping call, or the fault for another call."""
    if method != "pingback.ping":
        raise PingbackFault(METHOD_NOT_FOUND, f"unknown method {method!r}")
    if len(params) != 2 or not all(isinstance(p, str) for p in params):
        raise PingbackFault(INVALID_PARAMS, "pingback.ping takes two strings: sourceURI, targetURI")
    return str(params[0]).strip(), str(params[1]).strip()


async def post_pingback(request: Request) -> Response:
    """POST /pingback: the XML-RPC endpoint."""
    try:
        await limit_rate(request)
        body = await read_body(request)
        source, target = _ping_params(*parse_call(body))
        message = await ping(request, source, target)
    except PingbackFault as exc:
        logger.info("backchannel: pingback fault %s: %s", exc.code, exc.reason)
        return fault(exc.code, exc.reason, exc.http_status)
    except RequestProblem as exc:
        code = (
            ACCESS_DENIED
            if exc.status == 429
            else (UPSTREAM_ERROR if exc.status >= 500 else GENERIC)
        )
        return fault(code, exc.reason, exc.status if exc.status >= 500 else 200)
    return _xml(xmlrpc.client.dumps((message,), methodresponse=True))
