"""The build's threads, without holding the store's items.

One pass over the store, a folder at a time, keeps of each thread only what pages and lists
show without its items (counts, the answers joined to other posts, a hash of its items for
the fragment keys) and where the site feed's latest comments are; each folder's items are
dropped as soon as they are counted, and what was counted of a folder is kept between builds
(build/summaries.py), so a folder whose files did not change is not read at all. A thread's
comments and linkbacks are read again from its folders only when a template or feed asks for
them (a partial or feed not in the fragment cache), and only the last thread read is kept: a
build holds one thread's items at a time, and a build whose partials and feeds all come from
the cache holds none.
"""

from __future__ import annotations

import heapq
import logging
import os
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from backchannel.build.render import CACHE_KIND, render_some, renderer_version
from backchannel.build.summaries import MOD, Summaries, summarize
from backchannel.build.thread import (
    Answer,
    CommentNode,
    Link,
    LinkbackView,
    Thread,
    answers_of,
    build_thread,
    comment_node,
    endpoints_for,
    thread_key_finder,
)
from backchannel.model import Item, Kind, State
from backchannel.settings import Resolved
from backchannel.store import Store
from backchannel.store.cache import Cache
from backchannel.store.files import SUFFIX, Stamp, item_folders
from backchannel.store.folder_items import (
    folder_signature,
    load_folder,
    stamps_signature,
    store_rows,
)

logger = logging.getLogger(__name__)

# What a build shows: items that are published or wait for their article.
STATES = (State.PUBLISHED, State.UNMATCHED)
# New cache rows (parsed items, rendered bodies) are stored this many at a time: one write
# for many folders or threads rather than one each.
_BATCH = 1000


class BuildThreads:
    """Every article's thread, counted in one pass; items read again only when shown."""

    def __init__(
        self,
        settings: Resolved,
        store: Store,
        cache: Cache,
        articles: dict[str, Any],
        hidden: set[str],
        latest: int,
    ) -> None:
        self.settings = settings
        self.store = store
        self.cache = cache
        self.articles = articles
        self.thread_of_key = thread_key_finder(set(articles), settings["ALIASES"])
        self._ids: set[str] | None = None
        # Per thread: the folders its items are in, and the sum of their digests.
        self.sources: dict[str, list[tuple[State, str]]] = defaultdict(list)
        self.digests: dict[str, int] = defaultdict(int)
        # Comment ids some post answers -> (thread, the comment's author as shown, by the author).
        self.answered: dict[str, tuple[str, str, bool]] = {}
        # The site feed's newest comments, a heap: (date in microseconds since 1970, id,
        # order seen, thread, its folder).
        self.latest: list[tuple[int, str, int, str, tuple[State, str]]] = []
        self.latest_max = latest
        self._seen = 0
        self.threads = {tid: self._light(tid) for tid in articles}
        self.loaded: Thread | None = None
        # Called with each thread read again (bake.py makes its feed meanwhile).
        self.on_load: Callable[[Thread], Any] | None = None
        self.rendered = self.found = 0
        self.fresh_items: dict[str, list[Any]] = {}
        self.fresh_html: dict[str, str] = {}
        self._count(hidden)
        store_rows(self.cache, self.fresh_items)
        self._link_answers()

    # --- the pass -------------------------------------------------------------------
    def _light(self, tid: str) -> Thread:
        thread = Thread(id=tid, endpoints=endpoints_for(tid, self.settings))
        thread.load = self._load
        thread.release()
        return thread

    def ids(self) -> set[str]:
        """Ids of every item in every state: listed only when a reply's parent is elsewhere."""
        if self._ids is None:
            self._ids = self.store.ids()
        return self._ids

    def _shown(self, state: State, folder: str) -> list[tuple[Item, Stamp]]:
        """A folder's items the build shows, read again (the pass logged what it left out)."""
        items, _ = load_folder(self.store.root, state, folder, self.cache)
        return self._without_orphans(items, warn=False)

    def _without_orphans(
        self, items: list[tuple[Item, Stamp]], warn: bool
    ) -> list[tuple[Item, Stamp]]:
        """The items but a reply to an item that exists nowhere; `warn`: log those left out."""
        local = {i.id for i, _ in items}
        out = []
        for item, stamp in items:
            if item.parent and item.parent not in local and item.parent not in self.ids():
                if warn:
                    logger.warning(
                        "backchannel: skipping %s: parent %s does not exist",
                        self.store.path_of(item),
                        item.parent,
                    )
                continue
            out.append((item, stamp))
        return out

    def _count(self, hidden: set[str]) -> None:
        """Count every folder, from its stored summary while its files match, else read whole."""
        wanted = {cid for a in self.articles.values() for cid in answers_of(a)}
        folders = item_folders(self.store.root, STATES)
        summaries = Summaries(self.cache, str(self.store.root), folders)
        for position, (state, folder) in enumerate(folders):
            stored = summaries.get(position)
            # Listed and stat'ed only to check a stored summary: a folder without one is read.
            if stored is not None and stored[0] == folder_signature(folder):
                summary = stored[1]
            else:
                summary = self._summarize(state, folder, summaries)
            self._add(state, folder, summary, hidden, wanted)
        summaries.close()

    def _summarize(self, state: State, folder: str, summaries: Summaries) -> list[Any]:
        """A folder's summary from its items; stored when it depends on nothing else."""
        items, problems = load_folder(self.store.root, state, folder, self.cache, self.fresh_items)
        if len(self.fresh_items) >= _BATCH:
            store_rows(self.cache, self.fresh_items)
        for problem in problems:
            logger.warning("backchannel: skipping %s", problem)
        shown = self._without_orphans(items, warn=True)
        summary = summarize(folder, shown)
        local = {item.id for item, _ in items}
        # Stored only when what the folder shows depends on its files alone (every reply's
        # parent is beside it), with the signature of the files it was made of (every file
        # listed parsed: a file's name is its item's id, its stamp what was read).
        if not problems and all(i.parent is None or i.parent in local for i, _ in items):
            signature = stamps_signature((i.id, stamp) for i, stamp in items)
            summaries.put(state, folder, signature, summary)
        return summary

    def _add(
        self,
        state: State,
        folder: str,
        summary: list[Any],
        hidden: set[str],
        wanted: set[str],
    ) -> None:
        """Count a folder's summary into its threads: the articles and settings apply here."""
        groups, comments = summary
        tids = []
        for article, origin_url, ids, comment_count, linkback_count, digest in groups:
            tid = self.thread_of_key(article, origin_url)
            tids.append(tid)
            if tid is None:
                # Unmatched items (imported for an article that does not exist yet)
                # attach themselves as soon as their article, or an alias for it, exists.
                if state == State.PUBLISHED and article not in hidden:
                    for item_id in ids:
                        logger.warning(
                            "backchannel: %s belongs to article %r, which does not exist",
                            os.path.join(folder, f"{item_id}{SUFFIX}"),
                            article,
                        )
                continue
            if not comment_count and not linkback_count:
                continue
            thread = self.threads[tid]
            thread.comment_count += comment_count
            thread.linkback_count += linkback_count
            self.digests[tid] = (self.digests[tid] + int(digest, 16)) % MOD
            sources = self.sources[tid]
            if not sources or sources[-1][1] != folder:
                sources.append((state, folder))
        site_author = self.settings.site_author
        for when, cid, group, author, by_author in comments:
            tid = tids[group]
            if tid is None:
                continue
            if cid in wanted:
                self.answered[cid] = (tid, site_author if by_author else author, by_author)
            self._keep_latest(tid, when, cid, (state, folder))

    def _keep_latest(self, tid: str, when: int, cid: str, where: tuple[State, str]) -> None:
        if not self.latest_max:
            return
        # Equal dates and ids (never in a sound store) keep the first seen, as a stable sort.
        self._seen -= 1
        if len(self.latest) < self.latest_max:
            heapq.heappush(self.latest, (when, cid, self._seen, tid, where))
        elif (when, cid) > self.latest[0][:2]:
            heapq.heapreplace(self.latest, (when, cid, self._seen, tid, where))

    def _link_answers(self) -> None:
        """Join `Answers:` metadata to comments: both ends learn of each other."""
        for tid, article in self.articles.items():
            for comment_id in answers_of(article):
                found = self.answered.get(comment_id)
                if found is None:
                    logger.warning(
                        "backchannel: %s lists Answers: %s, but no published comment has that id",
                        getattr(article, "source_path", tid),
                        comment_id,
                    )
                    continue
                other_tid, author, by_author = found
                other = self.articles[other_tid]
                links = self.threads[other_tid].answered.setdefault(comment_id, [])
                links.append(Link(title=article.title, url=article.url))
                thread = self.threads[tid]
                thread.answers.append(
                    Answer(
                        comment_id=comment_id,
                        author=author,
                        article_title=other.title,
                        url=f"{other.url}#comment-{comment_id}",
                    )
                )
                if author not in thread.prompted_by and not by_author:
                    thread.prompted_by.append(author)

    # --- reading a thread again -----------------------------------------------------------
    def _load(self, thread: Thread) -> tuple[list[CommentNode], list[LinkbackView]]:
        """A thread's comments and linkbacks, read from its folders, bodies rendered."""
        if self.loaded is not None and self.loaded is not thread:
            self.loaded.release()
        items = [
            item
            for state, folder in self.sources.get(thread.id, [])
            for item, _ in self._shown(state, folder)
            if self.thread_of_key(item.article, item.origin_url) == thread.id
        ]
        full = build_thread(thread.id, items, self.settings)
        for node in full.all_comments():
            node.answered_in = list(thread.answered.get(node.id, []))
        bodies = [i.body for i in items if i.kind == Kind.COMMENT or i.is_linkback]
        rendered, found = render_some(bodies, self.cache, self.fresh_html)
        if len(self.fresh_html) >= _BATCH:
            self.flush()
        self.rendered += rendered
        self.found += found
        self.loaded = thread
        thread.comments, thread.linkbacks = full.comments, full.linkbacks
        if self.on_load is not None:
            self.on_load(thread)
        return full.comments, full.linkbacks

    def flush(self) -> None:
        """Store the rendered bodies not stored yet."""
        self.cache.put_many(CACHE_KIND, renderer_version(), self.fresh_html)
        self.fresh_html = {}

    def latest_comments(self) -> list[tuple[CommentNode, Any]]:
        """The site feed's comments with their articles, newest first."""
        entries = sorted(self.latest, key=lambda e: e[:3], reverse=True)
        # The pass kept where each is; their folders are read again, each once.
        found: dict[tuple[State, str], dict[str, Item]] = {}
        for *_, where in entries:
            if where not in found:
                found[where] = {i.id: i for i, _ in self._shown(*where)}
        return [
            (comment_node(found[where][cid], self.settings), self.articles[tid])
            for _, cid, _, tid, where in entries
            if cid in found[where]
        ]

    def items_digest(self, tid: str) -> str:
        """A hash of a thread's items, for its fragment keys."""
        return f"{self.digests.get(tid, 0):064x}"
