"""The Atom feed of digests, so an author can subscribe in a feed reader."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from feedgenerator import Atom1Feed

from backchannel.build.render import render_markdown
from backchannel.digest.files import digest_files, read_summary

MAX_ENTRIES = 50


def digest_feed(folder: Path, site: str, siteurl: str) -> str:
    """Every digest in `folder` (newest first) as one Atom document."""
    base = f"{siteurl.rstrip('/')}/digest/" if siteurl else ""
    feed = Atom1Feed(
        title=f"{site or 'Backchannel'}: feedback digests",
        link=base or "./",
        description="What readers said and asked, one entry per digest.",
        feed_url=f"{base}digests.atom.xml" if base else None,
    )
    for path in list(reversed(digest_files(folder)))[:MAX_ENTRIES]:
        day = path.stem
        data = read_summary(path)
        md_path = path.with_suffix(".md")
        body = md_path.read_text("utf-8") if md_path.exists() else ""
        totals = data.get("totals", {})
        generated = datetime.fromisoformat(data.get("generated") or data["period"]["until"])
        feed.add_item(
            title=(
                f"Digest {day}: {totals.get('comments', 0)} new comments, "
                f"{totals.get('open_questions', 0)} open questions"
            ),
            link=f"{base}{day}.html",
            unique_id=f"urn:backchannel:digest:{day}",
            # The Markdown holds readers' words: it goes through the one sanitizer.
            description=str(render_markdown(body)),
            content=str(render_markdown(body)),
            pubdate=generated,
            updateddate=generated,
        )
    return feed.writeString("utf-8")
