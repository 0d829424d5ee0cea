"""Write one digest in the asked formats, refresh the feed, publish a copy if set."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from backchannel.background import Forked
from backchannel.digest.feed import digest_feed
from backchannel.digest.files import (
    FEED,
    FORMATS,
    DigestError,
    atomic_write,
    atomic_write_text,
    publish_copy,
)
from backchannel.digest.gc_pause import gc_paused
from backchannel.digest.model import Digest
from backchannel.digest.render_html import render_html
from backchannel.digest.render_md import render_md
from backchannel.settings import Resolved

logger = logging.getLogger(__name__)

# JSON elements (questions, comments) below which a writing child costs more than it saves.
FORK_MIN = 5000


def digests_folder(settings: Resolved) -> Path:
    """feedback/digests/ of the site."""
    return settings.feedback_path / "digests"


def _write_json(path: Path, digest: Digest) -> None:
    atomic_write_text(path, digest.json_chunks())


@gc_paused
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
    # The JSON is streamed element by element (see Digest.json_chunks), and
    # written by a forked child while this process renders Markdown and HTML:
    # encoding ~37 MB for 100,000 comments is ~1 s of the critical path otherwise.
    json_path = folder / f"{day}.json"
    big = len(digest.questions) + len(digest.comment_articles) >= FORK_MIN
    json_job = Forked(_write_json, json_path, digest, worth_it=big) if "json" in formats else None
    renderers: dict[str, Callable[[], Iterable[str]]] = {
        "md": lambda: (render_md(digest),),
        "html": lambda: (render_html(digest, theme),),
    }
    try:
        for fmt in formats:
            path = folder / f"{day}.{fmt}"
            if fmt != "json":
                atomic_write_text(path, renderers[fmt]())
            written.append(path)
    except BaseException:
        if json_job is not None:
            json_job.discard()  # no orphan child; this first error is the one reported
        raise
    if json_job is not None:
        json_job.result()  # raises the child's DigestError, if any
    if "json" in formats:
        site = settings.site_name
        siteurl = settings.site_url
        feed_path = folder / FEED
        # This digest's summary is at hand: the feed need not parse its JSON again.
        known = {day: digest.feed_summary()}
        atomic_write(feed_path, digest_feed(folder, site, siteurl, known).encode("utf-8"))
        written.append(feed_path)
    if settings["PUBLISH_DIGEST"] and "html" in formats:
        output = settings.output_path
        copied = publish_copy(folder, output, day)
        if copied:
            logger.info("backchannel: digest published at %s", copied)
    return written
