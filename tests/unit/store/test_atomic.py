"""atomic_write: the one way a whole file is written (temp file, fsync, rename or link)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from backchannel.store.atomic import atomic_write


def test_no_replace_never_overwrites_and_leaves_no_temp(tmp_path: Path) -> None:
    dest = tmp_path / "dest"
    dest.write_text("old")
    with pytest.raises(FileExistsError):
        atomic_write(dest, b"new", replace=False)
    assert dest.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest"]
    atomic_write(tmp_path / "other", b"new", replace=False)
    assert (tmp_path / "other").read_text() == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dest", "other"]


def test_replace_makes_missing_folders_and_uses_the_temp_folder(tmp_path: Path) -> None:
    temps = tmp_path / ".tmp"
    dest = tmp_path / "a" / "b" / "file.json"
    atomic_write(dest, b"one", temp_dir=temps, mode=0o644)
    atomic_write(dest, b"two", temp_dir=temps, mode=0o644)
    assert dest.read_bytes() == b"two"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    assert list(temps.iterdir()) == []
    assert [p.name for p in dest.parent.iterdir()] == ["file.json"]


def test_a_failed_write_keeps_the_old_file_and_no_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dest = tmp_path / "file"
    dest.write_bytes(b"old")

    def full(fd: int, data: object) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(dest, b"new")
    monkeypatch.undo()
    assert dest.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_durable_syncs_file_and_folder_and_not_durable_only_renames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd) or real_fsync(fd))
    dest = tmp_path / "page.html"
    atomic_write(dest, b"one")
    assert len(synced) == 2  # the temp file, then its folder
    synced.clear()
    # output/ pages: still all-or-nothing (a temp file renamed over the old one), no fsync.
    atomic_write(dest, b"two", durable=False, mode=0o644)
    atomic_write(tmp_path / "new" / "feed.xml", b"three", durable=False)
    assert synced == []
    assert dest.read_bytes() == b"two"
    assert stat.S_IMODE(dest.stat().st_mode) == 0o644
    assert (tmp_path / "new" / "feed.xml").read_bytes() == b"three"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new", "page.html"]


def test_chunks_are_written_as_they_come_or_not_at_all(tmp_path: Path) -> None:
    dest = tmp_path / "new" / "digest.json"
    atomic_write(dest, (f"[{n}]".encode() for n in range(3)))
    assert dest.read_bytes() == b"[0][1][2]"

    def failing():
        yield b"half of a "
        raise OSError("the writer stopped")

    with pytest.raises(OSError, match="stopped"):
        atomic_write(dest, failing())
    assert dest.read_bytes() == b"[0][1][2]"  # the old file, whole
    assert [p.name for p in dest.parent.iterdir()] == ["digest.json"]  # no temp left
