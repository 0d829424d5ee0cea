"""Write one digest in the asked formats, refresh the feed, publish a copy if set."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from backchannel.digest.feed import digest_feed
from backchannel.digest.files import (
    FEED,
    FORMATS,
    DigestError,
    publish_copy,
    write_whole,
)
from backchannel.digest.model import Digest
from backchannel.digest.render_html import render_html
from backchannel.digest.render_md import render_md
from backchannel.settings import Resolved

logger = logging.getLogger(__name__)


def digests_folder(settings: Resolved) -> Path:
    """feedback/digests/ of the site."""
    return settings.feedback_path / "digests"


def write_digest(
    settings: Resolved, digest: Digest, formats: tuple[str, ...] = FORMATS, out: Path | None = None
) -> list[Path]:
    """Write the digest files (named by the period's last day); return their paths."""
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise DigestError(
            f"backchannel: unknown digest format(s) {', '.join(unknown)} "
            f"(choose from {', '.join(FORMATS)})"
        )
    folder = out or digests_folder(settings)
    day = digest.until.date().isoformat()
    theme = settings.theme or None
    written = []
    # JSON is always kept in the digests folder: --last-digest and the feed read it.
    # It is streamed element by element (see Digest.json_chunks).
    renderers: dict[str, Callable[[], Iterable[str]]] = {
        "md": lambda: (render_md(digest),),
        "html": lambda: (render_html(digest, theme),),
        "json": digest.json_chunks,
    }
    for fmt in formats:
        path = folder / f"{day}.{fmt}"
        write_whole(path, (chunk.encode("utf-8") for chunk in renderers[fmt]()))
        written.append(path)
    if "json" in formats:
        site = settings.site_name
        siteurl = settings.site_url
        feed_path = folder / FEED
        write_whole(feed_path, digest_feed(folder, site, siteurl).encode("utf-8"))
        written.append(feed_path)
    if settings["PUBLISH_DIGEST"] and "html" in formats:
        output = settings.output_path
        copied = publish_copy(folder, output, day)
        if copied:
            logger.info("backchannel: digest published at %s", copied)
    return written
