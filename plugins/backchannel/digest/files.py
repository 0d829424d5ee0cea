"""Writing digests: feedback/digests/YYYY-MM-DD.{md,html,json}, the Atom feed, the published copy.

Each file is written through the store's one atomic write (temp file, fsync,
rename), so a reader (or a crash) never sees half a digest.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from backchannel.errors import BackchannelError
from backchannel.store.atomic import atomic_write

logger = logging.getLogger(__name__)

FEED = "digests.atom.xml"
FORMATS = ("md", "html", "json")
NAME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")
PUBLISHED_DIR = "digest"


class DigestError(BackchannelError):
    """A digest could not be read or written."""


def write_whole(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write a whole digest file or nothing (the store's one atomic write), or DigestError."""
    try:
        atomic_write(path, data)
    except OSError as exc:
        raise DigestError(f"backchannel: cannot write {path}: {exc.strerror}") from exc


def digest_files(folder: Path) -> list[Path]:
    """The JSON digests in a folder, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if NAME_RE.match(p.name))


def read_json(path: Path) -> dict:
    """One digest's JSON, or DigestError naming the file."""
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise DigestError(f"backchannel: cannot read digest {path}: {exc}") from exc
    if not isinstance(data, dict) or "period" not in data:
        raise DigestError(f"backchannel: {path} is not a digest (no 'period')")
    return data


SUMMARY_KEYS = ("period", "generated", "totals")
_HEAD_LINE = re.compile(r'^ "(period|generated|totals)": (.*?),?$')
HEAD_LINES = 8


def read_summary(path: Path) -> dict:
    """A digest's period, generated time and totals, without parsing the whole file.

    Digests are written with those keys first, one per line (Digest.json_chunks),
    so the first lines hold them; a 100,000-comment digest is tens of megabytes.
    Any other layout (an older or hand-edited file) is read whole with read_json.
    """
    found: dict = {}
    try:
        with open(path, encoding="utf-8") as handle:
            if handle.readline().rstrip("\n") == "{":
                for _ in range(HEAD_LINES):
                    match = _HEAD_LINE.match(handle.readline().rstrip("\n"))
                    if match:
                        found[match.group(1)] = json.loads(match.group(2))
                    if len(found) == len(SUMMARY_KEYS):
                        break
    except (OSError, ValueError, UnicodeDecodeError):
        found = {}
    if len(found) == len(SUMMARY_KEYS) and isinstance(found["period"], dict):
        return found
    return {k: v for k, v in read_json(path).items() if k in SUMMARY_KEYS}


def last_until(folder: Path) -> datetime | None:
    """Where the newest earlier digest stopped (for --last-digest)."""
    files = digest_files(folder)
    if not files:
        return None
    until = read_summary(files[-1])["period"].get("until")
    try:
        return datetime.fromisoformat(until)
    except (TypeError, ValueError):
        raise DigestError(f"backchannel: {files[-1]} has no valid period.until") from None


def publish_copy(folder: Path, output: Path, day: str) -> Path | None:
    """Copy one HTML digest into the built site as digest/index.html and digest/<day>.html."""
    src = folder / f"{day}.html"
    if not src.exists():
        return None
    dest = output / PUBLISHED_DIR
    page = src.read_bytes()
    # Like the site's pages: whole or not at all for a visitor, no fsync (a build remakes it).
    for name in (f"{day}.html", "index.html"):
        atomic_write(dest / name, page, mode=0o644, durable=False)
    return dest / "index.html"
