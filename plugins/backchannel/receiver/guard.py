"""The receiver's defences: a chain of small checks, each answering a verdict.

As in Isso's guard, every check looks at one thing and answers `None` (fine) or
a `Verdict`: HOLD (stays in the inbox, the reason goes into the item's
`Reasons:` for the moderator), SPAM (stored in `feedback/spam/`, the sender is
told nothing different) or REJECT (an HTTP error, nothing stored). The
request-level defences (body size, rate limit) run before parsing, in `http`.

Timing tokens: `GET /token?article=` hands out `<unix time>.<hmac>`, signed
with the store's secret over the article id and time. A comment whose token is
valid but younger than BACKCHANNEL_MIN_SECONDS_TO_POST is refused (a human
does not read and write that fast). A comment with *no* token is what the
no-JavaScript form sends, since a page served from a CDN cannot carry a fresh
token: it is held with the reason "sent without JavaScript: posting time
unknown" rather than refused. A forged token is refused; an expired one held.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
import re
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from backchannel.field_policy import MAX_AUTHOR_CHARS, MAX_TITLE_CHARS
from backchannel.field_policy import MAX_AUTHOR_URL_CHARS as MAX_URL_CHARS
from backchannel.settings import Resolved, parse_rate
from backchannel.store.state import DUPLICATE, PrivateState, StateError

logger = logging.getLogger(__name__)

NO_JS_REASON = "sent without JavaScript: posting time unknown"
MAX_EMAIL_CHARS = 254
# How many recent fingerprints duplicate detection remembers in memory, and
# how long the shared state database remembers each one.
DUPLICATE_MEMORY = 10000
DUPLICATE_SECONDS = 30 * 86400
LINK_RE = re.compile(r"(?i)\bhttps?://|\bwww\.|<a\s")


class Action(StrEnum):
    """What a failed check asks for."""

    HOLD = "hold"
    SPAM = "spam"
    REJECT = "reject"


@dataclass(frozen=True)
class Verdict:
    """A check's answer when something is off."""

    action: Action
    reason: str
    status: int = 400
    retry_after: float | None = None  # seconds, for a 429


class Rejected(Exception):  # noqa: N818 - a control-flow signal, not a BackchannelError
    """Raised by `Guard.judge` for a REJECT verdict; carries the HTTP status (and headers)."""

    def __init__(self, reason: str, status: int = 400, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status
        self.headers: dict[str, str] = {}
        if status == 429:  # every 429 says when to come back (RFC 6585)
            self.headers["Retry-After"] = retry_after_header(retry_after or 1.0)


def retry_after_header(seconds: float) -> str:
    """A Retry-After value: whole seconds, at least 1."""
    return str(max(int(seconds + 0.999), 1))


@dataclass
class Submission:
    """What the checks look at, whatever protocol it came in by."""

    kind: str
    article: str
    author: str
    body: str
    ip: str
    author_url: str = ""
    email: str = ""
    title: str = ""
    source: str = ""
    token: str | None = None
    honeypot: str = ""
    checks_timing: bool = False


@dataclass
class Outcome:
    """The sum of the verdicts: spam or not, and the reasons to show the moderator."""

    spam: bool = False
    reasons: list[str] = field(default_factory=list)


# --- timing tokens ------------------------------------------------------------
def _mac(secret: bytes, article: str, stamp: str) -> str:
    return hmac.new(secret, f"token:{article}:{stamp}".encode(), hashlib.sha256).hexdigest()[:32]


def make_token(secret: bytes, article: str, now: float | None = None) -> str:
    """A signed timing token for one article's form."""
    stamp = str(int(now if now is not None else time.time()))
    return f"{stamp}.{_mac(secret, article, stamp)}"


def token_age(secret: bytes, article: str, token: str, now: float | None = None) -> float | None:
    """Seconds since the token was made, or None if it is not one of ours for this article."""
    stamp, _, mac = token.partition(".")
    # compare_digest raises TypeError on a non-ASCII str: a stranger's token is bytes here.
    expected = _mac(secret, article, stamp).encode()
    if not stamp.isdigit() or not hmac.compare_digest(mac.encode("utf-8", "replace"), expected):
        return None
    return (now if now is not None else time.time()) - int(stamp)


# --- rate limiting ----------------------------------------------------------------
def client_key(address: str) -> str:
    """Whom a rate limit counts: an IPv4 address, or an IPv6 address's /64.

    A single IPv6 host usually holds a whole /64 (SLAAC, privacy addresses), so
    counting each address alone would let one client rotate past any limit.
    """
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class RateLimiter:
    """Sliding-window request counts per client (see `client_key`).

    With a `state` database the counts are shared by every receiver worker on
    the host; without one they are this process's own, in memory.
    """

    def __init__(
        self,
        rate: str | None,
        max_clients: int = 50000,
        state: PrivateState | None = None,
        name: str = "request",
    ) -> None:
        self.limit = parse_rate(rate) if rate else None
        self.max_clients = max_clients
        self.state = state
        self.name = name
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def allow(self, client: str, now: float | None = None) -> float:
        """0 if the client may go on, else the seconds until it may try again."""
        if self.limit is None:
            return 0.0
        count, period = self.limit
        client = client_key(client)
        if self.state is not None:
            try:
                return self.state.hit(f"{self.name} {client}", count, period, now)
            except StateError as exc:  # a broken disk answers 503 where it matters, not here
                logger.error("backchannel: rate limit not applied: %s", exc)  # noqa: TRY400  a disk fault: its message says all
                return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.pop(client, None) or deque()
            while hits and hits[0] <= now - period:
                hits.popleft()
            self._hits[client] = hits
            if len(self._hits) > self.max_clients:
                self._hits.popitem(last=False)  # forget the longest-idle client
            if len(hits) >= count:
                return max(hits[0] + period - now, 0.001)
            hits.append(now)
            return 0.0


# --- blocklist --------------------------------------------------------------------
@dataclass(frozen=True)
class Blocklist:
    """BACKCHANNEL_BLOCKLIST split into words, URL/domain fragments and address ranges."""

    words: tuple[str, ...]
    urls: tuple[str, ...]
    networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    @classmethod
    def parse(cls, entries: list[str] | tuple[str, ...]) -> Blocklist:
        """Classify each entry: CIDR or address, URL or domain, else a word."""
        words, urls, nets = [], [], []
        for raw in entries:
            entry = str(raw).strip().lower()
            if not entry:
                continue
            try:
                nets.append(ipaddress.ip_network(entry, strict=False))
                continue
            except ValueError:
                pass
            if "://" in entry or ("." in entry and " " not in entry):
                urls.append(entry.split("://", 1)[-1])
            else:
                words.append(entry)
        return cls(tuple(words), tuple(urls), tuple(nets))

    def match(self, sub: Submission) -> str | None:
        """The reason a submission is blocked, or None."""
        try:
            ip = ipaddress.ip_address(sub.ip)
        except ValueError:
            ip = None
        if ip is not None:
            for net in self.networks:
                if ip.version == net.version and ip in net:
                    return f"blocklisted address range {net}"
        text = " ".join((sub.author, sub.body, sub.title, sub.email)).lower()
        links = " ".join((sub.author_url, sub.source, sub.body, sub.email)).lower()
        for frag in self.urls:
            if frag in links:
                return f"blocklisted URL {frag}"
        for word in self.words:
            if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text):
                return f"blocklisted word {word!r}"
        return None


# --- the checks -------------------------------------------------------------------
Check = Callable[["Guard", Submission], Verdict | None]


def check_field_lengths(guard: Guard, sub: Submission) -> Verdict | None:
    """Refuse fields longer than their limits."""
    limits = (
        ("author", sub.author, MAX_AUTHOR_CHARS),
        ("url", sub.author_url, MAX_URL_CHARS),
        ("email", sub.email, MAX_EMAIL_CHARS),
        ("title", sub.title, MAX_TITLE_CHARS),
        ("body", sub.body, guard.settings["MAX_FIELD_CHARS"]),
    )
    for name, value, limit in limits:
        if len(value) > limit:
            return Verdict(Action.REJECT, f"field {name!r} is longer than {limit} characters")
    return None


def check_honeypot(guard: Guard, sub: Submission) -> Verdict | None:
    """A filled hidden field means a robot filled every field."""
    if sub.honeypot.strip():
        return Verdict(Action.SPAM, "honeypot field filled in")
    return None


def check_timing(guard: Guard, sub: Submission) -> Verdict | None:
    """Refuse forged or too-fast tokens; hold what came without one."""
    minimum = guard.settings["MIN_SECONDS_TO_POST"]
    if not sub.checks_timing or not minimum:
        return None
    if not sub.token:
        return Verdict(Action.HOLD, NO_JS_REASON)
    age = token_age(guard.secret, sub.article, sub.token)
    if age is None:
        return Verdict(Action.REJECT, "invalid form token: reload the page and try again")
    if age < minimum:
        return Verdict(
            Action.REJECT,
            f"sent {max(age, 0):.0f} s after the form loaded; wait {minimum:g} s and send again",
            status=429,
            retry_after=minimum - max(age, 0),
        )
    if age > guard.settings["TOKEN_MAX_AGE"]:
        return Verdict(Action.HOLD, "form token expired: the page was open for a long time")
    return None


def check_link_count(guard: Guard, sub: Submission) -> Verdict | None:
    """Hold comments with more links than MAX_LINKS."""
    links = len(LINK_RE.findall(sub.body))
    if links > guard.settings["MAX_LINKS"]:
        return Verdict(Action.HOLD, f"{links} links (more than {guard.settings['MAX_LINKS']})")
    return None


def check_blocklist(guard: Guard, sub: Submission) -> Verdict | None:
    """Mark as spam what matches a blocklisted word, URL or address range."""
    reason = guard.blocklist.match(sub)
    return Verdict(Action.SPAM, reason) if reason else None


def check_duplicate(guard: Guard, sub: Submission) -> Verdict | None:
    """Refuse the same text on the same article twice (double submits, floods)."""
    if guard.is_duplicate(sub):
        return Verdict(Action.REJECT, "duplicate: this was already received", status=409)
    return None


CHECKS: tuple[Check, ...] = (
    check_field_lengths,
    check_honeypot,
    check_timing,
    check_blocklist,
    check_link_count,
    check_duplicate,
)


class Guard:
    """Runs the checks; keeps the rate limiter and the duplicate memory.

    Given the store's private `state`, both are kept there and shared by every
    worker; without it (unit tests, one-off tools) they live in this process.
    """

    def __init__(
        self,
        settings: Resolved,
        secret: bytes,
        checks: tuple[Check, ...] = CHECKS,
        state: PrivateState | None = None,
    ):
        self.settings = settings
        self.secret = secret
        self.checks = checks
        self.state = state
        self.blocklist = Blocklist.parse(settings["BLOCKLIST"])
        self.rate = RateLimiter(settings["RATE_LIMIT"], state=state)
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def fingerprint(sub: Submission) -> str:
        """Article + kind + normalised text (+ source for linkbacks)."""
        text = " ".join(sub.body.lower().split())
        key = f"{sub.kind}\0{sub.article}\0{sub.source}\0{text}"
        return hashlib.sha256(key.encode()).hexdigest()

    def is_duplicate(self, sub: Submission) -> bool:
        """True if this fingerprint was seen; remembers it otherwise."""
        fp = self.fingerprint(sub)
        if self.state is not None:
            try:
                return not self.state.add(DUPLICATE, fp, expires=time.time() + DUPLICATE_SECONDS)
            except StateError as exc:
                logger.error("backchannel: duplicate check skipped: %s", exc)  # noqa: TRY400  a disk fault: its message says all
                return False
        with self._lock:
            if fp in self._seen:
                return True
            self._seen[fp] = None
            if len(self._seen) > DUPLICATE_MEMORY:
                self._seen.popitem(last=False)
        return False

    def forget(self, sub: Submission) -> None:
        """Forget a fingerprint (the write failed, so a retry is not a duplicate)."""
        if self.state is not None:
            try:
                self.state.remove(DUPLICATE, self.fingerprint(sub))
            except StateError as exc:
                logger.error("backchannel: a retry may be refused as a duplicate: %s", exc)  # noqa: TRY400  a disk fault: its message says all
            return
        with self._lock:
            self._seen.pop(self.fingerprint(sub), None)

    def judge(self, sub: Submission) -> Outcome:
        """Run every check; raise Rejected for the first REJECT."""
        outcome = Outcome()
        for check in self.checks:
            verdict = check(self, sub)
            if verdict is None:
                continue
            if verdict.action == Action.REJECT:
                raise Rejected(verdict.reason, verdict.status, verdict.retry_after)
            if verdict.action == Action.SPAM:
                outcome.spam = True
            outcome.reasons.append(verdict.reason)
        return outcome
