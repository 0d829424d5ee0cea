"""Related posts through the tag and category indexes, against the plain pairwise ranking."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from backchannel.build.furniture import RELATED_MAX, Related


@dataclass(frozen=True)
class Slugged:
    slug: str


@dataclass(eq=False)
class Post:
    url: str
    date: datetime
    lang: str
    category: Slugged | None
    tags: list[Slugged] = field(default_factory=list)


def plain_related(articles: list[Post], article: Post, limit: int = RELATED_MAX) -> list[Any]:
    """Every other article compared with this one: the definition the indexes must meet."""
    mine = {t.slug for t in article.tags}

    def category(a: Post) -> str | None:
        return a.category.slug if a.category else None

    same_lang = [a for a in articles if a is not article and a.lang == article.lang]
    sharing = [a for a in same_lang if mine & {t.slug for t in a.tags}]
    sharing.sort(
        key=lambda a: (
            len(mine & {t.slug for t in a.tags}),
            category(a) == category(article),
            (a.date, a.url),
        ),
        reverse=True,
    )
    out = sharing[:limit]
    if article.category is not None:
        rest = [a for a in same_lang if a.category == article.category and a not in sharing]
        rest.sort(key=lambda a: (a.date, a.url), reverse=True)
        out += rest[: limit - len(out)]
    return out


def site(seed: int, size: int = 300) -> list[Post]:
    rng = random.Random(seed)
    start = datetime(2024, 1, 1)
    return [
        Post(
            url=f"post-{n}.html",
            # Few dates: many articles of one day, ordered then by URL.
            date=start + timedelta(days=rng.randrange(20)),
            lang=rng.choice(["en", "en", "sv"]),
            category=None if rng.random() < 0.2 else Slugged(f"c{rng.randrange(4)}"),
            tags=[Slugged(f"t{rng.randrange(10)}") for _ in range(rng.randrange(4))],
        )
        for n in range(size)
    ]


def test_the_indexes_rank_as_comparing_every_pair_does() -> None:
    for seed in range(20):
        articles = site(seed)
        related = Related(articles, [a.url for a in articles])
        for article in articles:
            assert related.of(article) == plain_related(articles, article), (seed, article.url)


def test_an_article_sharing_nothing_gets_nothing() -> None:
    lone = Post("lone.html", datetime(2024, 1, 1), "en", None, [Slugged("unique")])
    other = Post("other.html", datetime(2024, 1, 2), "en", Slugged("c"), [Slugged("t")])
    assert Related([lone, other], [lone.url, other.url]).of(lone) == []
