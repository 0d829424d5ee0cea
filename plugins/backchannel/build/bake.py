"""Pelican signal handlers: attach threads to articles, write comment feeds.

Thin on purpose: loading is the store's job, shaping is `thread`'s, feeds are
`feeds`'. Handlers are module-level because blinker keeps weak references.
A bad item is logged with its path and skipped; the build never stops for one.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from pelican import signals

from backchannel.build import feeds, furniture
from backchannel.build import record as build_record
from backchannel.build.fragments import Fragments, build_digest, thread_fingerprint
from backchannel.build.manifest import read_manifest, write_manifest
from backchannel.build.thread import thread_id_of
from backchannel.build.threads import BuildThreads
from backchannel.errors import BackchannelError
from backchannel.settings import Resolved, resolve
from backchannel.store import open_store
from backchannel.store.cache import Cache

logger = logging.getLogger(__name__)

RESOLVED_KEY = "_BACKCHANNEL_RESOLVED"
RECORD_KEY = "_BACKCHANNEL_BUILD_RECORD"
PREVIOUS_MANIFEST_KEY = "_BACKCHANNEL_PREVIOUS_MANIFEST"
THREADS_KEY = "_BACKCHANNEL_THREADS"


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


def on_article_generator_finalized(generator: Any) -> None:
    """Attach `article.backchannel` to every published article (after the content cache)."""
    settings = resolved_settings(generator.settings)
    articles = list(generator.articles)
    for article in generator.articles:
        articles.extend(article.translations)
    hidden = list(getattr(generator, "drafts", [])) + list(
        getattr(generator, "hidden_articles", [])
    )
    by_id = {thread_id_of(a): a for a in articles}
    # Read once: Pelican works `article.url` out again on every access.
    urls = [a.url for a in articles]
    url_of = {id(a): url for a, url in zip(articles, urls, strict=True)}
    # The parsed-item rows are Backchannel's own cache, not Pelican's content cache, so they
    # are used whatever CACHE_CONTENT says: a build with no comment changed parses no file.
    cache = Cache(settings.cache_dir)
    threads = BuildThreads(
        settings,
        open_store(settings),
        cache,
        by_id,
        {thread_id_of(a) for a in hidden},
        settings["FEED_MAX_ITEMS"] if settings["COMMENT_FEEDS"] else 0,
    )
    fragments = Fragments(cache, build_digest(generator.settings, generator.env))
    for tid, thread in threads.threads.items():
        article = by_id[tid]
        thread.article_url = url_of[id(article)]
        thread.fingerprint = thread_fingerprint(thread, article, threads.items_digest(tid))
        thread.fragments = fragments
        article.backchannel = thread
    if settings["COMMENT_FEEDS"]:
        # A thread read for its page makes its feed too, so the feed need not read it again.
        threads.on_load = lambda thread: feeds.feed_text(
            thread, by_id[thread.id], generator.settings, fragments
        )
    generator.context[THREADS_KEY] = (threads, by_id, fragments)
    furniture.attach(articles, settings, urls)
    logger.info(
        "backchannel: %d comments and %d linkbacks on %d articles",
        sum(t.comment_count for t in threads.threads.values()),
        sum(t.linkback_count for t in threads.threads.values()),
        len(threads.threads),
    )


def on_article_writer_finalized(generator: Any, writer: Any) -> None:
    """Write the comment feeds and the article manifest once the pages are out."""
    settings = resolved_settings(generator.settings)
    if THREADS_KEY not in generator.context:
        return
    threads, articles, fragments = generator.context[THREADS_KEY]
    threads.on_load = None
    output = Path(generator.output_path)
    write_manifest(
        output,
        articles,
        settings,
        generator.settings.get(PREVIOUS_MANIFEST_KEY, {}),
        {tid: thread.article_url for tid, thread in threads.threads.items()},
    )
    if settings["COMMENT_FEEDS"]:
        feeds.write_feeds(
            output,
            threads.threads,
            articles,
            generator.settings,
            threads.latest_comments(),
            fragments,
        )
    threads.flush()
    fragments.close()
    threads.cache.close()
    if threads.rendered or threads.found:
        logger.info(
            "backchannel: %d bodies rendered, %d taken from the cache",
            threads.rendered,
            threads.found,
        )
    logger.info(
        "backchannel: %d partials and feeds made, %d taken from the cache",
        fragments.made,
        fragments.found,
    )


def register() -> None:
    """Connect the handlers to Pelican's signals."""
    signals.initialized.connect(on_initialized)
    signals.article_generator_finalized.connect(on_article_generator_finalized)
    signals.article_writer_finalized.connect(on_article_writer_finalized)
    signals.finalized.connect(on_finalized)
