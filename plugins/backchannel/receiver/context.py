"""What every endpoint shares: settings, store, known articles, guard, fetcher.

Built once per app by `create_app` (nothing happens at import time) and reached
from a request as `request.app.state.receiver`. Also the request-level helpers
every protocol needs: reading a body under the size limit, the client address,
the store write (off the event loop, 503 on disk trouble), assessed by moderation
before it is written.
"""

from __future__ import annotations

import asyncio
import codecs
import functools
import logging
import warnings
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from backchannel.errors import ItemFormatError, StoreError
from backchannel.model import Item, State, dumps, loads
from backchannel.outbound.fetch import Fetcher
from backchannel.receiver.articles import Articles
from backchannel.receiver.guard import Guard, retry_after_header
from backchannel.receiver.problems import RequestProblem
from backchannel.settings import Resolved
from backchannel.store import SUFFIX, Store
from backchannel.store.state import state_of

logger = logging.getLogger(__name__)


@dataclass
class Receiver:
    """The receiver's shared parts."""

    settings: Resolved
    store: Store
    articles: Articles
    guard: Guard
    fetcher: Fetcher
    tasks: set[asyncio.Task[Any]] = field(default_factory=set)
    resumed: bool = False
    moderation: Any = None  # backchannel.moderation.decisions, looked up once per app
    # article id -> (folder mtime, time cached, JSON bytes) for GET /comments
    cache: dict[str, tuple[int, float, bytes]] = field(default_factory=dict)

    @classmethod
    def build(cls, settings: Resolved) -> Receiver:
        """Everything from the resolved settings."""
        store = Store(settings.feedback_path, settings["SECRET"])
        return cls(
            settings=settings,
            store=store,
            articles=Articles(settings),
            guard=Guard(settings, store.secret(), state=state_of(store)),
            fetcher=Fetcher(settings),
            moderation=_moderation(),
        )

    def spawn(self, coro: Any) -> asyncio.Task[Any]:
        """Run a coroutine in the background, keeping a reference so it is not collected."""
        task = asyncio.get_running_loop().create_task(coro)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task


def receiver_of(request: Request) -> Receiver:
    """The Receiver of the app handling this request."""
    return request.app.state.receiver


def client_ip(request: Request) -> str:
    """The client's address (uvicorn's --proxy-headers sets it behind a proxy)."""
    return request.client.host if request.client else "unknown"


async def limit_rate(request: Request) -> None:
    """Raise 429 when this client is over BACKCHANNEL_RATE_LIMIT."""
    wait = receiver_of(request).guard.rate.allow(client_ip(request))
    if wait:
        raise RequestProblem(
            f"too many requests: try again in {wait:.0f} s",
            429,
            {"Retry-After": retry_after_header(wait)},
        )


async def read_body(request: Request) -> bytes:
    """The request body, refusing anything over BACKCHANNEL_MAX_BODY_BYTES (413)."""
    limit = receiver_of(request).settings["MAX_BODY_BYTES"]
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise RequestProblem(f"request body larger than {limit} bytes", 413)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise RequestProblem(f"request body larger than {limit} bytes", 413)
        chunks.append(chunk)
    return b"".join(chunks)


def media_type(request: Request) -> tuple[str, str]:
    """(media type, charset) of the request; charset defaults to utf-8."""
    raw = request.headers.get("content-type", "")
    kind, *params = [p.strip() for p in raw.split(";")]
    charset = "utf-8"
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip('"').lower()
    return kind.lower(), charset


# Text every ASCII-compatible charset decodes to itself; an escape codec
# (unicode_escape, utf-7) or a wide one (utf-16, utf-32, EBCDIC) does not.
_ASCII_PROBE = "".join(map(chr, range(32, 127))) + " \\x41\\u0041+AEE- xn--abc"


@functools.lru_cache(maxsize=64)
def text_charset(charset: str) -> str:
    r"""The codec name of a charset a stranger may declare, or a 400.

    Only ASCII-compatible text encodings (what forms and XML declarations
    carry); `unicode_escape` would turn `\ud800` into a lone surrogate, `rot13`
    is no text encoding at all.
    """
    try:
        info = codecs.lookup(charset)
    except LookupError:
        raise RequestProblem(f"unknown charset {charset!r}") from None
    try:
        with warnings.catch_warnings():  # unicode_escape warns about the probe's "\]"
            warnings.simplefilter("ignore", DeprecationWarning)
            same = getattr(info, "_is_text_encoding", True) and (
                _ASCII_PROBE.encode("ascii").decode(info.name) == _ASCII_PROBE
            )
    except (LookupError, ValueError):
        same = False
    if not same:
        raise RequestProblem(f"unsupported charset {charset!r}: send UTF-8")
    return info.name


def decode(body: bytes, charset: str) -> str:
    """Text of a body, or a 400 naming the encoding problem."""
    codec = text_charset(charset)
    try:
        return body.decode(codec)
    except UnicodeDecodeError as exc:
        raise RequestProblem(f"body is not valid {charset} (byte {exc.start})") from None
    except ValueError:  # UnicodeError from codecs that raise no UnicodeDecodeError
        raise RequestProblem(f"body is not valid {charset}") from None


def form_fields(body: bytes, charset: str, max_fields: int) -> dict[str, list[str]]:
    """An application/x-www-form-urlencoded body's fields, decoded in its declared charset.

    Percent-escapes stand for bytes in the body's charset (`title=Caf%E9` with
    `charset=iso-8859-1` is "Café"), so they are decoded with it too; invalid
    bytes for that charset, or an unknown charset, are a 400, never a guess.
    """
    text = decode(body, charset)
    try:
        return parse_qs(
            text,
            keep_blank_values=True,
            max_num_fields=max_fields,
            encoding=text_charset(charset),
            errors="strict",
        )
    except UnicodeDecodeError as exc:
        raise RequestProblem(
            f"a form field is not valid {charset} after percent-decoding (byte {exc.start})"
        ) from None
    except LookupError:
        raise RequestProblem(f"unknown charset {charset!r}") from None
    except ValueError as exc:
        raise RequestProblem(f"malformed form body: {exc}") from None


async def save(
    receiver: Receiver,
    item: Item,
    private: dict[str, Any] | None = None,
    earlier: tuple[tuple[str, str], ...] = (),
) -> Item:
    """Assess and store an item off the event loop; StoreError becomes 503. Returns once fsynced.

    `earlier`: the comments the sender's reader cookie names (for auto-approve).
    """
    try:
        # The file must be one `backchannel check` accepts, checked before any
        # write (the private data included): a refusal leaves nothing behind.
        item = loads(dumps(item), state=item.state)
    except ItemFormatError as exc:
        raise RequestProblem(f"the {item.kind} cannot be stored: {exc.reason}") from None
    try:
        # One trip to the thread pool for the whole write, not one per step:
        # each trip costs the event loop a hand-off.
        return await run_in_threadpool(_assess_and_add, receiver, item, private, earlier)
    except StoreError as exc:
        logger.error("backchannel: could not store %s: %s", item.id, exc)  # noqa: TRY400  a disk fault: its message says all
        raise RequestProblem(
            f"could not store the {item.kind}: {exc}; please try later",
            503,
            {"Retry-After": "60"},
        ) from exc


def _assess_and_add(
    receiver: Receiver,
    item: Item,
    private: dict[str, Any] | None,
    earlier: tuple[tuple[str, str], ...] = (),
) -> Item:
    """Score the item, store it once in its final folder, then audit an automatic decision.

    Moderation (`backchannel.moderation.decisions.assess`) scores the item and picks its
    folder *before* the write, so the item is written once. A bug there is
    logged and the item is stored unscored in the inbox: never lost, never refused.
    """
    assessment = None
    if receiver.moderation is not None:
        try:
            assessment = receiver.moderation.assess(
                receiver.store, item, receiver.settings, earlier
            )
            item = assessment.item
        except Exception:  # a scorer's bug must never lose or refuse an item
            logger.exception("backchannel: moderation could not assess %s", item.id)
    receiver.store.add(item, private)
    if assessment is not None:
        try:
            receiver.moderation.record_assessment(receiver.store, assessment)
        except Exception:  # the item is stored; an audit line is not worth a 5xx
            logger.exception("backchannel: could not audit %s", item.id)
    return item


def _moderation() -> Any:
    """The moderation module (assess, record_assessment), or None if it is not installed."""
    try:
        from backchannel.moderation import decisions as moderation
    except ImportError:
        return None
    return moderation


def _exists_sync(receiver: Receiver, item_id: str, article: str) -> State | None:
    store = receiver.store
    for state in State:
        if (store.folder(state, article) / f"{item_id}{SUFFIX}").exists():
            return state
    return None


async def exists(receiver: Receiver, item_id: str, article: str) -> State | None:
    """The state an item with this id (on this article) is in, or None."""
    return await run_in_threadpool(_exists_sync, receiver, item_id, article)
