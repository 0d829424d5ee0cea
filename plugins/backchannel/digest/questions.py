"""Reader questions: which sentences of a comment ask something, and are they answered.

A sentence is a question when it ends in a question mark (outside quotation
marks) and is not a stock rhetorical phrase, or when it asks indirectly ("I
wonder whether…", "could you explain…") in English or a few other languages.
Measured against tests/data/questions_eval.txt (see README).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from operator import attrgetter
from typing import TYPE_CHECKING, NamedTuple

from backchannel.digest.compiled import speedups
from backchannel.digest.text import sentences, strip_markup, words
from backchannel.model import Item, Kind

if TYPE_CHECKING:  # analysis imports this module
    from backchannel.digest.analysis import Analysis

_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»|‘[^’\n]*’")
_QMARK = re.compile(r"[?？؟]")

# Stock phrases that end in "?" but ask nothing.
_RHETORICAL = re.compile(
    r"""^(?:
        who\s+(?:knew|cares|doesn'?t|does\s+not|would(?:'?ve|\s+have)\s+(?:thought|guessed)|am\s+i\s+to\s+\w+)
      | (?:how|what)\s+(?:cool|great|nice|wonderful|awesome|amazing|brilliant|good|bad|hard|
            difficult|lovely|refreshing|rare|sad|funny|true)\s+is\s+that
      | what(?:'?s|\s+is)\s+not\s+to\s+(?:like|love)
      | what\s+could\s+(?:possibly\s+)?go\s+wrong
      | why\s+not | right | really | seriously | huh | eh | no | yes | am\s+i\s+right
      | isn'?t\s+(?:it|that)(?:\s+\w+)? | wasn'?t\s+it | (?:you\s+)?know\s+what\s+i\s+mean
      | see\s+what\s+i\s+mean | who\s+hasn'?t | (?:and\s+)?(?:guess|you\s+know)\s+what
      | what\s+else\s+is\s+new | need\s+i\s+say\s+more | how\s+about\s+that
      | where\s+do\s+i\s+sign(?:\s+up)? | what\s+a\s+\w+
    )[\s,.!]*$""",
    re.I | re.X,
)

# The first two letters (lower case) of every stock phrase _RHETORICAL knows:
# an ASCII sentence starting otherwise need not be matched against it.
_RHETORICAL_STARTS = frozenset(
    [
        "wh",
        "ho",
        "ri",
        "re",
        "se",
        "hu",
        "eh",
        "no",
        "ye",
        "am",
        "is",
        "wa",
        "yo",
        "kn",
        "an",
        "gu",
        "ne",
    ]
)

# Indirect questions and requests without a question mark, one pattern per
# form, each with the words it cannot match without: a sentence is searched
# only with the patterns whose words it contains (one big alternation tried at
# every position cost more than the rest of the analysis).
_INDIRECT_FORMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("wonder",),
        r"\bi\s*(?:'m|am)?\s*(?:wonder|wondered|wondering)\b"
        r"(?:\s+(?:whether|if|how|why|what|who|when|where|which|about))?",
    ),
    (
        ("you",),
        r"""\b(?:could|can|would|will)\s+you\s+(?:please\s+|perhaps\s+|maybe\s+|ever\s+)?
            (?:explain|expand|elaborate|say\s+more|talk\s+(?:more\s+)?about|write\s+(?:more\s+)?about|
            write\s+a\s+(?:post|piece|follow)|share|clarify|describe|give\s+(?:an?\s+)?examples?|
            recommend|suggest|point\s+(?:me|us)|cover|tell\s+(?:me|us)|walk\s+(?:me|us)|unpack|
            go\s+into|dig\s+into|address)""",
    ),
    (
        ("please",),
        r"""\bplease\s+(?:explain|expand|elaborate|clarify|say\s+more|write\s+(?:more\s+)?about|
            share|tell\s+(?:me|us)|cover|do\s+a\s+post)""",
    ),
    (
        ("love", "like", "keen", "glad", "grateful"),
        r"""(?:^(?:would\s+)?|\bi(?:'d|\s+would)\s+)(?:really\s+)?
            (?:love|like|be\s+(?:keen|glad|grateful))\s+to\s+
            (?:know|hear|understand|learn|read\s+(?:more|about|how|what|why|your))
            (?:\s+(?:how|why|what|whether|if|more|about|your|which|when|where))?""",
    ),
    (
        ("interested", "curious"),
        r"""\bi(?:'d|\s+would)\s+be\s+(?:very\s+)?(?:interested|curious)\s+
            (?:to\s+(?:know|hear|learn|read|see)|in\s+(?:knowing|hearing|learning|reading))""",
    ),
    (
        ("curious",),
        r"""(?:^|\bi(?:'m|\s+am)\s+)(?:really\s+|very\s+|still\s+)?curious\s+
            (?:about|whether|if|how|why|what|to\s+(?:know|hear))""",
    ),
    (("anyone",), r"\b(?:does|do)\s+anyone\s+(?:know|have)\b"),
    (
        ("any",),
        r"""\bany\s+(?:tips|advice|thoughts|pointers|ideas|recommendations|suggestions|references)
            \s+(?:on|about|for|would)""",
    ),
    (("question",), r"\bmy\s+question\s+(?:is|would\s+be)\b"),
    (
        ("great", "helpful", "useful", "interesting", "good"),
        r"""\b(?:it\s+would|it'd)\s+be\s+(?:great|helpful|useful|interesting|good)\s+
            (?:to\s+(?:know|hear|read|learn|understand)|if\s+you\s+(?:could|would|wrote|covered|explained))""",
    ),
    (("demande",), r"\bje\s+me\s+demande\b"),
    (("frage",), r"\bich\s+frage\s+mich\b"),
    (("pregunto",), r"\bme\s+pregunto\b"),
    (("chiedo",), r"\bmi\s+chiedo\b"),
    (("pourriez",), r"\bpourriez-vous\s+expliquer\b"),
    (("könnten",), r"\bkönnten\s+sie\s+(?:erklären|mehr)\b"),
)
_INDIRECT = re.compile("(?:" + "|".join(f"(?:{p})" for _, p in _INDIRECT_FORMS) + ")", re.I | re.X)
_INDIRECT_BY_HINT = tuple(
    (hints, re.compile(pattern, re.I | re.X)) for hints, pattern in _INDIRECT_FORMS
)
# Any form's words at all (most sentences have none): one scan instead of a test per word.
_HINTS = tuple(sorted({hint for hints, _ in _INDIRECT_FORMS for hint in hints}))
_ANY_HINT = re.compile("|".join(_HINTS))
_WORD = re.compile(r"[^\W\d_]")
_SURPRISE = re.compile(r"[?？][!?]+\s*$")


def _asks_indirectly(text: str) -> bool:
    """True when a sentence (without quotations) asks without a question mark."""
    if not text.isascii():
        # str.lower() and re.I fold some non-ASCII letters differently (ı, ſ, İ),
        # so only ASCII text may skip patterns by their words.
        return bool(_INDIRECT.search(text.replace("’", "'")))
    low = text.lower()
    if not _ANY_HINT.search(low):
        return False
    return _asks_by_form(text, low)


def _asks_by_form(text: str, low: str) -> bool:
    """_INDIRECT.search(text) for ASCII `text` (lower-cased: `low`) holding a form's word."""
    for hints, pattern in _INDIRECT_BY_HINT:
        for hint in hints:
            if hint in low:
                if pattern.search(text):
                    return True
                break
    return False


class Question(NamedTuple):
    """One question a reader asked, and whether it has been answered."""

    # A named tuple, not a frozen dataclass: a big digest makes 100,000s of
    # these, and a frozen dataclass costs three times as much to build.

    comment_id: str
    article: str
    author: str
    text: str
    answered: bool
    answered_by: str | None
    date: str


def _surprised(core: str) -> bool:
    """_SURPRISE.search(core) for ASCII text: a "?" inside the trailing run of "!?"."""
    end = core.rstrip()
    run = len(end) - len(end.rstrip("!?"))
    return run >= 2 and "?" in end[-run:-1]


def is_question(sentence: str) -> bool:
    """True when a plain-text sentence asks something (directly or indirectly)."""
    if not sentence.isascii():
        unquoted = _QUOTED.sub(" ", sentence).strip()
        if not _WORD.search(unquoted):
            return False
        if _QMARK.search(unquoted):
            # "…, right?" after a statement still asks; a bare stock phrase does not.
            if _RHETORICAL.match(_QMARK.sub("", unquoted).strip(" ¿!.…")):
                return False
            # "Really?!", "What??": surprise, not a question.
            return not (_SURPRISE.search(unquoted) and len(words(unquoted)) <= 3)
        return _asks_indirectly(unquoted)
    # The same tests for ASCII text (most sentences) with string methods where
    # they decide exactly what the regexes would: each regex call costs ~1 us here.
    unquoted = (_QUOTED.sub(" ", sentence) if '"' in sentence else sentence).strip()
    if unquoted.lower() == unquoted.upper():  # no letter at all
        return False
    if "?" in unquoted:
        bare = unquoted.replace("?", "").strip(" !.")
        if bare[:2].lower() in _RHETORICAL_STARTS and _RHETORICAL.match(bare):
            return False
        return not (_surprised(unquoted) and len(words(unquoted)) <= 3)
    return _asks_indirectly(unquoted)


def questions_in(plain: str) -> list[str]:
    """The question sentences of already plain text (see text.strip_markup), in order."""
    if speedups is not None:
        return speedups.questions_in(plain, is_question, _asks_by_form, _HINTS)  # type: ignore[no-any-return]
    return [" ".join(s.split()) for s in sentences(plain) if is_question(s)]


def extract_questions(body: str) -> list[str]:
    """The question sentences of a comment body (Markdown), in order."""
    return questions_in(strip_markup(body))


def _answered_by_reply(item: Item, children: dict[str, list[Item]]) -> bool:
    """True when an author reply sits anywhere below the comment."""
    stack = list(children.get(item.id, ()))
    seen: set[str] = set()
    while stack:
        child = stack.pop()
        if child.id in seen:
            continue
        seen.add(child.id)
        if child.author_reply:
            return True
        stack.extend(children.get(child.id, ()))
    return False


def find_questions(
    comments: Iterable[Item],
    answers: dict[str, str],
    analyses: Mapping[str, Analysis] | None = None,
) -> list[tuple[Item, Question]]:
    """Every question in readers' comments, marked answered by reply or by a post.

    `answers` maps a comment id to the slug of a published post listing it in
    `Answers:`; a post wins over a reply as `answered_by`, being the fuller answer.
    `analyses` holds comments' analyses already made (by comment id).
    """
    comments = [c for c in comments if c.kind == Kind.COMMENT]
    children: dict[str, list[Item]] = {}
    for c in comments:
        if c.parent:
            children.setdefault(c.parent, []).append(c)
    out: list[tuple[Item, Question]] = []
    for c in sorted(comments, key=attrgetter("date", "id")):
        if c.author_reply:
            continue
        found = analyses.get(c.id) if analyses is not None else None
        texts = extract_questions(c.body) if found is None else found.questions
        if not texts:
            continue
        if c.id in answers:
            by: str | None = answers[c.id]
        elif c.id in children and _answered_by_reply(c, children):
            by = "author-reply"
        else:
            by = None
        date = c.date.isoformat(timespec="seconds")
        for text in texts:
            out.append((c, Question(c.id, c.article, c.author, text, by is not None, by, date)))
    return out
