"""Reader questions: which sentences of a comment ask something, and are they answered.

A sentence is a question when it ends in a question mark (outside quotation
marks) and is not a stock rhetorical phrase, or when it asks indirectly ("I
wonder whether…", "could you explain…") in English or a few other languages.
Measured against tests/data/questions_eval.txt (see README).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from backchannel.digest.text import sentences, strip_markup, words
from backchannel.model import Item, Kind

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

# Indirect questions and requests without a question mark.
_INDIRECT = re.compile(
    r"""(?:
        \bi\s*(?:'m|am)?\s*(?:wonder|wondered|wondering)\b(?:\s+(?:whether|if|how|why|what|who|when|where|which|about))?
      | \b(?:could|can|would|will)\s+you\s+(?:please\s+|perhaps\s+|maybe\s+|ever\s+)?
            (?:explain|expand|elaborate|say\s+more|talk\s+(?:more\s+)?about|write\s+(?:more\s+)?about|
            write\s+a\s+(?:post|piece|follow)|share|clarify|describe|give\s+(?:an?\s+)?examples?|
            recommend|suggest|point\s+(?:me|us)|cover|tell\s+(?:me|us)|walk\s+(?:me|us)|unpack|
            go\s+into|dig\s+into|address)
      | \bplease\s+(?:explain|expand|elaborate|clarify|say\s+more|write\s+(?:more\s+)?about|
            share|tell\s+(?:me|us)|cover|do\s+a\s+post)
      | (?:^(?:would\s+)?|\bi(?:'d|\s+would)\s+)(?:really\s+)?
            (?:love|like|be\s+(?:keen|glad|grateful))\s+to\s+
            (?:know|hear|understand|learn|read\s+(?:more|about|how|what|why|your))
            (?:\s+(?:how|why|what|whether|if|more|about|your|which|when|where))?
      | \bi(?:'d|\s+would)\s+be\s+(?:very\s+)?(?:interested|curious)\s+
            (?:to\s+(?:know|hear|learn|read|see)|in\s+(?:knowing|hearing|learning|reading))
      | (?:^|\bi(?:'m|\s+am)\s+)(?:really\s+|very\s+|still\s+)?curious\s+
            (?:about|whether|if|how|why|what|to\s+(?:know|hear))
      | \b(?:does|do)\s+anyone\s+(?:know|have)\b
      | \bany\s+(?:tips|advice|thoughts|pointers|ideas|recommendations|suggestions|references)
            \s+(?:on|about|for|would)
      | \bmy\s+question\s+(?:is|would\s+be)\b
      | \b(?:it\s+would|it'd)\s+be\s+(?:great|helpful|useful|interesting|good)\s+
            (?:to\s+(?:know|hear|read|learn|understand)|if\s+you\s+(?:could|would|wrote|covered|explained))
      | \bje\s+me\s+demande\b | \bich\s+frage\s+mich\b | \bme\s+pregunto\b | \bmi\s+chiedo\b
      | \bpourriez-vous\s+expliquer\b | \bkönnten\s+sie\s+(?:erklären|mehr)\b
    )""",
    re.I | re.X,
)


@dataclass(frozen=True)
class Question:
    """One question a reader asked, and whether it has been answered."""

    comment_id: str
    article: str
    author: str
    text: str
    answered: bool
    answered_by: str | None
    date: str


def is_question(sentence: str) -> bool:
    """True when a plain-text sentence asks something (directly or indirectly)."""
    unquoted = _QUOTED.sub(" ", sentence).strip()
    if not words(unquoted):
        return False
    if _QMARK.search(unquoted):
        core = unquoted
        # "…, right?" after a statement still asks; a bare stock phrase does not.
        if _RHETORICAL.match(_QMARK.sub("", core).strip(" ¿!.…")):
            return False
        # "Really?!", "What??": surprise, not a question.
        return not (re.search(r"[?？][!?]+\s*$", core) and len(words(core)) <= 3)
    return bool(_INDIRECT.search(unquoted.replace("’", "'")))


def extract_questions(body: str) -> list[str]:
    """The question sentences of a comment body (Markdown), in order."""
    found = []
    for sentence in sentences(strip_markup(body)):
        if is_question(sentence):
            found.append(" ".join(sentence.split()))
    return found


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
    comments: Iterable[Item], answers: dict[str, str]
) -> list[tuple[Item, Question]]:
    """Every question in readers' comments, marked answered by reply or by a post.

    `answers` maps a comment id to the slug of a published post listing it in
    `Answers:`; a post wins over a reply as `answered_by`, being the fuller answer.
    """
    comments = [c for c in comments if c.kind == Kind.COMMENT]
    children: dict[str, list[Item]] = {}
    for c in comments:
        if c.parent:
            children.setdefault(c.parent, []).append(c)
    out: list[tuple[Item, Question]] = []
    for c in sorted(comments, key=lambda i: (i.date, i.id)):
        if c.author_reply:
            continue
        texts = extract_questions(c.body)
        if not texts:
            continue
        if c.id in answers:
            by: str | None = answers[c.id]
        elif _answered_by_reply(c, children):
            by = "author-reply"
        else:
            by = None
        for text in texts:
            out.append(
                (
                    c,
                    Question(
                        c.id,
                        c.article,
                        c.author,
                        text,
                        by is not None,
                        by,
                        c.date.isoformat(timespec="seconds"),
                    ),
                )
            )
    return out
