"""Pelican signal handlers: attach threads to articles, write comment feeds.

Thin on purpose: loading is the store's job, shaping is `thread`'s, feeds are
`feeds`'. Handlers are module-level because blinker keeps weak references.
A bad item is logged with its path and skipped; the build never stops for one.
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from typing import Any

from pelican import signals

from backchannel.build import feeds, furniture
from backchannel.build import record as build_record
from backchannel.build.fragments import Fragments, build_digest, thread_fingerprint
from backchannel.build.manifest import read_manifest, write_manifest
from backchannel.build.render import render_all
from backchannel.build.thread import (
    Thread,
    build_thread,
    group_by_thread,
    link_answers,
    thread_id_of,
)
from backchannel.errors import BackchannelError
from backchannel.model import State
from backchannel.settings import Resolved, resolve
from backchannel.store import open_store
from backchannel.store.cache import Cache

logger = logging.getLogger(__name__)

RESOLVED_KEY = "_BACKCHANNEL_RESOLVED"
RECORD_KEY = "_BACKCHANNEL_BUILD_RECORD"
PREVIOUS_MANIFEST_KEY = "_BACKCHANNEL_PREVIOUS_MANIFEST"
THREADS_KEY = "_BACKCHANNEL_THREADS"
# What a build shows: items that are published or wait for their article.
STATES = (State.PUBLISHED, State.UNMATCHED)


def resolved_settings(settings: dict[str, Any]) -> Resolved:
    """The settings resolved at `initialized`, or resolved now (generators run alone)."""
    resolved = settings.get(RESOLVED_KEY)
    return resolved if isinstance(resolved, Resolved) else resolve(settings)


def on_initialized(pelican: Any) -> None:
    """Validate BACKCHANNEL_* once per build; an unknown key stops the build by name."""
    pelican.settings[RESOLVED_KEY] = resolve(pelican.settings)
    pelican.settings[RECORD_KEY] = build_record.of_this_process()
    # Read now: with DELETE_OUTPUT_DIRECTORY (publishconf.py) Pelican removes it before
    # writing, and its articles are the tombstones of any this build no longer has.
    pelican.settings[PREVIOUS_MANIFEST_KEY] = read_manifest(
        resolved_settings(pelican.settings).output_path
    )


def on_finalized(pelican: Any) -> None:
    """Record which settings built output/, for the CLI and `backchannel serve`."""
    settings = resolved_settings(pelican.settings)
    try:
        build_record.write(
            open_store(settings, cache=False),
            settings.output_path,
            pelican.settings.get(RECORD_KEY),
        )
    except (OSError, BackchannelError) as exc:  # the site is built; later commands lose the hint
        logger.warning("backchannel: could not record this build's settings: %s", exc)


def load_threads(settings: Resolved, articles: list[Any], hidden: list[Any]) -> dict[str, Thread]:
    """Read the published store and build a thread for every article."""
    # Unmatched items (imported for an article that did not exist yet) attach
    # themselves as soon as their article, or an alias for it, exists.
    # The parsed-item cache is Backchannel's own, not Pelican's content cache, so it
    # runs whatever CACHE_CONTENT says: its rows are checked against each file's
    # stamp, and a build with no comment changed then parses no item file.
    store = open_store(settings)
    loaded = store.load(STATES)
    ids = store.ids()
    for problem in loaded.problems:
        logger.warning("backchannel: skipping %s", problem)
    items = []
    for item in loaded.items:
        if item.parent and item.parent not in ids:
            logger.warning(
                "backchannel: skipping %s: parent %s does not exist",
                store.path_of(item),
                item.parent,
            )
            continue
        items.append(item)
    by_id = {thread_id_of(a): a for a in articles}
    groups, orphans = group_by_thread(items, set(by_id), settings["ALIASES"])
    hidden_ids = {thread_id_of(a) for a in hidden}
    for item in orphans:
        if item.state == State.PUBLISHED and item.article not in hidden_ids:
            logger.warning(
                "backchannel: %s belongs to article %r, which does not exist",
                store.path_of(item),
                item.article,
            )
    threads = {tid: build_thread(tid, groups.get(tid, []), settings) for tid in by_id}
    link_answers(threads, by_id)
    for tid, article in by_id.items():
        article.backchannel = threads[tid]
    return threads


def render_bodies(settings: Resolved, threads: dict[str, Thread]) -> None:
    """Render every body shown, through the cache; pages and feeds then find it in render's memo.

    Run before the first partial or feed has to be made (fragments.py): a build that
    takes them all from the cache needs no body, and a rebuild renders only what changed.
    """
    bodies = [n.item.body for t in threads.values() for n in t.all_comments() if n.item]
    bodies += [v.item.body for t in threads.values() for v in t.linkbacks if v.item]
    with Cache(settings.cache_dir) as cache:
        rendered, cached = render_all(bodies, cache)
    logger.info("backchannel: %d bodies rendered, %d taken from the cache", rendered, cached)


def on_article_generator_finalized(generator: Any) -> None:
    """Attach `article.backchannel` to every published article (after the content cache)."""
    settings = resolved_settings(generator.settings)
    articles = list(generator.articles)
    for article in generator.articles:
        articles.extend(article.translations)
    hidden = list(getattr(generator, "drafts", [])) + list(
        getattr(generator, "hidden_articles", [])
    )
    threads = load_threads(settings, articles, hidden)
    by_id = {thread_id_of(a): a for a in articles}
    fragments = Fragments(
        Cache(settings.cache_dir),
        build_digest(generator.settings, generator.env),
        before_making=functools.partial(render_bodies, settings, threads),
    )
    for tid, thread in threads.items():
        thread.article_url = by_id[tid].url
        thread.fingerprint = thread_fingerprint(thread, by_id[tid])
        thread.fragments = fragments
    generator.context[THREADS_KEY] = (threads, by_id, fragments)
    logger.info(
        "backchannel: %d comments and %d linkbacks on %d articles",
        sum(t.comment_count for t in threads.values()),
        sum(t.linkback_count for t in threads.values()),
        len(threads),
    )


def on_article_writer_finalized(generator: Any, writer: Any) -> None:
    """Write the comment feeds and the article manifest once the pages are out."""
    settings = resolved_settings(generator.settings)
    if THREADS_KEY not in generator.context:
        return
    threads, articles, fragments = generator.context[THREADS_KEY]
    output = Path(generator.output_path)
    write_manifest(output, articles, settings, generator.settings.get(PREVIOUS_MANIFEST_KEY, {}))
    if settings["COMMENT_FEEDS"]:
        feeds.write_feeds(
            output,
            threads,
            articles,
            generator.settings,
            settings["FEED_MAX_ITEMS"],
            fragments,
        )
    fragments.close()
    logger.info(
        "backchannel: %d partials and feeds made, %d taken from the cache",
        fragments.made,
        fragments.found,
    )


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(on_initialized)
    signals.article_generator_finalized.connect(on_article_generator_finalized)
    signals.article_generator_finalized.connect(furniture.on_article_generator_finalized)
    signals.article_writer_finalized.connect(on_article_writer_finalized)
    signals.finalized.connect(on_finalized)
