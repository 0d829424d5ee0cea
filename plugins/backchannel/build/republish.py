"""Fast republishing: update output/ after a decision without a full Pelican build.

The theme draws everything an article's feedback changes through three
partials: `backchannel/thread.html`, `backchannel/linkbacks.html` and
`backchannel/counts.html` (the latter also on index, archive, tag, category and
author pages). We render each partial twice with Pelican's own Jinja
environment — once for the thread as it was, once as it is — and replace the
old text by the new in the built pages. The old rendering must be found
exactly where expected, so the splice is checked rather than trusted: whenever
it cannot be (a theme's counts partial prints nothing to replace, a page was
hand-edited, a comment is named in another post's `Answers:`), RepublishError
says why and the caller falls back to a full build.
Comment feeds are rewritten with `feeds.py`, the same code the build uses.
A full `make html` stays the source of truth; this produces the same bytes.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from backchannel.build.feeds import comment_feed, site_feed, site_feed_entries
from backchannel.build.manifest import MANIFEST
from backchannel.build.theme import environment
from backchannel.build.thread import (
    SITE_FEED,
    Link,
    Thread,
    build_thread,
    comment_node,
    endpoints_for,
    feed_url,
    group_by_thread,
)
from backchannel.errors import BackchannelError
from backchannel.model import Item, State
from backchannel.settings import Resolved
from backchannel.store import Store
from backchannel.store.atomic import atomic_write

logger = logging.getLogger(__name__)


class RepublishError(BackchannelError):
    """The fast path cannot produce what a full build would; the reason says why."""


@dataclass(frozen=True)
class ArticleRef:
    """What the partials and feeds read of an article, from the build's manifest."""

    id: str
    url: str
    title: str
    date: datetime
    answers: tuple[str, ...] = ()

    @property
    def page(self) -> str:
        """The output file of the article (pretty URLs end in '/')."""
        return self.url + "index.html" if self.url.endswith("/") or not self.url else self.url


@dataclass
class Change:
    """What a decision changed: old versions of touched items, and items newly created."""

    before: dict[str, Item | None] = field(default_factory=dict)  # id -> old published version
    created: set[str] = field(default_factory=set)  # ids that did not exist anywhere before
    articles: set[str] = field(default_factory=set)


def read_manifest(output: Path) -> dict[str, ArticleRef]:
    """The articles of the last build, by thread id."""
    path = output / MANIFEST
    try:
        data = json.loads(path.read_text("utf-8"))
        return {
            a["id"]: ArticleRef(
                a["id"],
                a["url"],
                a["title"],
                datetime.fromisoformat(a["date"]),
                tuple(a.get("answers", ())),
            )
            for a in data["articles"]
        }
    except FileNotFoundError:
        raise RepublishError(f"{path} is missing: output/ was not built with Backchannel") from None
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise RepublishError(f"{path} is unreadable: {exc}") from None


class Republisher:
    """Splices one site's built pages and rewrites its comment feeds."""

    def __init__(
        self, settings: Resolved, pelican_settings: dict[str, Any], store: Store, output: Path
    ) -> None:
        self.settings = settings
        self.pelican = pelican_settings
        self.store = store
        self.output = Path(output)
        self.articles = read_manifest(self.output)
        self.env = environment(pelican_settings)
        self.files: dict[Path, str] = {}  # planned writes: nothing is written until all succeed
        self._ids: set[str] | None = None
        self._change = Change()

    # --- reading the store ----------------------------------------------------
    def _thread_items(self, tid: str) -> list[Item]:
        """Published and unmatched items whose article is (or aliases to) `tid`."""
        aliases = self.settings["ALIASES"]
        known = set(self.articles)
        published = self.store.root / State.PUBLISHED.value
        # The article's own folder, plus folders of no known article: those hold
        # items that reach a thread through an alias (old slug, URL).
        folders = (
            [
                tid,
                *sorted(
                    e.name for e in os.scandir(published) if e.is_dir() and e.name not in known
                ),
            ]
            if published.is_dir()
            else []
        )
        items: list[Item] = []
        for name in folders:
            folder = published / name
            if not folder.is_dir():
                continue
            for entry in sorted(os.scandir(folder), key=lambda e: e.name):
                if entry.name.endswith(".md") and not entry.name.startswith("."):
                    items.append(self.store.read(Path(entry.path), State.PUBLISHED))
        items.extend(self.store.items([State.UNMATCHED]))
        groups, _ = group_by_thread(items, known, aliases)
        return groups.get(tid, [])

    def _visible(self, items: list[Item], before: bool = False) -> list[Item]:
        """As bake.load_threads: a reply to an item that exists nowhere is skipped."""
        local = {i.id for i in items}
        if all(not i.parent or i.parent in local for i in items):
            return items  # every parent is in the thread: no need to list the store
        ids = self._ids_before() if before else self._ids_now()
        return [i for i in items if not i.parent or i.parent in ids]

    def _ids_now(self) -> set[str]:
        if self._ids is None:
            self._ids = self.store.ids()
        return self._ids

    def _ids_before(self) -> set[str]:
        change = self._change
        return (self._ids_now() - change.created) | set(change.before)

    def _thread(self, tid: str, items: list[Item]) -> Thread:
        thread = build_thread(tid, items, self.settings)
        thread.article_url = self.articles[tid].url
        answered: dict[str, list[ArticleRef]] = {}
        for ref in self.articles.values():
            for cid in ref.answers:
                answered.setdefault(cid, []).append(ref)
        for node in thread.all_comments():
            refs = answered.get(node.id, [])
            if len(refs) > 1:
                raise RepublishError(f"comment {node.id} is answered by several posts")
            node.answered_in = [Link(title=r.title, url=r.url) for r in refs]
        return thread

    # --- rendering ------------------------------------------------------------------
    def _siteurl(self, page: str) -> str:
        if self.pelican.get("RELATIVE_URLS"):
            from pelican.utils import get_relative_path, path_to_url

            return path_to_url(get_relative_path(page))
        return self.pelican.get("SITEURL", "")

    def _render(
        self, template: str, page: str, thread: Thread, ref: ArticleRef, show_empty: bool = False
    ) -> str:
        context = dict(self.pelican)
        context.update(
            SITEURL=self._siteurl(page),
            thread=thread,
            article=ref,
            counts_show_empty=show_empty,
            output_file=page,
        )
        return self.env.get_template(template).render(context)

    @staticmethod
    def _holds(path: str, needle: bytes) -> bool:
        """Whether a built page contains needle; a byte search, as few pages list one article."""
        try:
            with open(path, "rb") as handle:
                return needle in handle.read()
        except OSError:
            return True  # let _read report it

    def _read(self, path: Path) -> str:
        if path in self.files:
            return self.files[path]
        try:
            return path.read_text("utf-8")
        except OSError as exc:
            raise RepublishError(f"cannot read {path}: {exc.strerror}") from None

    # --- the plan ------------------------------------------------------------------
    def plan(self, change: Change) -> dict[Path, str]:
        """Work out every file to rewrite; raises RepublishError if the splice is unsafe."""
        self._change = change
        touched = set(change.before) | change.created
        for ref in self.articles.values():
            if touched & set(ref.answers):
                raise RepublishError(f"a changed comment is named in Answers: of {ref.id}")
        threads: dict[str, Thread] = {}
        for key in sorted(change.articles):
            tid = self._resolve(key)
            if tid is None or tid in threads:
                continue
            now = self._thread_items(tid)
            old = {i.id: i for i in now}
            for item_id, previous in change.before.items():
                old.pop(item_id, None)
                if previous is not None and self._resolve(previous.article) == tid:
                    old[item_id] = previous
            old_thread = self._thread(tid, self._visible(list(old.values()), before=True))
            new_thread = self._thread(tid, self._visible(now))
            threads[tid] = new_thread
            self._plan_article(self.articles[tid], old_thread, new_thread)
        if self.settings["COMMENT_FEEDS"] and threads:
            self._plan_feeds(threads, change)
        return self.files

    def _resolve(self, key: str) -> str | None:
        from backchannel.build.thread import resolve_alias

        return resolve_alias(key, set(self.articles), self.settings["ALIASES"])

    def _plan_article(self, ref: ArticleRef, old: Thread, new: Thread) -> None:
        page = ref.page
        path = self.output / page
        text = self._read(path)
        for template, empty in (
            ("backchannel/thread.html", False),
            ("backchannel/linkbacks.html", False),
            ("backchannel/counts.html", True),
        ):
            before = self._render(template, page, old, ref, empty)
            after = self._render(template, page, new, ref, empty)
            if before == after:
                continue
            if not before or text.count(before) != 1:
                raise RepublishError(
                    f"{page} does not hold the expected {template} output "
                    "(edited by hand, or built from other settings?)"
                )
            text = text.replace(before, after)
        self.files[path] = text
        self._plan_listings(ref, old, new)

    def _plan_listings(self, ref: ArticleRef, old: Thread, new: Thread) -> None:
        article_pages = {r.page for r in self.articles.values()}
        rendered: dict[str, tuple[str, str, bytes]] = {}
        planned = {os.fspath(path) for path in self.files}  # pages an earlier change spliced
        root = str(self.output)
        # os.walk on strings, not Path.rglob: a 1,000-article site has ~2,000 pages.
        for folder, _, names in os.walk(root):
            rel_folder = os.path.relpath(folder, root)
            for name in sorted(names):
                if not name.endswith(".html"):
                    continue
                page = name if rel_folder == "." else f"{rel_folder}/{name}"
                if page in article_pages:
                    continue
                siteurl = self._siteurl(page)
                if siteurl not in rendered:
                    before = self._render("backchannel/counts.html", page, old, ref)
                    after = self._render("backchannel/counts.html", page, new, ref)
                    rendered[siteurl] = (before, after, before.encode("utf-8"))
                before, after, needle = rendered[siteurl]
                if before == after:
                    continue
                if not before:
                    # A theme whose counts partial prints nothing without feedback
                    # leaves no place to splice the first comment's counts into.
                    raise RepublishError(f"first feedback on {ref.id} changes listing pages")
                full = os.path.join(folder, name)
                if full not in planned and not self._holds(full, needle):
                    continue
                path = Path(full)
                text = self._read(path)
                if before in text:
                    self.files[path] = text.replace(before, after)

    def _plan_feeds(self, threads: dict[str, Thread], change: Change) -> None:
        siteurl = self.pelican.get("SITEURL", "")
        sitename = self.pelican.get("SITENAME", "")
        for tid, thread in threads.items():
            self.files[self.output / feed_url(tid)] = comment_feed(
                thread, self.articles[tid], siteurl, sitename
            )
        limit = self.settings["FEED_MAX_ITEMS"]
        pairs = self._site_feed_pairs(threads, change)
        self.files[self.output / SITE_FEED] = site_feed(pairs, siteurl, sitename, limit)

    def _site_feed_pairs(
        self, threads: dict[str, Thread], change: Change
    ) -> list[tuple[Thread, ArticleRef]]:
        """The comments the site feed can hold: its current entries plus what was added."""
        siteurl = self.pelican.get("SITEURL", "")
        by_url = {ref.url: ref.id for ref in self.articles.values()}
        current = site_feed_entries(self.output / SITE_FEED, siteurl, by_url)
        if current is None or any(v is not None for v in change.before.values()):
            # Something left or changed: an older comment may move up into the
            # feed, so read every thread (slower, still correct).
            return self._all_pairs()
        nodes: dict[str, list[Any]] = {}
        for thread in threads.values():
            for node in thread.all_comments():
                # Flat: all_comments() of the pair's thread must list each node once.
                nodes.setdefault(thread.id, []).append(replace(node, children=[]))
        in_threads = {n.id for group in nodes.values() for n in group}
        locations: dict[str, tuple[Path, State]] | None = None
        for item_id, tid_hint in current:
            if item_id in in_threads:
                continue
            path = self.store.root / State.PUBLISHED.value / (tid_hint or "-") / f"{item_id}.md"
            where = (path, State.PUBLISHED)
            if not tid_hint or not path.is_file():
                # Not in its article's folder (alias, unmatched): list the store once.
                if locations is None:
                    locations = self.store.locations([State.PUBLISHED, State.UNMATCHED])
                if item_id not in locations:
                    return self._all_pairs()
                where = locations[item_id]
            item = self.store.read(*where)
            tid = self._resolve(item.article)
            if tid is None or tid in threads:
                continue
            nodes.setdefault(tid, []).append(comment_node(item, self.settings))
        pairs = []
        for tid, group in nodes.items():
            flat = Thread(id=tid, endpoints=endpoints_for(tid, self.settings), comments=group)
            pairs.append((flat, self.articles[tid]))
        return pairs

    def _all_pairs(self) -> list[tuple[Thread, ArticleRef]]:
        result = self.store.load([State.PUBLISHED, State.UNMATCHED])
        groups, _ = group_by_thread(
            self._visible(result.items), set(self.articles), self.settings["ALIASES"]
        )
        return [
            (build_thread(tid, groups.get(tid, []), self.settings), ref)
            for tid, ref in self.articles.items()
        ]

    # --- writing ---------------------------------------------------------------------
    def write(self) -> list[Path]:
        """Write every planned file atomically (atomic.py), keeping each file's mode.

        Not durably: output/ is made again from the store by every build, so a
        page needs the rename (never half a page served) but not the fsyncs.
        """
        written = []
        for path, text in self.files.items():
            data = text.encode("utf-8")
            try:
                if path.read_bytes() == data:
                    continue
                mode = path.stat().st_mode & 0o777
            except FileNotFoundError:
                mode = 0o644
            atomic_write(path, data, mode=mode, durable=False)
            written.append(path)
        return written


def republish(
    settings: Resolved, pelican_settings: dict[str, Any], store: Store, output: Path, change: Change
) -> list[Path]:
    """Update output/ for one change; RepublishError if only a full build can."""
    republisher = Republisher(settings, pelican_settings, store, output)
    republisher.plan(change)
    return republisher.write()
