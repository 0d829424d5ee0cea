"""What a digest reuses between runs: its rows in the one SQLite cache (backchannel.store.cache).

- "digest-feedback" (feedback.py): one compact row per item file, a comment's
  fields and its body's analysis, keyed by the file's path and stamp;
- "digest-article": what the digest reads of one article source file (fields,
  text, the stems its coverage is judged on), keyed by the file's path and valid
  while its mtime and size match.

Each kind's version is a hash of the code that makes its rows (and, for
articles, of the Pelican settings that shape them): a change re-makes every row.
Rows are added and dropped one by one, never rewritten whole; deleting the
file changes no output, only how long the next digest takes.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

import pelican

from backchannel.build import articles, render
from backchannel.build.articles import ArticleInfo, load_articles
from backchannel.digest import coverage, phrases, text
from backchannel.digest.analysis import code_version
from backchannel.digest.coverage import article_stems
from backchannel.settings import Resolved
from backchannel.store.cache import Cache

logger = logging.getLogger(__name__)

ARTICLE = "digest-article"
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
# Metadata the digest reads beyond ArticleInfo's fields (people's names: never a theme).
KEPT_METADATA = ("author", "authors")


def _hash(*parts: object) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _setting(settings: dict[str, Any], key: str) -> str:
    """A setting as text for the version."""
    value = settings.get(key)
    if key == "MARKDOWN" and isinstance(value, dict):
        # Pelican's Markdown reader adds the configured extensions to
        # "extensions" in place when first used: normalise to what takes effect.
        configs = value.get("extension_configs") or {}
        used = sorted({repr(e) for e in value.get("extensions") or ()} | {repr(k) for k in configs})
        rest = sorted((k, repr(v)) for k, v in value.items() if k != "extensions")
        return repr((used, rest))
    return repr(value)


def _row(signature: tuple[int, int], info: ArticleInfo) -> dict[str, Any]:
    heading, body = article_stems(info)
    metadata = {}
    for key in KEPT_METADATA:
        value = info.metadata.get(key)
        if value:
            many = isinstance(value, list | tuple)
            metadata[key] = [str(v) for v in value] if many else str(value)
    return {
        "stamp": list(signature),
        "id": info.id,
        "slug": info.slug,
        "title": info.title,
        "url": info.url,
        "date": info.date.isoformat(),
        "status": info.status,
        "summary": info.summary,
        "category": info.category,
        "tags": list(info.tags),
        "answers": list(info.answers),
        "metadata": metadata,
        "text": info.text,
        "stems": [heading, body],
    }


def _info(row: dict[str, Any], rel: str) -> ArticleInfo:
    info = ArticleInfo(
        id=row["id"],
        slug=row["slug"],
        title=row["title"],
        url=row["url"],
        date=datetime.fromisoformat(row["date"]),
        status=row["status"],
        source_path=rel,
        html="",  # the digest reads the text, kept below
        summary=row["summary"],
        category=row["category"],
        tags=tuple(row["tags"]),
        answers=tuple(row["answers"]),
        metadata=row["metadata"],
    )
    info.__dict__["text"] = row["text"]  # the cached_property's value
    return info


def load_articles_cached(
    settings: Resolved, cache: Cache
) -> tuple[list[ArticleInfo], dict[str, tuple[str, str]]]:
    """The published articles and their stems by id, unchanged source files from the cache.

    The articles are as articles.load_articles reads them, the stems as
    coverage.article_stems makes them.
    """
    pelican_settings = settings.pelican
    version = _hash(
        getattr(pelican, "__version__", ""),
        code_version(articles, render, coverage, phrases, text),
        [(key, _setting(pelican_settings, key)) for key in READING_SETTINGS],
    )
    rows = cache.get_many(ARTICLE, version)
    entries = {}
    for rel, row in rows.items():
        try:
            entries[rel] = (tuple(row["stamp"]), _info(row, rel))
        except (KeyError, TypeError, ValueError):
            continue  # a damaged row is read again from its file
    before = {rel: entry[0] for rel, entry in entries.items()}
    found = load_articles(settings, cache=entries, guess_code_languages=False)
    fresh = {
        rel: _row(signature, info)
        for rel, (signature, info) in entries.items()
        if before.get(rel) != signature
    }
    cache.put_many(ARTICLE, version, fresh)
    if len(rows) != len(entries) or before.keys() - entries.keys():
        cache.keep_only(ARTICLE, entries)
    stems = {}
    for rel, (_, info) in entries.items():
        row = fresh.get(rel) or rows[rel]
        stems[info.id] = (row["stems"][0], row["stems"][1])
    logger.debug(
        "backchannel: digest read %d articles, %d from their files", len(found), len(fresh)
    )
    return found, stems
