"""The SSRF-safe fetcher: refusals happen before connecting; caps hold. Loopback only."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from pathlib import Path

import anyio
import pytest
from backchannel.outbound import fetch
from backchannel.outbound.fetch import Fetcher, FetchError, address_allowed
from backchannel.settings import resolve
from receiver_support import Pages


def fetcher(tmp_path: Path, allow: bool, **kw: object) -> Fetcher:
    settings = resolve({"BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES": allow}, base_dir=tmp_path)
    return Fetcher(settings, **kw)


@pytest.fixture
def pages() -> Iterator[Pages]:
    with Pages() as server:
        yield server


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "0.0.0.0",
        "::ffff:127.0.0.1",
        "fc00::1",
        "224.0.0.1",
    ],
)
def test_address_allowed_refuses_internal(address: str) -> None:
    assert address_allowed(address, allow_private=False) is False


def test_address_allowed_public_and_setting() -> None:
    assert address_allowed("93.184.216.34", False) is True
    assert address_allowed("2606:2800:220:1::1", False) is True
    assert address_allowed("127.0.0.1", True) is True
    assert address_allowed("169.254.169.254", True) is False  # cloud metadata: never


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:9/",
        "http://10.0.0.1/",
        "http://[::1]:9/",
        "http://169.254.169.254/latest/meta-data/",
        "http://192.168.0.1/",
        "http://localhost:9/",
    ],
)
def test_literal_and_local_names_refused_before_connecting(
    tmp_path: Path, url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    connects: list[object] = []
    real_connect = anyio.connect_tcp

    async def spy(*args: object, **kw: object):  # records any connection attempt
        connects.append(args)
        return await real_connect(*args, **kw)

    monkeypatch.setattr(anyio, "connect_tcp", spy)
    with pytest.raises(FetchError, match="refusing"):
        asyncio.run(fetcher(tmp_path, False).aget(url))
    with pytest.raises(FetchError, match="refusing"):
        fetcher(tmp_path, False).get(url)
    assert connects == []


def test_names_resolving_to_private_addresses_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A public-looking name whose DNS answer is internal (or mixed, as in rebinding)."""
    answers = {"internal.test": ["10.9.8.7"], "rebind.test": ["93.184.216.34", "127.0.0.1"]}

    def fake_getaddrinfo(host: str, port: int, *args: object, **kw: object):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in answers[host]]

    async def afake(host: str, port: int, *args: object, **kw: object):
        return fake_getaddrinfo(host, port)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(anyio, "getaddrinfo", afake)
    for host in answers:
        with pytest.raises(FetchError, match="refusing private or reserved address"):
            asyncio.run(fetcher(tmp_path, False).aget(f"http://{host}/"))
        with pytest.raises(FetchError, match="refusing"):
            fetcher(tmp_path, False).get(f"http://{host}/")


def test_non_http_schemes_refused(tmp_path: Path) -> None:
    for url in ("file:///etc/passwd", "ftp://a.example/", "gopher://x/", "http:///nohost"):
        with pytest.raises(FetchError):
            fetcher(tmp_path, True).get(url)


def test_a_url_with_any_characters_is_sent_percent_encoded(tmp_path: Path, pages: Pages) -> None:
    # A stranger's URL (a pingback source) may hold any character; httpcore takes ASCII only.
    pages.add("/%C8%BA%20x?q=%C3%BC", "<p>found</p>")
    resp = asyncio.run(fetcher(tmp_path, True).aget(pages.base + "/Ⱥ x?q=ü"))
    assert resp.status == 200 and resp.text == "<p>found</p>"
    with pytest.raises(FetchError, match="invalid URL"):
        fetcher(tmp_path, True).get("http://ⱥ..example/")


def test_loopback_allowed_by_setting_and_redirects_followed(tmp_path: Path, pages: Pages) -> None:
    pages.add("/final", "<p>hello</p>")
    pages.add("/start", b"", status=302, content_type="/final")
    resp = asyncio.run(fetcher(tmp_path, True).aget(pages.base + "/start"))
    assert resp.status == 200 and resp.url == pages.base + "/final"
    assert resp.text == "<p>hello</p>" and resp.content_type == "text/html"


def test_redirect_to_loopback_refused_when_setting_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 127.0.0.2 plays a public host: only that one address is let through.
    real = fetch.address_allowed
    monkeypatch.setattr(
        fetch, "address_allowed", lambda a, allow: a == "127.0.0.2" or real(a, allow)
    )
    with Pages() as inside, Pages(host="127.0.0.2") as outside:
        inside.add("/secret", "internal")
        outside.add("/page", "public")
        outside.add("/to-inside", b"", status=302, content_type=inside.base + "/secret")
        outside.add(
            "/to-localhost", b"", status=301, content_type=f"http://localhost:{inside.port}/secret"
        )
        f = fetcher(tmp_path, False)
        assert asyncio.run(f.aget(outside.base + "/page")).text == "public"
        for path in ("/to-inside", "/to-localhost"):
            with pytest.raises(FetchError, match="refusing"):
                asyncio.run(f.aget(outside.base + path))
            with pytest.raises(FetchError, match="refusing"):
                f.get(outside.base + path)


def test_size_cap(tmp_path: Path, pages: Pages) -> None:
    pages.add("/big", b"x" * 200_000, content_type="text/plain")
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        asyncio.run(fetcher(tmp_path, True, max_bytes=1000).aget(pages.base + "/big"))
    with pytest.raises(FetchError, match="larger than 1000 bytes"):
        fetcher(tmp_path, True, max_bytes=1000).get(pages.base + "/big")


def test_timeout(tmp_path: Path, pages: Pages) -> None:
    pages.add("/slow", "late")
    pages.delays["/slow"] = 2.0
    with pytest.raises(FetchError, match=r"timed out after 0\.3 s"):
        asyncio.run(fetcher(tmp_path, True, timeout=0.3).aget(pages.base + "/slow"))


def test_redirect_limit(tmp_path: Path, pages: Pages) -> None:
    pages.add("/loop", b"", status=302, content_type="/loop")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        asyncio.run(fetcher(tmp_path, True).aget(pages.base + "/loop"))
    pages.add("/nowhere", b"", status=302, content_type="")
    with pytest.raises(FetchError, match="without a Location"):
        fetcher(tmp_path, True).get(pages.base + "/nowhere")


# Issue 20 F5: ranges `is_private` missed (the filter checked it, not `is_global`).
NON_GLOBAL = [
    "100.64.0.1",  # carrier-grade NAT
    "100.100.100.200",  # a cloud metadata address inside it
    "100.127.255.254",
    "192.88.99.1",  # 6to4 relay anycast
    "2002:7f00:1::1",  # 6to4: 127.0.0.1 inside an IPv6 address
    "2002:a00:1::1",
    "fec0::1",  # deprecated site-local
    "feff::1",
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "::7f00:1",  # IPv4-compatible 127.0.0.1
    "::ffff:100.100.100.200",  # IPv4-mapped metadata address
    "ff0e::1",  # global-scope multicast
    "233.252.0.1",
    "198.18.0.1",  # benchmarking (private to Python: the test setting admits it)
    "240.0.0.1",
]
ADMITTED_BY_THE_TEST_SETTING = {"198.18.0.1", "240.0.0.1"}


@pytest.mark.parametrize("address", NON_GLOBAL)
def test_every_non_global_range_is_refused_even_with_the_test_setting(address: str) -> None:
    assert address_allowed(address, allow_private=False) is False
    if address not in ADMITTED_BY_THE_TEST_SETTING:
        assert address_allowed(address, allow_private=True) is False


@pytest.mark.parametrize("address", ["100.100.100.200", "2002:7f00:1::1", "fec0::1", "192.88.99.1"])
def test_a_name_resolving_to_a_non_global_range_is_refused_at_connect(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, address: str
) -> None:
    family = socket.AF_INET6 if ":" in address else socket.AF_INET

    def fake_getaddrinfo(host: str, port: int, *args: object, **kw: object):
        return [(family, socket.SOCK_STREAM, 6, "", (address, port))]

    async def afake(host: str, port: int, *args: object, **kw: object):
        return fake_getaddrinfo(host, port)

    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(anyio, "getaddrinfo", afake)
    with pytest.raises(FetchError, match=f"refusing private or reserved address {address}"):
        asyncio.run(fetcher(tmp_path, False).aget("http://metadata.test/latest/"))
    with pytest.raises(FetchError, match="refusing"):
        fetcher(tmp_path, True).get("http://metadata.test/latest/")
