"""The article manifest: the public list of article ids and URLs each build writes.

The receiver reads it to know which articles accept feedback, and the fast
republisher to find pages. It lives apart from `bake` so that neither has to
import Pelican to read it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backchannel.thread import answers_of

# Written into OUTPUT_PATH by every build: which article ids exist and where.
MANIFEST = "backchannel-articles.json"


def write_manifest(
    output: Path, articles: dict[str, Any], pelican_settings: dict[str, Any]
) -> Path:
    """Write MANIFEST: the public list of article ids and URLs the receiver accepts."""
    aliases = pelican_settings.get("BACKCHANNEL_ALIASES", {})
    entries = []
    for tid, article in sorted(articles.items()):
        entries.append(
            {
                "id": tid,
                "url": article.url,
                "title": article.title,
                "date": article.date.isoformat(),
                "source_path": article.relative_source_path,
                "aliases": sorted(old for old, new in aliases.items() if new == tid),
                # Comment ids this post answers: the fast republisher needs them.
                "answers": answers_of(article),
            }
        )
    path = output / MANIFEST
    data = {"siteurl": pelican_settings.get("SITEURL", ""), "articles": entries}
    # No indent: json's C encoder only serves compact output (indent=1 cost 60 ms).
    path.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True), "utf-8")
    return path
