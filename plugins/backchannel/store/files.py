"""Reading item files: listing a state's folders, reading bytes, parsing them."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from backchannel.errors import ItemFormatError
from backchannel.model import Item, State, loads

SUFFIX = ".md"
# A file's (mtime_ns, size, inode): unchanged means its cached parse still holds.
Stamp = tuple[int, int, int]
# What reading one file gives: its stamp and item, or (None, the problem).
Outcome = tuple[Stamp | None, Item | ItemFormatError]


@dataclass
class LoadResult:
    """Items that parsed, and the problems of the files that did not."""

    items: list[Item] = field(default_factory=list)
    problems: list[ItemFormatError] = field(default_factory=list)


def list_files(
    root: Path | str, states: Iterable[State], prefix: str = ""
) -> Iterator[tuple[str, State]]:
    """(path, state) of every item file in the states' folders, sorted by folder and name.

    Plain strings and os.scandir: a build lists 20,000 files, and pathlib
    objects cost more than the parsing. `prefix` filters on the bare file name.
    """
    for state, folder in item_folders(root, states):
        # folder + os.sep + name is what os.path.join (and DirEntry.path) gives.
        start = os.path.join(folder, "")
        for name in item_names(folder):
            if name.startswith(prefix):
                yield start + name, state


def item_folders(root: Path | str, states: Iterable[State]) -> list[tuple[State, str]]:
    """(state, folder) of every folder of items in the states, in `list_files` order.

    The published state keeps a folder per article; the others are flat.
    """
    out = []
    for state in states:
        base = os.path.join(root, state.value)
        if not os.path.isdir(base):
            continue
        if state == State.PUBLISHED:
            out += [(state, p) for p in sorted(e.path for e in os.scandir(base) if e.is_dir())]
        else:
            out.append((state, base))
    return out


def item_names(folder: str) -> list[str]:
    """The names of a folder's item files, sorted (no hidden or temp files); OSError if unlisted.

    os.listdir's names cost less than os.scandir's entries, whose stat fields go unused here.
    """
    return sorted(n for n in os.listdir(folder) if n.endswith(SUFFIX) and n[:1] != ".")


def stamp_of(stat: os.stat_result) -> Stamp:
    """A file's stamp, from its stat."""
    return stat.st_mtime_ns, stat.st_size, stat.st_ino


def stem(path: str) -> str:
    """An item file's id (its name without the suffix)."""
    return os.path.basename(path)[: -len(SUFFIX)]


def read_bytes(path: Path | str) -> tuple[os.stat_result, bytes]:
    """A file's bytes, and its stat (fstat of the open file: exactly what was read)."""
    fd = os.open(path, os.O_RDONLY)
    try:
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


def parse_file(
    path: Path | str, state: State, stat: os.stat_result, data: bytes
) -> tuple[Stamp, Item]:
    """The stamp and item of a file's bytes as read (see read_bytes)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ItemFormatError(f"invalid UTF-8 at byte {exc.start}", path, line) from None
    item = loads(text, path, state)
    stamp = stamp_of(stat)
    # A path ending in /<Article>/<Id>.md passes both checks below: one string test.
    if state == State.PUBLISHED and os.fspath(path).endswith(
        f"{os.sep}{item.article}{os.sep}{item.id}{SUFFIX}"
    ):
        return stamp, item
    folder, name = os.path.split(path)
    if name[: -len(SUFFIX)] != item.id:
        raise ItemFormatError(f"file name does not match Id {item.id!r}", path, 1)
    if state == State.PUBLISHED and os.path.basename(folder) != item.article:
        raise ItemFormatError(
            f"Article {item.article!r} does not match its folder {os.path.basename(folder)!r}",
            path,
            1,
        )
    return stamp, item


def read_many(files: Sequence[tuple[str, State]]) -> list[Outcome]:
    """Read and parse files; a file that cannot be read or parsed becomes its problem."""
    out: list[Outcome] = []
    for path, state in files:
        try:
            out.append(parse_file(path, state, *read_bytes(path)))
        except ItemFormatError as exc:
            out.append((None, exc))
        except OSError as exc:
            out.append((None, ItemFormatError(f"cannot read: {exc.strerror}", path, 0)))
    return out
