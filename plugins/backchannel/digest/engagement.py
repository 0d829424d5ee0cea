"""Engagement: per-article counts and activity over time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from backchannel.digest.model import ArticleStats
from backchannel.model import Item, Kind

MAX_BARS = 26


def in_period(item: Item, since: datetime | None, until: datetime) -> bool:
    """True when an item's date falls in [since, until)."""
    return (since is None or item.date >= since) and item.date < until


def article_stats(
    items: Iterable[Item],
    titles: dict[str, tuple[str, str]],
    since: datetime | None,
    until: datetime,
) -> list[ArticleStats]:
    """Counts per article, most discussed in the period first."""
    stats = {slug: ArticleStats(slug, title, url) for slug, (title, url) in titles.items()}
    readers: dict[str, set[str]] = {}
    latest: dict[str, datetime] = {}
    for item in items:
        if item.date >= until:
            continue
        s = stats.get(item.article)
        if s is None:
            s = stats[item.article] = ArticleStats(item.article, item.article, "")
        new = in_period(item, since, until)
        if item.kind == Kind.COMMENT:
            s.comments += 1
            s.new_comments += new
            if not item.author_reply:
                readers.setdefault(item.article, set()).add(item.email_hash or item.author)
        else:
            s.linkbacks += 1
            s.new_linkbacks += new
        seen = latest.get(s.slug)
        if seen is None or item.date > seen:
            latest[s.slug] = item.date
    for slug, when in latest.items():
        stats[slug].last_activity = when.isoformat(timespec="seconds")
    for slug, names in readers.items():
        stats[slug].readers = len(names)
    return sorted(
        stats.values(), key=lambda s: (-s.new_comments - s.new_linkbacks, -s.comments, s.slug)
    )


def activity(
    items: Iterable[Item], since: datetime | None, until: datetime
) -> list[tuple[str, int, int]]:
    """(week starting, comments, linkbacks) for the last weeks up to `until`."""
    per_week: Counter[tuple[str, bool]] = Counter()
    first: datetime | None = None
    mondays: dict[date, str] = {}  # many items share a day
    for item in items:
        if item.date >= until or (since is not None and item.date < since):
            continue
        day = item.date.date()
        week = mondays.get(day)
        if week is None:
            week = mondays[day] = (day - timedelta(days=day.weekday())).isoformat()
        per_week[(week, item.kind == Kind.COMMENT)] += 1
        first = item.date if first is None or item.date < first else first
    if first is None:
        return []
    end = (until - timedelta(seconds=1)).date()
    end -= timedelta(days=end.weekday())
    start = first.date() - timedelta(days=first.date().weekday())
    start = max(start, end - timedelta(weeks=MAX_BARS - 1))
    weeks = []
    week = start
    while week <= end:
        key = week.isoformat()
        weeks.append((key, per_week[(key, True)], per_week[(key, False)]))
        week += timedelta(weeks=1)
    return weeks
