"""Leftovers of crashed writers in the store's `.tmp/`: found by the pid in their name, removed."""

from __future__ import annotations

import logging
import os
import re
import shutil
from pathlib import Path

logger = logging.getLogger(__name__)

# Temp files and batch folders carry the writer's pid (`w-<pid>-...`, see
# atomic.temp_prefix), so a leftover of a killed process can be told from a
# write in progress.
TEMP_RE = re.compile(r"^\.?[a-z]+-(\d+)-")


def pid_alive(pid: int) -> bool:
    """True if a process of this id runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    return True


def stale(tmp: Path) -> list[Path]:
    """Entries of `tmp` whose writer died, by name; a name without a pid counts as stale."""
    try:
        names = sorted(os.listdir(tmp))
    except FileNotFoundError:
        return []
    out = []
    for name in names:
        match = TEMP_RE.match(name)
        if not (match and pid_alive(int(match.group(1)))):
            out.append(tmp / name)
    return out


def sweep(tmp: Path) -> list[Path]:
    """Remove what `stale` finds; the entries removed."""
    removed = []
    for path in stale(tmp):
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
        logger.info("backchannel: removed %d leftover temp file(s) of crashed writes", len(removed))
    return removed
