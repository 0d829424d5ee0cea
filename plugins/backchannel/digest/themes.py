"""Themes: the topics readers raise, each a phrase with the comments and questions behind it.

Candidates are the 1-3 word phrases of readers' comments (phrases.py: runs of
content words between stop words, generic blog words and markup, keyed by crude
stems) that at least two readers use, that are not a person's name and that not
every comment uses. A candidate ranks by how many readers use it, how many of
them *ask* about it (a question sentence holding the phrase), how many articles
it spans, and its length: "domain controller" beats "domain". Phrases used by
largely the same comments are one topic: the best-ranked names it and the others
are listed as related. A theme is a *gap* when at least two readers ask about it
and no article covers it (uses it in its title, summary or tags, or often enough
in its text).
"""

from __future__ import annotations

import heapq
import math
import zlib
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate, compress, repeat
from operator import attrgetter, contains

from backchannel.digest import language, phrases, text
from backchannel.digest.analysis import body_hash, code_version
from backchannel.digest.coverage import Coverage, is_covered
from backchannel.digest.language import ENGLISH
from backchannel.digest.phrases import VAGUE_ALONE, form_key, ngrams, theme_forms
from backchannel.digest.specificity import Specificity
from backchannel.digest.text import strip_markup
from backchannel.store.cache import Cache

LENGTH_WEIGHT = {1: 1.0, 2: 2.0, 3: 2.4}
MAX_DOC_SHARE = 0.25
# How many candidates get their readers, articles and questions counted.
POOL = 120
# Topics are found in at most this many comments (a sample of a bigger site, chosen by a
# hash of their ids): a topic too rare to show in 4,000 would not make the top twelve.
SAMPLE = 4_000
# Cache rows of the sampled comments' phrase forms, keyed by body hash.
PHRASES = "digest-phrases"
# Share of the smaller set of comments two phrases must share to be one topic.
SAME_TOPIC = 0.6
MIN_ASKERS_FOR_GAP = 2
Key = tuple[str, ...]  # a phrase's stems, what its surface forms share
Postings = dict[str, list[int]]  # a surface form -> the numbers of the comments using it
FormsOf = dict[Key, list[str]]  # a phrase's stems -> its surface forms used twice or more


@dataclass
class Theme:
    """One recurring topic and its evidence."""

    phrase: str
    key: tuple[str, ...]
    count: int
    articles: list[str]
    readers: list[str]
    comment_ids: list[str]
    gap: bool = False
    score: float = 0.0
    # Comments whose question sentences mention the topic, and who asked them.
    questions: list[str] = field(default_factory=list)
    askers: list[str] = field(default_factory=list)
    # Other phrases used by mostly the same comments.
    related: list[str] = field(default_factory=list)


@dataclass(slots=True)
class Doc:
    """A comment as the theme miner sees it: its phrases and its question sentences.

    A feedback.Comment read from the digest's rows has these fields itself and is
    given in its place (no second object per comment).
    """

    id: str
    article: str
    reader: str
    words: str  # its words, " w1 w2 w3 " (analysis.Analysis.words): where phrases are counted
    questions: tuple[str, ...] = ()
    language: str = ENGLISH
    body: str = ""  # its Markdown: the sample's phrases are read from it
    body_key: str = ""  # its body's hash (analysis.body_hash) when the body is left out


@dataclass
class Unanalysed:
    """Counts of comments the analysis could not read, by reason (and language)."""

    links_or_emoji: int = 0
    other_language: int = 0
    truncated: int = 0
    languages: Counter[str] = field(default_factory=Counter)
    ids: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def count(self, reason: str, item_id: str, language: str = "") -> None:
        """Count one comment that could not be analysed ("links_or_emoji", ...)."""
        setattr(self, reason, getattr(self, reason) + 1)
        self.ids[reason].append(item_id)
        if reason == "other_language":
            self.languages[language or "und"] += 1


class _Asks:
    """Which comments' question sentences mention a phrase (each question's n-grams made once)."""

    def __init__(self, docs: list[Doc]) -> None:
        self.docs = docs
        self.grams: dict[int, list[set[tuple[str, ...]]]] = {}

    def mention(self, n: int, key: tuple[str, ...]) -> bool:
        doc = self.docs[n]
        if not doc.questions:
            return False
        grams = self.grams.get(n)
        if grams is None:
            grams = self.grams[n] = [set(ngrams(q, doc.language)) for q in doc.questions]
        return any(key in g for g in grams)


def _score(n_readers: int, n_askers: int, n_articles: int, size: int, specific: float) -> float:
    """Readers who ask weigh most; then readers, specific words, longer phrases, more articles."""
    spread = 1 + 0.5 * math.log(max(n_articles, 1))
    return round((n_readers + 2 * n_askers) * LENGTH_WEIGHT[size] * specific * spread, 3)


def mine_themes(
    docs: Iterable[Doc],
    covered: Coverage,
    names: Iterable[str] = (),
    limit: int = 12,
    min_readers: int = 2,
    cache: Cache | None = None,
    body_of: Callable[[str], str] | None = None,
) -> list[Theme]:
    """The top topics of readers' comments, with gap flags against the articles' coverage.

    `names` are people's names (commenters, the site's authors): no theme holds one.
    `cache` keeps the word frequencies looked up (see specificity.py); `body_of`
    gives a comment's body by id, for docs given by `body_key` without their body.
    Topics are found in a sample of at most SAMPLE comments (all of a smaller site);
    each topic's comments, readers and questions are then counted in all of them.
    """
    everything = [doc for doc in docs if doc.words]
    sample = everything
    if len(everything) > SAMPLE:
        # Chosen by a hash of the id, not at random: the same feedback gives the same
        # digest, and a week's new comments change only their share of the sample
        # (the others' phrases come from the cache).
        ranks = [(zlib.crc32(d.id.encode()), n) for n, d in enumerate(everything)]
        sample = [everything[n] for n in sorted(n for _, n in heapq.nsmallest(SAMPLE, ranks))]
    cache = cache or Cache(None)
    specific = Specificity(cache)
    forms = _sample_forms(sample, cache, body_of)
    blocked = {form_key(n)[0] for n in names if n}
    found = _topics(sample, forms, blocked, limit, min_readers, specific)
    specific.save()
    return _counted(found, everything, covered)


def _sample_forms(
    docs: list[Doc], cache: Cache, body_of: Callable[[str], str] | None
) -> list[list[str]]:
    """Each doc's phrase forms (phrases.theme_forms of its text), from the cache by body hash."""
    version = code_version(language, phrases, text)
    keys = [
        doc.body_key or (body_hash(doc.body) if doc.body else "w" + body_hash(doc.words))
        for doc in docs
    ]
    known = cache.get_many(PHRASES, version, keys)
    made: dict[str, list[str]] = {}
    out = []
    for doc, key in zip(docs, keys, strict=True):
        found = known.get(key)
        if found is None:
            found = made.get(key)
        if found is None:
            body = body_of(doc.id) if doc.body_key and body_of is not None else doc.body
            plain = strip_markup(body) if body else doc.words
            found = made[key] = list(theme_forms(plain, doc.language))
        out.append(found)
    cache.put_many(PHRASES, version, made)
    if made:
        cache.keep_only(PHRASES, keys)  # those of comments no longer sampled go
    return out


def _forms_by_key(doc_forms: list[list[str]], blocked: set[str]) -> tuple[Postings, FormsOf]:
    """Each form's comment numbers; the forms used twice or more by key (none blocked)."""
    postings: Postings = {}
    for number, forms in enumerate(doc_forms):
        for form in forms:
            found = postings.get(form)
            if found is None:
                postings[form] = [number]
            else:
                found.append(number)
    forms_of: FormsOf = {}
    for form, numbers in postings.items():
        if len(numbers) < 2:
            continue  # most forms are used once; a stem's rare variants add little
        key = form_key(form)
        if not blocked.intersection(key):
            forms_of.setdefault(key, []).append(form)
    return postings, forms_of


def _pool(forms_of: FormsOf, postings: Postings, total: int) -> list[Key]:
    """The POOL keys most worth scoring: frequent, not background, not part of a longer one."""
    # A phrase in most comments is the site's background vocabulary, not a theme
    # (the max_df idea from text mining); only judged once there is enough text.
    ceiling = MAX_DOC_SHARE * total if total >= 20 else float("inf")
    df = {key: sum(len(postings[f]) for f in forms) for key, forms in forms_of.items()}
    candidates = [key for key, count in df.items() if 2 <= count <= ceiling]
    # A word or phrase that mostly occurs inside a longer candidate is that phrase.
    longer: dict[Key, int] = defaultdict(int)
    for key in candidates:
        if len(key) > 1:
            for n in range(1, len(key)):
                for i in range(len(key) - n + 1):
                    sub = key[i : i + n]
                    longer[sub] = max(longer[sub], df[key])
    kept = (key for key in candidates if longer.get(key, 0) < 0.75 * df[key])
    return heapq.nlargest(POOL, kept, key=lambda k: (df[k] * LENGTH_WEIGHT[len(k)], k))


def _scored(
    pool: list[Key],
    docs: list[Doc],
    forms_of: FormsOf,
    postings: Postings,
    min_readers: int,
    specific: Specificity,
) -> list[tuple[float, int, Key, list[int], str]]:
    """The pool's keys enough readers use and some ask about, as (-score, -count, key, …)."""
    asks = _Asks(docs)
    scored = []
    for key in pool:
        forms = forms_of[key]
        numbers = (
            postings[forms[0]]
            if len(forms) == 1
            else sorted({n for f in forms for n in postings[f]})
        )
        readers = {docs[n].reader for n in numbers}
        if len(readers) < min_readers:
            continue
        if len(key) == 1 and not VAGUE_ALONE.isdisjoint(forms):
            continue  # "code", "data": a topic only with a qualifier ("source code")
        askers = {docs[n].reader for n in numbers if asks.mention(n, key)}
        if not askers:
            continue  # a theme is a topic readers ask about; what nobody asks is not one
        n_articles = len({docs[n].article for n in numbers})
        phrase = max(forms_of[key], key=lambda f: len(postings[f]))
        far = specific.of(phrase.split(" "), docs[numbers[0]].language)
        score = _score(len(readers), len(askers), n_articles, len(key), far)
        scored.append((-score, -len(numbers), key, numbers, phrase))
    scored.sort()
    return scored


def _topics(
    docs: list[Doc],
    doc_forms: list[list[str]],
    blocked: set[str],
    limit: int,
    min_readers: int,
    specific: Specificity,
) -> list[tuple[Theme, list[str]]]:
    """The top topics of `docs`, each with every surface form of its phrases."""
    postings, forms_of = _forms_by_key(doc_forms, blocked)
    pool = _pool(forms_of, postings, len(docs))
    scored = _scored(pool, docs, forms_of, postings, min_readers, specific)
    themes: list[tuple[Theme, list[str]]] = []
    members: list[set[int]] = []
    for neg_score, _, key, numbers, phrase in scored:
        here = set(numbers)
        same = next(
            (
                i
                for i, other in enumerate(members)
                if len(here & other) >= SAME_TOPIC * min(len(here), len(other))
            ),
            None,
        )
        if same is not None:
            theme, forms = themes[same]
            if _names_it_better(theme, key, len(numbers)):
                theme.related.insert(0, theme.phrase)
                theme.phrase, theme.key, theme.count = phrase, key, len(numbers)
                forms[:0] = forms_of[key]  # the theme's own forms come first
            else:
                theme.related.append(phrase)
                forms.extend(forms_of[key])
            continue
        if len(themes) < limit:
            members.append(here)
            theme = Theme(phrase, key, len(numbers), [], [], [], score=-neg_score)
            themes.append((theme, list(forms_of[key])))
    return themes


def _counted(
    found: list[tuple[Theme, list[str]]], docs: list[Doc], covered: Coverage
) -> list[Theme]:
    """The themes with their evidence counted in every comment.

    The evidence: comments using the theme's own phrase (any form of it), and
    their questions that mention any of its phrases.
    """
    # Every comment's words in one string, searched once per form by str.find (C speed);
    # a hit's comment is found by bisection on where each comment starts. A padded
    # form " a b " never spans two comments: they are joined by "\n", not a space.
    joined = "\n".join(doc.words for doc in docs)
    starts = [0, *accumulate(len(doc.words) + 1 for doc in docs)]
    using: list[list[Doc]] = []
    for theme, forms in found:
        hits: set[int] = set()
        for form in {f" {f} " for f in forms if form_key(f) == theme.key}:
            at = joined.find(form)
            while at != -1:
                n = bisect_right(starts, at) - 1
                hits.add(n)
                at = joined.find(form, starts[n + 1])  # the next comment on
        using.append([docs[n] for n in sorted(hits)])
    del joined
    themes: list[Theme] = []
    asked: dict[int, str] = {}  # id(doc) -> its question sentences, lower case (made once)
    for (theme, forms), docs_using in zip(found, using, strict=True):
        # A question mentions a phrase when one of its words starts it ("static mesh"
        # in "…the static meshes?"): cheap, and the stems' sense of the same word.
        ask = [d for d in docs_using if d.questions]
        texts = [asked.get(id(d)) or _asked_text(asked, d) for d in ask]
        # Which texts hold a start: one C-level pass per start (map, compress), no
        # Python call per comment; the askers then in the comments' order.
        mention: set[int] = set()
        for start in {f" {f}" for f in forms}:
            mention.update(compress(range(len(texts)), map(contains, texts, repeat(start))))
        asking = [ask[n] for n in sorted(mention)]
        if not asking:
            continue  # the sample's askers used another form of the phrase: rare
        theme.count = len(docs_using)
        theme.articles = sorted(set(map(_ARTICLE, docs_using)))
        theme.readers = sorted(set(map(_READER, docs_using)))
        theme.comment_ids = sorted(set(map(_ID, docs_using)))
        theme.questions = sorted(set(map(_ID, asking)))
        theme.askers = sorted(set(map(_READER, asking)))
        theme.gap = (
            len(theme.askers) >= MIN_ASKERS_FOR_GAP
            and not is_covered(theme.key, covered)
            and not _named_where_asked(theme.key, asking, covered)
        )
        theme.related = theme.related[:5]
        themes.append(theme)
    return themes


_ARTICLE, _READER, _ID = attrgetter("article"), attrgetter("reader"), attrgetter("id")


def _asked_text(asked: dict[int, str], doc: Doc) -> str:
    """A doc's question sentences as one lower-case text, kept in `asked` (docs share themes)."""
    text = asked[id(doc)] = " " + " ".join(doc.questions).lower().replace("’", "'")
    return text


def _named_where_asked(key: Key, asking: list[Doc], covered: Coverage) -> bool:
    """Whether a post readers asked about the topic under names a word of it in its heading.

    Questions on "event handler" under a post titled "Events" follow up a post about
    it: that topic has a post, however partly, so it is no gap.
    """
    headings = [covered.heading(d.article) for d in asking]
    return any(f" {stem} " in h for h in headings for stem in key)


def _names_it_better(theme: Theme, key: tuple[str, ...], count: int) -> bool:
    """Whether a phrase of the same topic should name it instead.

    It should when it is a longer phrase holding the theme's word, used by a third
    of its comments ("event handler").
    """
    longer = len(theme.key) == 1 and len(key) > 1 and theme.key[0] in key
    return longer and count >= max(2, theme.count / 3)
