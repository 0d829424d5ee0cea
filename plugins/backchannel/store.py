"""The feedback store: the one place that reads and writes `feedback/`.

Layout (an item's state is the folder it lives in; moving is a rename):

    feedback/inbox/<id>.md                awaiting moderation
    feedback/published/<article>/<id>.md  on the site
    feedback/spam/<id>.md, rejected/<id>.md, unmatched/<id>.md
    feedback/private/                     e-mail addresses, IPs, the secret (git-ignored)

Every write goes temp file -> fsync -> link/rename -> fsync of the folder, so an
acknowledged item survives a crash and no reader ever sees half a file. New
items are created with os.link, which fails instead of overwriting: two writers
can never clobber each other.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import fcntl
import hashlib
import hmac
import json
import logging
import os
import pickle
import re
import secrets
import struct
import sys
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from backchannel.errors import (
    AmbiguousItemError,
    ItemFormatError,
    StoreError,
    UnknownItemError,
)
from backchannel.model import ARTICLE_RE, ID_RE, Item, State, dumps, loads
from backchannel.parallel import in_two
from backchannel.settings import Resolved

if TYPE_CHECKING:
    from backchannel.background import Deferred

logger = logging.getLogger(__name__)

SUFFIX = ".md"
PRIVATE = "private"
TMP = ".tmp"
FLAT_STATES = (State.INBOX, State.SPAM, State.REJECTED, State.UNMATCHED)
PREFIX_RE = re.compile(r"^[a-z0-9]{1,40}$")
# Temp files and batch folders carry the writer's pid (`w-<pid>-...`), so a
# leftover of a killed process can be told from a write in progress.
TEMP_RE = re.compile(r"^[a-z]+-(\d+)-")
CACHE_NAME = "backchannel-items.pickle"
# Below this many files a helper process costs more than it saves.
PARALLEL_MIN = 4000
CACHE_VERSION = 1
# A file's (mtime_ns, size, inode): unchanged means its cached parse still holds.
Signature = tuple[int, int, int]
# What reading one file gives: its signature and item, or (None, the problem).
Outcome = tuple[Signature | None, Item | ItemFormatError]


@dataclass
class LoadResult:
    """Items that parsed, and the problems of the files that did not."""

    items: list[Item] = field(default_factory=list)
    problems: list[ItemFormatError] = field(default_factory=list)


def new_id() -> str:
    """A fresh random id: 12 hex digits, short enough to type a prefix of."""
    return secrets.token_hex(6)


def derived_id(origin: str, origin_id: str) -> str:
    """A stable id for an imported item, so re-imports find it again."""
    return hashlib.sha256(f"{origin}\0{origin_id}".encode()).hexdigest()[:12]


def temp_prefix(kind: str) -> str:
    """Prefix of a temp name in `.tmp/` that names this process (see `Store.stale_temps`)."""
    return f"{kind}-{os.getpid()}-"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def _fsync_now(path: str) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class _DirectorySync:
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
        """Return once a fsync of `path` that began after this call has finished."""
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


_DIR_SYNC = _DirectorySync()


def _fsync_dir(path: Path | str) -> None:
    _DIR_SYNC.sync(path)


class Store:
    """Read and write feedback items under one root folder."""

    def __init__(
        self, root: Path | str, secret: str | None = None, cache_dir: Path | str | None = None
    ) -> None:
        self.root = Path(root)
        self._secret = secret.encode() if secret else None
        # Parsed items are cached outside feedback/ (in Pelican's CACHE_PATH),
        # so reading 100,000 unchanged files costs a stat each, not a parse.
        self.cache_file = Path(cache_dir) / CACHE_NAME if cache_dir else None

    # --- paths -------------------------------------------------------------
    def folder(self, state: State, article: str | None = None) -> Path:
        """The folder items of a state (and article, for published) live in."""
        if state == State.PUBLISHED:
            if article is None or not ARTICLE_RE.match(article):
                raise StoreError(f"invalid article id {article!r}")
            return self.root / State.PUBLISHED.value / article
        return self.root / state.value

    def path_of(self, item: Item, state: State | None = None) -> Path:
        """Where an item lives (or would live) in a given state."""
        if not ID_RE.match(item.id):
            raise StoreError(f"invalid item id {item.id!r}")
        return self.folder(state or item.state, item.article) / f"{item.id}{SUFFIX}"

    # --- reading -----------------------------------------------------------
    def _files(self, states: Iterable[State], prefix: str = "") -> Iterator[tuple[str, State]]:
        # Plain strings and os.scandir: a build lists 20,000 files, and
        # pathlib objects cost more than the parsing. `prefix` filters on the
        # bare file name, which is what `find` needs.
        for state in states:
            base = os.path.join(self.root, state.value)
            if not os.path.isdir(base):
                continue
            folders = [base]
            if state == State.PUBLISHED:
                folders = sorted(e.path for e in os.scandir(base) if e.is_dir())
            for folder in folders:
                # DirEntry.path is the joined path already (one join less per file).
                entries = sorted(
                    (e.name, e.path)
                    for e in os.scandir(folder)
                    if e.name.startswith(prefix)
                    and e.name.endswith(SUFFIX)
                    and not e.name.startswith(".")
                )
                for _, path in entries:
                    yield path, state

    def read(self, path: Path | str, state: State) -> Item:
        """Parse one file; ItemFormatError says which line is wrong."""
        return self._read_signed(path, state)[1]

    def _read_signed(self, path: Path | str, state: State) -> tuple[Signature, Item]:
        """`read`, with the signature (mtime, size, inode) of the file as it was read."""
        return _parse_file(path, state, *_read_bytes(path))

    def load(
        self,
        states: Iterable[State] = tuple(State),
        parallel: bool = True,
        defer: Deferred | None = None,
    ) -> LoadResult:
        """Every item in the given states; unreadable files become problems.

        `parallel=False` keeps the parsing in this process (for callers that
        are themselves a helper process beside a busy parent). With `defer`,
        rewriting the parsed-item cache is queued there instead of done now.
        """
        states = tuple(states)
        cache = self._read_cache()
        files = list(self._files(states))
        signatures: list[Signature | None] = [None] * len(files)
        parsed: list[Item | ItemFormatError | None] = [None] * len(files)
        pending: list[int] = []
        for n, (path, _) in enumerate(files):
            cached = cache.get(path)
            # Only a file the cache knows is stat-ed here; the others are read
            # anyway, and their reader takes the signature (a first load of
            # 100,000 files no longer stats them all before the helper starts).
            if cached is not None:
                try:
                    stat = os.stat(path)
                except OSError as exc:
                    parsed[n] = ItemFormatError(f"cannot read: {exc.strerror}", path, 0)
                    continue
                signatures[n] = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
                if cached[0] == signatures[n]:
                    parsed[n] = cached[1]
                    continue
            pending.append(n)
        todo = [files[n] for n in pending]
        outcomes = self._read_all(todo) if parallel else _read_many(todo)
        for n, (signature, outcome) in zip(pending, outcomes, strict=True):
            signatures[n] = signature
            parsed[n] = outcome
        result = LoadResult()
        fresh: dict[str, tuple[Signature, Item]] = {}
        for (path, _), signature, outcome in zip(files, signatures, parsed, strict=True):
            if isinstance(outcome, Item):
                result.items.append(outcome)
                if signature is not None:
                    fresh[path] = (signature, outcome)
            elif outcome is not None:
                result.problems.append(outcome)
        if self.cache_file is not None:
            scanned = tuple(os.path.join(self.root, st.value) + os.sep for st in states)
            merged = {p: e for p, e in cache.items() if not p.startswith(scanned)}
            merged.update(fresh)
            if merged.keys() != cache.keys() or any(
                cache[p][0] != entry[0] for p, entry in merged.items()
            ):
                if defer is None:
                    self._write_cache(merged)
                else:
                    defer.add(self._write_cache, merged)
        return result

    def _read_all(self, files: list[tuple[str, State]]) -> list[Outcome]:
        """Parse many files; a large batch is shared with a forked helper on the second core."""
        return in_two(_read_many, files, PARALLEL_MIN)

    def _read_cache(self) -> dict[str, tuple[Signature, Item]]:
        if self.cache_file is None:
            return {}
        try:
            with open(self.cache_file, "rb") as handle:
                data = pickle.load(handle)
        except (
            OSError,
            pickle.UnpicklingError,
            EOFError,
            AttributeError,
            ImportError,
            ValueError,
            TypeError,
        ):
            return {}  # a missing or stale cache is rebuilt, never trusted
        if not isinstance(data, dict) or data.get("version") != CACHE_VERSION:
            return {}
        if data.get("root") != str(self.root.resolve()):
            return {}
        return data["entries"]

    def _write_cache(self, entries: dict[str, tuple[Signature, Item]]) -> None:
        if self.cache_file is None:
            return
        data = {"version": CACHE_VERSION, "root": str(self.root.resolve()), "entries": entries}
        try:
            self.cache_file.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=self.cache_file.parent, prefix=".items-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(data, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(name, self.cache_file)
        except OSError:
            # A cache that cannot be written only costs speed next time.
            logger.debug("backchannel: cannot write the item cache %s", self.cache_file)

    def items(self, states: Iterable[State] = tuple(State)) -> list[Item]:
        """Every item that parses, in the given states."""
        return self.load(states).items

    def ids(self) -> set[str]:
        """Ids of every item in every state (from file names: no parsing)."""
        return {os.path.basename(path)[: -len(SUFFIX)] for path, _ in self._files(tuple(State))}

    def locations(self, states: Iterable[State] = tuple(State)) -> dict[str, tuple[str, State]]:
        """Path and state of every item file, by id (from file names: no parsing)."""
        return {
            os.path.basename(path)[: -len(SUFFIX)]: (path, state)
            for path, state in self._files(states)
        }

    def find(self, prefix: str, states: Iterable[State] = tuple(State)) -> Item:
        """The one item whose id starts with `prefix`."""
        if not PREFIX_RE.match(prefix):
            raise UnknownItemError(f"{prefix!r} is not an item id")

        def stem(path: str) -> str:
            return os.path.basename(path)[: -len(SUFFIX)]

        states = tuple(states)
        for state in states:
            # Fast path for a whole id in a flat folder before the published
            # one (the inbox: `approve ID`): the same answer as the scan below,
            # without listing 1,000 article folders (~30 ms).
            if state == State.PUBLISHED:
                break
            path = os.path.join(self.root, state.value, prefix + SUFFIX)
            if os.path.isfile(path):
                return self.read(path, state)
        matches = list(self._files(states, prefix))
        exact = [(p, s) for p, s in matches if stem(p) == prefix]
        if exact:
            matches = exact
        if not matches:
            raise UnknownItemError(f"no item with id {prefix!r}")
        if len({stem(p) for p, _ in matches}) > 1:
            names = ", ".join(sorted(stem(p) for p, _ in matches)[:5])
            raise AmbiguousItemError(f"id {prefix!r} is ambiguous: {names}")
        path, state = matches[0]
        return self.read(path, state)

    # --- writing -----------------------------------------------------------
    def _temp(self, data: bytes) -> str:
        """A new fsynced file in .tmp/ holding data; its path."""
        tmp_dir = os.path.join(self.root, TMP)
        try:
            fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=temp_prefix("w"))
        except FileNotFoundError:  # the first write of this store (no mkdir per write)
            os.makedirs(tmp_dir, exist_ok=True)
            fd, name = tempfile.mkstemp(dir=tmp_dir, prefix=temp_prefix("w"))
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except BaseException:
            os.close(fd)
            os.unlink(name)
            raise
        os.close(fd)
        return name

    def _place(self, data: bytes, dest: Path, move: Any) -> None:
        """Write data to a temp file, move it to dest, fsync dest's folder."""
        tmp = self._temp(data)
        try:
            try:
                move(tmp, dest)
            except FileNotFoundError:  # dest's folder does not exist yet
                dest.parent.mkdir(parents=True, exist_ok=True)
                _fsync_dir(dest.parent.parent)  # the new folder's own entry
                move(tmp, dest)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
        _fsync_dir(dest.parent)

    def _create(self, dest: Path, data: bytes) -> None:
        """Write a new file atomically; refuse to overwrite an existing one."""
        try:
            # One rename that refuses to overwrite (place_new), rather than
            # link + unlink: a syscall less per comment the receiver stores.
            self._place(data, dest, place_new)
        except FileExistsError:
            raise StoreError(f"an item already exists at {dest}") from None
        except OSError as exc:
            raise StoreError(f"cannot write {dest}: {exc.strerror}") from exc

    def _replace(self, dest: Path, data: bytes) -> None:
        try:
            self._place(data, dest, os.replace)
        except OSError as exc:
            raise StoreError(f"cannot write {dest}: {exc.strerror}") from exc

    def add(self, item: Item, private: dict[str, Any] | None = None) -> Item:
        """Store a new item in its state's folder; private data goes beside, never in it."""
        if private:
            self.write_private(item.id, private)
        try:
            self._create(self.path_of(item), dumps(item).encode("utf-8"))
        except StoreError:
            if private:
                self._private_path(item.id).unlink(missing_ok=True)
            raise
        return item

    def update(self, item: Item) -> Item:
        """Rewrite an existing item in place (same id, same state)."""
        path = self.path_of(item)
        if not path.exists():
            raise UnknownItemError(f"no item {item.id} in {item.state}")
        self._replace(path, dumps(item).encode("utf-8"))
        return item

    def move(self, item: Item, state: State, **changes: Any) -> Item:
        """Move an item to another state (an atomic rename), optionally changing fields."""
        moved = item.with_changes(state=state, **changes)
        src, dst = self.path_of(item), self.path_of(moved)
        if src == dst and not changes:
            return item
        if dst.exists() and dst != src:
            raise StoreError(f"an item already exists at {dst}")
        try:
            dst.parent.mkdir(parents=True, exist_ok=True)
            if changes:
                # New content replaces the old in place first (atomic), then one
                # rename moves it: a crash leaves the old or the new file, never
                # both (writing to the destination first left a duplicate id).
                if not src.exists():
                    raise FileNotFoundError(src)
                self._replace(src, dumps(moved).encode("utf-8"))
            if dst != src:
                os.rename(src, dst)
            _fsync_dir(dst.parent)
            if src.parent != dst.parent:
                _fsync_dir(src.parent)
        except FileNotFoundError:
            raise UnknownItemError(f"item {item.id} was moved or deleted meanwhile") from None
        except OSError as exc:
            raise StoreError(f"cannot move {src} to {dst}: {exc.strerror}") from exc
        self._prune(src.parent)
        return moved

    def delete(self, item: Item) -> None:
        """Remove an item and its private data."""
        path = self.path_of(item)
        try:
            path.unlink()
        except FileNotFoundError:
            raise UnknownItemError(f"item {item.id} was already deleted") from None
        self._private_path(item.id).unlink(missing_ok=True)
        _fsync_dir(path.parent)
        self._prune(path.parent)

    def _prune(self, folder: Path) -> None:
        """Drop an article folder that became empty, so git shows no stray dirs."""
        if folder.parent.name == State.PUBLISHED.value:
            with contextlib.suppress(OSError):  # not empty: keep it
                folder.rmdir()

    # --- leftovers of crashed writers ---------------------------------------
    def stale_temps(self) -> list[Path]:
        """Entries of `.tmp/` left by a writer that died (a crash mid-write), oldest name first.

        A name without a pid (an older format) counts as stale; a name whose
        process still runs is a write in progress and is left alone.
        """
        tmp = self.root / TMP
        try:
            names = sorted(os.listdir(tmp))
        except FileNotFoundError:
            return []
        stale = []
        for name in names:
            match = TEMP_RE.match(name)
            if match and _pid_alive(int(match.group(1))):
                continue
            stale.append(tmp / name)
        return stale

    def sweep_temps(self) -> list[Path]:
        """Remove what `stale_temps` finds (never a visible item: those were never linked)."""
        import shutil

        removed = []
        for path in self.stale_temps():
            try:
                if path.is_dir():
                    shutil.rmtree(path)
                else:
                    path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                logger.warning("backchannel: cannot remove leftover %s: %s", path, exc.strerror)
                continue
            removed.append(path)
        if removed:
            logger.info(
                "backchannel: removed %d leftover temp file(s) of crashed writes", len(removed)
            )
        return removed

    # --- private area -----------------------------------------------------
    def _private_path(self, item_id: str) -> Path:
        if not ID_RE.match(item_id):
            raise StoreError(f"invalid item id {item_id!r}")
        return self.root / PRIVATE / f"{item_id}.json"

    def write_private(self, item_id: str, data: dict[str, Any]) -> None:
        """Keep an item's private data (e-mail, IP, notify flag) out of the public record."""
        self._replace(self._private_path(item_id), json.dumps(data, sort_keys=True).encode())

    def write_private_file(self, name: str, data: bytes) -> None:
        """Atomically write a named file in the private area (not an item's)."""
        if "/" in name or name.startswith("."):
            raise StoreError(f"invalid private file name {name!r}")
        self._replace(self.root / PRIVATE / name, data)

    def read_private(self, item_id: str) -> dict[str, Any]:
        """An item's private data, or {} if there is none."""
        try:
            return json.loads(self._private_path(item_id).read_text("utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            return {}

    def secret(self) -> bytes:
        """The site's signing key: the setting, or one generated once into the private area."""
        if self._secret:
            return self._secret
        path = self.root / PRIVATE / "secret"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            # Another process may create it first; then use theirs.
            with contextlib.suppress(StoreError):
                self._create(path, secrets.token_hex(32).encode())
        self._secret = path.read_bytes().strip()
        return self._secret

    def email_hash(self, email: str) -> str:
        """A keyed hash of an e-mail address: matches a person without publishing them."""
        digest = hmac.new(self.secret(), email.strip().lower().encode(), hashlib.sha256)
        return digest.hexdigest()[:16]


def _read_bytes(path: Path | str) -> tuple[os.stat_result, bytes]:
    """A file's bytes, and its stat as it was read."""
    # os.open/os.read rather than open(): no file and buffer objects per
    # file (5.6 instead of 14-19 us each, measured over 30,000 item files).
    fd = os.open(path, os.O_RDONLY)
    try:
        # fstat of the open file: the signature of exactly what is parsed,
        # and no second path lookup (see Store.load).
        stat = os.fstat(fd)
        data = os.read(fd, stat.st_size + 1)
        if len(data) != stat.st_size:  # it changed meanwhile (or a short read): read to the end
            chunks = [data]
            while more := os.read(fd, 1 << 16):
                chunks.append(more)
            data = b"".join(chunks)
    finally:
        os.close(fd)
    return stat, data


def _parse_file(
    path: Path | str, state: State, stat: os.stat_result, data: bytes
) -> tuple[Signature, Item]:
    """The signature and item of a file's bytes as read (see _read_bytes)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ItemFormatError(f"invalid UTF-8 at byte {exc.start}", path, line) from None
    item = loads(text, path, state)
    signature = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    # A path ending in /<Article>/<Id>.md passes both checks below: one string
    # test instead of os.path.split and basename (~3 us of the ~25 us a file).
    if state == State.PUBLISHED and os.fspath(path).endswith(
        f"{os.sep}{item.article}{os.sep}{item.id}{SUFFIX}"
    ):
        return signature, item
    folder, name = os.path.split(path)
    if name[: -len(SUFFIX)] != item.id:
        raise ItemFormatError(f"file name does not match Id {item.id!r}", path, 1)
    if state == State.PUBLISHED and os.path.basename(folder) != item.article:
        raise ItemFormatError(
            f"Article {item.article!r} does not match its folder {os.path.basename(folder)!r}",
            path,
            1,
        )
    return signature, item


# Files read in a row before they are parsed (see _read_many).
READ_BLOCK = 256


def _read_many(files: Sequence[tuple[str, State]]) -> list[Outcome]:
    out: list[Outcome] = []
    # A block of files is read, then parsed: system calls between parses made
    # each ~30% slower here (each call costs the CPU's caches; 45 -> 32 us a file).
    for first in range(0, len(files), READ_BLOCK):
        block = files[first : first + READ_BLOCK]
        read: list[tuple[os.stat_result, bytes] | OSError] = []
        for path, _ in block:
            try:
                read.append(_read_bytes(path))
            except OSError as exc:
                read.append(exc)
        for (path, state), outcome in zip(block, read, strict=True):
            try:
                if isinstance(outcome, OSError):
                    raise outcome
                out.append(_parse_file(path, state, *outcome))
            except ItemFormatError as exc:
                out.append((None, exc))
            except OSError as exc:
                out.append((None, ItemFormatError(f"cannot read: {exc.strerror}", path, 0)))
    return out


def open_store(settings: Resolved, cache: bool = True) -> Store:
    """The store the settings point at; with the parsed-item cache if asked."""
    return Store(settings.feedback_path, settings["SECRET"], settings.cache_dir if cache else None)


def _write_new(path: str, data: bytes, exclusive: bool = True) -> None:
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    fd = os.open(path, flags, 0o644)
    try:
        os.write(fd, data)
    finally:
        os.close(fd)


AT_FDCWD = -100
RENAME_NOREPLACE = 1


def _load_renameat2() -> Any:
    # Linux's renameat2(RENAME_NOREPLACE) moves a file into place in one step
    # and fails instead of overwriting; os.link + os.unlink does the same in two
    # (and the standard library does not expose the flag). None where missing.
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        func = libc.renameat2
    except (OSError, AttributeError):
        return None
    func.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    func.restype = ctypes.c_int
    return func


class _NoReplace:
    """The renameat2 function, dropped after the first file system that refuses the flag."""

    func: Any = _load_renameat2()


def place_new(src: str, dest: str) -> None:
    """Move a finished file to a new name; FileExistsError instead of overwriting."""
    func = _NoReplace.func
    if func is not None:
        if func(AT_FDCWD, os.fsencode(src), AT_FDCWD, os.fsencode(dest), RENAME_NOREPLACE) == 0:
            return
        err = ctypes.get_errno()
        if err not in (errno.EINVAL, errno.ENOSYS, errno.EPERM):
            raise OSError(err, os.strerror(err), src, None, dest)
        _NoReplace.func = None  # this file system or kernel cannot: link and unlink from now on
    os.link(src, dest)
    os.unlink(src)


# ext4's "top directory" flag (chattr +T): see `spread_subfolders`.
FS_IOC_GETFLAGS = 0x80086601
FS_IOC_SETFLAGS = 0x40086602
FS_TOPDIR_FL = 0x00020000


def spread_subfolders(path: Path | str) -> bool:
    """Best effort: ask ext4 to put new subfolders of `path` in uncrowded block groups.

    ext4 creates a file's inode in its folder's block group and, on a file
    system without a journal, skips every inode freed there in the last
    minutes, one by one: after a big delete nearby (a test run, a previous
    import's clean-up) each new file costs ~0.35 ms instead of ~0.025 ms.
    With the flag, a new subfolder goes to a group with room, as top-level
    folders do. Only a placement hint: anywhere it is not supported, nothing changes.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    except OSError:
        return False
    try:
        flags = struct.unpack("i", fcntl.ioctl(fd, FS_IOC_GETFLAGS, struct.pack("i", 0)))[0]
        if not flags & FS_TOPDIR_FL:
            fcntl.ioctl(fd, FS_IOC_SETFLAGS, struct.pack("i", flags | FS_TOPDIR_FL))
    except OSError:
        return False
    finally:
        os.close(fd)
    return True


class Batch:
    """Many new items written as one unit: staged, synced once, moved into place.

    Per-item fsyncs cost milliseconds each, far too slow for an import of
    200,000 comments. A batch writes each file once, into a staging folder
    under `.tmp/` (the same file system), makes them all durable with one
    `os.sync()`, then moves each into place without overwriting (renameat2
    RENAME_NOREPLACE, else link + unlink) and syncs again. Readers never see
    half a file; if anything fails, `rollback()` removes what this batch
    placed, so the store is as it was. Only the item's id and folder are kept
    per item (folder strings shared), so 200,000 items cost a few megabytes.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.stage = tempfile.mkdtemp(dir=self._tmp_root(), prefix=temp_prefix("batch"))
        self._entries: list[tuple[str, str]] = []  # (item id, destination folder)
        self._folders: dict[tuple[State, str], str] = {}
        self._placed = 0

    def _tmp_root(self) -> Path:
        root = self.store.root / TMP
        root.mkdir(parents=True, exist_ok=True)
        spread_subfolders(
            root
        )  # the staging folder (where every file is created) goes where there is room
        return root

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
                place_new(self._staged(number), dest)
                self._placed = number + 1
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
            self.store._prune(Path(folder))
        self._placed = 0
        self.discard()

    def discard(self) -> None:
        """Drop the staging folder (what was never committed is simply forgotten)."""
        import shutil

        shutil.rmtree(self.stage, ignore_errors=True)
        with contextlib.suppress(OSError):
            (self.store.root / TMP).rmdir()


def batch_of(store: Store) -> Batch:
    """A new write batch on a store."""
    return Batch(store)
