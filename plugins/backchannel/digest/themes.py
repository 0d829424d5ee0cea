"""Themes: phrases readers keep using, ranked by how often and how widely, and gaps.

Phrases are runs of content words between stop words (the RAKE idea), cut into
1-3 word n-grams and compared by crude stems. A theme must come from at least
two readers; it ranks higher the more comments, articles and readers it spans,
and longer phrases beat the single words inside them. It is a *gap* when no
published article's own text uses the phrase enough to count as covering it.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from backchannel.digest.text import STOP_WORDS, stem, strip_markup, words

MAX_N = 3
LENGTH_WEIGHT = {1: 1.0, 2: 1.8, 3: 2.2}
# Uses in one article that make it cover a phrase.
COVER_MIN = 3
# An English comment uses plenty of function words; one that uses almost none
# is in another language and would only add noise to English themes.
MIN_STOPWORD_SHARE = 0.12
MIN_WORDS_FOR_LANGUAGE = 6
MAX_DOC_SHARE = 0.25
_PUNCT = re.compile(r"[.,;:!?()\[\]\"“”—–/…？\n]+")


@dataclass
class Theme:
    """One recurring phrase and its evidence."""

    phrase: str
    key: tuple[str, ...]
    count: int
    articles: list[str]
    readers: list[str]
    comment_ids: list[str]
    gap: bool = False
    score: float = 0.0


@dataclass
class Doc:
    """A comment as the theme miner sees it."""

    id: str
    article: str
    reader: str
    text: str


@dataclass
class Unanalysed:
    """Counts of comments the analysis could not read, by reason."""

    links_or_emoji: int = 0
    other_language: int = 0
    truncated: int = 0
    ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def runs(text: str) -> list[list[str]]:
    """Runs of content words (lower case), broken at stop words and punctuation."""
    out: list[list[str]] = []
    for chunk in _chunks(text):
        run: list[str] = []
        for w in words(chunk):
            if w in STOP_WORDS or len(w) < 3 or "'" in w:
                if run:
                    out.append(run)
                run = []
            else:
                run.append(w)
        if run:
            out.append(run)
    return out


def _chunks(text: str) -> list[str]:
    # Punctuation ends a phrase: "pricing, scale" is not the phrase "pricing scale".
    return _PUNCT.split(text)


def ngrams(text: str) -> dict[tuple[str, ...], str]:
    """Stem n-grams (1..3) of a text, each with the surface form first seen."""
    found: dict[tuple[str, ...], str] = {}
    for run in runs(text):
        stems = [stem(w) for w in run]
        for n in range(1, MAX_N + 1):
            for i in range(len(run) - n + 1):
                key = tuple(stems[i : i + n])
                found.setdefault(key, " ".join(run[i : i + n]))
    return found


def analysable(body: str, unanalysed: Unanalysed, item_id: str) -> str | None:
    """The plain text to analyse, or None (and the reason counted) if there is none."""
    if len(body) > 20_000:
        unanalysed.truncated += 1
        unanalysed.ids["truncated"].append(item_id)
    plain = strip_markup(body)
    ws = words(plain)
    if not ws:
        unanalysed.links_or_emoji += 1
        unanalysed.ids["links_or_emoji"].append(item_id)
        return None
    if len(ws) >= MIN_WORDS_FOR_LANGUAGE:
        share = sum(1 for w in ws if w in STOP_WORDS) / len(ws)
        if share < MIN_STOPWORD_SHARE:
            unanalysed.other_language += 1
            unanalysed.ids["other_language"].append(item_id)
            return None
    return plain


def coverage(articles: Iterable[tuple[str, str]]) -> dict[tuple[str, ...], int]:
    """For each stem n-gram, the most uses in one article ((heading, body) pairs).

    A phrase in an article's title, summary or tags counts as COVER_MIN uses:
    the post is about it. A phrase merely mentioned in passing is not covered.
    """
    best: dict[tuple[str, ...], int] = {}
    for heading, body in articles:
        seen: Counter[tuple[str, ...]] = Counter()
        for text, weight in ((heading, COVER_MIN), (body, 1)):
            for run in runs(text):
                stems = [stem(w) for w in run]
                for n in range(1, MAX_N + 1):
                    for i in range(len(stems) - n + 1):
                        seen[tuple(stems[i : i + n])] += weight
        for key, count in seen.items():
            if count > best.get(key, 0):
                best[key] = count
    return best


def mine_themes(
    docs: Iterable[Doc], covered: dict[tuple[str, ...], int], limit: int = 12, min_readers: int = 2
) -> list[Theme]:
    """The top recurring phrases, with gap flags against the articles' coverage."""
    doc_ids: dict[tuple[str, ...], list[str]] = defaultdict(list)
    arts: dict[tuple[str, ...], set[str]] = defaultdict(set)
    readers: dict[tuple[str, ...], set[str]] = defaultdict(set)
    surface: dict[tuple[str, ...], Counter[str]] = defaultdict(Counter)
    for doc in docs:
        for key, form in ngrams(doc.text).items():
            doc_ids[key].append(doc.id)
            arts[key].add(doc.article)
            readers[key].add(doc.reader)
            surface[key][form] += 1
    total = len({i for ids in doc_ids.values() for i in ids})
    # A phrase in most comments is the site's background vocabulary, not a theme
    # (the max_df idea from text mining); only judged once there is enough text.
    ceiling = MAX_DOC_SHARE * total if total >= 20 else float("inf")
    candidates = [
        k
        for k, ids in doc_ids.items()
        if 2 <= len(ids) <= ceiling and len(readers[k]) >= min_readers
    ]
    # A word or phrase that mostly occurs inside a longer candidate is that phrase.
    longer: dict[tuple[str, ...], int] = defaultdict(int)
    for key in candidates:
        if len(key) > 1:
            for n in range(1, len(key)):
                for i in range(len(key) - n + 1):
                    sub = key[i : i + n]
                    longer[sub] = max(longer[sub], len(doc_ids[key]))
    themes = []
    for key in candidates:
        count = len(doc_ids[key])
        if longer.get(key, 0) >= 0.75 * count:
            continue
        score = (
            count
            * LENGTH_WEIGHT[len(key)]
            * (1 + math.log(len(arts[key])))
            * (1 + 0.5 * math.log(len(readers[key])))
        )
        themes.append(
            Theme(
                phrase=surface[key].most_common(1)[0][0],
                key=key,
                count=count,
                articles=sorted(arts[key]),
                readers=sorted(readers[key]),
                comment_ids=sorted(set(doc_ids[key])),
                gap=covered.get(key, 0) < COVER_MIN,
                score=round(score, 3),
            )
        )
    themes.sort(key=lambda t: (-t.score, -t.count, t.phrase))
    return themes[:limit]
