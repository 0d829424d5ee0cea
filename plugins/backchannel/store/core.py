"""The Store: an item's path, reading, writing, moving, and the private area."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import re
import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from backchannel.errors import AmbiguousItemError, StoreError, UnknownItemError
from backchannel.model import ARTICLE_RE, ID_RE, Item, State, dumps
from backchannel.settings import Resolved
from backchannel.store import item_cache, temps
from backchannel.store.atomic import atomic_write, fsync_folder
from backchannel.store.files import SUFFIX, LoadResult, list_files, parse_file, read_bytes, stem

PRIVATE = "private"
TMP = ".tmp"
PREFIX_RE = re.compile(r"^[a-z0-9]{1,40}$")


def new_id() -> str:
    """A fresh random id: 12 hex digits, short enough to type a prefix of."""
    return secrets.token_hex(6)


def derived_id(origin: str, origin_id: str) -> str:
    """A stable id for an imported item, so re-imports find it again."""
    return hashlib.sha256(f"{origin}\0{origin_id}".encode()).hexdigest()[:12]


class Store:
    """Read and write feedback items under one root folder."""

    def __init__(
        self, root: Path | str, secret: str | None = None, cache_dir: Path | str | None = None
    ) -> None:
        self.root = Path(root)
        self._secret = secret.encode() if secret else None
        # Parsed items are cached outside feedback/ (in Pelican's CACHE_PATH),
        # so reading 100,000 unchanged files costs a stat each, not a parse.
        self.cache_dir = cache_dir

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
    def read(self, path: Path | str, state: State) -> Item:
        """Parse one file; ItemFormatError says which line is wrong."""
        return parse_file(path, state, *read_bytes(path))[1]

    def load(self, states: Iterable[State] = tuple(State)) -> LoadResult:
        """Every item in the given states; unreadable files become problems."""
        return item_cache.load(self.root, states, self.cache_dir)

    def items(self, states: Iterable[State] = tuple(State)) -> list[Item]:
        """Every item that parses, in the given states."""
        return self.load(states).items

    def ids(self) -> set[str]:
        """Ids of every item in every state (from file names: no parsing)."""
        return {stem(path) for path, _ in list_files(self.root, State)}

    def locations(self, states: Iterable[State] = tuple(State)) -> dict[str, tuple[str, State]]:
        """Path and state of every item file, by id (from file names: no parsing)."""
        return {stem(path): (path, state) for path, state in list_files(self.root, states)}

    def find(self, prefix: str, states: Iterable[State] = tuple(State)) -> Item:
        """The one item whose id starts with `prefix`."""
        if not PREFIX_RE.match(prefix):
            raise UnknownItemError(f"{prefix!r} is not an item id")
        states = tuple(states)
        for state in states:
            # A whole id in a flat folder before the published one (the inbox:
            # `approve ID`) is found without listing every article folder.
            if state == State.PUBLISHED:
                break
            path = os.path.join(self.root, state.value, prefix + SUFFIX)
            if os.path.isfile(path):
                return self.read(path, state)
        matches = list(list_files(self.root, states, prefix))
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
    def _write(self, dest: Path, data: bytes, replace: bool) -> None:
        try:
            atomic_write(dest, data, replace=replace, temp_dir=self.root / TMP)
        except FileExistsError:
            raise StoreError(f"an item already exists at {dest}") from None
        except OSError as exc:
            raise StoreError(f"cannot write {dest}: {exc.strerror}") from exc

    def add(self, item: Item, private: dict[str, Any] | None = None) -> Item:
        """Store a new item in its state's folder; private data goes beside, never in it."""
        if private:
            self.write_private(item.id, private)
        try:
            self._write(self.path_of(item), dumps(item).encode("utf-8"), replace=False)
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
        self._write(path, dumps(item).encode("utf-8"), replace=True)
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
                    raise FileNotFoundError(src)  # noqa: TRY301  told as the handler below tells it
                self._write(src, dumps(moved).encode("utf-8"), replace=True)
            if dst != src:
                os.rename(src, dst)
            fsync_folder(dst.parent)
            if src.parent != dst.parent:
                fsync_folder(src.parent)
        except FileNotFoundError:
            raise UnknownItemError(f"item {item.id} was moved or deleted meanwhile") from None
        except OSError as exc:
            raise StoreError(f"cannot move {src} to {dst}: {exc.strerror}") from exc
        self.prune(src.parent)
        return moved

    def delete(self, item: Item) -> None:
        """Remove an item and its private data."""
        path = self.path_of(item)
        try:
            path.unlink()
        except FileNotFoundError:
            raise UnknownItemError(f"item {item.id} was already deleted") from None
        self._private_path(item.id).unlink(missing_ok=True)
        fsync_folder(path.parent)
        self.prune(path.parent)

    def prune(self, folder: Path) -> None:
        """Drop an article folder that became empty, so git shows no stray dirs."""
        if folder.parent.name == State.PUBLISHED.value:
            with contextlib.suppress(OSError):  # not empty: keep it
                folder.rmdir()

    # --- leftovers of crashed writers ---------------------------------------
    def stale_temps(self) -> list[Path]:
        """Entries of `.tmp/` left by a writer that died, oldest name first (see temps.py)."""
        return temps.stale(self.root / TMP)

    def sweep_temps(self) -> list[Path]:
        """Remove what `stale_temps` finds (never a visible item: those were never linked)."""
        return temps.sweep(self.root / TMP)

    # --- private area -----------------------------------------------------
    def _private_path(self, item_id: str) -> Path:
        if not ID_RE.match(item_id):
            raise StoreError(f"invalid item id {item_id!r}")
        return self.root / PRIVATE / f"{item_id}.json"

    def write_private(self, item_id: str, data: dict[str, Any]) -> None:
        """Keep an item's private data (e-mail, IP, notify flag) out of the public record."""
        self._write(
            self._private_path(item_id), json.dumps(data, sort_keys=True).encode(), replace=True
        )

    def write_private_file(self, name: str, data: bytes) -> None:
        """Atomically write a named file in the private area (not an item's)."""
        if "/" in name or name.startswith("."):
            raise StoreError(f"invalid private file name {name!r}")
        self._write(self.root / PRIVATE / name, data, replace=True)

    def read_private(self, item_id: str) -> dict[str, Any]:
        """An item's private data, or {} if there is none."""
        try:
            return json.loads(self._private_path(item_id).read_text("utf-8"))
        except (OSError, ValueError):
            return {}

    def secret(self) -> bytes:
        """The site's signing key: the setting, or one generated once into the private area."""
        if self._secret:
            return self._secret
        path = self.root / PRIVATE / "secret"
        if not path.exists():
            # Another process may create it first; then use theirs.
            with contextlib.suppress(StoreError):
                self._write(path, secrets.token_hex(32).encode(), replace=False)
        self._secret = path.read_bytes().strip()
        return self._secret

    def email_hash(self, email: str) -> str:
        """A keyed hash of an e-mail address: matches a person without publishing them."""
        digest = hmac.new(self.secret(), email.strip().lower().encode(), hashlib.sha256)
        return digest.hexdigest()[:16]


def open_store(settings: Resolved, cache: bool = True) -> Store:
    """The store the settings point at; with the parsed-item cache if asked."""
    return Store(settings.feedback_path, settings["SECRET"], settings.cache_dir if cache else None)
