"""Phrases of a text: runs of content words and their 1-3 word stem n-grams.

What the theme miner counts, what the article coverage is measured in, and what a
sampled comment yields (theme_forms). Runs break at the language's stop
words, at words every blog's comments use ("thanks", "post", "wondering"), at
markup left in imported text ("href", "nofollow") and at punctuation (the RAKE
idea); n-grams are keyed by crude stems so *price*, *prices* and *pricing* meet,
and keep the surface form first seen for display. The name after a greeting
("Hi Anna", "Thanks, Bob") is a person, never part of a phrase.
"""

from __future__ import annotations

import re
from functools import lru_cache

from backchannel.digest.language import ENGLISH, stop_words
from backchannel.digest.text import STOP_WORDS, stem

MAX_N = 3  # _ngrams_of is written out for this length


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Words readers use on any blog: they say how a comment is written, not what it is about.
GENERIC = _words(
    """
    able actually add added adding afaik although answer answered answers anyone anyway
    anywhere appreciate appreciated article articles assume assuming automatically awesome
    basically bit blog blogs bother bothered btw case certain certainly chance change
    changed changes cheers comment commented comments completely confused cool correct
    curious currently dear decided definitely detail details difficult directly doubt easy entire
    entirely especially essentially exactly example examples excellent explain explained
    explaining explanation fairly fantastic feel fix fixed fixes following forward fyi
    general generally good great guess happening hear hello help helped helpful helps hey hi
    hmm hope idea ideas imho imo incorrect info inform informative instead interested
    interesting issue issues kind kindly learn learned let likely longer looking lost lot
    lots love man manually mention mentioned message mine mostly nearly neat needs nice note
    obviously ones others otherwise page part particular people perfectly perhaps please pls
    plz point possible post posted posts pretty probably problem problems properly provide
    question questions quite rather read reader readers reading real really reason recently
    regarding regards related reply rid respectively right save saved says seen send sense
    series several similar simple simply simultaneously sir site slightly somehow solution solve
    solved sorry specific specifically straight stuff suggest suggested suggestion
    suggestions sure talking test tested testing tests thank thanks thing things though
    thought thoughts time times together tried try trying understand understanding unless update
    updated updates useful using various waiting way ways website whatever within wonder
    wondered wonderful wondering work worked working works worth wow write writing written
    wrong yes
    """
)
# Words that name a topic only with a qualifier ("source code", "data race", "return
# value", "async method"): never a theme alone, but not breaking a phrase as GENERIC does.
# Everyday frequency is no test: "price", "tax" and "car" are as common and are topics.
# The words after "variables" were the lone themes of real blogs' digests (held-out sets).
VAGUE_ALONE = _words(
    """
    code data value values number numbers result results version versions output input
    option options setting settings method methods type types amount level levels step steps
    implementation performance practice practices approach behavior behaviour usage
    difference differences list lists sample samples line lines check checks procedure
    object objects string strings function functions class classes variable variables
    run runs running set show pass follow include create created clear cause cases second
    available playing project projects process service source support speed text title view
    access build cost job key keys local order response return network information experience
    free effect
    refer provides implement implemented passed loaded preferred supported utilizing enter
    click consider decide bought choose single
    required allows multiple separate dynamic dynamically front invalid developed hidden life
    """
)
# Markup that survives in imported or pasted text: never a topic.
MARKUP = _words(
    """
    href rel nofollow noopener noreferrer target blank http https www com html htm src
    img div span class style amp nbsp quot br em strong blockquote pre ul li ol alt
    width height frac dfrac cdot mathrm mathbf sqrt
    """
)

# "Hi Anna", "Thanks, Bob!", "Dear Dr Smith": a capitalised word after one of these
# (and after "you", "Dr"… or a comma between them) is a person, never part of a phrase.
GREETINGS = frozenset(["hi", "hello", "hey", "dear", "thanks", "thank", "thx", "cheers"])
_GREETING_GLUE = frozenset(["you", "mr", "mrs", "ms", "dr", "prof", "so", "much"])
_TOKEN = re.compile(r"[.,;:!?()\[\]\"“”—–/…？\n]+|[^\W\d_][\w'’-]*")
# The same scan for ASCII text (most comments): a third faster, the same tokens.
_ASCII_TOKEN = re.compile(r"[.,;:!?()\[\]\"/\n]+|[A-Za-z][A-Za-z0-9_'-]*")
_PUNCT_CHARS = frozenset('.,;:!?()[]"“”—–/…？\n')
_SOFT_PUNCT = frozenset([",", "!", ",\n"])  # "Hi, Anna" / "Thanks! Anna" still greets
# token (as written) -> (lower-case word or None for punctuation, stem or None when the
# token ends a run, is an English stop word, kind: 1 greeting, 2 glue, 3 capitalised);
# words repeat across comments, so each is classified once per language.
_TokenInfo = tuple[str | None, str | None, bool, int]
_PUNCT_INFO: _TokenInfo = (None, None, False, 0)
MAX_TOKEN_CACHE = 300_000
_TOKEN_INFO: dict[str, dict[str, _TokenInfo]] = {}

Scanned = list[tuple[list[str], list[str]]]


@lru_cache(maxsize=64)
def theme_stop_words(language: str) -> frozenset[str]:
    """Words that end a phrase in this language: its stop words, generic blog words, markup."""
    return stop_words(language) | GENERIC | MARKUP


def _token_info(token: str, stop: frozenset[str]) -> _TokenInfo:
    if token[0] in _PUNCT_CHARS:
        return (None, token, False, 0) if token in _SOFT_PUNCT else _PUNCT_INFO
    w = token.lower().replace("’", "'").strip("'-")
    # An identifier ("http_authentication", from pasted code) is code, not a topic.
    ends_run = w in stop or len(w) < 3 or "'" in w or "_" in w
    kind = 1 if w in GREETINGS else 2 if w in _GREETING_GLUE else 3 if token[0].isupper() else 0
    return (w, None if ends_run else stem(w), w in STOP_WORDS, kind)


def scan_counted(text: str, language: str = ENGLISH) -> tuple[Scanned, int, int]:
    """(runs of content words as (words, stems), words, English stop words among them)."""
    cache = _TOKEN_INFO.get(language)
    if cache is None or len(cache) > MAX_TOKEN_CACHE:  # bounded memory on huge vocabularies
        cache = _TOKEN_INFO[language] = {}
    stop = theme_stop_words(language)
    found: Scanned = []
    run_w: list[str] = []
    run_s: list[str] = []
    n_words = n_stop = 0
    greeted = False
    tokens = _ASCII_TOKEN.findall(text) if text.isascii() else _TOKEN.findall(text)
    for token in tokens:
        info = cache.get(token)
        if info is None:
            info = cache[token] = _token_info(token, stop)
        w, s, is_stop, kind = info
        if w is None:
            greeted = greeted and s is not None  # a comma keeps "Hi, Anna" a greeting
            s = None
        else:
            n_words += 1
            n_stop += is_stop
            if kind == 3 and greeted:
                s = None  # the name after a greeting
            greeted = kind == 1 or (greeted and kind == 2)
        if s is None:
            if run_w:
                found.append((run_w, run_s))
                run_w, run_s = [], []
        else:
            run_w.append(w)  # type: ignore[arg-type]
            run_s.append(s)
    if run_w:
        found.append((run_w, run_s))
    return found, n_words, n_stop


def scan(text: str, language: str = ENGLISH) -> Scanned:
    """Runs of content words as (words, stems), greeting names left out."""
    return scan_counted(text, language)[0]


def _ngrams_of(scanned: Scanned) -> dict[tuple[str, ...], str]:
    # Written out for MAX_N == 3: the general loop built every tuple and form twice.
    found: dict[tuple[str, ...], str] = {}
    for run_w, run_s in scanned:
        size = len(run_s)
        for i in range(size):
            a = run_s[i]
            key: tuple[str, ...] = (a,)
            if key not in found:
                found[key] = run_w[i]
            if i + 1 < size:
                b = run_s[i + 1]
                key = (a, b)
                if key not in found:
                    found[key] = f"{run_w[i]} {run_w[i + 1]}"
                if i + 2 < size:
                    key = (a, b, run_s[i + 2])
                    if key not in found:
                        found[key] = f"{run_w[i]} {run_w[i + 1]} {run_w[i + 2]}"
    return found


def ngrams(text: str, language: str = ENGLISH) -> dict[tuple[str, ...], str]:
    """Stem n-grams (1..3) of a text, each with the surface form first seen."""
    return _ngrams_of(scan(text, language))


def form_key(form: str) -> tuple[str, ...]:
    """The stem n-gram of a surface form ("pricing tiers" -> ("pric", "tier"))."""
    return tuple(stem(w) for w in form.split(" "))


def forms_of(scanned: Scanned) -> tuple[str, ...]:
    """The n-grams' surface forms of scanned text, one per stem key."""
    return tuple(_ngrams_of(scanned).values())


def theme_forms(plain: str, language: str = ENGLISH) -> tuple[str, ...]:
    """Its n-grams' surface forms, one per stem key."""
    return forms_of(scan(plain, language))
