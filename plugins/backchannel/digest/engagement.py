"""Engagement: per-article counts and activity over time."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from backchannel.digest.model import ArticleStats
from backchannel.model import Item, Kind

MAX_BARS = 26  # weekly bars at most; longer spans are shown by month
MAX_MONTHS = 60  # monthly bars at most; longer spans are shown by year


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
    comment = Kind.COMMENT
    for item in items:
        when = item.date
        if when >= until:
            continue
        s = stats.get(item.article)
        if s is None:
            s = stats[item.article] = ArticleStats(item.article, item.article, "")
        new = since is None or when >= since  # in_period, inlined: a big site has 100,000s
        if item.kind == comment:
            s.comments += 1
            s.new_comments += new
            if not item.author_reply:
                found = readers.get(item.article)
                if found is None:
                    found = readers[item.article] = set()
                found.add(item.reader)
        else:
            s.linkbacks += 1
            s.new_linkbacks += new
        seen = latest.get(s.slug)
        if seen is None or when > seen:
            latest[s.slug] = when
    for slug, when in latest.items():
        stats[slug].last_activity = when.isoformat(timespec="seconds")
    for slug, names in readers.items():
        stats[slug].readers = len(names)
    return sorted(
        stats.values(), key=lambda s: (-s.new_comments - s.new_linkbacks, -s.comments, s.slug)
    )


def _month(day: date) -> date:
    return day.replace(day=1)


def _next_month(day: date) -> date:
    return (
        day.replace(year=day.year + 1, month=1)
        if day.month == 12
        else day.replace(month=day.month + 1)
    )


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def activity(
    items: Iterable[Item], since: datetime | None, until: datetime
) -> tuple[list[tuple[str, int, int]], str]:
    """(period start, comments, linkbacks) from the first to the last feedback, and the unit.

    Weekly bars while the feedback spans at most MAX_BARS weeks, then monthly while
    it spans at most MAX_MONTHS months, then yearly: an old blog's chart shows its
    feedback, not the empty weeks before the digest, and never hundreds of bars.
    """
    per_day: Counter[tuple[date, bool]] = Counter()
    for item in items:
        if item.date >= until or (since is not None and item.date < since):
            continue
        per_day[(item.date.date(), item.kind == Kind.COMMENT)] += 1
    if not per_day:
        return [], "week"
    first = min(day for day, _ in per_day)
    last = max(day for day, _ in per_day)
    if (_monday(last) - _monday(first)).days // 7 < MAX_BARS:
        unit, start, step = "week", _monday, lambda d: d + timedelta(weeks=1)
    elif (last.year - first.year) * 12 + last.month - first.month < MAX_MONTHS:
        unit, start, step = "month", _month, _next_month
    else:
        unit, start, step = (
            "year",
            lambda d: d.replace(month=1, day=1),
            lambda d: d.replace(year=d.year + 1),
        )
    per_bar: Counter[tuple[date, bool]] = Counter()
    for (day, is_comment), count in per_day.items():
        per_bar[(start(day), is_comment)] += count
    bars = []
    bar = start(first)
    while bar <= last:
        bars.append((bar.isoformat(), per_bar[(bar, True)], per_bar[(bar, False)]))
        bar = step(bar)
    return bars, unit
