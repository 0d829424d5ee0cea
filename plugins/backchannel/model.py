"""Feedback items: the frozen dataclass, its kinds and states, and its text format.

One item is one UTF-8 file: `Key: value` header lines, a blank line, a Markdown
body. The header is parsed here and nowhere else, so the store, the CLI's
`check` and the importers all agree on what a valid item is.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import MISSING, dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import datetime
from enum import StrEnum
from typing import Any

from backchannel.errors import ItemFormatError
from backchannel.field_policy import (
    LINE_LIMITS,
    MAX_BODY_CHARS,
    MAX_REASON_CHARS,
    URL_LIMITS,
    clean_line,
    clean_text,
    has_unwanted,
    http_url,
    one_line,
)


class Kind(StrEnum):
    """What an item is."""

    COMMENT = "comment"
    TRACKBACK = "trackback"
    PINGBACK = "pingback"
    WEBMENTION = "webmention"


LINKBACK_KINDS = frozenset({Kind.TRACKBACK, Kind.PINGBACK, Kind.WEBMENTION})
_KINDS = {kind.value: kind for kind in Kind}


class State(StrEnum):
    """Where an item lives in the store; the state *is* the folder."""

    INBOX = "inbox"
    PUBLISHED = "published"
    SPAM = "spam"
    REJECTED = "rejected"
    UNMATCHED = "unmatched"


class MentionType(StrEnum):
    """Webmention types, from the source's microformats2 properties."""

    REPLY = "reply"
    LIKE = "like"
    REPOST = "repost"
    BOOKMARK = "bookmark"
    MENTION = "mention"


ID_RE = re.compile(r"^[a-z0-9]{6,40}$")
# Article ids become folder names: letters, digits, dot, dash, underscore; no
# leading dot, so "..", hidden files and path separators can never appear.
ARTICLE_RE = re.compile(r"^[\w-][\w.-]{0,199}$")

# Header keys in the order they are written; (attribute, header key).
FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "Id"),
    ("kind", "Kind"),
    ("article", "Article"),
    ("author", "Author"),
    ("author_url", "Author-Url"),
    ("author_reply", "Author-Reply"),
    ("email_hash", "Email-Hash"),
    ("date", "Date"),
    ("parent", "Parent"),
    ("source", "Source"),
    ("title", "Title"),
    ("mention_type", "Mention-Type"),
    ("origin", "Origin"),
    ("origin_id", "Origin-Id"),
    ("origin_url", "Origin-Url"),
    ("reasons", "Reasons"),
    ("spam_score", "Spam-Score"),
)
KEY_TO_ATTR = {key.lower(): attr for attr, key in FIELDS}
_KEY_OF = dict(FIELDS)
_HTTP_RE = re.compile(r"^https?://", re.I)
REQUIRED = ("id", "kind", "article", "author", "date", "origin")
_ATTRS = tuple(attr for attr, _ in FIELDS)
# A header exactly as `dumps` writes it: canonical keys in FIELDS order, each
# line "Key: value" with no space at either end of the value (\S and str.strip
# agree on what space is). One match instead of a loop over the lines: the
# store parses 100,000 files for a digest. The value's last character is
# checked by a look-behind at the line's end, not by backing off from it.
_CANONICAL_HEADER = re.compile(
    "".join(rf"(?:{key}: (?P<{attr}>\S[^\n]*(?<=\S))\n)?" for attr, key in FIELDS)
)


@dataclass(frozen=True)
class Item:
    """One comment or linkback. `state` comes from its folder, not its header."""

    id: str
    kind: Kind
    article: str
    author: str
    date: datetime
    origin: str
    body: str = ""
    author_url: str | None = None
    author_reply: bool = False
    email_hash: str | None = None
    parent: str | None = None
    source: str | None = None
    title: str | None = None
    mention_type: MentionType | None = None
    origin_id: str | None = None
    origin_url: str | None = None
    reasons: tuple[str, ...] = ()
    spam_score: float | None = None
    state: State = field(default=State.INBOX, compare=False)

    def __post_init__(self) -> None:
        # Every item made in code passes here (the receiver, importers, moderation,
        # with_changes): stranger text is normalised once, for every source.
        # `loads` builds items without __init__ and cleans the file text instead.
        def put(name: str, value: Any) -> None:
            object.__setattr__(self, name, value)

        for name, limit in LINE_LIMITS.items():
            value = getattr(self, name)
            if value is not None:
                put(name, clean_line(value, limit) or (None if name != "author" else ""))
        for name, limit in URL_LIMITS.items():
            if getattr(self, name) is not None:
                put(name, http_url(getattr(self, name), limit))
        body = clean_text(self.body)
        put("body", body[:MAX_BODY_CHARS] if len(body) > MAX_BODY_CHARS else body)
        if self.reasons:
            reasons = (clean_line(r, MAX_REASON_CHARS) for r in self.reasons)
            put("reasons", tuple(r for r in reasons if r))

    @property
    def is_linkback(self) -> bool:
        """True for trackbacks, pingbacks and webmentions."""
        return self.kind in LINKBACK_KINDS

    @property
    def reader(self) -> str:
        """Who wrote it, as the digest counts readers (see reader_key)."""
        return reader_key(self.id, self.author, self.email_hash)

    def with_changes(self, **changes: Any) -> Item:
        """A copy with some fields changed."""
        return replace(self, **changes)


# Names that say nobody in particular (Disqus calls every guest "Guest").
_NOBODY_IN_PARTICULAR = frozenset({"", "guest", "anonymous", "anon", "unknown"})


def anonymous(author: str) -> bool:
    """True for a name that says nobody in particular ("Guest", "Anonymous", none)."""
    return author.casefold() in _NOBODY_IN_PARTICULAR


def reader_key(item_id: str, author: str, email_hash: str | None) -> str:
    """Which reader wrote an item: their e-mail's hash, else their name in any case.

    "Bara" and "bara" are one reader; two comments signed "Guest" are two readers
    unless their e-mails match. The one identity behind every reader count and
    every "is this the same reader" test of the digest.
    """
    if email_hash:
        return email_hash
    return "\0" + item_id if anonymous(author) else author.casefold()


_FIELD_DEFAULTS = {
    f.name: None if f.default is MISSING else f.default for f in dataclass_fields(Item)
}


# A body that opens on a block tag is an HTML document (a comment imported from an old
# blog's pages or export), not Markdown: its indentation is layout, not indented code.
_HTML_DOCUMENT = re.compile(
    r"\s*<(?:p|div|ul|ol|dl|table|blockquote|pre|section|article|h[1-6])\b", re.I
)


def is_html_document(body: str) -> bool:
    """True when a body is HTML from its first tag (see _HTML_DOCUMENT), not Markdown."""
    return body[:1] in "<\n\r\t " and _HTML_DOCUMENT.match(body) is not None


def parse_date(value: str) -> datetime:
    """ISO 8601 with an offset; a date without one is refused, not guessed."""
    text = value.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        raise ValueError("date has no time zone offset")
    return parsed


def format_date(value: datetime) -> str:
    """ISO 8601, seconds precision, offset kept."""
    return value.isoformat(timespec="seconds")


def _header_value(attr: str, value: Any) -> str | None:
    if value is None or value == () or value is False:
        return None
    if attr == "date":
        return format_date(value)
    if attr == "author_reply":
        return "yes"
    if attr == "reasons":
        return "; ".join(one_line(r).replace(";", ",") for r in value)
    if attr == "spam_score":
        return f"{value:.2f}"
    return one_line(str(value))


def dumps(item: Item) -> str:
    """The item as file text."""
    lines = []
    for attr, key in FIELDS:
        text = _header_value(attr, getattr(item, attr))
        if text:
            lines.append(f"{key}: {text}")
    body = item.body.replace("\r\n", "\n").strip("\n")
    return "\n".join(lines) + "\n\n" + body + ("\n" if body else "")


def _bad_header_line(key: str, colon: str, line: str, path: object, number: int) -> None:
    if not colon or not key.strip() or key != key.strip():
        raise ItemFormatError(f"header line is not 'Key: value': {line[:60]!r}", path, number)
    raise ItemFormatError(f"unknown header key {key.strip()!r}", path, number)


def _header_values(header: str, path: object) -> dict[str, Any]:
    """Every header attribute's value (None where absent), in FIELDS order.

    A header as `dumps` writes it (canonical keys in order, no stray spaces) is
    read by one regex match; anything else line by line, naming a bad line.
    """
    match = _CANONICAL_HEADER.fullmatch(header + "\n")
    if match is not None:
        return match.groupdict()
    values: dict[str, Any] = dict.fromkeys(_ATTRS)
    seen: set[str] = set()
    for number, line in enumerate(header.split("\n"), start=1):
        key, colon, value = line.partition(":")
        attr = KEY_TO_ATTR.get(key.lower()) if colon else None
        if attr is None:
            _bad_header_line(key, colon, line, path, number)
        if attr in seen:
            raise ItemFormatError(f"header key {key.strip()!r} repeated", path, number)
        seen.add(attr)
        values[attr] = value.strip()
    return values


def _line_of(header: str, attr: str) -> int:
    """The line number of an attribute's header line (only asked for an error message)."""
    for number, line in enumerate(header.split("\n"), start=1):
        if KEY_TO_ATTR.get(line.partition(":")[0].lower()) == attr:
            return number
    return 1


def _new_item(values: dict[str, Any]) -> Item:
    # What Item(**values) makes, without a frozen dataclass's __init__ setting each
    # field through object.__setattr__ (the store parses every item for a digest).
    # The dict starts from every field's default in field order: the same instance.
    item = object.__new__(Item)
    object.__setattr__(item, "__dict__", {**_FIELD_DEFAULTS, **values})
    return item


def _check_identity(values: dict[str, Any], bad: Callable[[str, str], ItemFormatError]) -> None:
    """Check id, kind, article, date and parent; kind and date become their types."""
    if not ID_RE.match(values["id"]):
        raise bad("id", f"{values['id']!r} is not 6-40 lowercase letters and digits")
    kind = _KINDS.get(values["kind"].lower())
    if kind is None:
        raise bad("kind", f"unknown kind {values['kind']!r}")
    values["kind"] = kind
    if not ARTICLE_RE.match(values["article"]):
        raise bad("article", f"{values['article']!r} is not a valid article id")
    try:
        values["date"] = parse_date(values["date"])
    except ValueError as exc:
        raise bad("date", f"{values['date']!r}: {exc}") from None
    if values["parent"] is not None and not ID_RE.match(values["parent"]):
        raise bad("parent", f"{values['parent']!r} is not a valid id")


def _check_details(values: dict[str, Any], bad: Callable[[str, str], ItemFormatError]) -> None:
    """Check and convert author_reply, mention_type, reasons, spam_score and the URLs."""
    if values["author_reply"] is None:
        values["author_reply"] = False
    else:
        flag = values["author_reply"].lower()
        if flag not in ("yes", "no", "true", "false"):
            raise bad("author_reply", "must be yes or no")
        values["author_reply"] = flag in ("yes", "true")
    if values["mention_type"] is not None:
        try:
            values["mention_type"] = MentionType(values["mention_type"].lower())
        except ValueError:
            raise bad("mention_type", f"unknown mention type {values['mention_type']!r}") from None
        if values["kind"] != Kind.WEBMENTION:
            raise bad("mention_type", "only webmentions have a mention type")
    if values["reasons"] is None:
        values["reasons"] = ()
    else:
        values["reasons"] = tuple(r.strip() for r in values["reasons"].split(";") if r.strip())
    if values["spam_score"] is not None:
        try:
            values["spam_score"] = float(values["spam_score"])
        except ValueError:
            raise bad("spam_score", "is not a number") from None
    for url_attr in ("author_url", "source", "origin_url"):
        if values[url_attr] is not None and not _HTTP_RE.match(values[url_attr]):
            raise bad(url_attr, f"{values[url_attr]!r} is not an http(s) URL")


def loads(text: str, path: object = None, state: State = State.INBOX) -> Item:
    """Parse file text into an Item; ItemFormatError names the line of a problem.

    A file that holds control characters (an editor, an older version) is read
    without them, so they never reach a page, a feed or a terminal.
    """
    if has_unwanted(text):
        text = clean_text(text)
    header, sep, body = text.partition("\n\n")
    if not sep:
        header, body = text, ""
        if not text.strip():
            raise ItemFormatError("empty file", path, 1)
    values = _header_values(header, path)
    for attr in REQUIRED:
        if not values[attr]:
            raise ItemFormatError(f"missing header {_KEY_OF[attr]!r}", path, 1)

    def bad(attr: str, reason: str) -> ItemFormatError:
        return ItemFormatError(f"{_KEY_OF[attr]}: {reason}", path, _line_of(header, attr))

    _check_identity(values, bad)
    _check_details(values, bad)
    if values["kind"] in LINKBACK_KINDS and not values["source"]:
        raise ItemFormatError(f"a {values['kind']} needs a Source", path, 1)
    body = body.strip("\n")
    # isspace, not strip: no copy of the body just to see it is blank.
    if values["kind"] == Kind.COMMENT and (not body or body.isspace()):
        raise ItemFormatError("empty body: a comment needs text", path, header.count("\n") + 3)
    values.update(body=body, state=state)
    return _new_item(values)


def public_json(item: Item) -> dict[str, Any]:
    """The public JSON form of an item (no private data)."""
    return {
        "id": item.id,
        "kind": item.kind.value,
        "article": item.article,
        "state": item.state.value,
        "author": item.author,
        "author_url": item.author_url,
        "author_reply": item.author_reply,
        "date": item.date.isoformat(timespec="seconds"),
        "parent": item.parent,
        "source": item.source,
        "title": item.title,
        "mention_type": item.mention_type.value if item.mention_type else None,
        "origin": item.origin,
        "reasons": list(item.reasons),
        "body": item.body,
    }
