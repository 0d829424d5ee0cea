"""Reader questions: which sentences of a comment ask the author something, and are they answered.

The sentence forms live in question_forms; this module finds them in comments,
keeps those asked of the author (not of another reader: addressing.py) and marks
each answered or not (answered.py).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple

from backchannel.digest.addressing import (
    Named,
    called,
    for_the_author,
    greeted_in,
    greets_readers_only,
    name_words,
)
from backchannel.digest.answered import AUTHOR_REPLY, NOBODY, Threads, answered_by
from backchannel.digest.marked_forms import asks_beside
from backchannel.digest.question_forms import is_question
from backchannel.digest.sentences import sentences
from backchannel.digest.text import strip_markup
from backchannel.model import Item, Kind

if TYPE_CHECKING:  # analysis imports this module
    from backchannel.digest.analysis import Analysis

__all__ = [
    "AUTHOR_REPLY",
    "Question",
    "extract_questions",
    "find_questions",
    "is_question",
    "questions_in",
]

logger = logging.getLogger(__name__)


class Question(NamedTuple):
    """One question a reader asked, and whether (and where) it has been answered."""

    # A named tuple, not a frozen dataclass: a big digest makes 100,000s of
    # these, and a frozen dataclass costs three times as much to build.

    comment_id: str
    article: str
    author: str
    text: str
    answered: bool
    answered_by: str | None
    date: str
    # The author's reply that answers it (a comment id), when answered_by is "author-reply".
    answer_id: str | None = None
    # Who asked (model.reader_key): counts readers; never written out (`author` names them).
    reader: str = ""


def questions_in(plain: str, language: str = "en") -> list[str]:
    """The question sentences of already plain text (see text.strip_markup), in order.

    `language` (ISO 639-1) picks sentencex's sentence rules; any code is accepted.
    """
    if plain[:1] == "[" and _EXCERPT.match(plain):
        return []  # a pingback's excerpt of another page ("[…] quoted text […]")
    found = sentences(plain, language)
    asks = [s for n, s in enumerate(found) if is_question(s) and not _answered_next(found, n)]
    if asks and "?" in plain:
        # One-word fragments (no space: sentences are whitespace-collapsed) beside a
        # question; rare, so the comment is read again in order only when it has one
        # (its questions as decided above: one the writer answers stays out).
        beside = {s for s in found if " " not in s and asks_beside(s)}
        if beside:
            asked = set(asks)
            return [s for s in found if s in beside or s in asked]
    return asks


def _answered_next(found: list[str], n: int) -> bool:
    """True when the writer answers the question `found[n]` in the next sentence.

    "… would I push back on a grid framework? Probably not, as …", "Did it do the
    job? Of course.": the question makes a point; it asks nothing.
    """
    return n + 1 < len(found) and found[n][-1:] == "?" and bool(_SELF_ANSWER.match(found[n + 1]))


_SELF_ANSWER = re.compile(
    r"(?:probably\s+(?:not|yes|so)\b|of\s+course[.!,]|nope\b|not\s+really\b)", re.I
)
# A WordPress pingback's body, kept as a comment by imports that drop its type: an
# excerpt of the linking page between elision marks, "[...] their text [...]".
_EXCERPT = re.compile(r"\[(?:\.\.\.|…)\].*\[(?:\.\.\.|…)\]\s*$", re.S)


def extract_questions(body: str, language: str = "en") -> list[str]:
    """The question sentences of a comment body (Markdown), in order."""
    return questions_in(strip_markup(body), language)


def _to_the_second(c: Item) -> str:
    """c.date.isoformat(timespec="seconds"); for a digest's Comment, cut from its date text.

    That text is what isoformat() gave (feedback.Comment.date_text): the same with
    any ".ffffff" cut: a slice, where formatting the date again is a slow call.
    """
    text = getattr(c, "date_text", None)
    if text is None:
        return c.date.isoformat(timespec="seconds")
    return text[:19] + text[26:] if text[19:20] == "." else text


def find_questions(
    comments: Iterable[Item],
    answers: dict[str, str],
    analyses: Mapping[str, Analysis] | None = None,
    *,
    top_level: bool = True,
) -> list[tuple[Item, Question]]:
    """Every question in readers' comments, marked answered by reply or by a post.

    A reply answers a question when the site author (`Author-Reply: yes`) wrote
    anywhere below its comment or later in the same thread (two-level blogs
    answer in a later sibling). `answers` maps a comment id to the slug of a
    published post listing it in `Answers:`; a post wins over a reply as
    `answered_by`, being the fuller answer. `analyses` holds comments'
    analyses already made (by comment id). With `top_level` (the default), a
    top-level author comment on the same article within answered.TOP_LEVEL_WITHIN
    after a top-level question, or the next comment after it, also answers it:
    older blogs answered that way, and on the labelled real comments it made
    every question listed as open truly open (15 of 15, against 15 of 17
    without) at no cost in recall.
    """
    comments = [c for c in comments if c.kind == Kind.COMMENT]
    # Every word of each name: a reader may be addressed by any ("@Ilya", "Hi Shlyakhter").
    words = {author: frozenset(name_words(author)) for author in {c.author for c in comments}}
    readers, owners = _names_on(comments, words)
    threads = Threads(comments, top_level, readers)
    asking: list[Item] = []
    asked_in: list[tuple[str, ...] | list[str]] = []  # the question texts of asking[n]
    for c in comments:
        if not c.author_reply:
            found = analyses.get(c.id) if analyses is not None else None
            texts = extract_questions(c.body) if found is None else found.questions
            if texts:
                asking.append(c)
                asked_in.append(texts)
    # Only the comments that ask are sorted (about half of them), by date then id: their
    # places, by two stable sorts on values they hold (no key tuple made per comment).
    order = sorted(range(len(asking)), key=[c.id for c in asking].__getitem__)
    order.sort(key=[c.date for c in asking].__getitem__)
    out: list[tuple[Item, Question]] = []
    for n in order:
        c, texts = asking[n], asked_in[n]
        # Greeting oneself is a follow-up ("@Murali" over Murali's own second comment).
        greets = tuple(name for name in greeted_in(c) if called(name) not in words[c.author])
        if greets and greets_readers_only(greets, readers.get(c.article, NOBODY), owners, c.date):
            continue
        to_reader = threads.to_reader(c)
        # The texts joined hold one of these characters when one of the texts does.
        joined = "".join(texts)
        if to_reader or "," in joined or "@" in joined or ":" in joined:
            named = Named(readers.get(c.article, NOBODY), owners, words[c.author])
            texts = for_the_author(texts, to_reader, named)
            if not texts:
                continue
        by, answer_id = answered_by(c, answers, threads)
        date = _to_the_second(c)
        head = (c.id, c.article, c.author)
        tail = (by is not None, by, date, answer_id, c.reader)
        out.extend((c, Question(*head, text, *tail)) for text in texts)
    return _answered_as_its_copy(out)


def _names_on(
    comments: list[Item], words: Mapping[str, frozenset[str]]
) -> tuple[dict[str, dict[str, datetime]], set[str]]:
    """The names on the comments: readers' by article, and the site author's.

    Per article, when each word of a reader's name first commented there; the
    words of the site author's names.
    """
    readers: dict[str, dict[str, datetime]] = {}
    owners: set[str] = set()
    for c in comments:
        if c.author_reply:
            owners.update(words[c.author])
        else:
            arrived = readers.setdefault(c.article, {})
            for word in words[c.author]:
                if arrived.get(word, c.date) >= c.date:
                    arrived[word] = c.date
    return readers, owners


def _answered_as_its_copy(found: list[tuple[Item, Question]]) -> list[tuple[Item, Question]]:
    """A question a reader asked twice on a post (a double post) is answered when a copy is.

    The author answers one copy of a comment posted twice; the other must not stay open.
    """
    answered = {(q.article, q.author, q.text): q for _, q in found if q.answered}
    if not answered:
        return found
    out = []
    for c, q in found:
        copy = None if q.answered else answered.get((q.article, q.author, q.text))
        if copy is None:
            out.append((c, q))
        else:
            by = {"answered_by": copy.answered_by, "answer_id": copy.answer_id}
            out.append((c, q._replace(answered=True, **by)))
    return out
