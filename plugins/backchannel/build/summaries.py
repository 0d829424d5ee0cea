"""What the build's pass keeps of one folder of items, kept between builds as one cache row.

The pass (build/threads.py) needs of each folder only counts, comment ids and dates, and a
hash of its items; a build with no comment changed would otherwise decode every item's row
to learn them again. A folder's summary is stored in the one cache (store/cache.py) with the
signature of its files (ids and stamps: store/folder_items.py) and used while the folder's
files still match it, so such a build lists and stats the files and decodes one small row per
folder. The summary holds nothing that depends on the articles or settings (those are applied
to it in each build), and a folder whose items depend on other folders (a reply whose parent
is elsewhere) or that has a file that does not parse gets no row: it is read whole each time.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from backchannel.model import Item, Kind, State
from backchannel.store.cache import Cache
from backchannel.store.files import Stamp
from backchannel.store.item_cache import VERSION as ITEMS_VERSION

# Rows of the one cache: kind `folder summary <state folder>`, keyed by the folder's path.
KIND = "folder summary"
# Raise the number when what a summary holds, or how the pass reads it, changes; an item
# parsed differently (the parsed-item rows' version) makes every summary again too.
VERSION = f"summary-2-{ITEMS_VERSION}"
MOD = 1 << 256
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def item_digest(folder: str, item: Item, stamp: Stamp) -> int:
    """A hash of an item's file and its stamp; a thread's hash is the sum of its items' (any order).

    The stamp stands for the content, as it does for the parsed-item rows (store/item_cache.py):
    a file written again gets a new one, so the thread gets a new hash and its fragments are
    made again.
    """
    text = f"{folder}\0{item.id}\0{stamp}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=32).digest(), "big")


def summarize(folder: str, items: Iterable[tuple[Item, Stamp]]) -> list[Any]:
    """A folder's shown items as the pass counts them: `[groups, comments]`, JSON values.

    Items are grouped by what decides their thread (article, origin URL): each group is
    `[article, origin URL, ids, comments, linkbacks, hash of those (hex)]`. `comments` are
    `[date, id, group, author, author reply]` in file order, for the site feed and `Answers:`;
    the date in microseconds since 1970 (an item's date always has an offset, so these
    integers order and tie exactly as the dates do).
    """
    where: dict[tuple[str, str | None], int] = {}
    groups: list[list[Any]] = []
    comments: list[list[Any]] = []
    for item, stamp in items:
        n = where.setdefault((item.article, item.origin_url), len(groups))
        if n == len(groups):
            groups.append([item.article, item.origin_url, [], 0, 0, 0])
        group = groups[n]
        group[2].append(item.id)
        if item.kind == Kind.COMMENT:
            group[3] += 1
            when = (item.date - _EPOCH) // _MICROSECOND
            comments.append([when, item.id, n, item.author, item.author_reply])
        elif item.is_linkback:
            group[4] += 1
        else:
            continue
        group[5] = (group[5] + item_digest(folder, item, stamp)) % MOD
    for group in groups:
        group[5] = f"{group[5]:064x}"
    return [groups, comments]


def kind_of(root: str, state: State) -> str:
    """The rows' kind for a state's folder: stores sharing a CACHE_PATH never mix."""
    return f"{KIND} {os.path.abspath(os.path.join(root, state.value))}"


class Summaries:
    """The stored summaries of one build's pass: read a block at a time, written in batches."""

    def __init__(self, cache: Cache, root: str, folders: list[tuple[State, str]]) -> None:
        self.cache = cache
        self.root = root
        self.folders = folders
        self.rows: dict[str, Any] = {}
        self.fresh: dict[State, dict[str, Any]] = {}
        self.pending = 0

    def get(self, position: int) -> tuple[str, list[Any]] | None:
        """(signature, summary) stored for `self.folders[position]`, if any.

        Rows are read for a block of folders at once (one query, not one per folder) and
        dropped as used: a build holds a block's summaries, never all of them.
        """
        state, folder = self.folders[position]
        if folder not in self.rows:
            block = [f for s, f in self.folders[position : position + _READ_BLOCK] if s == state]
            self.rows = self.cache.get_many(kind_of(self.root, state), VERSION, block)
            self.rows.update((f, None) for f in block if f not in self.rows)
        row = self.rows.pop(folder, None)
        if not isinstance(row, list) or len(row) != 2 or not isinstance(row[0], str):
            return None
        return row[0], row[1]

    def put(self, state: State, folder: str, signature: str, summary: list[Any]) -> None:
        """Keep a new summary, stored with others' (`flush`)."""
        self.fresh.setdefault(state, {})[folder] = [signature, summary]
        self.pending += 1
        if self.pending >= _WRITE_BATCH:
            self.flush()

    def flush(self) -> None:
        """Store the new summaries."""
        for state, rows in self.fresh.items():
            self.cache.put_many(kind_of(self.root, state), VERSION, rows)
        self.fresh = {}
        self.pending = 0

    def close(self) -> None:
        """Store the rest, and drop the rows of folders that are gone."""
        self.flush()
        for state in {s for s, _ in self.folders}:
            self.cache.keep_only(
                kind_of(self.root, state), [f for s, f in self.folders if s == state]
            )


# Folders whose summaries one query reads (the cache scans the kind above 500 keys).
_READ_BLOCK = 100
# New summaries stored in one write.
_WRITE_BATCH = 100
