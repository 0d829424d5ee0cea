"""Many new items written as one unit: staged, synced once, moved into place."""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.errors import StoreError
from backchannel.model import ID_RE, Item, State, dumps, loads
from backchannel.store.atomic import temp_prefix
from backchannel.store.files import SUFFIX

if TYPE_CHECKING:
    from backchannel.store.core import Store


def _write_new(path: str, data: bytes, exclusive: bool = True) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


class Batch:
    """Many new items written as one unit: staged, synced once, moved into place.

    Per-item fsyncs cost milliseconds each, far too slow for an import of
    200,000 comments. A batch writes each file once, into a staging folder
    under `.tmp/` (the same file system), makes them all durable with one
    `os.sync()`, then links each into place (which fails instead of
    overwriting), unlinks the staged name, and syncs again. Readers never see
    half a file; if anything fails, `rollback()` removes what this batch
    placed, so the store is as it was. Only the item's id and folder are kept
    per item (folder strings shared), so 200,000 items cost a few megabytes.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        root = store.root / ".tmp"
        root.mkdir(parents=True, exist_ok=True)
        self.stage = tempfile.mkdtemp(dir=root, prefix=temp_prefix("batch"))
        self._entries: list[tuple[str, str]] = []  # (item id, destination folder)
        self._folders: dict[tuple[State, str], str] = {}
        self._placed = 0

    def _folder(self, item: Item) -> str:
        key = (item.state, item.article if item.state == State.PUBLISHED else "")
        folder = self._folders.get(key)
        if folder is None:
            folder = self._folders[key] = str(self.store.folder(item.state, item.article))
        return folder

    def _staged(self, number: int) -> str:
        return os.path.join(self.stage, f"{number}{SUFFIX}")

    def add(self, item: Item, text: str | None = None) -> int:
        """Stage one new item (its file text, if already made); returns its number in the batch."""
        if not ID_RE.match(item.id):
            raise StoreError(f"invalid item id {item.id!r}")
        folder = self._folder(item)
        number = len(self._entries)
        try:
            _write_new(self._staged(number), (text or dumps(item)).encode("utf-8"))
        except OSError as exc:
            raise StoreError(f"cannot stage {item.id}: {exc.strerror}") from exc
        self._entries.append((item.id, folder))
        return number

    def amend(self, number: int, **changes: Any) -> Item:
        """Change fields of a staged item (same id, same folder) before it is placed."""
        item_id = self._entries[number][0]
        path = self._staged(number)
        with open(path, encoding="utf-8") as handle:
            item = loads(handle.read(), path, State.INBOX)
        changed = item.with_changes(**changes)
        if changed.id != item_id:
            raise StoreError(f"a staged item cannot change its id ({item_id})")
        _write_new(path, dumps(changed).encode("utf-8"), exclusive=False)
        return changed

    def __len__(self) -> int:
        return len(self._entries)

    def commit(self) -> None:
        """Place every staged file; on any failure undo them all and raise StoreError."""
        dest = ""
        try:
            os.sync()  # the data of every staged file is on disk before any becomes visible
            made: set[str] = set()
            for number, (item_id, folder) in enumerate(self._entries):
                if folder not in made:
                    os.makedirs(folder, exist_ok=True)
                    made.add(folder)
                dest = os.path.join(folder, item_id + SUFFIX)
                os.link(self._staged(number), dest)  # FileExistsError rather than overwrite
                self._placed = number + 1
                os.unlink(self._staged(number))
            os.sync()
        except FileExistsError:
            self.rollback()
            raise StoreError(f"an item already exists at {dest}") from None
        except OSError as exc:
            self.rollback()
            raise StoreError(f"cannot write the batch: {exc.strerror}") from exc
        self.discard()

    def rollback(self) -> None:
        """Remove every file this batch placed, then the staging folder."""
        folders = set()
        for item_id, folder in self._entries[: self._placed]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(folder, item_id + SUFFIX))
            folders.add(folder)
        for folder in folders:
            self.store.prune(Path(folder))
        self._placed = 0
        self.discard()

    def discard(self) -> None:
        """Drop the staging folder (what was never committed is simply forgotten)."""
        shutil.rmtree(self.stage, ignore_errors=True)
        with contextlib.suppress(OSError):
            (self.store.root / ".tmp").rmdir()


def batch_of(store: Store) -> Batch:
    """A new write batch on a store."""
    return Batch(store)
