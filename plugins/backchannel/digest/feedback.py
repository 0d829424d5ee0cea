"""What a digest reads of the published store: one compact cache row per item file.

A comment's row holds the few fields the digest uses (not the whole item; of
its body only the hash: the body is read from its file when the themes need
it) and its body's analysis (analysis.analyse), so an unchanged comment costs
a stat and the decoding of one JSON row: no Item, no second row for its
analysis, and one object (a Comment holds its analysis's fields itself). Rows
are the store's (store.item_cache.load_derived): keyed by the file's path,
valid while its stamp (mtime, size, inode) matches, dropped with their files.
Linkbacks, few and read whole by the digest, keep every field. The rows'
version is a hash of the code that makes them: a change to the item format,
the analysis or this module re-makes every row.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from backchannel.digest import (
    addressing,
    analysis,
    indirect_forms,
    language,
    marked_forms,
    phrases,
    question_forms,
    questions,
    request_forms,
    sentences,
    text,
)
from backchannel.digest.addressing import greeted
from backchannel.digest.analysis import Analysis, analyse, body_hash, code_version
from backchannel.errors import ItemFormatError
from backchannel.model import Item, Kind, State, reader_key
from backchannel.store import item_cache
from backchannel.store.cache import Cache
from backchannel.store.files import parse_file, read_bytes

logger = logging.getLogger(__name__)

ROWS = "digest-feedback"
_COMMENT = "c"  # a comment's compact row
_ITEM = "i"  # any other item, every field (store.item_cache.item_values)
_fromiso = datetime.fromisoformat


class Comment:
    """A published comment as the digest reads it: the Item fields it uses, nothing else.

    A reader's comment also holds its body's analysis, under analysis.Analysis's
    field names (questions, words, unanalysed, truncated, language), so it serves
    as its own analysis and as the theme miner's themes.Doc: two objects fewer per
    comment for the cycle collector to walk in every full collection of a digest
    (bench/results/digest.md). Who wrote it is `reader` (model.reader_key).
    An author's reply has none.
    """

    __slots__ = (
        "article",
        "author",
        "author_reply",
        "body_key",
        "date",
        "date_text",
        "email_hash",
        "greeted",
        "id",
        "language",
        "parent",
        "path",
        "questions",
        "reader",
        "truncated",
        "unanalysed",
        "words",
    )
    # A reader's comment's analysis, set by _decode from its row.
    questions: tuple[str, ...]
    words: str
    unanalysed: str | None
    truncated: bool
    language: str
    # The names it greets at its start (questions.greeted).
    greeted: tuple[str, ...]
    kind = Kind.COMMENT
    is_linkback = False
    state = State.PUBLISHED

    def __init__(
        self,
        id: str,
        article: str,
        author: str,
        email_hash: str | None,
        date_text: str,
        parent: str | None,
        author_reply: bool,
        body_key: str,
        path: str,
    ) -> None:
        self.id = id
        self.article = article
        self.author = author
        self.email_hash = email_hash
        self.date = _fromiso(date_text)
        # Its date as its row holds it (date.isoformat()): questions show it cut to
        # seconds, a slice instead of a slow isoformat() per asking comment.
        self.date_text = date_text
        self.parent = parent
        self.author_reply = author_reply
        self.body_key = body_key  # analysis.body_hash of its body
        self.path = path
        self.reader = reader_key(id, author, email_hash)

    @property
    def body(self) -> str:
        """Its Markdown, read again from its file ("" if it can no longer be read)."""
        try:
            return parse_file(self.path, State.PUBLISHED, *read_bytes(self.path))[1].body
        except (OSError, ItemFormatError):
            return ""


def _deriver() -> Callable[[Item], list[Any]]:
    """What a row holds of a parsed item (equal bodies analysed once per run)."""
    made: dict[str, Analysis] = {}  # by body hash: a cold run keeps no second copy of bodies

    def derive(item: Item) -> list[Any]:
        if item.kind != Kind.COMMENT:
            return [_ITEM, *item_cache.item_values(item)]
        head = [_COMMENT, item.id, item.article, item.author, item.email_hash]
        key = body_hash(item.body)
        greets = greeted(item.body)
        head += [item.date.isoformat(), item.parent, item.author_reply, key, greets]
        if item.author_reply:
            return head  # the author's own comments are never analysed
        found = made.get(key)
        if found is None:
            found = made[key] = analyse(item.body)
        return [*head, *found]

    return derive


def _decode(row: item_cache.Row, path: str) -> Comment | Item:
    if row[3] == _ITEM:
        return item_cache.item_from_values(row[4:], State.PUBLISHED)
    if row[3] != _COMMENT:
        raise ValueError("not a digest row")
    comment = Comment(row[4], row[5], row[6], row[7], row[8], row[9], row[10], row[11], path)
    comment.greeted = tuple(row[12])
    if not comment.author_reply:
        asked, comment.words, comment.unanalysed, comment.truncated, comment.language = row[13:]
        comment.questions = tuple(asked)
    return comment


def version() -> str:
    """The rows' version: the item format's and the code's that makes them."""
    this = sys.modules[__name__]
    made_by = (addressing, analysis, indirect_forms, language, phrases, question_forms, questions)
    code = code_version(this, text, sentences, request_forms, marked_forms, *made_by)
    return f"{item_cache.VERSION}-{code}"


def load_feedback(
    root: Path | str, cache: Cache
) -> tuple[list[Comment | Item], dict[str, Comment], list[ItemFormatError]]:
    """The store's published items, readers' comments' analyses by id, the files' problems.

    The items are in the order store.load gives them, comments as Comment; a
    reader's Comment is its own analysis (the analyses' values are those Comments).
    """
    decoded, problems = item_cache.load_derived(
        root, State.PUBLISHED, cache, ROWS, version(), _deriver(), _decode
    )
    analyses = {i.id: i for i in decoded if isinstance(i, Comment) and not i.author_reply}
    logger.debug("backchannel: digest read %d items", len(decoded))
    return decoded, analyses, problems
