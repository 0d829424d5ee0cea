"""Plain text for analysis: strip Markdown cheaply, split sentences, tokenise, stem.

Written with the standard library on purpose: the digest has to read 100,000
comments in seconds, and NLP packages (spaCy, NLTK data) do not install
offline. Rendering every body with markdown-it just to read it would cost more
than the whole analysis, so this strips the few constructs that matter.
"""

from __future__ import annotations

import re
from functools import lru_cache

from backchannel.digest.compiled import speedups

# Analysis reads at most this much of one comment: an enormous paste must not
# dominate the themes or the run time.
MAX_CHARS = 20_000

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_INDENTED_CODE = re.compile(r"^(?: {4}|\t).*$", re.M)
_BLOCKQUOTE = re.compile(r"^\s*>.*$", re.M)
_INLINE_CODE = re.compile(r"`[^`\n]*`")
_HTML_TAG = re.compile(r"<[^>\n]{1,300}>")
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_EMPHASIS = re.compile(r"(\*\*|__|\*|~~)")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+", re.M)
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.M)
_MAYBE_LIST = re.compile(r"[-*+.)]\s")
_ENTITY = re.compile(r"&(amp|lt|gt|quot|#39);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "#39": "'"}
_UNCERTAIN = re.compile(r"\(\s*[?？]\s*\)")

# A sentence ends at . ! ? … (and their full-width forms), optionally followed by
# closing quotes or brackets, then space; a line break always ends one.
_SENTENCE_END = re.compile(r"([.!?…？！。]+[\"”’»)\]]*)\s+")
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.U)

STOP_WORDS = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "aren't",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "can't",
        "cannot",
        "could",
        "couldn't",
        "did",
        "didn't",
        "do",
        "does",
        "doesn't",
        "doing",
        "don't",
        "down",
        "during",
        "each",
        "even",
        "ever",
        "every",
        "few",
        "for",
        "from",
        "further",
        "get",
        "gets",
        "got",
        "had",
        "hadn't",
        "has",
        "hasn't",
        "have",
        "haven't",
        "having",
        "he",
        "he'd",
        "he'll",
        "he's",
        "her",
        "here",
        "here's",
        "hers",
        "herself",
        "him",
        "himself",
        "his",
        "how",
        "how's",
        "however",
        "i",
        "i'd",
        "i'll",
        "i'm",
        "i've",
        "if",
        "in",
        "into",
        "is",
        "isn't",
        "it",
        "it's",
        "its",
        "itself",
        "just",
        "let's",
        "like",
        "lot",
        "lots",
        "many",
        "may",
        "maybe",
        "me",
        "might",
        "more",
        "most",
        "much",
        "must",
        "mustn't",
        "my",
        "myself",
        "need",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "often",
        "on",
        "once",
        "one",
        "only",
        "or",
        "other",
        "ought",
        "our",
        "ours",
        "ourselves",
        "out",
        "over",
        "own",
        "quite",
        "rather",
        "really",
        "same",
        "say",
        "says",
        "said",
        "see",
        "seem",
        "seems",
        "shan't",
        "she",
        "she'd",
        "she'll",
        "she's",
        "should",
        "shouldn't",
        "so",
        "some",
        "something",
        "still",
        "such",
        "than",
        "that",
        "that's",
        "the",
        "their",
        "theirs",
        "them",
        "themselves",
        "then",
        "there",
        "there's",
        "these",
        "they",
        "they'd",
        "they'll",
        "they're",
        "they've",
        "thing",
        "things",
        "think",
        "this",
        "those",
        "though",
        "through",
        "thus",
        "to",
        "too",
        "under",
        "until",
        "up",
        "upon",
        "us",
        "use",
        "used",
        "very",
        "want",
        "was",
        "wasn't",
        "way",
        "we",
        "we'd",
        "we'll",
        "we're",
        "we've",
        "well",
        "were",
        "weren't",
        "what",
        "what's",
        "when",
        "when's",
        "where",
        "where's",
        "whether",
        "which",
        "while",
        "who",
        "who's",
        "whom",
        "why",
        "why's",
        "will",
        "with",
        "without",
        "won't",
        "would",
        "wouldn't",
        "yes",
        "yet",
        "you",
        "you'd",
        "you'll",
        "you're",
        "you've",
        "your",
        "yours",
        "yourself",
        "yourselves",
        "thank",
        "thanks",
        "great",
        "good",
        "post",
        "article",
        "piece",
        "read",
        "reading",
        "agree",
        "point",
        "bit",
        "make",
        "makes",
        "made",
        "know",
        "actually",
        "always",
        "never",
        "sometimes",
        "already",
        "back",
        "first",
        "last",
        "two",
        "three",
        "new",
        "old",
        "next",
        "per",
        "via",
        "etc",
        "else",
        "another",
        "anyone",
        "someone",
        "everyone",
        "nobody",
        "people",
        "person",
        "time",
        "times",
        "year",
        "years",
        "day",
        "days",
        "week",
        "weeks",
        "ask",
        "asked",
        "asking",
        "question",
        "questions",
        "answer",
        "wonder",
        "mean",
        "means",
        "true",
        "right",
        "kind",
        "sort",
        "part",
        "write",
        "wrote",
        "written",
        "writing",
        "keep",
        "keeps",
        "kept",
        "reply",
        "replies",
        "work",
        "works",
        "worked",
        "working",
        "tell",
        "told",
        "everything",
        "anything",
        "nothing",
        "small",
        "big",
        "little",
        "long",
        "short",
        "high",
        "low",
        "best",
        "better",
        "worse",
        "worst",
        "whole",
        "own",
        "sure",
        "real",
        "really",
        "find",
        "found",
        "give",
        "gave",
        "given",
        "take",
        "took",
        "taken",
        "come",
        "came",
        "go",
        "goes",
        "going",
        "gone",
        "put",
        "try",
        "tried",
        "trying",
        "start",
        "started",
        "help",
        "helps",
        "helped",
        "feel",
        "felt",
        "look",
        "looks",
        "looked",
        "call",
        "called",
        "end",
        "ended",
        "lots",
        "hard",
        "easy",
        "different",
        "interesting",
        "useful",
        "nice",
        "happen",
        "happened",
        "happens",
        "seem",
        "seemed",
        "done",
        "getting",
        "stop",
        "number",
        "case",
        "example",
        "exactly",
        "probably",
        "usually",
        "simply",
        "almost",
        "enough",
        "less",
        "least",
        "far",
        "once",
        "twice",
        "everyone's",
        "instead",
        "since",
        "around",
        "today",
        "yesterday",
        "tomorrow",
        "ago",
        "later",
        "soon",
        "fine",
        "okay",
        "ok",
        "sure",
        "oh",
        "ha",
        "hi",
        "hello",
        "dear",
        "love",
        "loved",
        "lovely",
        "brilliant",
        "excellent",
        "awesome",
        "amazing",
        "wonderful",
        "perfect",
    ]
)


def strip_markup(text: str) -> str:
    """Comment Markdown as plain prose: no code, quotes of others, links, URLs or tags."""
    text = text[:MAX_CHARS]
    # Each pass runs only when the text holds a character its pattern needs:
    # most comments are plain prose, and 13 regex scans dominated the analysis.
    if "```" in text or "~~~" in text:
        text = _FENCE.sub(" ", text)
    if "    " in text or "\t" in text:
        text = _INDENTED_CODE.sub(" ", text)
    # Lines quoted with ">" are someone else's words (usually the article's).
    if ">" in text:
        text = _BLOCKQUOTE.sub(" ", text)
    # Inline code stays as words (it is often a name), minus any "?" it holds.
    if "`" in text:
        text = _INLINE_CODE.sub(lambda m: m.group(0).strip("`").replace("?", ""), text)
    if "](" in text:
        text = _MD_IMAGE.sub(r"\1", text)
        text = _MD_LINK.sub(r"\1", text)
    # Substring tests, not a case-insensitive regex search (4 us a comment):
    # only "W" lowers to "w", so they find what _URL needs exactly.
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    if "<" in text:
        text = _HTML_TAG.sub(" ", text)
    if "#" in text:
        text = _HEADING.sub("", text)
    # A list mark starts a line: one line (most comments) has one place to look.
    if "\n" in text:
        if _MAYBE_LIST.search(text):
            text = _LIST_MARK.sub("", text)
    elif _LIST_MARK.match(text):
        text = _LIST_MARK.sub("", text)
    if "*" in text or "_" in text or "~" in text:
        text = _EMPHASIS.sub("", text)
    if "(" in text:
        text = _UNCERTAIN.sub("", text)
    if "&" in text:
        text = _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], text)
    return text


def sentences(plain: str) -> list[str]:
    """Split plain text into sentences (good enough for comments, not for legal prose)."""
    if speedups is not None:
        return speedups.sentences(plain)  # type: ignore[no-any-return]
    return _sentences_python(plain)


def _sentences_python(plain: str) -> list[str]:
    # What _speedups.sentences does, compiled (tests/test_digest_speedups.py).
    # split() keeps each sentence end (the group) as its own part; gluing the
    # parts back in pairs is cheaper than sub() with a group reference.
    parts = _SENTENCE_END.split(plain)
    parts.append("")
    marked = "\n".join([parts[i] + parts[i + 1] for i in range(0, len(parts), 2)])
    return [s for s in map(str.strip, marked.split("\n")) if s]


def words(text: str) -> list[str]:
    """Lower-case words (letters first, apostrophes and hyphens kept)."""
    return [w.strip("'-") for w in _WORD.findall(text.lower().replace("’", "'"))]


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude suffix stripper so 'pricing', 'prices' and 'price' meet."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 4:
        return word
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + repl
            break
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def content_words(text: str) -> list[str]:
    """Words that are not stop words (for themes and coverage)."""
    return [w for w in words(text) if w not in STOP_WORDS and len(w) > 2]
