"""The build's threads, without holding the store's items.

One pass over the store, a folder at a time, keeps of each thread only what pages and lists
show without its items (counts, the answers joined to other posts, a hash of its items for
the fragment keys) and the site feed's latest comments; each folder's items are dropped as
soon as they are counted. A thread's comments and linkbacks are read again from its folders
only when a template or feed asks for them (a partial or feed not in the fragment cache), and
only the last thread read is kept: a build holds one thread's items at a time, and a build
whose partials and feeds all come from the cache holds none.
"""

from __future__ import annotations

import hashlib
import heapq
import logging
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from backchannel.build.render import CACHE_KIND, render_some, renderer_version
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
    thread_finder,
)
from backchannel.model import Item, Kind, State
from backchannel.settings import Resolved
from backchannel.store import Store
from backchannel.store.cache import Cache
from backchannel.store.files import Stamp
from backchannel.store.folder_items import item_folders, load_folder, store_rows

logger = logging.getLogger(__name__)

# What a build shows: items that are published or wait for their article.
STATES = (State.PUBLISHED, State.UNMATCHED)
_MOD = 1 << 256
# New cache rows (parsed items, rendered bodies) are stored this many at a time: one write
# for many folders or threads rather than one each.
_BATCH = 1000


def item_digest(folder: str, item: Item, stamp: Stamp) -> int:
    """A hash of an item's file and its stamp; a thread's hash is the sum of its items' (any order).

    The stamp stands for the content, as it does for the parsed-item rows (store/item_cache.py):
    a file written again gets a new one, so the thread gets a new hash and its fragments are
    made again.
    """
    text = f"{folder}\0{item.id}\0{stamp}"
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=32).digest(), "big")


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
        self.thread_of = thread_finder(set(articles), settings["ALIASES"])
        self._ids: set[str] | None = None
        # Per thread: the folders its items are in, and the sum of their digests.
        self.sources: dict[str, list[tuple[State, str]]] = defaultdict(list)
        self.digests: dict[str, int] = defaultdict(int)
        # Comment ids some post answers -> (thread, the comment's author as shown, by the author).
        self.answered: dict[str, tuple[str, str, bool]] = {}
        # The site feed's newest comments, a heap: (date, id, order seen, thread, item).
        self.latest: list[tuple[Any, str, int, str, Item]] = []
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

    def _shown(self, state: State, folder: str, warn: bool = True) -> list[tuple[Item, Stamp]]:
        """A folder's items the build shows: a reply to an item that exists nowhere is not.

        `warn`: log what is left out (the pass does; reading a thread again does not repeat it).
        """
        # The pass leaves new rows to be stored with other folders'; a thread read again
        # (when its rows are stored) stores any at once.
        fresh = self.fresh_items if warn else None
        items, problems = load_folder(self.store.root, state, folder, self.cache, fresh)
        if fresh is not None and len(fresh) >= _BATCH:
            store_rows(self.cache, fresh)
        for problem in problems if warn else ():
            logger.warning("backchannel: skipping %s", problem)
        local = {i.id for i, _ in items}
        out = []
        for item, stamp in items:
            if item.parent and item.parent not in local and item.parent not in self.ids():
                if not warn:
                    continue
                logger.warning(
                    "backchannel: skipping %s: parent %s does not exist",
                    self.store.path_of(item),
                    item.parent,
                )
                continue
            out.append((item, stamp))
        return out

    def _count(self, hidden: set[str]) -> None:
        wanted = {cid for a in self.articles.values() for cid in answers_of(a)}
        site_author = self.settings.site_author
        for state, folder in item_folders(self.store.root, STATES):
            for item, stamp in self._shown(state, folder):
                tid = self.thread_of(item)
                if tid is None:
                    # Unmatched items (imported for an article that does not exist yet)
                    # attach themselves as soon as their article, or an alias for it, exists.
                    if item.state == State.PUBLISHED and item.article not in hidden:
                        logger.warning(
                            "backchannel: %s belongs to article %r, which does not exist",
                            self.store.path_of(item),
                            item.article,
                        )
                    continue
                thread = self.threads[tid]
                if item.kind == Kind.COMMENT:
                    thread.comment_count += 1
                    if item.id in wanted:
                        author = site_author if item.author_reply else item.author
                        self.answered[item.id] = (tid, author, item.author_reply)
                    self._keep_latest(tid, item)
                elif item.is_linkback:
                    thread.linkback_count += 1
                else:
                    continue
                self.digests[tid] = (self.digests[tid] + item_digest(folder, item, stamp)) % _MOD
                sources = self.sources[tid]
                if not sources or sources[-1][1] != folder:
                    sources.append((state, folder))

    def _keep_latest(self, tid: str, item: Item) -> None:
        # Equal dates and ids (never in a sound store) keep the first seen, as a stable sort.
        self._seen -= 1
        entry = (item.date, item.id, self._seen, tid, item)
        if len(self.latest) < self.latest_max:
            heapq.heappush(self.latest, entry)
        elif self.latest and entry[:2] > self.latest[0][:2]:
            heapq.heapreplace(self.latest, entry)

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
            for item, _ in self._shown(state, folder, warn=False)
            if self.thread_of(item) == thread.id
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
        return [
            (comment_node(item, self.settings), self.articles[tid])
            for _, _, _, tid, item in entries
        ]

    def items_digest(self, tid: str) -> str:
        """A hash of a thread's items, for its fragment keys."""
        return f"{self.digests.get(tid, 0):064x}"
