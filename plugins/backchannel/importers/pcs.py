"""The folder layout of the pelican_comment_system plugin.

`comments/<article slug>/<identifier>.md`: one comment per file, Pelican-style
`key: value` metadata (`date` required; `author`, `website`, `email`,
`replyto` = the identifier of the parent comment), a blank line, then the
text. Dates without a time zone are taken as UTC.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from backchannel.field_policy import http_url
from backchannel.importers.records import (
    ArticleRef,
    ImportSourceError,
    Record,
    clean_name,
    clean_text,
    iso_date,
)
from backchannel.model import Kind, State

SUFFIXES = (".md", ".markdown", ".mkd", ".rst", ".txt")


def parse_comment(text: str, slug: str, ident: str, name: str) -> Record:
    """One comment file's text."""
    header, _, body = text.replace("\r\n", "\n").partition("\n\n")
    meta: dict[str, str] = {}
    for number, line in enumerate(header.split("\n"), start=1):
        key, colon, value = line.partition(":")
        if not colon or not key.strip() or " " in key.strip():
            raise ImportSourceError(
                f"metadata line is not 'key: value': {line[:60]!r}", name, number
            )
        meta[key.strip().lower()] = value.strip()
    date = iso_date(meta.get("date", "").replace(" ", "T", 1))
    replyto = meta.get("replyto", "").strip()
    return Record(
        origin="pelican-comment-system",
        origin_id=f"{slug}/{ident}",
        kind=Kind.COMMENT,
        state=State.PUBLISHED,
        author=clean_name(meta.get("author")),
        date=date,
        body=clean_text(body),
        article=ArticleRef(slug=slug),
        author_url=http_url(meta.get("website")),
        email=meta.get("email") or None,
        parent_origin_id=f"{slug}/{replyto}" if replyto else None,
    )


def read(source: str) -> Iterator[Record]:
    """Every comment file under the comments folder."""
    root = Path(source)
    if not root.is_dir():
        raise ImportSourceError("not a folder (expected comments/<slug>/<id>.md)", source)
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        for path in sorted(folder.iterdir()):
            if path.suffix.lower() not in SUFFIXES or path.name.startswith("."):
                continue
            try:
                text = path.read_text("utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ImportSourceError(f"cannot read: {exc}", str(path)) from None
            yield parse_comment(text, folder.name, path.stem, str(path))
