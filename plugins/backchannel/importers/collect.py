"""`backchannel collect`: pull every feed in BACKCHANNEL_FEEDS and import what is new.

URLs are fetched through the SSRF-safe `Fetcher` with conditional GET: the
ETag and Last-Modified of each feed are remembered in the store's private area
(`feedback/private/collect-state.json`), so an unchanged feed costs one 304.
A post feed's `wfw:commentRss` / `rel="replies"` links are followed (at most
MAX_FOLLOW per feed). Each feed is imported on its own, all or nothing: one
broken feed is reported and the others still land.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection
from pathlib import Path
from typing import Any

from backchannel.errors import BackchannelError
from backchannel.importers.feed import parse_feed
from backchannel.importers.matching import ArticleIndex
from backchannel.importers.run import Summary, run_import
from backchannel.moderation.audit import deleted_ids
from backchannel.outbound.fetch import Fetcher, FetchError
from backchannel.settings import Resolved
from backchannel.store import PRIVATE, Store

logger = logging.getLogger(__name__)

STATE_FILE = "collect-state.json"
MAX_FOLLOW = 50  # comment feeds followed from one post feed


def load_state(store: Store) -> dict[str, dict[str, str]]:
    """Remembered validators per feed URL ({} when none or unreadable)."""
    try:
        data = json.loads((store.root / PRIVATE / STATE_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def fetch_feed(fetcher: Fetcher, url: str, state: dict[str, dict[str, str]]) -> bytes | None:
    """The feed's body, or None when the server says it has not changed (304)."""
    remembered = state.get(url, {})
    headers = {}
    if remembered.get("etag"):
        headers["If-None-Match"] = remembered["etag"]
    if remembered.get("last_modified"):
        headers["If-Modified-Since"] = remembered["last_modified"]
    response = fetcher.get(url, headers=headers)
    if response.status == 304:
        return None
    if response.status != 200:
        raise FetchError(f"HTTP {response.status}", url)
    validators = {
        k: v
        for k, v in (
            ("etag", response.header("etag")),
            ("last_modified", response.header("last-modified")),
        )
        if v
    }
    state[url] = validators
    return response.content


def _is_url(feed: str) -> bool:
    return feed.startswith(("http://", "https://"))


def collect(
    settings: Resolved,
    store: Store,
    index: ArticleIndex,
    dry_run: bool = False,
    progress: Any = None,
    author_names: Collection[str] = (),
) -> tuple[Summary, list[dict[str, Any]]]:
    """Pull every configured feed; return the combined summary and a line per feed.

    Comments signed with `author_names` (see run.name_key) become the author's replies.
    """
    fetcher = Fetcher(settings)
    state = load_state(store)
    total = Summary(dry_run=dry_run)
    report: list[dict[str, Any]] = []
    queue = [(str(f), True) for f in settings["FEEDS"]]
    # Read once for every feed; nothing this run imports is deleted meanwhile.
    deleted = deleted_ids(store.root)
    while queue:
        feed, follow = queue.pop(0)
        entry: dict[str, Any] = {"feed": feed}
        try:
            if _is_url(feed):
                data = fetch_feed(fetcher, feed, state)
            else:
                base = settings.base_dir
                path = Path(feed) if Path(feed).is_absolute() else base / feed
                try:
                    data = path.read_bytes()
                except OSError as exc:
                    raise BackchannelError(f"cannot read {path}: {exc.strerror}") from None
            if data is None:
                entry["status"] = "not modified"
                report.append(entry)
                continue
            doc = parse_feed(data, feed)
            summary = run_import(
                lambda doc=doc: doc.records,
                store,
                index,
                dry_run,
                progress,
                deleted_here=deleted,
                author_names=author_names,
            )
            total.merge(summary)
            entry.update(status="ok", imported=summary.imported, duplicates=summary.duplicates)
            if follow:
                linked = [c["feed"] for c in doc.comment_feeds if c.get("comments") != 0]
                queue.extend((url, False) for url in linked[:MAX_FOLLOW])
                entry["comment_feeds"] = len(linked[:MAX_FOLLOW])
        except BackchannelError as exc:
            logger.warning("backchannel: collect %s: %s", feed, exc)
            entry.update(status="error", error=str(exc))
            state.pop(feed, None)  # refetch in full next time
        report.append(entry)
    if not dry_run:
        store.write_private_file(STATE_FILE, json.dumps(state, indent=1, sort_keys=True).encode())
    return total, report
