"""Whether the site author answered a reader's comment, and where.

By a reply below the comment or later in its thread (two-level blogs answer in a
later sibling), on older flat blogs by a later top-level comment (within a window,
right after the question, or whenever it greets the asker), or by a post that lists
the comment in `Answers:`.
Whom an author's comment greets (addressing.py) decides whose comment it answers.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping
from datetime import datetime, timedelta
from itertools import pairwise

from backchannel.digest.addressing import called, calls, greeted_in, greeted_later, name_words
from backchannel.model import Item, anonymous

AUTHOR_REPLY = "author-reply"
NOBODY: Mapping[str, datetime] = {}  # an article nobody commented on

# How soon a reader's next top-level comment on an article continues their last one.
FOLLOW_UP = timedelta(hours=1)
# How soon a top-level author comment may answer an earlier top-level question (blogs
# without threading): years later it answers the readers of its own time. The window is
# chosen on the labelled real blogs (bench/results/digest_quality.md).
TOP_LEVEL_WITHIN = timedelta(days=30)


class Threads:
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
        self.later_greetings: dict[str, tuple[str, ...]] = {}
        self.bodies: dict[str, str] = {}  # author comments' bodies, lower case, by id
        self.comments = comments
        self.children: dict[str, list[Item]] = {}
        for c in comments:
            if c.parent:
                self.children.setdefault(c.parent, []).append(c)
        self.roots: dict[str, str] = {}
        # A reader's top-level comment within FOLLOW_UP of their previous one on the
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
                if c.date - before.date <= FOLLOW_UP:
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
        # The comment after each comment, by article, made when first asked (only a question
        # no author comment answered within TOP_LEVEL_WITHIN asks), from the comments grouped
        # by article then.
        self._on_article: dict[str, list[Item]] | None = None
        self._next: dict[str, dict[str, Item]] = {}

    def to_reader(self, c: Item) -> bool:
        """True when `c` replies to another reader: not to the author, nor to its own asker.

        A follow-up under one's own comment (Staticman threads hang every reply
        on the thread's first comment) still asks the author, under a name
        written shorter or longer ("Krissy" under "Krissy Kernan"); so does a
        reply there that comes right after the author's: it answers the latest word.
        """
        if c.parent is None:
            return False
        parent = self.by_id.get(c.parent)
        if parent is None:
            return True  # an unknown parent: a reader's, as before
        if parent.author_reply or parent.reader == c.reader:
            return False
        if _same_name(c, parent):
            return False
        previous = max(
            (s for s in self.children.get(parent.id, ()) if (s.date, s.id) < (c.date, c.id)),
            key=lambda s: (s.date, s.id),
            default=parent,
        )
        return not previous.author_reply

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
        later top-level one if within TOP_LEVEL_WITHIN or the next comment on the
        article, else one below it (a reply dated before its parent, as some
        imports have it).
        """
        if not self.owner:
            return None  # the site author wrote nothing: nothing is answered by reply
        found = self._first_after(self.root(item.id), item)
        if found is None and self.top_level:
            # A reply's question too, by a top-level comment greeting its asker ("@Chris, …").
            found = self._first_after(
                "\0" + item.article, item, TOP_LEVEL_WITHIN, greeting=item.parent is not None
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
            greets_asker = False
            # One reply may greet its readers paragraph by paragraph ("@Krishna: …",
            # "@BlueRaja: …"), after an opening greeting or none ("Thanks all. Julien: …").
            names = (*greeted_in(reply), *self._greeted_later(reply))
            if names and reply.parent != item.id:
                if asker is None:
                    asker = name_words(item.author)
                greets_asker = bool(asker) and any(calls(name, asker) for name in names)
                if asker and not greets_asker and self._to_someone(reply, item.article, names):
                    continue
            if greets_asker or (
                not greeting
                and (
                    within is None
                    or reply.date - item.date <= within
                    or self.next_comment(item) is reply
                )
            ):
                return reply
        return None

    def next_comment(self, item: Item) -> Item | None:
        """The comment after `item` on its article by anyone but its reader (see _after_each)."""
        if self._on_article is None:
            self._on_article = {}
            for c in self.comments:
                self._on_article.setdefault(c.article, []).append(c)
        found = self._next.get(item.article)
        if found is None:
            found = self._next[item.article] = _after_each(self._on_article[item.article])
        return found.get(item.id)

    def _greeted_later(self, reply: Item) -> tuple[str, ...]:
        """greeted_later of the reply's body, once per reply.

        A digest's comment reads its body from its file each time (feedback.Comment.body).
        """
        found = self.later_greetings.get(reply.id)
        if found is None:
            found = self.later_greetings[reply.id] = greeted_later(self._body(reply))
        return found

    def _body(self, reply: Item) -> str:
        """An author comment's body, lower case, read from its file once."""
        found = self.bodies.get(reply.id)
        if found is None:
            found = self.bodies[reply.id] = reply.body.lower()
        return found

    def _to_someone(self, reply: Item, article: str, names: tuple[str, ...]) -> bool:
        """Whether greeting `names` points `reply` at someone else than the asker.

        A reader of the post, or an @-mention (copied from a comment, maybe one
        the store does not hold); not a typed slip ("Hi Jordan" to Grant).
        """
        present = self.readers.get(article, NOBODY)
        if any(called(name) in present for name in names):
            return True
        body = self._body(reply)
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


def _same_name(c: Item, other: Item) -> bool:
    """Whether two comments' names are one written shorter ("Krissy", "Krissy Kernan").

    Not for "Guest" or "Anonymous" (anyone), nor when two e-mail hashes tell them apart.
    """
    if anonymous(c.author) or anonymous(other.author):
        return False
    if c.email_hash and other.email_hash:
        return False  # the hashes differ: reader_key told them apart already
    mine, theirs = name_words(c.author), name_words(other.author)
    return bool(mine and theirs) and (mine <= theirs or theirs <= mine)


def _after_each(comments: list[Item]) -> dict[str, Item]:
    """The comment after each of an article's comments, by anyone but its own reader.

    On a flat list an author comment right after a reader's (their own follow-ups
    skipped) replies to it, however late it came.
    """
    found: dict[str, Item] = {}
    ordered = sorted(comments, key=lambda c: (c.date, c.id))
    for later, earlier in pairwise(reversed(ordered)):
        if later.reader != earlier.reader or later.author_reply or earlier.author_reply:
            found[earlier.id] = later
        elif later.id in found:  # a follow-up: what comes after it
            found[earlier.id] = found[later.id]
    return found


def answered_by(
    c: Item, answers: dict[str, str], threads: Threads
) -> tuple[str | None, str | None]:
    """(answered_by, answer_id): a post listing it in `Answers:` wins over a reply."""
    if c.id in answers:
        return answers[c.id], None
    reply = threads.answer(c)
    return (AUTHOR_REPLY, reply.id) if reply is not None else (None, None)
