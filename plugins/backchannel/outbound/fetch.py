"""The one outbound HTTP client: SSRF-safe, size- and time-capped, polite.

Every fetch of a URL a stranger gave us (a linkback's source, a feed, a link in
a post) goes through `Fetcher`. The address check happens at connect time, in
a network backend for httpcore (httpx's transport layer): the host name is
resolved once, every address is checked, and the connection goes to the
checked address. So DNS rebinding and redirects to internal hosts are refused
the same way as a literal private IP. Redirects are followed by hand (at most
MAX_REDIRECTS), each hop checked again.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import anyio
import httpcore
import httpx

from backchannel.errors import BackchannelError
from backchannel.settings import Resolved

MAX_REDIRECTS = 5
REDIRECT_CODES = frozenset({301, 302, 303, 307, 308})


class FetchError(BackchannelError):
    """A fetch failed; `reason` says why in words fit for a status page."""

    def __init__(self, reason: str, url: str = "") -> None:
        self.reason = reason
        self.url = url
        super().__init__(f"{url}: {reason}" if url else reason)


# Ranges Python's `is_global` still calls global but a fetch of a stranger's URL
# must not reach: carrier-grade NAT (100.64.0.0/10, where cloud metadata such as
# 100.100.100.200 lives), the 6to4 and Teredo relays and prefixes (an IPv4 address
# inside an IPv6 one), NAT64 (64:ff9b::/96 reaches any IPv4 address, loopback
# included) and the deprecated site-local fec0::/10.
NOT_GLOBAL = tuple(
    ipaddress.ip_network(net)
    for net in (
        "100.64.0.0/10",
        "192.88.99.0/24",
        "2002::/16",
        "2001::/32",
        "64:ff9b::/96",
        "64:ff9b:1::/48",
        "fec0::/10",
        "::/96",
    )
)


def address_allowed(address: str, allow_private: bool) -> bool:
    """True only for globally routable unicast addresses (`is_global`, less NOT_GLOBAL).

    BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES (tests, local demos) adds loopback and
    the private ranges, never link-local (169.254.169.254) or carrier-grade NAT.
    """
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_loopback and any(ip.version == n.version and ip in n for n in NOT_GLOBAL):
        return False
    if allow_private and (ip.is_loopback or (ip.is_private and not ip.is_link_local)):
        return True
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified)


def check_url(url: str) -> str:
    """Refuse what is not an absolute http(s) URL with a host; return it as sent.

    As sent: the host in IDNA and the rest percent-encoded (httpx's own URL
    normalisation), since httpcore takes ASCII only; a URL a stranger gave may
    hold any character ("http://x/Ⱥ" was a server error before).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise FetchError(
            f"only http and https URLs can be fetched, not {parts.scheme or 'none'!r}", url
        )
    if not parts.hostname:
        raise FetchError("URL has no host", url)
    try:
        return str(httpx.URL(url))
    except httpx.InvalidURL as exc:
        raise FetchError(f"invalid URL: {exc}", url) from None


def _pick_address(infos: Iterable[tuple[Any, ...]], host: str, allow_private: bool) -> str:
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise httpcore.ConnectError(f"{host} has no address")
    refused = [a for a in addresses if not address_allowed(a, allow_private)]
    if refused:
        # One bad address poisons the name: a rebinding server could hand
        # out a public and a private address and let the client choose.
        raise httpcore.ConnectError(f"refusing private or reserved address {refused[0]} of {host}")
    return addresses[0]


class GuardedSyncBackend(httpcore.SyncBackend):
    """httpcore's socket backend, connecting only to checked addresses."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        """Resolve, check, then connect to the checked address."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        address = _pick_address(infos, host, self.allow_private)
        return super().connect_tcp(address, port, timeout, local_address, socket_options)


class GuardedAsyncBackend(httpcore.AnyIOBackend):
    """The asyncio/anyio backend with the same check."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        """Resolve, check, then connect to the checked address."""
        try:
            infos = await anyio.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        address = _pick_address(infos, host, self.allow_private)
        return await super().connect_tcp(address, port, timeout, local_address, socket_options)


@dataclass(frozen=True)
class FetchResponse:
    """A finished response: final URL, status, headers, the (capped) body."""

    url: str
    status: int
    headers: tuple[tuple[str, str], ...]
    content: bytes

    def header(self, name: str) -> str | None:
        """The first value of a header (case-insensitive), or None."""
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def header_values(self, name: str) -> list[str]:
        """Every value of a repeatable header such as Link."""
        lower = name.lower()
        return [v for k, v in self.headers if k.lower() == lower]

    @property
    def content_type(self) -> str:
        """The media type without parameters, lower-case."""
        return (self.header("content-type") or "").split(";", 1)[0].strip().lower()

    @property
    def text(self) -> str:
        """The body decoded with the declared charset, else UTF-8 (replacing errors)."""
        msg = Message()
        msg["content-type"] = self.header("content-type") or "text/plain"
        charset = msg.get_content_charset() or "utf-8"
        try:
            return self.content.decode(charset, errors="replace")
        except LookupError:
            return self.content.decode("utf-8", errors="replace")


def _encode_body(data: Mapping[str, str] | bytes | None, headers: dict[str, str]) -> bytes | None:
    if data is None or isinstance(data, bytes):
        return data
    headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    return urlencode(data).encode()


class _Hops:
    """One request and its redirects: the logic the sync and async loops share."""

    def __init__(
        self,
        fetcher: Fetcher,
        method: str,
        url: str,
        headers: Mapping[str, str] | None,
        data: Mapping[str, str] | bytes | None,
        follow_redirects: bool,
    ) -> None:
        self.fetcher = fetcher
        self.method, self.url, self.follow = method, check_url(url), follow_redirects
        self.headers = fetcher._headers(headers)
        self.body = _encode_body(data, self.headers)
        self.deadline = time.monotonic() + fetcher.timeout
        self.hops = 0
        self.chunks: list[bytes] = []
        self.size = 0
        self.response: FetchResponse | None = None

    def next(self) -> bool:
        """True while another request must be made (the first, or a redirect to follow)."""
        last = self.response
        if last is None:
            return True
        if not self.follow or last.status not in REDIRECT_CODES:
            return False
        if self.hops >= MAX_REDIRECTS:
            raise FetchError(f"more than {MAX_REDIRECTS} redirects", self.url)
        self.hops += 1
        self.url, self.method = self.fetcher._next_hop(
            self.url, last.status, last.header("location"), self.method
        )
        if self.method == "GET":
            self.body = None
        self.response, self.chunks, self.size = None, [], 0
        return True

    def options(self) -> dict[str, Any]:
        """Keyword arguments of httpcore's pool.stream for this hop."""
        return {
            "headers": self.headers,
            "content": self.body,
            "extensions": {"timeout": self.fetcher._timeouts(self.deadline)},
        }

    def take(self, chunk: bytes) -> None:
        """Keep one chunk of the body, within the size cap and the deadline."""
        self.size += len(chunk)
        if self.size > self.fetcher.max_bytes:
            raise FetchError(f"response larger than {self.fetcher.max_bytes} bytes", self.url)
        self.chunks.append(chunk)
        if time.monotonic() > self.deadline:
            raise FetchError(f"timed out after {self.fetcher.timeout:g} s", self.url)

    def done(self, resp: Any) -> None:
        """The response of this hop is complete."""
        headers = tuple((k.decode("latin-1"), v.decode("latin-1")) for k, v in resp.headers)
        content = b"".join(self.chunks)
        self.response = FetchResponse(self.url, resp.status, headers, content)

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """Turn httpcore's exceptions into FetchError with a reason fit for a status page."""
        try:
            yield
        except httpcore.TimeoutException:
            raise FetchError(f"timed out after {self.fetcher.timeout:g} s", self.url) from None
        except (httpcore.NetworkError, httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
            raise FetchError(str(exc) or exc.__class__.__name__, self.url) from None

    def result(self) -> FetchResponse:
        """The final response."""
        assert self.response is not None
        return self.response


class Fetcher:
    """Fetch URLs safely: checked addresses, capped size and time, manual redirects."""

    def __init__(
        self, settings: Resolved, max_bytes: int | None = None, timeout: float | None = None
    ) -> None:
        self.allow_private = bool(settings["ALLOW_PRIVATE_ADDRESSES"])
        self.max_bytes = max_bytes or settings["FETCH_MAX_BYTES"]
        self.timeout = float(timeout or settings["FETCH_TIMEOUT"])
        self.user_agent = settings["USER_AGENT"]

    def _headers(self, extra: Mapping[str, str] | None) -> dict[str, str]:
        headers = {"User-Agent": self.user_agent, "Accept-Encoding": "identity"}
        headers.update(extra or {})
        return headers

    def _timeouts(self, deadline: float) -> dict[str, float]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise FetchError(f"timed out after {self.timeout:g} s")
        return {"connect": left, "read": left, "write": left, "pool": left}

    def _next_hop(
        self, url: str, status: int, location: str | None, method: str
    ) -> tuple[str, str]:
        if not location:
            raise FetchError(f"redirect {status} without a Location", url)
        target = check_url(urljoin(url, location))
        # 303 always, and 301/302 after POST by long practice, continue as GET.
        if status == 303 or (status in (301, 302) and method == "POST"):
            method = "GET"
        return target, method

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        data: Mapping[str, str] | bytes | None = None,
        follow_redirects: bool = True,
    ) -> FetchResponse:
        """One request (and its redirects), synchronously."""
        hop = _Hops(self, method, url, headers, data, follow_redirects)
        with httpcore.ConnectionPool(
            network_backend=GuardedSyncBackend(self.allow_private), retries=0
        ) as pool:
            while hop.next():
                with hop.errors(), pool.stream(hop.method, hop.url, **hop.options()) as resp:
                    for chunk in resp.iter_stream():
                        hop.take(chunk)
                    hop.done(resp)
        return hop.result()

    async def aget(self, url: str, headers: Mapping[str, str] | None = None) -> FetchResponse:
        """GET, following redirects, for async callers such as the receiver."""
        hop = _Hops(self, "GET", url, headers, None, True)
        async with httpcore.AsyncConnectionPool(
            network_backend=GuardedAsyncBackend(self.allow_private), retries=0
        ) as pool:
            while hop.next():
                with hop.errors():
                    async with pool.stream(hop.method, hop.url, **hop.options()) as resp:
                        async for chunk in resp.aiter_stream():
                            hop.take(chunk)
                        hop.done(resp)
        return hop.result()

    def get(self, url: str, headers: Mapping[str, str] | None = None) -> FetchResponse:
        """GET, following redirects."""
        return self.request("GET", url, headers)

    def post(
        self, url: str, data: Mapping[str, str] | bytes, headers: Mapping[str, str] | None = None
    ) -> FetchResponse:
        """POST a form (dict) or raw bytes; redirects are not followed."""
        return self.request("POST", url, headers, data, follow_redirects=False)
