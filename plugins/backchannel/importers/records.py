"""The importers' common currency: one Record per comment or linkback found."""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import UTC, datetime

from backchannel.errors import BackchannelError
from backchannel.field_policy import clean_text as model_clean_text
from backchannel.field_policy import one_line
from backchannel.model import Kind, MentionType, State


class ImportSourceError(BackchannelError):
    """A source cannot be imported; the message names the file and the position."""

    def __init__(self, reason: str, source: str = "", line: int = 0, column: int = 0) -> None:
        self.reason = reason
        self.source = source
        self.line = line
        self.column = column
        where = source
        if line:
            where += f":{line}" + (f":{column}" if column else "")
        super().__init__(f"{where}: {reason}" if where else reason)


@dataclass(frozen=True, slots=True)
class ArticleRef:
    """What a source says about the post an item belongs to."""

    url: str | None = None
    permalink: str | None = None
    slug: str | None = None
    title: str | None = None


@dataclass(slots=True)
class Record:
    """One comment or linkback as a source describes it, before it becomes an Item.

    `state` None means "not imported" (trash, deleted), with `skip_reason` saying why;
    `note` is something the import summary should tell the author (a guessed date).
    """

    origin: str
    origin_id: str
    kind: Kind
    state: State | None
    author: str
    date: datetime | None
    body: str
    article: ArticleRef
    author_url: str | None = None
    email: str | None = None
    ip: str | None = None
    parent_origin_id: str | None = None
    source: str | None = None
    title: str | None = None
    mention_type: MentionType | None = None
    skip_reason: str | None = None
    note: str | None = None


def clean_name(value: str | None) -> str:
    """A display name: HTML entities unescaped, one line, no control characters.

    Ping authors carry entities such as `&laquo;`; one such as `&#27;` makes a
    control character.
    """
    return one_line(model_clean_text(html.unescape(value or "")))


def clean_text(value: str | None) -> str:
    """A body: control characters and surrounding blank lines and indentation removed."""
    return model_clean_text(value or "").strip()


def utc_from_naive(value: str) -> datetime | None:
    """Parse a zone-less "YYYY-MM-DD HH:MM:SS" known to be UTC; None for empty or zero dates."""
    text = (value or "").strip()
    if not text or text.startswith("0000"):
        return None
    try:
        return datetime.fromisoformat(text).replace(tzinfo=UTC)
    except ValueError:
        return None


def iso_date(value: str | None) -> datetime | None:
    """Parse ISO 8601 / RFC 3339 (also `-0500` offsets); zone-less means UTC."""
    text = (value or "").strip()
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
