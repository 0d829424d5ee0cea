"""Per-comment analyses kept between digests, keyed by comment id and a hash of its body.

Reading 100,000 comments for questions and phrases costs seconds; a weekly
digest mostly sees the same comments again, so each body is analysed once and
the result reused until the body (or the analysis code) changes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from backchannel.digest import analysis, language, phrases, question_forms, questions, text
from backchannel.digest.analysis import Analysis, analyse
from backchannel.digest.cache_file import read_cache, source_fingerprint, write_cache
from backchannel.model import Item
from backchannel.parallel import in_two

if TYPE_CHECKING:
    from backchannel.background import Deferred

logger = logging.getLogger(__name__)

CACHE_NAME = "backchannel-digest-analysis.pickle"
ENTRY_SIZE = 1 + len(Analysis._fields)
# Below this many new comments a helper process costs more than it saves.
PARALLEL_MIN = 2000


def body_hash(body: str) -> bytes:
    """A 128-bit hash of a comment body."""
    return hashlib.blake2b(body.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _analyse_many(bodies: Sequence[str]) -> list[tuple]:
    # Plain tuples (body hash, *analysis): they cross from the helper process
    # pickled, and a named tuple pickles as a class reference plus a call per
    # entry. New bodies are hashed here too, on whichever core analyses them.
    return [(body_hash(body), *analyse(body)) for body in bodies]


def analyse_all(
    items: Iterable[Item],
    cache_dir: Path | None,
    keep: Collection[str] = (),
    defer: Deferred | None = None,
) -> dict[str, Analysis]:
    """The analysis of every item by id, reusing and refreshing the cache in `cache_dir`.

    Cached entries of ids in `keep` (comments still in the store but outside
    this digest, e.g. after --until) stay for later digests; all others go.
    With `defer`, rewriting the cache is queued there instead of done now.
    """
    path = cache_dir / CACHE_NAME if cache_dir is not None else None
    # Any change to the analysing code invalidates every entry.
    stamp = source_fingerprint(analysis, language, phrases, question_forms, questions, text)
    # Entries are flat tuples (body hash, *analysis): unpickling 100,000 plain
    # tuples is a third of the cost of as many named tuples.
    old: dict[str, tuple] = read_cache(path, stamp)
    fresh: dict[str, tuple | None] = {}
    missed: list[tuple[str, str]] = []  # (id, body)
    for item in items:
        entry = old.get(item.id)
        if entry is None or entry[0] != body_hash(item.body) or len(entry) != ENTRY_SIZE:
            missed.append((item.id, item.body))
            entry = None  # its place in the order is kept; filled in below
        fresh[item.id] = entry
    # ~70 us of pure Python per comment: a first digest of 100,000 comments
    # splits them over both cores (stage wall time at 100k: 10.1 s -> 4.4 s).
    made = in_two(_analyse_many, [body for _, body in missed], PARALLEL_MIN)
    for (item_id, _), entry in zip(missed, made, strict=True):
        fresh[item_id] = entry
    make = Analysis._make
    out = {item_id: make(entry[1:]) for item_id, entry in fresh.items()}  # type: ignore[index]
    logger.debug(
        "backchannel: digest analysed %d comments, %d from the cache",
        len(out),
        len(out) - len(missed),
    )
    if old:
        for item_id in keep:
            if item_id not in fresh and item_id in old:
                fresh[item_id] = old[item_id]
    # Entries of deleted comments are dropped; an unchanged cache is not rewritten.
    if missed or fresh.keys() != old.keys():
        if defer is None:
            write_cache(path, stamp, fresh)
        else:
            defer.add(write_cache, path, stamp, fresh)
    return out
