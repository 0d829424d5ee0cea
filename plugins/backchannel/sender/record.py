"""`feedback/sent.json`: what was sent where, so nothing is sent twice.

One JSON file, sorted by source and target so it diffs well in git. Every save
is atomic (`atomic.atomic_write`, its temp file in `feedback/.tmp`): a reader
sees the old record or the new one, never half of one. It holds only public
data: the post's URL, the target's URL and the endpoint.
"""

from __future__ import annotations

import fcntl
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from backchannel.errors import BackchannelError
from backchannel.store.atomic import atomic_write

logger = logging.getLogger(__name__)

RECORD_NAME = "sent.json"
LOCK_NAME = "send.lock"
VERSION = 1


class SendError(BackchannelError):
    """Sending cannot go on: unreadable record, no site URL, another run holding the lock."""


class Protocol(StrEnum):
    """The three linkback protocols, in the order they are tried."""

    WEBMENTION = "webmention"
    PINGBACK = "pingback"
    TRACKBACK = "trackback"


class Status(StrEnum):
    """Where a (source, target) pair stands."""

    SENT = "sent"  # the endpoint accepted it
    FAILED = "failed"  # a temporary failure: retried at next_retry
    REJECTED = "rejected"  # the endpoint said no for good (4xx, fault); retried if the post changes
    NO_ENDPOINT = "no-endpoint"  # the target advertises no endpoint
    GAVE_UP = "gave-up"  # failed SEND_MAX_ATTEMPTS times; retried if the post changes
    DELETED = "deleted"  # the post or the link is gone and the receiver was told (if it can be)


class Action(StrEnum):
    """What a run does for one pair."""

    NEW = "new"  # first time, or again after the post changed while not delivered
    UPDATE = "update"  # the post changed: Webmention update
    DELETE = "delete"  # the post is gone (410/404): Webmention deletion notice
    REMOVED = "removed"  # the link is gone from the post: Webmention update to the old target


@dataclass(frozen=True)
class Entry:
    """One (source, target) pair and the last thing that happened to it."""

    source: str
    target: str
    article: str
    status: Status
    action: Action
    date: str
    content_hash: str
    protocol: Protocol | None = None
    endpoint: str | None = None
    http_status: int | None = None
    location: str | None = None
    reason: str = ""
    attempts: int = 0
    next_retry: str | None = None
    delivered: bool = False  # a Webmention for this pair was accepted at least once

    @property
    def key(self) -> tuple[str, str]:
        """The pair this entry is about."""
        return (self.source, self.target)

    def to_json(self) -> dict[str, Any]:
        """The entry as it is written to sent.json."""
        data = asdict(self)
        data["status"] = self.status.value
        data["action"] = self.action.value
        data["protocol"] = self.protocol.value if self.protocol else None
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        """Parse one entry; KeyError/ValueError/TypeError on a bad one."""
        values = {k: v for k, v in data.items() if k in _ENTRY_FIELDS}
        values["status"] = Status(values["status"])
        values["action"] = Action(values.get("action", Action.NEW))
        if values.get("protocol"):
            values["protocol"] = Protocol(values["protocol"])
        entry = cls(**values)
        if not isinstance(entry.source, str) or not isinstance(entry.target, str):
            raise TypeError("source and target must be strings")
        return entry

    def with_changes(self, **changes: Any) -> Entry:
        """A copy with some fields changed."""
        return replace(self, **changes)


_ENTRY_FIELDS = frozenset(f.name for f in fields(Entry))


def backoff(attempts: int, base_seconds: float) -> timedelta:
    """Delay before the next try: base, 2 x base, 4 x base, ..."""
    return timedelta(seconds=base_seconds * 2 ** max(attempts - 1, 0))


@dataclass
class SentRecord:
    """The record in memory: entries by (source, target)."""

    path: Path
    entries: dict[tuple[str, str], Entry] = field(default_factory=dict)

    @classmethod
    def load(cls, feedback: Path) -> SentRecord:
        """Read feedback/sent.json (an empty record if there is none)."""
        path = feedback / RECORD_NAME
        record = cls(path)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return record
        except OSError as exc:
            raise SendError(f"backchannel: cannot read {path}: {exc.strerror}") from None
        try:
            data = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise SendError(
                f"backchannel: {path}: not valid JSON ({exc}); fix or remove it"
            ) from None
        if not isinstance(data, dict) or not isinstance(data.get("sent"), list):
            raise SendError(f'backchannel: {path}: expected an object with a "sent" list')
        for number, item in enumerate(data["sent"], 1):
            try:
                entry = Entry.from_json(item)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                raise SendError(
                    f"backchannel: {path}: entry {number} is invalid ({exc!r})"
                ) from None
            record.entries[entry.key] = entry
        return record

    def get(self, source: str, target: str) -> Entry | None:
        """The entry of a pair, if any."""
        return self.entries.get((source, target))

    def put(self, entry: Entry) -> None:
        """Add or replace the entry of a pair."""
        self.entries[entry.key] = entry

    def to_bytes(self) -> bytes:
        """The record as the bytes of sent.json."""
        entries = [self.entries[k].to_json() for k in sorted(self.entries)]
        text = json.dumps({"version": VERSION, "sent": entries}, ensure_ascii=False, indent=2)
        return (text + "\n").encode("utf-8")

    def save(self) -> None:
        """Write sent.json atomically (temp file in `feedback/.tmp`, see atomic.py)."""
        try:
            atomic_write(self.path, self.to_bytes(), temp_dir=self.path.parent / ".tmp")
        except OSError as exc:
            raise SendError(f"backchannel: cannot write {self.path}: {exc.strerror}") from None


@contextmanager
def send_lock(feedback: Path) -> Iterator[None]:
    """Hold feedback/private/send.lock so two runs never send the same mention twice."""
    lock_dir = feedback / "private"
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / LOCK_NAME, "a+b") as handle:
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SendError("backchannel: another `backchannel send` is running") from None
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
