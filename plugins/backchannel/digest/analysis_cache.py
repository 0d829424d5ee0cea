"""Per-comment analyses kept between digests, keyed by comment id and a hash of its body.

Reading 100,000 comments for questions and phrases costs seconds; a weekly
digest mostly sees the same comments again, so each body is analysed once and
the result reused until the body (or the analysis code) changes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Iterable
from pathlib import Path

from backchannel.digest import analysis, phrases, questions, text
from backchannel.digest.analysis import Analysis, analyse
from backchannel.digest.cache_file import read_cache, source_fingerprint, write_cache
from backchannel.model import Item

logger = logging.getLogger(__name__)

CACHE_NAME = "backchannel-digest-analysis.pickle"
ENTRY_SIZE = 1 + len(Analysis._fields)


def body_hash(body: str) -> bytes:
    """A 128-bit hash of a comment body."""
    return hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def analyse_all(
    items: Iterable[Item], cache_dir: Path | None, keep: Collection[str] = ()
) -> dict[str, Analysis]:
    """The analysis of every item by id, reusing and refreshing the cache in `cache_dir`.

    Cached entries of ids in `keep` (comments still in the store but outside
    this digest, e.g. after --until) stay for later digests; all others go.
    """
    path = cache_dir / CACHE_NAME if cache_dir is not None else None
    # Any change to the analysing code invalidates every entry.
    stamp = source_fingerprint(analysis, phrases, questions, text)
    # Entries are flat tuples (body hash, *analysis): unpickling 100,000 plain
    # tuples is a third of the cost of as many named tuples.
    old: dict[str, tuple] = read_cache(path, stamp)
    fresh: dict[str, tuple] = {}
    out: dict[str, Analysis] = {}
    make = Analysis._make
    misses = 0
    for item in items:
        digest = body_hash(item.body)
        entry = old.get(item.id)
        if entry is None or entry[0] != digest or len(entry) != ENTRY_SIZE:
            entry = (digest, *analyse(item.body))
            misses += 1
        fresh[item.id] = entry
        out[item.id] = make(entry[1:])
    logger.debug(
        "backchannel: digest analysed %d comments, %d from the cache", len(out), len(out) - misses
    )
    for item_id in keep:
        if item_id not in fresh and item_id in old:
            fresh[item_id] = old[item_id]
    # Entries of deleted comments are dropped; an unchanged cache is not rewritten.
    if misses or fresh.keys() != old.keys():
        write_cache(path, stamp, fresh)
    return out
