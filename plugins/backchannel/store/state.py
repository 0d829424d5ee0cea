"""The one place for mutable private state: a SQLite database in feedback/private/.

What lives here is not an item and not derivable from the items: who
unsubscribed, which inbox items the author was told about, which askers were
told their question is answered, webmention statuses (and so the queue of
those still to verify), rate-limit hits, duplicate fingerprints, one-time
sign-in links and spent one-click nonces. Item files stay the source of truth;
this is the small state around them.

Unlike the cache (`cache.py`) this is durable: WAL with synchronous=NORMAL
survives a killed process with every committed write, and every update is one
SQLite transaction, so receiver workers on one host share limits and the queue
and never lose each other's writes. The interface is deliberately small —
values by (kind, key), optionally expiring, plus rate-limit hits — so a
database server could take its place when receivers run on several hosts.

The JSON files that held this state before are read once, on first open, then
renamed `*.migrated`: an existing site loses nothing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from backchannel.errors import StoreError

logger = logging.getLogger(__name__)

FILE_NAME = "state.sqlite3"
BUSY_SECONDS = 10.0  # how long a writer waits for another worker's transaction

_SCHEMA = (
    """CREATE TABLE IF NOT EXISTS entry (
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        expires REAL,
        PRIMARY KEY (kind, key)
    ) WITHOUT ROWID""",
    "CREATE INDEX IF NOT EXISTS entry_expires ON entry (expires) WHERE expires IS NOT NULL",
    "CREATE TABLE IF NOT EXISTS hit (client TEXT NOT NULL, at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS hit_client ON hit (client, at)",
)

# Kinds of entry (the contract between the modules that share this database).
UNSUBSCRIBED = "unsubscribed"  # key: e-mail hash
NOTIFIED = "notified"  # key: inbox item id the author was mailed about
NOTIFIED_ANSWER = "notified-answer"  # key: "<comment id> <article slug>"; value: {"date"}
WEBMENTION = "webmention"  # key: status id; value: the status record
WEBMENTION_CLAIM = "webmention-claim"  # key: status id being verified; value: pid, until
DUPLICATE = "duplicate"  # key: submission fingerprint (expiring)
SIGN_IN_LINK = "sign-in-link"  # key: SHA-256 of a one-time sign-in token (expiring)
ONE_CLICK_USED = "one-click-used"  # key: nonce of a spent one-click link (expiring)


class StateError(StoreError):
    """The state database could not be read or written (disk full, read-only, corrupt)."""


# Expired rows are swept this often (per process), so the file does not grow.
_SWEEP_EVERY = 500


def _use_wal(db: sqlite3.Connection) -> None:
    """Switch the file to WAL, waiting out other processes doing the same.

    The switch needs the file to itself and SQLite answers "locked" at once rather
    than calling the busy handler, so workers opening a new file together retry.
    """
    deadline = time.monotonic() + BUSY_SECONDS
    while True:
        try:
            db.execute("PRAGMA journal_mode=WAL")
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
        else:
            return


class PrivateState:
    """Values by (kind, key) and rate-limit hits, in one SQLite file.

    One connection per thread (sqlite3 connections are not shared across
    threads); each call is its own transaction.
    """

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)
        self.path = self.folder / FILE_NAME
        self._local = threading.local()
        self._writes = 0
        self._migrated = False
        self._lock = threading.Lock()
        # This process's threads take turns on a lock, which wakes the next one at
        # once; only other processes meet SQLite's busy handler, which sleeps and
        # retries, so threads of one worker contending there made long tail waits.
        self._write_lock = threading.Lock()

    # --- connections ----------------------------------------------------------
    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = self._connect()
            except (OSError, sqlite3.Error) as exc:
                raise StateError(f"cannot open {self.path}: {exc}") from exc
        return db

    def _connect(self) -> sqlite3.Connection:
        self.folder.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(
            self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=True
        )
        db.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
        _use_wal(db)
        # NORMAL with WAL: a killed process loses no committed write (only
        # a power cut can lose the last ones), without an fsync per commit.
        db.execute("PRAGMA synchronous=NORMAL")
        for statement in _SCHEMA:
            db.execute(statement)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)
        self._local.db = db
        with self._lock:  # other threads wait until the old files are read
            if not self._migrated:
                from backchannel.store.state_migration import migrate

                migrate(self)
                self._migrated = True
        return db

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction, taken at once (BEGIN IMMEDIATE) so read-then-write is atomic."""
        db = self._db()
        try:
            with self._write_lock:
                db.execute("BEGIN IMMEDIATE")
                try:
                    yield db
                except BaseException:
                    db.execute("ROLLBACK")
                    raise
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise StateError(f"cannot write {self.path}: {exc}") from exc
        self._writes += 1
        if self._writes % _SWEEP_EVERY == 0:
            self.sweep()

    def close(self) -> None:
        """Close this thread's connection."""
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    # --- values by (kind, key) -----------------------------------------------
    def _rows(self, sql: str, args: tuple[Any, ...]) -> list[Any]:
        try:
            return self._db().execute(sql, args).fetchall()
        except sqlite3.Error as exc:
            raise StateError(f"cannot read {self.path}: {exc}") from exc

    def get(self, kind: str, key: str, now: float | None = None) -> Any:
        """The value, or None when there is none (or it expired)."""
        rows = self._rows(
            "SELECT value FROM entry WHERE kind = ? AND key = ?"
            " AND (expires IS NULL OR expires > ?)",
            (kind, key, _now(now)),
        )
        return json.loads(rows[0][0]) if rows else None

    def has(self, kind: str, key: str, now: float | None = None) -> bool:
        """True when the key has a live value."""
        return self.get(kind, key, now) is not None

    def items(self, kind: str, now: float | None = None) -> dict[str, Any]:
        """Every live key of a kind with its value."""
        rows = self._rows(
            "SELECT key, value FROM entry WHERE kind = ? AND (expires IS NULL OR expires > ?)",
            (kind, _now(now)),
        )
        return {key: json.loads(value) for key, value in rows}

    def keys(self, kind: str, now: float | None = None) -> set[str]:
        """Every live key of a kind."""
        return set(self.items(kind, now))

    def put(self, kind: str, key: str, value: Any = True, expires: float | None = None) -> None:
        """Set a value (insert or replace)."""
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO entry VALUES (?, ?, ?, ?)",
                (kind, key, json.dumps(value), expires),
            )

    def put_many(self, kind: str, values: dict[str, Any]) -> None:
        """Set several values in one transaction."""
        if values:
            with self.transaction() as db:
                db.executemany(
                    "INSERT OR REPLACE INTO entry VALUES (?, ?, ?, NULL)",
                    [(kind, key, json.dumps(value)) for key, value in values.items()],
                )

    def add(
        self,
        kind: str,
        key: str,
        value: Any = True,
        expires: float | None = None,
        now: float | None = None,
    ) -> bool:
        """Set a value only if there is none live; True if this call set it (atomic)."""
        with self.transaction() as db:
            cursor = db.execute(
                "INSERT INTO entry VALUES (?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE"
                " SET value = excluded.value, expires = excluded.expires"
                " WHERE entry.expires IS NOT NULL AND entry.expires <= ?",
                (kind, key, json.dumps(value), expires, _now(now)),
            )
            return cursor.rowcount == 1

    def remove(self, kind: str, key: str, now: float | None = None) -> bool:
        """Delete a value; True if a live one was there (so only one caller ever spends it)."""
        with self.transaction() as db:
            cursor = db.execute(
                "DELETE FROM entry WHERE kind = ? AND key = ? AND (expires IS NULL OR expires > ?)",
                (kind, key, _now(now)),
            )
            db.execute("DELETE FROM entry WHERE kind = ? AND key = ?", (kind, key))
            return cursor.rowcount == 1

    def update(self, kind: str, key: str, change: Callable[[Any], Any]) -> Any:
        """Read-modify-write one value atomically: `change(old or None)` -> new (None deletes)."""
        with self.transaction() as db:
            row = db.execute(
                "SELECT value FROM entry WHERE kind = ? AND key = ?", (kind, key)
            ).fetchone()
            new = change(json.loads(row[0]) if row else None)
            if new is None:
                db.execute("DELETE FROM entry WHERE kind = ? AND key = ?", (kind, key))
            else:
                db.execute(
                    "INSERT OR REPLACE INTO entry VALUES (?, ?, ?, NULL)",
                    (kind, key, json.dumps(new)),
                )
            return new

    def keep_only(self, kind: str, keys: set[str]) -> None:
        """Drop the keys of `kind` not in `keys`."""
        with self.transaction() as db:
            stale = [
                (kind, key)
                for (key,) in db.execute("SELECT key FROM entry WHERE kind = ?", (kind,))
                if key not in keys
            ]
            db.executemany("DELETE FROM entry WHERE kind = ? AND key = ?", stale)

    # --- rate limiting --------------------------------------------------------
    def hit(self, client: str, count: int, period: float, now: float | None = None) -> float:
        """Count a request of `client` if it is within `count` per `period` seconds.

        0 if it may go on (and it was counted), else the seconds until it may
        try again. The check and the count are one transaction: workers share it.
        """
        at = _now(now)
        with self.transaction() as db:
            db.execute("DELETE FROM hit WHERE client = ? AND at <= ?", (client, at - period))
            seen, first = db.execute(
                "SELECT count(*), min(at) FROM hit WHERE client = ?", (client,)
            ).fetchone()
            if seen >= count:
                return max(first + period - at, 0.001)
            db.execute("INSERT INTO hit VALUES (?, ?)", (client, at))
            return 0.0

    def sweep(self, now: float | None = None, longest_period: float = 86400.0) -> None:
        """Delete expired values and hits older than the longest rate period."""
        at = _now(now)
        db = self._db()
        try:
            with self._write_lock, db:
                db.execute("BEGIN IMMEDIATE")
                db.execute("DELETE FROM entry WHERE expires IS NOT NULL AND expires <= ?", (at,))
                db.execute("DELETE FROM hit WHERE at <= ?", (at - longest_period,))
        except sqlite3.Error as exc:
            logger.warning("backchannel: could not sweep %s: %s", self.path, exc)


def _now(now: float | None) -> float:
    return time.time() if now is None else now


# --- one PrivateState per store folder and process --------------------------
_OPEN: dict[tuple[Path, int], PrivateState] = {}
_OPEN_LOCK = threading.Lock()


def state_of(store: Any) -> PrivateState:
    """The private state of a store (`store.root / "private"`), one object per process."""
    from backchannel.store import PRIVATE

    key = (Path(store.root), os.getpid())  # a forked child opens its own connections
    with _OPEN_LOCK:
        state = _OPEN.get(key)
        if state is None:
            state = _OPEN[key] = PrivateState(Path(store.root) / PRIVATE)
        return state
