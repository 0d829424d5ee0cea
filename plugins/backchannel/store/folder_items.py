"""The items of one folder (an article's published folder, or a flat state folder), one at a time.

The build reads the store a folder at a time and keeps none of it (build/threads.py), so it
never holds every item at once. Each file goes through the parsed-item rows of item_cache
(the same kind, key and version as `Store.load`), so an unchanged file costs a stat and one
row, and a changed one is parsed and its row rewritten. Rows of files that are gone are left
for `Store.load` to drop: finding them would need every key of the state at once.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

from backchannel.errors import ItemFormatError
from backchannel.model import Item, State
from backchannel.store.cache import Cache
from backchannel.store.files import Stamp, item_names, stamp_of, stem
from backchannel.store.item_cache import (
    VERSION,
    Row,
    derive_files,
    item_from_values,
    item_values,
)


def load_folder(
    root: Path | str,
    state: State,
    folder: str,
    cache: Cache,
    fresh: dict[str, Row] | None = None,
) -> tuple[list[tuple[Item, Stamp]], list[ItemFormatError]]:
    """(item, its file's stamp) for each file of a folder of `state` that parses; the problems.

    Sorted by file name, as `Store.load` lists them. The rows of files parsed are stored at
    once, or left in `fresh` for the caller to store (`store_rows`) with other folders' rows:
    one write for many folders.
    """
    try:
        names = item_names(folder)
    except OSError:
        return [], []
    base = os.path.join(root, state.value) + os.sep
    kind = f"items {os.path.abspath(base)}"
    files = [(os.path.join(folder, name), state) for name in names]
    keys = [path[len(base) :] for path, _ in files]
    items, mine, problems = derive_files(
        files,
        keys,
        cache.get_many(kind, VERSION, keys),
        item_values,
        lambda row, _: (item_from_values(row[3:], state), _stamp(row)),
        lambda item, row: (item, _stamp(row)),
    )
    if fresh is None:
        cache.put_many(kind, VERSION, mine)
    else:
        fresh.update((f"{kind}\0{key}", row) for key, row in mine.items())
    return items, problems


def _stamp(row: Row) -> Stamp:
    """The file stamp a row starts with."""
    return row[0], row[1], row[2]


def store_rows(cache: Cache, fresh: dict[str, Row]) -> None:
    """Store the rows `load_folder` left in `fresh`, and empty it."""
    by_kind: dict[str, dict[str, Row]] = {}
    for name, row in fresh.items():
        kind, key = name.split("\0", 1)
        by_kind.setdefault(kind, {})[key] = row
    for kind, rows in by_kind.items():
        cache.put_many(kind, VERSION, rows)
    fresh.clear()


def stamps_signature(stamps: Iterable[tuple[str, Stamp]]) -> str:
    """A hash of a folder's (item id, file stamp) pairs, in file-name order.

    Rows derived from a whole folder (build/summaries.py) hold while it matches: the
    stamps stand for the files' contents as they do for the parsed-item rows, and the
    ids for the names (a file's name is its item's id).
    """
    digest = hashlib.blake2b(digest_size=16)
    for item_id, (mtime, size, inode) in stamps:
        digest.update(f"{item_id}\0{mtime}\0{size}\0{inode}\n".encode())
    return digest.hexdigest()


def folder_signature(folder: str) -> str | None:
    """`stamps_signature` of the item files a folder holds now; None if it cannot be listed."""
    start = os.path.join(folder, "")
    try:
        stamps = [(stem(name), stamp_of(os.stat(start + name))) for name in item_names(folder)]
    except OSError:
        return None
    return stamps_signature(stamps)
