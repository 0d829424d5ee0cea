"""The one atomic write: temp file, fsync, rename (or no-replace link), folder fsync.

A reader sees the old file or the new one, never half of one; once the call
returns the new file survives a crash (unless `durable=False`: see
`atomic_write`). With `replace=False` the file is placed
with os.link, which fails with FileExistsError instead of overwriting: two
writers can never clobber each other.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import threading
from collections.abc import Iterable
from pathlib import Path


def temp_prefix(kind: str) -> str:
    """Prefix of a temp name that names this process, so a crashed writer's leftover is known."""
    return f"{kind}-{os.getpid()}-"


def _fsync_now(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _FolderSync:
    """Group commit for folder fsyncs: one fsync covers every writer waiting on it.

    Concurrent receiver requests each link a new file into inbox/ and must see
    the folder synced before answering. A writer registers *after* its link;
    any fsync of that folder that starts after the registration covers it, so
    one leader syncs on behalf of all who registered before it started.
    """

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._registered: dict[str, int] = {}
        self._synced: dict[str, int] = {}
        self._busy: set[str] = set()

    def sync(self, path: Path | str) -> None:
        key = os.fspath(path)
        with self._cond:
            ticket = self._registered.get(key, 0) + 1
            self._registered[key] = ticket
            while self._synced.get(key, 0) < ticket:
                if key in self._busy:
                    self._cond.wait()
                    continue
                self._busy.add(key)
                target = self._registered[key]
                self._cond.release()
                try:
                    _fsync_now(key)
                finally:
                    self._cond.acquire()
                    self._busy.discard(key)
                    self._cond.notify_all()
                self._synced[key] = max(self._synced.get(key, 0), target)


fsync_folder = _FolderSync().sync


def _temp(folder: str, data: bytes | Iterable[bytes], mode: int, durable: bool = True) -> str:
    """A new file in `folder` holding data (fsynced when durable); its path."""
    prefix = "." + temp_prefix("w")
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=prefix)
    except FileNotFoundError:  # the first write there: no mkdir per write
        os.makedirs(folder, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=folder, prefix=prefix)
    try:
        os.fchmod(fd, mode)
        if isinstance(data, bytes):
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        else:  # chunks as they come: a large file is never held whole
            with open(fd, "wb", buffering=1 << 20, closefd=False) as out:
                out.writelines(data)
        if durable:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        os.unlink(name)
        raise
    os.close(fd)
    return name


def atomic_write(
    path: Path | str,
    data: bytes | Iterable[bytes],
    *,
    replace: bool = True,
    mode: int = 0o600,
    temp_dir: Path | str | None = None,
    durable: bool = True,
) -> None:
    """Write `data` to `path` atomically and durably, making its folder if missing.

    `data` is bytes, or chunks of bytes written as they come. `replace=False`
    raises FileExistsError rather than overwrite. The temp file goes to
    `temp_dir` (same file system; the store's `.tmp/`) or, by default, beside
    `path` as a hidden name. `mode` is the new file's. `durable=False` keeps the
    all-or-nothing rename but skips the fsyncs: for files rebuilt from the store
    anyway (output/), where a reader must never see half a page but a power cut
    may cost the last update until the next build.
    """
    dest = os.fspath(path)
    folder = os.path.dirname(dest) or "."
    tmp_folder = os.fspath(temp_dir) if temp_dir is not None else folder
    tmp = _temp(tmp_folder, data, mode, durable)
    try:
        try:
            _place(tmp, dest, replace)
        except FileNotFoundError:  # dest's folder does not exist yet
            os.makedirs(folder, exist_ok=True)
            if durable:
                fsync_folder(os.path.dirname(os.path.abspath(folder)))  # the new folder's entry
            _place(tmp, dest, replace)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        fsync_folder(folder)


def _place(tmp: str, dest: str, replace: bool) -> None:
    if replace:
        os.replace(tmp, dest)
    else:
        os.link(tmp, dest)
        os.unlink(tmp)
