"""Whom a comment speaks to: the names it greets or addresses, and its readers' names.

A comment that greets other readers only asks them; an author's later reply that
greets someone answers them; in a reply to another reader, "you" is that reader.
questions.py applies these to decide whose question a sentence is and which
author comment answers it.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from backchannel.digest.question_forms import remark
from backchannel.digest.text import STOP_WORDS
from backchannel.model import Item

# A question addressed by name to someone: "…, George?" / "@George …" / "George, …".
_NAMED = re.compile(
    r",\s*@?([A-Z][\w'-]+)\s*[?？.!]*\s*$|^@?([A-Z][\w'-]+)\s*[,:]|@([A-Za-z][\w'-]+)"
)
# "You" in a reply to a reader: that reader.
_YOU = re.compile(r"\b(?:you|your|yours|u)\b", re.I)


# A comment that opens by greeting someone by name ("Hi Liju,", "Hey BOK and Ann",
# "@sanky"): the names it greets, lower-cased. "Thanks" greets only a capitalised
# word ("Thanks Hartmut", "Thanks for the tip Hartmut,", not "Thanks for …").
_GREETED = re.compile(
    r"""^\W*(?:(?i:hi|hello|hey|dear|hallo|hola)(?:\s+@?(?P<name>[^\W\d_][\w'.-]*)
        |\s*,\s*(?P<comma>[A-Z][\w'-]*)(?=\s*[,.!:\n]))
      (?P<more>(?:\s*(?:&|\band\b)\s*@?[^\W\d_][\w'.-]*)*)
      | (?i:thanks|thank\s+you)(?:\s*,?\s+(?P<thanked>[A-Z][\w'.-]*)
      # "Thanks for the code Anton, …": the name closes the thanks.
        | \s+(?i:for)\s+(?:[\w'-]+\s+){1,4}?(?P<thanked_for>[A-Z][\w'-]*)(?=\s*[,.!:]))
      # "Thanks for the comments John, Graham and Jakob."
      (?P<more_thanked>(?:\s*(?:,\s*(?:and\s+)?|&\s*|\band\s+)[A-Z][\w'-]*(?=\s*[,.!:&]|\s+and\b))*)
      | @(?P<at>[^\W\d_][\w'.-]*)(?P<more_at>(?:[\s,]*(?:&|\band\b)?\s*@[^\W\d_][\w'.-]*)*))""",
    re.X,
)
# Words after a greeting that greet no one in particular.
_EVERYONE = frozenset(
    """all everyone everybody guys folks there again friends both you man mate team
    for so a very much lot and""".split()  # noqa: SIM905 (a word list as text)
)


# A comment that opens on a name and a colon or comma ("Mickel: …", "Ana, …", the
# author's "Stephen, the reason …", "paris, …" as the reader typed it) speaks to that
# person (whether a reader is meant is told by the names on the article: "Update:" or
# "Thanks," names no one there).
_ADDRESSED = re.compile(r"^\W*(?P<name>[A-Za-z][\w'-]*)\s*[,:](?!//)")
# Words a comment opens on that are no one's name ("Sure, …", "Edit:"): a greeting may cut
# a name short (calls), and "Sure" would call Suresh.
_NOT_ADDRESSED = (
    _EVERYONE
    | STOP_WORDS
    | frozenset(
        "edit update note sorry hmm indeed agreed fair absolutely ps btw correct cool".split()  # noqa: SIM905
    )
)
_WORD = re.compile(r"[^\W\d_][\w'.-]*")
_TAG = re.compile(r"<[^>]*>")


def greeted(body: str) -> tuple[str, ...]:
    """The lower-cased first names a comment greets at its start.

    Empty when it greets no one by name: such a comment may be for anyone. The
    name a comment opens on before a colon or comma counts too ("Stephen, the
    reason …"), unless it is a common word ("Sure,", "Edit:"); whether it names a
    reader is told by the names on the article.
    """
    head = body[:300]
    found = _GREETED.match(head)
    if found is None and "<" in head:  # an imported comment's HTML: "<p>@Craig, …"
        head = _TAG.sub("\n", head)
        found = _GREETED.match(head)
    if found is None:
        addressed = _ADDRESSED.match(head)
        name = addressed.group("name").lower() if addressed else ""
        return (name,) if name and name not in _NOT_ADDRESSED else ()
    first = next(n for n in found.group("name", "comma", "thanked", "thanked_for", "at") if n)
    more = found.group("more") or found.group("more_at") or found.group("more_thanked") or ""
    names = (first, *_WORD.findall(more))
    return tuple(name for name in (n.lower().rstrip(".") for n in names) if name not in _EVERYONE)


# A later paragraph of a comment that greets its readers one by one ("@Krishna: …" /
# "@BlueRaja: Sure does", "Matthias: …" / "Pim: …"); in HTML a paragraph opens after a tag
# (a Blogger export's "<BR/>"); a later sentence may too ("Thanks all. Julien: my …").
_GREETED_LATER = re.compile(
    r"(?:\n|<p>|<br\s*/?>|[.!?]\s)[ \t]*(?:@([^\W\d_][\w'.-]*)|([^\W\d_][\w'.-]*)[:,](?!//))",
    re.I,
)


def greeted_later(body: str) -> tuple[str, ...]:
    """The lower-cased names greeted ("@Pim", "Pim:", "Pim, …") at the start of later paragraphs.

    A paragraph opening on a word that is no one's name ("Update:", "Sure, …") greets
    no one, as at a comment's start (_NOT_ADDRESSED).
    """
    return tuple(
        name
        for at, named in _GREETED_LATER.findall(body[:5000])
        if (name := (at or named).lower().rstrip(".")) and (at or name not in _NOT_ADDRESSED)
    )


def greeted_in(c: Item) -> tuple[str, ...]:
    """greeted(c.body), which a digest's Comment holds already (its row keeps it)."""
    names = getattr(c, "greeted", None)
    return greeted(c.body) if names is None else names


_NAME_PART = re.compile(r"[\W_]+")


def name_words(name: str) -> set[str]:
    """The lower-cased words of a commenter's name, by which a greeting may call them.

    "Ilya_Shlyakhter" is greeted "@Ilya", "David K" "@David_K"; "Ian Davis" also by the
    handles made of his names ("@iand", "@idavis", "@iandavis"). A name that is an
    address (an OpenID URL) holds none: whom a greeting means cannot be told.
    """
    if "://" in name or "@" in name:
        return set()
    words = [word for word in _NAME_PART.split(name.lower()) if word]
    if len(words) > 1:
        first, last = words[0], words[-1]
        return {*words, first + last, first + last[0], first[0] + last}
    return set(words)


def calls(name: str, words: set[str]) -> bool:
    """Whether a greeted `name` calls a commenter whose name has `words` (see name_words).

    A greeting may cut a name short ("@Patric" to Patrick Kwinten): four letters or
    more that start a word of the name call it too.
    """
    word = called(name)
    if word in words:
        return True
    return len(word) >= 4 and any(w.startswith(word) for w in words)


def called(name: str) -> str:
    """The word of a greeted or addressed name a commenter's name holds ("david_k": "david")."""
    return _NAME_PART.split(name.lower(), 1)[0]


class Named(NamedTuple):
    """The readers on an article a question may name, and the names that do not count."""

    readers: Container[str]
    owners: set[str]
    asker: frozenset[str]

    def other(self, text: str) -> bool:
        """True when a question names another reader ("…, George?") rather than the author."""
        # A name is addressed after a comma or an "@", or before a comma or colon.
        if "," not in text and "@" not in text and ":" not in text:
            return False
        return any(
            name in self.readers and name not in self.owners and name not in self.asker
            for name in _addressed_in(text)
        )

    def author(self, text: str) -> bool:
        """True when a question calls the site author by name ("Stephen, can you …")."""
        return not self.owners.isdisjoint(_addressed_in(text))


def _addressed_in(text: str) -> Iterator[str]:
    """The names a sentence addresses ("…, George?", "@ana", "Stephen, …"), as called gives them."""
    for match in _NAMED.finditer(text):
        yield called(next(g for g in match.groups() if g))


def greets_readers_only(
    greets: tuple[str, ...], arrived: Mapping[str, datetime], owners: set[str], when: datetime
) -> bool:
    """True when every name a comment greets is another reader's, none the author's.

    Such a comment ("@Swarga, …", "Hi Ana,") asks those readers, not the author.
    `arrived` holds when each word of a reader's name first commented on the post:
    one greets only who is there already. A name one letter off the author's is the
    author's, misspelt ("Hi Eric" to Erik), even when a reader bears it.
    """
    for name in {called(name) for name in greets}:
        first = arrived.get(name)
        if first is None or first >= when or _near(name, owners):
            return False
    return True


def _near(name: str, owners: set[str]) -> bool:
    """True when `name` is an owner's name or that name with one letter changed."""
    if name in owners:
        return True
    return len(name) >= 4 and any(
        len(o) == len(name)
        and o[0] == name[0]
        and sum(a != b for a, b in zip(o, name, strict=True)) == 1
        for o in owners
    )


def for_the_author(asked: Sequence[str], to_reader: bool, named: Named) -> list[str]:
    """The question texts that ask the site author: not those naming another reader.

    In a reply to a reader (`to_reader`), a remark with a questioning "?" is not
    for the author either, nor a question to "you" that does not call the author
    by name: "you" there is the reader replied to.
    """
    return [t for t in asked if not named.other(t) and not (to_reader and _to_them(t, named))]


def _to_them(text: str, named: Named) -> bool:
    """True when a sentence of a reply to another reader speaks to that reader."""
    if ("?" in text or "？" in text) and remark(text):
        return True
    return bool(_YOU.search(text)) and not named.author(text)
