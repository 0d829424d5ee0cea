"""Themes: phrases readers keep using, ranked by how often and how widely, and gaps.

Phrases are runs of content words between stop words (the RAKE idea), cut into
1-3 word n-grams and compared by crude stems (see phrases.py). A theme must come from at least
two readers; it ranks higher the more comments, articles and readers it spans,
and longer phrases beat the single words inside them. It is a *gap* when no
published article's own text uses the phrase enough to count as covering it.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from backchannel.digest.phrases import MAX_N, form_key, scan, theme_forms
from backchannel.digest.text import strip_markup

LENGTH_WEIGHT = {1: 1.0, 2: 1.8, 3: 2.2}
# Uses in one article that make it cover a phrase.
COVER_MIN = 3
MAX_DOC_SHARE = 0.25


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


@dataclass(slots=True)
class Doc:
    """A comment as the theme miner sees it (forms: its theme_forms, if already known)."""

    id: str
    article: str
    reader: str
    text: str
    forms: tuple[str, ...] | None = None


@dataclass
class Unanalysed:
    """Counts of comments the analysis could not read, by reason."""

    links_or_emoji: int = 0
    other_language: int = 0
    truncated: int = 0
    ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def count(self, reason: str, item_id: str) -> None:
        """Count one comment that could not be analysed ("links_or_emoji", ...)."""
        setattr(self, reason, getattr(self, reason) + 1)
        self.ids[reason].append(item_id)


def analysable(body: str, unanalysed: Unanalysed, item_id: str) -> str | None:
    """The plain text to analyse, or None (and the reason counted) if there is none."""
    if len(body) > 20_000:
        unanalysed.truncated += 1
        unanalysed.ids["truncated"].append(item_id)
    plain = strip_markup(body)
    reason, _ = theme_forms(plain)
    if reason is not None:
        unanalysed.count(reason, item_id)
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
            for _, stems in scan(text)[0]:
                size = len(stems)
                for n in range(1, MAX_N + 1):
                    for i in range(size - n + 1):
                        seen[tuple(stems[i : i + n])] += weight
        for key, count in seen.items():
            if count > best.get(key, 0):
                best[key] = count
    return best


def _score(key: tuple[str, ...], count: int, n_articles: int, n_readers: int) -> float:
    """More comments, longer phrases, more articles and more readers rank higher."""
    return (
        count
        * LENGTH_WEIGHT[len(key)]
        * (1 + math.log(n_articles))
        * (1 + 0.5 * math.log(n_readers))
    )


def _has_readers(numbers: list[int], doc_reader: list[str], wanted: int) -> bool:
    """True when the documents come from at least `wanted` distinct readers."""
    seen: set[str] = set()
    for n in numbers:
        seen.add(doc_reader[n])
        if len(seen) >= wanted:
            return True
    return len(seen) >= wanted


def mine_themes(
    docs: Iterable[Doc], covered: dict[tuple[str, ...], int], limit: int = 12, min_readers: int = 2
) -> list[Theme]:
    """The top recurring phrases, with gap flags against the articles' coverage."""
    # One posting list (document numbers) per surface form; everything else is
    # derived from these, and full evidence is built only for the themes kept.
    postings: dict[str, list[int]] = {}
    ids: list[str] = []
    doc_article: list[str] = []
    doc_reader: list[str] = []
    for doc in docs:
        forms = doc.forms if doc.forms is not None else theme_forms(doc.text)[1]
        if not forms:
            continue
        number = len(ids)
        ids.append(doc.id)
        doc_article.append(doc.article)
        doc_reader.append(doc.reader)
        for form in forms:
            found = postings.get(form)
            if found is None:
                postings[form] = [number]
            else:
                found.append(number)
    # Forms of one stem key, in the order first seen (the phrase shown is the
    # most common form, the first seen among equals).
    forms_of: dict[tuple[str, ...], list[str]] = {}
    for form in postings:
        key = form_key(form)
        group = forms_of.get(key)
        if group is None:
            forms_of[key] = [form]
        else:
            group.append(form)
    df = {key: sum(len(postings[f]) for f in forms) for key, forms in forms_of.items()}
    total = len(set(ids))
    # A phrase in most comments is the site's background vocabulary, not a theme
    # (the max_df idea from text mining); only judged once there is enough text.
    ceiling = MAX_DOC_SHARE * total if total >= 20 else float("inf")

    def docs_of(key: tuple[str, ...]) -> list[int]:
        forms = forms_of[key]
        if len(forms) == 1:
            return postings[forms[0]]
        return [n for f in forms for n in postings[f]]

    candidates = [
        key
        for key, count in df.items()
        if 2 <= count <= ceiling and _has_readers(docs_of(key), doc_reader, min_readers)
    ]
    # A word or phrase that mostly occurs inside a longer candidate is that phrase.
    longer: dict[tuple[str, ...], int] = defaultdict(int)
    for key in candidates:
        if len(key) > 1:
            for n in range(1, len(key)):
                for i in range(len(key) - n + 1):
                    sub = key[i : i + n]
                    longer[sub] = max(longer[sub], df[key])
    # Exact scores need each candidate's distinct articles and readers; an upper
    # bound (as many as its comments, at most all there are) needs neither, so
    # candidates are scored best bound first until no bound can reach the top.
    all_articles, all_readers = len(set(doc_article)), len(set(doc_reader))
    bounded = []
    for key in candidates:
        count = df[key]
        if longer.get(key, 0) >= 0.75 * count:
            continue
        bound = _score(key, count, min(count, all_articles), min(count, all_readers))
        bounded.append((-bound, key))
    bounded.sort()
    ranked = []
    top: list[float] = []  # min-heap of the best `limit` rounded scores so far
    for neg_bound, key in bounded:
        if limit > 0 and len(top) >= limit and round(-neg_bound, 3) < top[0]:
            break  # scores never exceed bounds, and rounding keeps the order
        numbers = docs_of(key)
        count = df[key]
        score = round(
            _score(
                key,
                count,
                len({doc_article[n] for n in numbers}),
                len({doc_reader[n] for n in numbers}),
            ),
            3,
        )
        if len(top) < limit:
            heapq.heappush(top, score)
        elif limit > 0 and score > top[0]:
            heapq.heapreplace(top, score)
        phrase = max(forms_of[key], key=lambda f: len(postings[f]))
        # Ranked by the rounded score, as shown, so equal-looking scores tie.
        ranked.append((-score, -count, phrase, key))
    ranked.sort()
    themes = []
    for neg_score, _, phrase, key in ranked[:limit]:
        numbers = docs_of(key)
        themes.append(
            Theme(
                phrase=phrase,
                key=key,
                count=df[key],
                articles=sorted({doc_article[n] for n in numbers}),
                readers=sorted({doc_reader[n] for n in numbers}),
                comment_ids=sorted({ids[n] for n in numbers}),
                gap=covered.get(key, 0) < COVER_MIN,
                score=-neg_score,
            )
        )
    return themes
