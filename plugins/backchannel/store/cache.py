"""The one cache: a SQLite file (stdlib sqlite3) in Pelican's CACHE_PATH.

Everything in it can be derived again from feedback/ and content/, so deleting
the file changes no output, only how long the next build or digest takes. Each
row is keyed by (kind, key) and carries the version of the code that made it; a
row of another version reads as missing and is overwritten, so the file is
updated row by row and never rewritten whole. Values are JSON, never pickles:
a cache file someone else could write must not be able to run code here.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

FILE_NAME = "backchannel-cache.sqlite3"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (
    kind TEXT NOT NULL,
    key TEXT NOT NULL,
    version TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (kind, key)
)
"""
# A rowid table, not WITHOUT ROWID: values run to a kilobyte (a comment's
# parsed item), and SQLite keeps rows that large far slower in a
# WITHOUT ROWID b-tree (bench/RESULTS.md, store load).

# Above this many keys one scan of the kind beats many `IN (...)` look-ups.
_SCAN_ABOVE = 500


class Cache:
    """Versioned JSON (or text) values by (kind, key); a no-op when `folder` is None.

    Any failure to open, read or write (a corrupt file, a full disk, a lock held
    too long) is logged once and the cache then behaves as empty: a cache only
    ever saves time, it never stops a build. An instance serves one run (a build, a
    digest, a load): it learns once whether a kind holds rows, so rows another
    process adds meanwhile may go unseen until the next run.
    """

    def __init__(self, folder: Path | str | None) -> None:
        self.path = Path(folder) / FILE_NAME if folder is not None else None
        self._db: sqlite3.Connection | None = None
        self._broken = folder is None
        # Whether rows of a (kind, version) exist, learnt once: a first build looks up
        # thousands of keys of kinds that hold nothing yet, and each look-up is a query.
        self._holds: dict[tuple[str, str], bool] = {}

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self._broken:
            return self._db
        assert self.path is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = sqlite3.connect(self.path, timeout=10, isolation_level=None)
            # WAL lets a build read while the receiver writes; losing the last
            # writes in a power cut only costs time, so no fsync per commit.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=OFF")
            db.execute(_SCHEMA)
        except (OSError, sqlite3.Error) as exc:
            self._fail(exc)
            return None
        self._db = db
        return db

    def _fail(self, exc: BaseException) -> None:
        logger.warning("backchannel: cache %s not used: %s", self.path, exc)
        self._broken = True
        if self._db is not None:
            self._db.close()
            self._db = None

    def _reader(self, kind: str, version: str) -> sqlite3.Connection | None:
        """The database when it may hold rows of (kind, version); None when it cannot."""
        db = self._connect()
        if db is None:
            return None
        holds = self._holds.get((kind, version))
        if holds is None:
            try:
                row = db.execute(
                    "SELECT 1 FROM entry WHERE kind = ? AND version = ? LIMIT 1", (kind, version)
                ).fetchone()
            except sqlite3.Error as exc:
                self._fail(exc)
                return None
            holds = self._holds[(kind, version)] = row is not None
        return db if holds else None

    def get_many(
        self, kind: str, version: str, keys: Iterable[str] | None = None
    ) -> dict[str, Any]:
        """The values of `kind` made by `version`: all of them, or those of `keys`."""
        db = self._reader(kind, version)
        if db is None:
            return {}
        wanted = None if keys is None else list(dict.fromkeys(keys))
        try:
            if wanted is None or len(wanted) > _SCAN_ABOVE:
                rows = db.execute(
                    "SELECT key, value FROM entry WHERE kind = ? AND version = ?", (kind, version)
                ).fetchall()
                if wanted is not None:
                    keep = set(wanted)
                    rows = [row for row in rows if row[0] in keep]
            else:
                marks = ",".join("?" * len(wanted))
                rows = db.execute(
                    "SELECT key, value FROM entry WHERE kind = ? AND version = ?"
                    f" AND key IN ({marks})",
                    (kind, version, *wanted),
                ).fetchall()
            # One decode for all rows (each value is a JSON document, so joined
            # they make an array): no Python call per row.
            values = json.loads("[" + ",".join(value for _, value in rows) + "]")
            return dict(zip((key for key, _ in rows), values, strict=True))
        except (sqlite3.Error, TypeError, ValueError) as exc:  # TypeError: a row holding a blob
            self._fail(exc)
            return {}

    def get(self, kind: str, version: str, key: str) -> Any:
        """One value, or None when there is none of this version."""
        return self.get_many(kind, version, [key]).get(key)

    def get_text(self, kind: str, version: str, key: str) -> str | None:
        """One value stored by `put_texts`, or None when there is none of this version."""
        db = self._reader(kind, version)
        if db is None:
            return None
        try:
            row = db.execute(
                "SELECT value FROM entry WHERE kind = ? AND version = ? AND key = ?",
                (kind, version, key),
            ).fetchone()
        except sqlite3.Error as exc:
            self._fail(exc)
            return None
        # (A row someone else wrote as a blob reads as missing.)
        return row[0] if row is not None and isinstance(row[0], str) else None

    def put_many(self, kind: str, version: str, entries: Mapping[str, Any]) -> None:
        """Insert or replace these rows, in one transaction."""
        if self._connect() is None or not entries:
            return  # nothing to encode for
        try:
            encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
            self._put(kind, version, {key: encode(value) for key, value in entries.items()})
        except (TypeError, ValueError) as exc:
            self._fail(exc)

    def put_texts(self, kind: str, version: str, entries: Mapping[str, str]) -> None:
        """Insert or replace rows whose values are text kept as it is, not JSON.

        For large strings read back whole (rendered pages' parts): decoding them
        from JSON was most of the cost of reading one back. A kind is read with
        `get_text` only, and `get_many` never sees it.
        """
        self._put(kind, version, entries)

    def _put(self, kind: str, version: str, values: Mapping[str, str]) -> None:
        db = self._connect()
        if db is None or not values:
            return
        try:
            rows = [(kind, key, version, value) for key, value in values.items()]
            with db:
                db.execute("BEGIN")
                db.executemany("INSERT OR REPLACE INTO entry VALUES (?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            self._fail(exc)
        else:
            self._holds[(kind, version)] = True

    def put(self, kind: str, version: str, key: str, value: Any) -> None:
        """Store one value of `kind` made by `version`."""
        self.put_many(kind, version, {key: value})

    def keep_only(self, kind: str, keys: Iterable[str]) -> None:
        """Drop the rows of `kind` whose key is not in `keys` (things deleted since)."""
        db = self._connect()
        if db is None:
            return
        keep = set(keys)
        try:
            stale = [
                (kind, key)
                for (key,) in db.execute("SELECT key FROM entry WHERE kind = ?", (kind,))
                if key not in keep
            ]
            if stale:
                with db:
                    db.execute("BEGIN")
                    db.executemany("DELETE FROM entry WHERE kind = ? AND key = ?", stale)
        except sqlite3.Error as exc:
            self._fail(exc)

    def close(self) -> None:
        """Close the database, if it was opened."""
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> Cache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
