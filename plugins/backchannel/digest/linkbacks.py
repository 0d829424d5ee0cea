"""Who links to you: linkbacks with site, title and excerpt, new ones first."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from backchannel.digest.engagement import in_period
from backchannel.digest.model import LinkbackEntry
from backchannel.digest.text import strip_markup
from backchannel.model import Item

EXCERPT_CHARS = 280


def excerpt(body: str, limit: int = EXCERPT_CHARS) -> str:
    """A linkback's text as one plain line, cut at a word."""
    text = " ".join(strip_markup(body).split())
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"


def linkback_entries(
    items: Iterable[Item], since: datetime | None, until: datetime, limit: int = 200
) -> list[LinkbackEntry]:
    """Linkbacks up to `until`: new ones (in the period) first, newest first."""
    entries = []
    for item in items:
        if not item.is_linkback or item.date >= until:
            continue
        kind = item.kind.value
        if item.mention_type:
            kind = f"{kind} ({item.mention_type.value})"
        entries.append(
            LinkbackEntry(
                id=item.id,
                site=urlsplit(item.source or "").hostname or "unknown site",
                source=item.source or "",
                title=" ".join((item.title or "").split()) or (item.source or ""),
                excerpt=excerpt(item.body),
                article=item.article,
                kind=kind,
                date=item.date.isoformat(timespec="seconds"),
                new=in_period(item, since, until),
            )
        )
    entries.sort(key=lambda e: (e.new, datetime.fromisoformat(e.date)), reverse=True)
    return entries[:limit]


def by_site(entries: Iterable[LinkbackEntry]) -> list[tuple[str, list[LinkbackEntry]]]:
    """Entries grouped by site, sites ordered by their newest entry."""
    groups: dict[str, list[LinkbackEntry]] = {}
    for e in entries:
        groups.setdefault(e.site, []).append(e)
    return list(groups.items())
