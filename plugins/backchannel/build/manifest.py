"""The article manifest: the public list of article ids and URLs each build writes.

The receiver reads it to know which articles accept feedback, and the fast
republisher to find pages. It lives apart from `bake` so that neither has to
import Pelican to read it.

It also keeps the tombstones: `deleted` lists every article an earlier build
listed that this one does not (deleted, or a draft again), with its URL, so
`backchannel serve` answers 410 Gone there (Webmention receivers delete a
mention only on 410), and a static host can be configured from the same list.
An article that comes back leaves the list.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from backchannel.build.thread import answers_of
from backchannel.settings import Resolved
from backchannel.store.atomic import atomic_write

logger = logging.getLogger(__name__)

# Written into OUTPUT_PATH by every build: which article ids exist and where.
MANIFEST = "backchannel-articles.json"


def read_manifest(output: Path) -> dict[str, Any]:
    """The manifest in `output`, or an empty one when there is none (or it is unreadable)."""
    try:
        data = json.loads((output / MANIFEST).read_text("utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        logger.warning("backchannel: ignoring unreadable %s: %s", output / MANIFEST, exc)
        return {}
    return data if isinstance(data, dict) else {}


def tombstones(previous: dict[str, Any], entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Articles the previous manifest listed (or had as deleted) that `entries` lacks."""
    ids = {e["id"] for e in entries}
    urls = {e["url"] for e in entries}
    gone: dict[str, dict[str, str]] = {}
    for entry in [*previous.get("deleted", []), *previous.get("articles", [])]:
        if not isinstance(entry, dict) or not isinstance(entry.get("url"), str):
            continue
        tid = str(entry.get("id", ""))
        if tid in ids or entry["url"] in urls:
            continue
        gone[tid] = {"id": tid, "url": entry["url"], "title": str(entry.get("title", ""))}
    return [gone[tid] for tid in sorted(gone)]


def write_manifest(
    output: Path,
    articles: dict[str, Any],
    settings: Resolved,
    previous: dict[str, Any],
    urls: dict[str, str],
) -> Path:
    """Write MANIFEST: the public list of article ids and URLs the receiver accepts.

    `previous` is the manifest the last build left, read before this build began
    (DELETE_OUTPUT_DIRECTORY removes it): its articles this build lacks become tombstones.
    `urls`: the articles' URLs by id, as the build read them (once: Pelican works
    `article.url` out again on every access).
    """
    aliases = settings["ALIASES"]
    entries = []
    for tid, article in sorted(articles.items()):
        entries.append(
            {
                "id": tid,
                "url": urls[tid],
                "title": article.title,
                "date": article.date.isoformat(),
                "source_path": article.relative_source_path,
                "aliases": sorted(old for old, new in aliases.items() if new == tid),
                # Comment ids this post answers: the fast republisher needs them.
                "answers": answers_of(article),
            }
        )
    path = output / MANIFEST
    data = {
        "siteurl": settings.site_url,
        "articles": entries,
        "deleted": tombstones(previous, entries),
    }
    # No indent: json's C encoder only serves compact output. Not durable, like the
    # pages beside it: a power cut during a build calls for a build anyway.
    encoded = json.dumps(data, ensure_ascii=False, sort_keys=True).encode()
    atomic_write(path, encoded, mode=0o644, durable=False)
    return path
