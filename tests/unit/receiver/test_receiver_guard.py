"""Units of the guard chain: tokens, rate limiter, blocklist, the verdicts' order."""

from __future__ import annotations

from pathlib import Path

import pytest
from backchannel.receiver.guard import (
    NO_JS_REASON,
    Blocklist,
    Guard,
    RateLimiter,
    Rejected,
    Submission,
    client_key,
    make_token,
    token_age,
)
from backchannel.settings import resolve
from backchannel.store.state import PrivateState


def guard(tmp_path: Path, **overrides: object) -> Guard:
    values = {"BACKCHANNEL_" + k: v for k, v in overrides.items()}
    return Guard(resolve(values, base_dir=tmp_path), b"k" * 32)


def sub(**kw: object) -> Submission:
    base = {
        "kind": "comment",
        "article": "a1",
        "author": "Ann",
        "body": "Hello",
        "ip": "1.2.3.4",
        "checks_timing": True,
    }
    base.update(kw)
    return Submission(**base)  # type: ignore[arg-type]


def test_token_round_trip_and_forgery() -> None:
    token = make_token(b"s", "a1", now=1000)
    assert token_age(b"s", "a1", token, now=1010) == 10
    assert token_age(b"s", "a2", token, now=1010) is None  # bound to the article
    assert token_age(b"other", "a1", token, now=1010) is None
    assert token_age(b"s", "a1", "1000.deadbeef", now=1010) is None
    assert token_age(b"s", "a1", "garbage", now=1010) is None


def test_timing_verdicts(tmp_path: Path) -> None:
    g = guard(tmp_path, MIN_SECONDS_TO_POST=5, TOKEN_MAX_AGE=100)
    assert g.judge(sub(token=None)).reasons == [NO_JS_REASON]
    with pytest.raises(Rejected) as info:
        g.judge(sub(token=make_token(g.secret, "a1"), body="x1"))
    assert info.value.status == 429
    import time

    old = make_token(g.secret, "a1", time.time() - 1000)
    assert g.judge(sub(token=old, body="x2")).reasons == [
        "form token expired: the page was open for a long time"
    ]
    assert guard(tmp_path, MIN_SECONDS_TO_POST=0).judge(sub(token=None)).reasons == []


def test_rate_limiter_window() -> None:
    limiter = RateLimiter("2/second")
    assert limiter.allow("a", now=0.0) == 0 and limiter.allow("a", now=0.1) == 0
    assert limiter.allow("a", now=0.2) == pytest.approx(0.8)
    assert limiter.allow("b", now=0.2) == 0  # per client
    assert limiter.allow("a", now=1.05) == 0  # the window slid
    assert RateLimiter(None).allow("a") == 0


def test_rate_limiter_forgets_idle_clients() -> None:
    limiter = RateLimiter("1/hour", max_clients=3)
    for n in range(5):
        limiter.allow(f"c{n}", now=0.0)
    assert len(limiter._hits) == 3


def test_blocklist_classification() -> None:
    bl = Blocklist.parse(
        [
            "Viagra",
            "spam.example",
            "https://bad.example/path",
            "10.0.0.0/8",
            "2001:db8::/32",
            "192.0.2.7",
            " ",
        ]
    )
    assert bl.words == ("viagra",)
    assert bl.urls == ("spam.example", "bad.example/path")
    assert len(bl.networks) == 3
    assert bl.match(sub(ip="10.1.1.1")) == "blocklisted address range 10.0.0.0/8"
    assert bl.match(sub(ip="2001:db8::5")) == "blocklisted address range 2001:db8::/32"
    assert bl.match(sub(ip="192.0.2.7")) == "blocklisted address range 192.0.2.7/32"
    assert bl.match(sub(author_url="http://www.spam.example/")) == "blocklisted URL spam.example"
    assert bl.match(sub(body="Buy VIAGRA now")) == "blocklisted word 'viagra'"
    assert bl.match(sub(body="Viagrant is a word")) is None
    assert bl.match(sub()) is None


def test_reject_stops_the_chain_and_spam_collects_reasons(tmp_path: Path) -> None:
    g = guard(tmp_path, BLOCKLIST=["casino"], MAX_LINKS=0, MIN_SECONDS_TO_POST=0)
    out = g.judge(sub(body="casino http://x.example", honeypot="filled"))
    assert out.spam and out.reasons == [
        "honeypot field filled in",
        "blocklisted word 'casino'",
        "1 links (more than 0)",
    ]
    with pytest.raises(Rejected, match="longer than 100"):
        g.judge(sub(author="x" * 101))


def test_duplicates_remembered_and_forgotten(tmp_path: Path) -> None:
    g = guard(tmp_path, MIN_SECONDS_TO_POST=0)
    g.judge(sub(body="Same"))
    with pytest.raises(Rejected) as info:
        g.judge(sub(body="  same "))
    assert info.value.status == 409
    g.forget(sub(body="same"))
    g.judge(sub(body="same"))  # after a failed write, a retry is welcome
    g.judge(sub(body="same", article="a2"))  # another article is not a duplicate


def test_rate_limit_counts_an_ipv6_slash_64_as_one_client(tmp_path: Path) -> None:
    """One host holds a whole /64: rotating addresses inside it must not reset the limit."""
    assert client_key("2001:db8:1:2:aaaa::1") == client_key("2001:db8:1:2:ffff::9")
    assert client_key("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::1") != client_key("2001:db8:1:2::1")
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7" == client_key("192.0.2.7")
    assert client_key("unknown") == "unknown"
    for limiter in (RateLimiter("2/minute"), RateLimiter("2/minute", state=PrivateState(tmp_path))):
        assert limiter.allow("2001:db8::1", now=0.0) == 0
        assert limiter.allow("2001:db8::2", now=1.0) == 0
        assert limiter.allow("2001:db8::3", now=2.0) == pytest.approx(58.0)
        assert limiter.allow("2001:db8:0:1::1", now=2.0) == 0  # the next /64 is someone else


def test_a_too_fast_comment_is_429_with_retry_after(tmp_path: Path) -> None:
    g = guard(tmp_path, MIN_SECONDS_TO_POST=30)
    with pytest.raises(Rejected) as info:
        g.judge(sub(token=make_token(g.secret, "a1")))
    assert info.value.status == 429
    assert 29 <= int(info.value.headers["Retry-After"]) <= 30


def test_duplicates_are_shared_through_the_state_database(tmp_path: Path) -> None:
    """Two guards on one state database (two workers): a repeat sent to the other is caught."""
    values = {"BACKCHANNEL_MIN_SECONDS_TO_POST": 0}
    first, second = (
        Guard(resolve(values, base_dir=tmp_path), b"k" * 32, state=PrivateState(tmp_path))
        for _ in range(2)
    )
    first.judge(sub(body="Once only"))
    with pytest.raises(Rejected) as info:
        second.judge(sub(body="once   ONLY"))
    assert info.value.status == 409
    second.forget(sub(body="once only"))
    first.judge(sub(body="once only"))  # forgotten by one, forgotten for both
