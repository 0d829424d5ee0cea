"""The site's articles for the digest, cached per source file by mtime and size.

Reading 1,000 articles with Pelican's Markdown reader takes seconds; between two
digests few change. Entries live in Pelican's CACHE_PATH and are dropped when
the settings that shape an article (URLs, slugs, Markdown, dates) or this code change.
The digest reads only an article's text, so code blocks' languages are not guessed
(see articles._without_language_guessing).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import pelican

from backchannel import articles, render
from backchannel.articles import ArticleInfo, load_articles
from backchannel.digest.cache_file import fingerprint, read_cache, source_fingerprint, write_cache
from backchannel.settings import Resolved

if TYPE_CHECKING:
    from backchannel.background import Deferred

logger = logging.getLogger(__name__)

CACHE_NAME = "backchannel-digest-articles.pickle"
# Pelican settings that change what reading a source file gives.
READING_SETTINGS = (
    "PATH",
    "ARTICLE_URL",
    "ARTICLE_SAVE_AS",
    "ARTICLE_LANG_URL",
    "ARTICLE_EXCLUDES",
    "PAGE_PATHS",
    "SLUGIFY_SOURCE",
    "SLUG_REGEX_SUBSTITUTIONS",
    "MARKDOWN",
    "TIMEZONE",
    "DEFAULT_DATE",
    "DEFAULT_LANG",
    "DEFAULT_CATEGORY",
    "USE_FOLDER_AS_CATEGORY",
    "FILENAME_METADATA",
    "PATH_METADATA",
    "EXTRA_PATH_METADATA",
    "DEFAULT_METADATA",
    "SUMMARY_MAX_LENGTH",
    "SUMMARY_END_SUFFIX",
    "FORMATTED_FIELDS",
    "READERS",
    "PLUGINS",
    "SITEURL",
    "TYPOGRIFY",
)


def _setting(settings: dict[str, Any], key: str) -> str:
    """A setting as text for the fingerprint."""
    value = settings.get(key)
    if key == "MARKDOWN" and isinstance(value, dict):
        # Pelican's Markdown reader adds the configured extensions to
        # "extensions" in place when first used: normalise to what takes effect.
        configs = value.get("extension_configs") or {}
        used = sorted({repr(e) for e in value.get("extensions") or ()} | {repr(k) for k in configs})
        rest = sorted((k, repr(v)) for k, v in value.items() if k != "extensions")
        return repr((used, rest))
    return repr(value)


def _plain(value: Any) -> Any:
    """Metadata without Pelican's objects (which hold the whole settings dict)."""
    if value is None or isinstance(value, str | int | float | bool | dt.datetime | dt.date):
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return str(value)


def _storable(info: ArticleInfo) -> ArticleInfo:
    """The entry as cached: plain metadata, and its text already extracted."""
    stored = replace(info, metadata={k: _plain(v) for k, v in info.metadata.items()})
    _ = stored.text  # cached_property: computed now, pickled with the entry
    return stored


def load_articles_cached(
    settings: Resolved, include_drafts: bool = False, defer: Deferred | None = None
) -> list[ArticleInfo]:
    """articles.load_articles, with unchanged files taken from the cache in CACHE_PATH.

    With `defer`, rewriting the cache is queued there instead of done now.
    """
    folder = settings.cache_dir
    if folder is None:
        return load_articles(settings, include_drafts, guess_code_languages=False)
    path = folder / CACHE_NAME
    pelican_settings = settings.pelican
    stamp = fingerprint(
        pelican.__version__ if hasattr(pelican, "__version__") else "",
        source_fingerprint(articles, render),
        [(key, _setting(pelican_settings, key)) for key in READING_SETTINGS],
    )
    cache = read_cache(path, stamp)
    before = {rel: entry[0] for rel, entry in cache.items()}
    found = load_articles(settings, include_drafts, cache=cache, guess_code_languages=False)
    changed = {rel: entry[0] for rel, entry in cache.items()} != before
    if changed:
        for rel, (signature, info) in list(cache.items()):
            if before.get(rel) != signature:
                cache[rel] = (signature, _storable(info))
        if defer is None:
            write_cache(path, stamp, cache)
        else:
            defer.add(write_cache, path, stamp, cache)
    logger.debug("backchannel: digest read %d articles (cache %s)", len(found), path)
    return found


def load_articles_plain(settings: Resolved) -> list[ArticleInfo]:
    """load_articles_cached as cached entries are: plain metadata, text already extracted.

    What a helper process returns (Pelican's metadata objects hold the whole
    settings and need not cross); the digest reads nothing else.
    """
    return [_storable(info) for info in load_articles_cached(settings)]
