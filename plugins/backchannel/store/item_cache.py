"""Parsed items in the one SQLite cache (cache.py), so an unchanged file costs a stat, not a parse.

One row per item file, kind `items <state folder>` (so stores sharing a
CACHE_PATH never mix), keyed by the path under that folder. The value is JSON:
the file's stamp (mtime_ns, size, inode) and the item's fields. A row whose
stamp differs from the file's is parsed again and rewritten; rows of files that
are gone are dropped. Only changed rows are written. (A row of an older
version whose file is deleted lingers until the next deletion: dead weight only.)
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from backchannel.errors import ItemFormatError
from backchannel.model import Item, Kind, MentionType, State
from backchannel.store.cache import Cache
from backchannel.store.files import LoadResult, list_files, read_many, stamp_of

# The item's fields in a row, after the stamp, in the dataclass's order (state
# comes from the folder). A new field changes the version; so must any change
# to what parsing a file yields (bump the number).
_FIELDS = tuple(f.name for f in fields(Item) if f.name != "state")
VERSION = f"items-1-{zlib.crc32(','.join(_FIELDS).encode()):08x}"
_DATE = _FIELDS.index("date")
_KINDS = {k.value: k for k in Kind}
_MENTIONS: dict[str | None, MentionType | None] = {m.value: m for m in MentionType}
_MENTIONS[None] = None
T = TypeVar("T")
# A cached row: a list as read back from JSON, or the tuple a parse has just made.
Row = Sequence[Any]
_PARSE_BLOCK = 1024


def item_values(item: Item) -> list[Any]:
    """An item's fields (but its state) as JSON values, in the dataclass's order."""
    values = list(map(item.__dict__.__getitem__, _FIELDS))
    values[_DATE] = item.date.isoformat()
    return values


def _item(row: Row, state: State) -> Item:
    return item_from_values(row[3:], state)


def item_from_values(values_: Row, state: State) -> Item:
    """The item whose fields item_values gave (KeyError, TypeError or ValueError if not such)."""
    # Built as model._new_item builds a parsed one (no frozen __init__): the
    # row holds every field, so the instance dict is filled from it directly.
    item = object.__new__(Item)
    values = item.__dict__
    values.update(zip(_FIELDS, values_, strict=True))
    values["kind"] = _KINDS[values["kind"]]
    values["date"] = datetime.fromisoformat(values["date"])
    values["mention_type"] = _MENTIONS[values["mention_type"]]
    values["reasons"] = tuple(values["reasons"]) if values["reasons"] else ()
    values["state"] = state
    return item


def load(root: Path | str, states: Iterable[State], cache_dir: Path | str | None) -> LoadResult:
    """Every item in the states' folders, parsed or from the cache; problems for the rest."""
    result = LoadResult()
    with Cache(cache_dir) as cache:
        for state in states:
            _load_state(root, state, cache, result)
    return result


def _load_state(root: Path | str, state: State, cache: Cache, result: LoadResult) -> None:
    items, problems = load_derived(
        root,
        state,
        cache,
        "items",
        VERSION,
        item_values,
        lambda row, _: _item(row, state),
        lambda item, _: item,
    )
    result.items.extend(items)
    result.problems.extend(problems)


def load_derived(
    root: Path | str,
    state: State,
    cache: Cache,
    name: str,
    version: str,
    derive: Callable[[Item], list[Any]],
    decode: Callable[[Row, str], T],
    parsed: Callable[[Item, Row], T] | None = None,
) -> tuple[list[T], list[ItemFormatError]]:
    """What a reader keeps of each item file of `state`, in listing order, and the problems.

    Rows of kind `<name> <state folder>`, keyed like the parsed items' and valid
    while the file's stamp matches: `[*stamp, *derive(item)]`. `decode` turns a
    whole row (stamp first) and the file's path into what is returned; a row it
    cannot read (KeyError, TypeError, ValueError) is made again from its file. A
    changed file is parsed and its row rewritten; rows of files that are gone are
    dropped. What comes of a parsed file is decoded from its new row, so it is
    what a cached row gives; or `parsed(item, row)`, for a reader whose row decodes
    to what it gets from the item anyway (no round trip through the row).
    """
    base = os.path.join(root, state.value) + os.sep
    kind = f"{name} {os.path.abspath(base)}"
    rows = cache.get_many(kind, version)
    files = list(list_files(root, [state]))
    keys = [path[len(base) :] for path, _ in files]
    outcomes, fresh, problems = derive_files(files, keys, rows, derive, decode, parsed)
    cache.put_many(kind, version, fresh)
    if rows:  # some cached files are gone
        cache.keep_only(kind, keys)
    return outcomes, problems


def derive_files(
    files: list[tuple[str, State]],
    keys: list[str],
    rows: dict[str, Any],
    derive: Callable[[Item], list[Any]],
    decode: Callable[[Row, str], T],
    parsed: Callable[[Item, Row], T] | None = None,
) -> tuple[list[T], dict[str, tuple[Any, ...]], list[ItemFormatError]]:
    """The files' outcomes from their cached `rows` (by key) or parsed; the new rows; problems.

    A row is used while its file's stamp matches, and taken out of `rows` as used:
    what is left are rows of files that are gone. See `load_derived`.
    """
    outcomes: list[Any] = []
    pending = []
    for n, (path, _) in enumerate(files):
        # Taken out as used: each decoded row is freed as soon as it is used.
        row = rows.pop(keys[n], None)
        if row is not None:
            try:
                stat = os.stat(path)
            except OSError:
                pass  # gone meanwhile: reading it again reports that
            else:
                try:
                    if (row[0], row[1], row[2]) == stamp_of(stat):
                        outcomes.append(decode(row, path))
                        continue
                except (KeyError, TypeError, ValueError, IndexError):
                    pass  # a row not as derive makes it: parse the file, never trust the row
        outcomes.append(None)
        pending.append(n)
    fresh = {}
    problems = []
    # Parsed a block at a time: a cold load holds one block of whole items, not 100,000.
    for first in range(0, len(pending), _PARSE_BLOCK):
        block = pending[first : first + _PARSE_BLOCK]
        for n, (stamp, item) in zip(block, read_many([files[n] for n in block]), strict=True):
            if isinstance(item, Item):
                # A tuple, not a list: a tuple of strings and numbers leaves the cycle
                # collector's care at its first collection, and a cold load holds
                # 100,000 new rows until they are stored (a list is traversed by
                # every full collection meanwhile).
                row = fresh[keys[n]] = (*(stamp or ()), *derive(item))
                outcomes[n] = decode(row, files[n][0]) if parsed is None else parsed(item, row)
            else:
                problems.append(item)
    return [o for o in outcomes if o is not None], fresh, problems
