"""Reader questions: which sentences of a comment ask the author something, and are they answered.

The sentence forms live in question_forms; this module finds them in comments
and decides which are answered: by the site author below the question or later
in its thread (or, on older two-level blogs, in a later top-level comment), or
by a post that lists the comment in `Answers:`.
"""

from __future__ import annotations

import logging
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from itertools import pairwise
from typing import TYPE_CHECKING, NamedTuple

from backchannel.digest.addressing import (
    Named,
    called,
    calls,
    for_the_author,
    greeted_in,
    greeted_later,
    greets_readers_only,
    name_words,
)
from backchannel.digest.question_forms import asks_beside, is_question
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

AUTHOR_REPLY = "author-reply"


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
    asks = [s for s in found if is_question(s)]
    if asks and "?" in plain:
        # One-word fragments (no space: sentences are whitespace-collapsed) beside a
        # question; rare, so the comment is read again in order only when it has one.
        beside = {s for s in found if " " not in s and asks_beside(s)}
        if beside:
            return [s for s in found if s in beside or is_question(s)]
    return asks


# A WordPress pingback's body, kept as a comment by imports that drop its type: an
# excerpt of the linking page between elision marks, "[...] their text [...]".
_EXCERPT = re.compile(r"\[(?:\.\.\.|…)\].*\[(?:\.\.\.|…)\]\s*$", re.S)


def extract_questions(body: str, language: str = "en") -> list[str]:
    """The question sentences of a comment body (Markdown), in order."""
    return questions_in(strip_markup(body), language)


_NOBODY: Mapping[str, datetime] = {}  # an article nobody commented on


def _to_the_second(c: Item) -> str:
    """c.date.isoformat(timespec="seconds"); for a digest's Comment, cut from its date text.

    That text is what isoformat() gave (feedback.Comment.date_text): the same with
    any ".ffffff" cut: a slice, where formatting the date again is a slow call.
    """
    text = getattr(c, "date_text", None)
    if text is None:
        return c.date.isoformat(timespec="seconds")
    return text[:19] + text[26:] if text[19:20] == "." else text


# How soon a reader's next top-level comment on an article continues their last one.
_FOLLOW_UP = timedelta(hours=1)
# How soon a top-level author comment may answer an earlier top-level question (blogs
# without threading): years later it answers the readers of its own time. The window is
# chosen on the labelled real blogs (bench/results/digest_quality.md).
_TOP_LEVEL_WITHIN = timedelta(days=30)


class _Threads:
    """Where the site author answered: replies below a comment or later in its thread."""

    def __init__(
        self,
        comments: list[Item],
        top_level: bool = False,
        readers: Mapping[str, Mapping[str, datetime]] | None = None,
    ) -> None:
        self.by_id = {c.id: c for c in comments}
        self.top_level = top_level
        # The words of the readers' names on each article (see find_questions).
        self.readers = readers or {}
        self.children: dict[str, list[Item]] = {}
        for c in comments:
            if c.parent:
                self.children.setdefault(c.parent, []).append(c)
        self.roots: dict[str, str] = {}
        # A reader's top-level comment within _FOLLOW_UP of their previous one on the
        # article (a follow-up, a re-post with a fix) goes on that thread: an answer under
        # either answers both.
        self.follows: dict[str, str] = {}
        first: dict[tuple[str, str], Item] = {}
        more: dict[tuple[str, str], list[Item]] = {}  # most readers write one on a post
        for c in comments:
            if c.parent is None and not c.author_reply:
                key = (c.article, c.reader)
                seen = first.setdefault(key, c)
                if seen is not c:
                    more.setdefault(key, [seen]).append(c)
        for mine in more.values():
            mine.sort(key=lambda c: (c.date, c.id))
            for before, c in pairwise(mine):
                if c.date - before.date <= _FOLLOW_UP:
                    self.follows[c.id] = self.follows.get(before.id, before.id)
        # The author's comments in each thread (by root id) and, apart, the
        # author's top-level comments of each article ("\0" + article): oldest first.
        self.owner: dict[str, list[tuple[datetime, str, Item]]] = {}
        for c in comments:
            if c.author_reply:
                self.owner.setdefault(self.root(c.id), []).append((c.date, c.id, c))
                if top_level and c.parent is None:
                    self.owner.setdefault("\0" + c.article, []).append((c.date, c.id, c))
        for entries in self.owner.values():
            entries.sort(key=lambda e: (e[0], e[1]))
        self.owner_dates = {key: [e[0] for e in v] for key, v in self.owner.items()}

    def to_reader(self, c: Item) -> bool:
        """True when `c` replies to another reader: not to the author, nor to its own asker.

        A follow-up under one's own comment (Staticman threads hang every reply
        on the thread's first comment) still asks the author.
        """
        if c.parent is None:
            return False
        parent = self.by_id.get(c.parent)
        if parent is None:
            return True  # an unknown parent: a reader's, as before
        if parent.author_reply:
            return False
        return parent.reader != c.reader

    def root(self, comment_id: str) -> str:
        """The top-level comment a comment's thread starts from (cycles and gaps tolerated)."""
        found = self.roots.get(comment_id)
        if found is not None:
            return found
        path, seen, current = [], set(), comment_id
        while True:
            path.append(current)
            seen.add(current)
            parent = self.by_id[current].parent if current in self.by_id else None
            if parent is None:
                parent = self.follows.get(current)
            if parent is None or parent not in self.by_id or parent in seen:
                break
            if parent in self.roots:
                current = self.roots[parent]
                break
            current = parent
        for step in path:
            self.roots[step] = current
        return current

    def answer(self, item: Item) -> Item | None:
        """The author comment that answers `item`, or None.

        The first later one in its thread, else (top-level questions) the first
        later top-level one if within _TOP_LEVEL_WITHIN, else one below it (a
        reply dated before its parent, as some imports have it).
        """
        if not self.owner:
            return None  # the site author wrote nothing: nothing is answered by reply
        found = self._first_after(self.root(item.id), item)
        if found is None and self.top_level:
            # A reply's question too, by a top-level comment greeting its asker ("@Chris, …").
            found = self._first_after(
                "\0" + item.article, item, _TOP_LEVEL_WITHIN, greeting=item.parent is not None
            )
        return found if found is not None else self._below(item)

    def _first_after(
        self, key: str, item: Item, within: timedelta | None = None, greeting: bool = False
    ) -> Item | None:
        """The oldest author comment of group `key` written after `item`.

        A later comment that greets other readers of the post by name ("Hi
        Irene, …", "@sanky") answers them, not `item`'s author, unless it replies
        to `item` itself; a greeting to a name no reader of the post bears (the
        author's slip, "Hi Jordan" to Grant) says nothing of whom it answers.
        With `within`, a comment written later than that after `item` answers it
        only by greeting its asker ("@mona: …"); with `greeting`, only such a comment does.
        """
        entries = self.owner.get(key)
        if not entries:
            return None
        asker: set[str] | None = None
        for n in range(bisect_right(self.owner_dates[key], item.date), len(entries)):
            reply = entries[n][2]
            if reply.id == item.id:
                continue
            names = greeted_in(reply)
            greets_asker = False
            if names and reply.parent != item.id:
                if asker is None:
                    asker = name_words(item.author)
                # One reply may greet its readers paragraph by paragraph ("@Krishna: …",
                # "@BlueRaja: …"), once it opens on a greeting.
                greets_asker = bool(asker) and any(
                    calls(name, asker) for name in (*names, *greeted_later(reply.body))
                )
                if asker and not greets_asker and self._to_someone(reply, item.article, names):
                    continue
            if greets_asker or (
                not greeting and (within is None or reply.date - item.date <= within)
            ):
                return reply
        return None

    def _to_someone(self, reply: Item, article: str, names: tuple[str, ...]) -> bool:
        """Whether greeting `names` points `reply` at someone else than the asker.

        A reader of the post, or an @-mention (copied from a comment, maybe one
        the store does not hold); not a typed slip ("Hi Jordan" to Grant).
        """
        present = self.readers.get(article, _NOBODY)
        if any(called(name) in present for name in names):
            return True
        body = reply.body.lower()
        return any(f"@{name}" in body for name in names)

    def _below(self, item: Item) -> Item | None:
        """The oldest author comment anywhere below `item`."""
        stack = list(self.children.get(item.id, ()))
        seen: set[str] = set()
        best: Item | None = None
        while stack:
            child = stack.pop()
            if child.id in seen:
                continue
            seen.add(child.id)
            if child.author_reply and (best is None or child.date < best.date):
                best = child
            stack.extend(self.children.get(child.id, ()))
        return best


def _answered_by(
    c: Item, answers: dict[str, str], threads: _Threads
) -> tuple[str | None, str | None]:
    """(answered_by, answer_id): a post listing it in `Answers:` wins over a reply."""
    if c.id in answers:
        return answers[c.id], None
    reply = threads.answer(c)
    return (AUTHOR_REPLY, reply.id) if reply is not None else (None, None)


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
    top-level author comment on the same article within _TOP_LEVEL_WITHIN
    after a top-level question also answers it: older blogs answered that way,
    and on the labelled real comments it made every question listed as open
    truly open (15 of 15, against 15 of 17 without) at no cost in recall.
    """
    comments = [c for c in comments if c.kind == Kind.COMMENT]
    # Every word of each name: a reader may be addressed by any ("@Ilya", "Hi Shlyakhter").
    words = {author: frozenset(name_words(author)) for author in {c.author for c in comments}}
    readers, owners = _names_on(comments, words)
    threads = _Threads(comments, top_level, readers)
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
        greets = tuple(n for n in greeted_in(c) if called(n) not in words[c.author])
        if greets and greets_readers_only(greets, readers.get(c.article, _NOBODY), owners, c.date):
            continue
        to_reader = threads.to_reader(c)
        # The texts joined hold one of these characters when one of the texts does.
        joined = "".join(texts)
        if to_reader or "," in joined or "@" in joined or ":" in joined:
            named = Named(readers.get(c.article, _NOBODY), owners, words[c.author])
            texts = for_the_author(texts, to_reader, named)
            if not texts:
                continue
        by, answer_id = _answered_by(c, answers, threads)
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
