"""Sentences that end in a question mark but ask nothing.

Stock rhetoric ("Who knew?"), retorts, one-word fragments beside no question,
surprise ("Seriously?!"), and what readers paste: tool and error output, process
lists, stack traces, code cut at a ternary or a predicate. question_forms.is_question
asks `marked_asks` about a sentence whose last mark is a "?"; the forms that ask
without one are in question_forms, indirect_forms and request_forms.
"""

from __future__ import annotations

import re

_QMARK = re.compile(r"[?？؟]")
# What may follow a sentence's last question mark: more marks, closing brackets and
# quotes, emphasis, and a smiley at most (_SMILEY_END).
_CLOSERS = " \t\n\r\f\v?？؟!.,…)]\"'’”»*_~-"
_SMILEY_END = re.compile(r"[:;]-?[()DPp]+[\s.!]*$")


def ends_asking(text: str) -> bool:
    """True when a question mark ends the text, before closing marks and a smiley at most.

    Read from the end (a pattern searched from every "?" of a stranger's long run
    of marks would scan the run once per mark).
    """
    if _asks_in_tail(text):
        return True
    smiley = _SMILEY_END.search(text[-200:])
    return smiley is not None and _asks_in_tail(text[: max(0, len(text) - 200) + smiley.start()])


def _asks_in_tail(text: str) -> bool:
    """True when the closing marks that end the text hold a question mark."""
    tail = text[len(text.rstrip(_CLOSERS)) :]
    return "?" in tail or "？" in tail or "؟" in tail


_LETTER = re.compile(r"[^\W\d_]")
# A call ("parseInt($", "f(x", "expression( (a && b)"): with a "(" left open, a "?" after it
# is a ternary's.
_CALL = re.compile(r"[\w$]\(\s*[\w$(]")
# A bind placeholder in a pasted SQL log ('… WHERE "users"."token" = ? LIMIT 1').
_PLACEHOLDER = re.compile(r"[=<>]\s*\?\s*$")
# Scripts written without spaces: a "one-word" sentence there is a whole question.
_NO_SPACES = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")

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
      | what\s+else\s+is\s+new | need\s+i\s+say\s+more | how\s+about\s+that | (?:and\s+)?so\s+what
      | where\s+do\s+i\s+sign(?:\s+up)? | what\s+a\s+\w+
      | why\s+bother\b.*  # "Why bother typing exit when one key will do?"
      | why\s+would\s+(?:you|anyone|anybody)\s+(?:ever\s+)?(?:want|need)\s+to  # nothing after
      # At oneself: "How did I not know about this?", "Omg, why didn't I think of that?"
      | (?:(?:omg|wow|man|gosh|geez|damn|oh)\W+)?(?:how|why)\s+(?:did|have|had)(?:n'?t)?\s+i\s+
            (?:not\s+|never\s+)?(?:know|knew|known|miss|missed|see|seen|saw|hear|heard|think|
            thought|find|found|notice|noticed|reali[sz]ed?)\s+(?:of\s+|about\s+)?
            (?:this|that|it)(?:\s+(?:before|sooner|earlier))?
      # Disbelief, alone or after a heading: "Are you kidding ?", "Git - Are you serious?"
      | (?:[^?]{0,40}[-–—:,]\s*)?are\s+you\s+(?:serious|kidding|joking)(?:\s+me)?
      # "You know what was the biggest challenge?", "You know how long it takes …?": a
      # lead-in to the writer's own answer ("You know how to …?" asks).
      | (?:and\s+|but\s+|so\s+)?you\s+know\s+(?:what|how\s+(?:long|much|many|hard|often))\b.*
    )[\s,.!]*$""",
    re.I | re.X,
)

# A rhetorical tag after a dash or comma: "… (it doesn't touch the tree - how could it?",
# "The compiler will not be able to prefetch it – how would it?" ("… – how?" asks).
_RHETORICAL_TAG = re.compile(
    r"[-–—,]\s*(?:how|why)\s+(?:could|would|can|should)\s+(?:it|they|he|she|one|anyone)$", re.I
)
# ... but after a condition it asks: "and if I wanted to show the name too, how would it?"
_CONDITION = re.compile(r"(?:(?:and|so|but)\s+)?if\s", re.I)

# A question the writer poses to make their point, after a clause: "It doesn't matter what
# we think; the question is: what does the CPU think?" ("My question is: …" asks).
# So does "(Which) begs the question -- is it …?"
_POSED = re.compile(
    r"(?:[;,]|\bbut)\s+the\s+question\s+is\b|^\W*(?:which\s+|this\s+|it\s+)?begs?\s+the\s+question\b",
    re.I,
)
# Asking leave to ask announces the question ("… but can i ask you a question about the read
# more link..", "can I ask some questions about your idea …?"): the question comes after.
ASKS_LEAVE = re.compile(
    r"(?:^|.*\b)(?:can|could|may)\s+i\s+ask\s+(?:you\s+)?(?:a|one|some|a\s+few|few|two|another)"
    r"\s+(?:\w+\s+)?questions?\b(?:\s+(?:about|on|regarding)\b[^:]*)?[\s.?!]*$",
    re.I,
)

# Code typed as prose, from a definition on ("def self.search(params={}) return nil if
# params.blank?": Ruby's predicate, not a question).
_DEFINITION = re.compile(r"(?:def|function|public|private|protected|static)\s+[\w.$]+\s*\(")

# Pasted table output: a "?" after a run of numbers ("root 20432 0.1 0.0 6396 2468 ?", a
# process list's empty terminal column).
_TABLE_ROW = re.compile(r"(?:\s[\d.:,%/-]+){4}$")
# A pasted stack trace's frame, its arrow turned to "?" ("CORE/View.php line 470 ? View->…").
_STACK_FRAME = re.compile(r"[\w./\\-]+\.\w{1,5},?\s+line\s+\d+$", re.I)

# Pasted error output: "java.lang.IllegalStateException: … no ContextLoaderListener registered?",
# "configure: WARNING: … check for missing prerequisite headers?" (a tool names itself first).
_ERROR_OUTPUT = re.compile(r"(?:[\w.-]+:\s*)?[\w.$]*(?:exception|error|warning|fatal)\b:", re.I)

_SURPRISE = re.compile(r"(?:really|seriously|huh|eh|wow|what|hmm+)\W*$", re.I)

# A pleasantry, after a greeting or not ("Bonjour, monsieur Cedric, how are you?"): tried
# only on a sentence holding "are you" (a search from every start point costs).
_PLEASANTRY = re.compile(
    r"(?:[\w\s'-]{1,40}[,:]\s*){0,2}how\s+are\s+you(?:\s+doing)?(?:\s+today)?[\s,.!]*$", re.I
)


def marked_asks(unquoted: str) -> bool:
    """True when a sentence ending in "?" (quotations taken out) asks something."""
    bare = _QMARK.sub("", unquoted).strip(" ¿!.…")
    if (
        not _LETTER.search(bare)
        or _ends_in_open_call(unquoted)
        or _PLACEHOLDER.search(unquoted)
        or _RHETORICAL.match(bare)
        or (_RHETORICAL_TAG.search(bare[-40:]) and not _CONDITION.match(bare))
        or _ERROR_OUTPUT.match(bare)
        or (bare[-1:].isdigit() and (_TABLE_ROW.search(bare) or _STACK_FRAME.search(bare)))
        or ("(" in bare and _DEFINITION.match(bare))
        or ("the question" in bare and _POSED.search(bare))
        or ("ask" in bare and ASKS_LEAVE.match(bare))
        or ("are you" in bare and _PLEASANTRY.match(bare))
    ):
        return False
    count = len(bare.split())
    if count <= 1 and not _NO_SPACES.search(bare):
        return False  # "Really?", "Why?": a fragment (see asks_beside)
    end = unquoted.rstrip()
    run = end[len(end.rstrip("!?？")) :]
    # "Seriously?!": surprise, not a question.
    return not ("!" in run and count <= 3)


def _ends_in_open_call(sentence: str) -> bool:
    """Pasted code cut at a ternary's "?": "… return parseInt($.css(el.jquery ?"."""
    return sentence.count("(") > sentence.count(")") and _CALL.search(sentence) is not None


def asks_beside(sentence: str) -> bool:
    """True for a one-word "?" fragment that asks when its comment asks something else.

    "Are there legal problems? GDPR? ISO?", "Why? Can you explain?": beside a
    question a fragment narrows or repeats it (the labelled real comments count
    every such one); alone ("Why?", "Worsen?") it is a retort. Surprise ("Really?")
    asks nothing either way.
    """
    if not ends_asking(sentence) or "!" in sentence:
        return False
    bare = _QMARK.sub("", sentence).strip(" ¿.…")
    return len(bare.split()) == 1 and bool(_LETTER.search(bare)) and not _SURPRISE.match(bare)
