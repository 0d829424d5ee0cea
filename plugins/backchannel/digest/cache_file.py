"""The digest's caches: one pickle file each under Pelican's CACHE_PATH, never in feedback/.

A cache only ever costs or saves time: a missing, unreadable, foreign or stale
file (another fingerprint) reads as empty, and a failed write is logged and
ignored. Like Pelican's own caches, the files are pickles, so CACHE_PATH must be
a folder only the site's owner can write to.
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

FORMAT = 1


def fingerprint(*parts: object) -> str:
    """A short hash of whatever must match for cached data to be reused."""
    text = repr((FORMAT, sys.version_info[:2], parts))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def source_fingerprint(*modules: Any) -> str:
    """A hash of the source code of the modules whose output is cached."""
    sources = []
    for module in modules:
        try:
            sources.append(Path(module.__file__).read_bytes())
        except (OSError, TypeError):
            sources.append(repr(module).encode())
    return fingerprint(*(hashlib.blake2b(s).hexdigest() for s in sources))


def read_cache(path: Path | None, stamp: str) -> dict[Any, Any]:
    """The entries saved under `stamp`, or {} when there are none to trust."""
    if path is None:
        return {}
    try:
        with open(path, "rb") as handle:
            data = pickle.load(handle)
    except FileNotFoundError:
        return {}
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError) as exc:
        logger.info("backchannel: ignoring unreadable cache %s (%s)", path, exc)
        return {}
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        logger.info("backchannel: ignoring unreadable cache %s (%s)", path, exc)
        return {}
    if not isinstance(data, dict) or data.get("stamp") != stamp:
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def write_cache(path: Path | None, stamp: str, entries: dict[Any, Any]) -> None:
    """Replace the cache file atomically (no fsync: losing it only costs time)."""
    if path is None:
        return
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            pickle.dump(
                {"stamp": stamp, "entries": entries}, handle, protocol=pickle.HIGHEST_PROTOCOL
            )
        os.replace(tmp, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError) as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        logger.warning("backchannel: cannot write the cache %s: %s", path, exc)
