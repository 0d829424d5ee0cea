"""An Isso SQLite database (tables `threads` and `comments`, Isso's own schema).

Modes: 1 accepted -> published, 2 awaiting moderation -> inbox, 4 deleted ->
not imported (counted). A thread's `uri` is the page's path on the old site.
The database is opened read-only: importing never changes it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from backchannel.field_policy import http_url
from backchannel.importers.records import (
    ArticleRef,
    ImportSourceError,
    Record,
    clean_name,
    clean_text,
)
from backchannel.model import Kind, State

MODES = {1: State.PUBLISHED, 2: State.INBOX}
DELETED = 4
QUERY = """
SELECT c.id, c.parent, c.created, c.mode, c.remote_addr, c.text, c.author, c.email,
       c.website, t.uri, t.title
FROM comments AS c LEFT JOIN threads AS t ON c.tid = t.id
ORDER BY c.id
"""


def read(source: str) -> Iterator[Record]:
    """Every comment of an Isso database."""
    path = Path(source)
    if not path.is_file():
        raise ImportSourceError("no such database file", source)
    try:
        db = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise ImportSourceError(f"cannot open the database: {exc}", source) from None
    try:
        rows = db.execute(QUERY)
        for row in rows:
            yield _record(row)
    except sqlite3.Error as exc:
        raise ImportSourceError(f"not an Isso database: {exc}", source) from None
    finally:
        db.close()


def _record(row: tuple) -> Record:  # type: ignore[type-arg]
    cid, parent, created, mode, remote_addr, text, author, email, website, uri, title = row
    state = MODES.get(int(mode or 1), State.INBOX)
    deleted = int(mode or 1) == DELETED
    return Record(
        origin="isso",
        origin_id=str(cid),
        kind=Kind.COMMENT,
        state=None if deleted else state,
        skip_reason="deleted in Isso" if deleted else None,
        author=clean_name(author),
        date=datetime.fromtimestamp(float(created), tz=UTC) if created else None,
        body=clean_text(text),
        article=ArticleRef(url=uri or None, title=clean_name(title) or None),
        author_url=http_url(website),
        email=(email or "").strip() or None,
        ip=(remote_addr or "").strip() or None,
        parent_origin_id=str(parent) if parent else None,
    )
