"""Which sentences ask the author something: the forms of a reader's question.

A sentence asks when it ends in a question mark (outside quotation marks) and
is neither a stock rhetorical phrase, a one-word fragment nor pasted output
(marked_forms); or,
without "?", when it is worded as a question ("Do you know if …", "what if …"),
announces one ("One question though: how …"), asks indirectly in any person
("wondering if …", "I'm curious what …") or asks the author for something
("could you show …", "please let me know …", "any idea how …": those forms are in
indirect_forms). The forms follow the labelling rules of the real-comment
development set (bench/bench_digest_quality.py); tests/unit/digest/
test_digest_questions.py holds an invented example of each.
"""

from __future__ import annotations

import re

from backchannel.digest.indirect_forms import HINT_WORDS, asks_indirectly
from backchannel.digest.marked_forms import ASKS_LEAVE, ends_asking, marked_asks
from backchannel.digest.request_forms import LEAD, LEADS

_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»|‘[^’\n]*’")
# A clause before the question: up to four words and a comma or colon ("Stephen, can
# you …", "In the second example, is …"), or one word and a dash ("Hi Steve - did you …";
# in "This phrase - which is …" the dash opens a relative clause).
_CLAUSE = r"(?:(?:[\w'@…-]+\s+){0,3}[\w'@…-]+[,:]\s*|[\w'@…]+\s+[-–—]\s*)?"
_AUX = (
    r"(?:do|does|did|can|could|would|will|is|are|was|were|have|has|should|shall|might|am|"
    r"isn'?t|aren'?t|doesn'?t|don'?t|didn'?t|can'?t|couldn'?t|wouldn'?t|won'?t|shouldn'?t|"
    r"haven'?t|hasn'?t|wasn'?t|weren'?t)"
)
_SUBJECT = (
    r"(?:you|i|we|they|he|she|it|there|this|that|these|those|anyone|anybody|someone|somebody|"
    r"any|anything|something|everyone|your|my|our|their|one|u)"
)
_WH = r"(?:how|what|why|where|when|which|who|whom|whose)"

# Questions worded as questions, with or without their "?".
_INTERROGATIVE = re.compile(
    rf"""^{LEAD}{_CLAUSE}{LEAD}(?:
        {_AUX}\s+{_SUBJECT}\b
      | (?:is|are|was|were|does|did|can|could|will|would|isn'?t|aren'?t|doesn'?t)\s+the\b
      | {_WH}\s+(?:(?:the\s+(?:hell|heck)|on\s+earth)\s+)?(?:{_AUX}|if|about|else|exactly|would)\b
      | how\s+(?:come|much|many|often|long)\b
      | (?:what|which)\s+(?:\w+\s+){{1,2}}
        (?:are|is|do|does|did|can|could|would|should|might|will)\s+
        (?:you|i|we|they|it|there)\b  # "what size server are you using"
      # "What change should be done …" (a passive question; "shoud" as often typed).
      | (?:what|which)\s+(?:\w+\s+){{1,2}}(?:shou?l?d|can|could|must)\s+be\s+(?:done|made|\w+ed)\b
      # "How to send the output to a file." as a sentence, not a title ("How To Get …").
      | how\s+to\s+\w+(?!.*\b(?:is|was|are)\b)[^.!?]*\.$
      | why\s+not\s+\w  # a suggestion: "Why not just return the string."
      # "Which jar contains this:" (the verb after a determiner's noun; "Which it allows …" not).
      | which\s+(?!(?:it|this|that|is|was)\b)\w+\s+
        (?:contains?|has|have|includes?|supports?|needs?)\b
      # Word order not inverted, as many readers write English: "how we can copy the commands
      # to the console", "Where i can find an example" (not "how I can do it is …").
      | (?:how|where|why|which)\s+(?:i|we)\s+
        (?:can|could|should|must|have\s+to|need\s+to|am\s+going\s+to|are\s+going\s+to)\s+\w
        (?!.*\b(?:is|was)\b)
    )""",
    re.I | re.X,
)
# Inversions that are not questions: conditions ("Should you need …, …"),
# wishes ("May you …"), clefts ("What is nice is …").
_NOT_INTERROGATIVE = re.compile(
    r"""^(?:(?:should|had|were)\s+\w+\s+[^,]*,
      | may\s+you\b
      # An imperative: "Do this:", "Do this on another Mac and …" ("Does this work" asks).
      | do\s+(?:this|that)\s*(?::|(?:on|for|in|with|and|before|after|first|instead|now|once)\b)
      | (?:man|boy|oh\s+boy|wow|gosh|geez|jeez|damn)\s*,?\s*(?:was|were)\b  # "man, were you right."
      | .*,\s*(?:is|was)\s+that\b
      # A relative clause: "two questions, which are …", "an exception, which doesn't come …"
      # (not after a question: "How about a tutorial on CSS, which is …").
      | (?!(?:how|what|why|where|can|could|would|will|do|does|is|are)\b)[^,]*,\s*which\s+
        (?:is|are|was|were|does|doesn'?t|did|didn'?t|has|have|had|can|could|would|will|should|
        might|may)\b
      # A cleft, after a lead-in or not: "What is nice is …", "What didn't work was …",
      # "Anyway, so what I do is I create …".
      | (?:[\w'-]+,?\s+){0,2}what\s+
        (?:(?:is|was)\s+(?:(?:really|so|also|truly|actually|still|most)\s+)?\w+
        | (?:didn'?t|doesn'?t|did|does)\s+(?:not\s+)?\w+
        | (?:i|we)\s+(?:\w+\s+)?(?:do|did|mean|meant|want|wanted|found|need|needed))
        \s+(?:is|was)\b
      | (?:[\w'-]+,\s*)?what\s+(?:is|was)\s+[^,?]{1,60},\s*(?:is|was)\b
      | what\s+(?:is|was)\s+(?:needed|required|missing|lacking)\b[^?]*\s(?:is|was)\s  # a cleft
      # A relative clause run on as a sentence ("Which is why …", "1. which will enable …");
      # "which would you use" stays a question.
      | (?:\w+:\s*)?which\s+(?:is|was|are|were|will|would|can|could|has|have|does|did)\s+
        (?!(?:you|i|we|they|he|she|it|there|u)\b)
      | what\s+is\s+more\b
      # A subject left out: "Have this problem with my W2K machine and …" ("Has this …" asks).
      | have\s+(?:this|that|the\s+same)\s+(?:problem|issue|error|bug)\b
      | did\s+the\s+same\s*(?:[,.!;]|$)  # "Did the same, works really well!"
      # Agreement by ellipsis ("Then so would anything.", "Neither do I.").
      | (?:then\s+|and\s+)?(?:so|neither|nor)\s+(?:do|does|did|can|could|would|will|is|are|was|
        were|have|has|should|am)\s+[\w']+\s*[.!]*$
      | how\s+to\s+[^:?]{1,60}:
      | (?:what|which)\s+(?:is|was|are|were)\s+\w+:)  # announces ("What was requested: …")""",
    re.I | re.X,
)
# Marks a reader glued to the next word ("doesn't work??please help", "pad...please
# tell me", "password.Plz help"): the word after them is a word of its own for the forms.
# One "." is glued inside names too ("ASP.NET"): only before a request word. A run of
# marks is tried once, from its start, and never given back (a stranger's 20,000 dots
# must not cost 20,000 tries of 20,000 steps each).
_GLUED = re.compile(
    r"(?<![.?…])(?:[?…][.?…]*+|\.[.?…]++|\.(?=(?:please|pls|plz|kindly)\b))(?=[^\W\d_])"
)
# A greeting glued to the first word ("Hi,Can you tell me …").
_GREETINGS = ("hi", "hello", "hey", "dear")
_GLUED_GREETING = re.compile(rf"^(?:{'|'.join(_GREETINGS)})[,.!]+(?=[^\W\d_])")
# A comma before one of these may open a later clause that asks ("… so I can build GNUstep,
# what options did you use …", "…, can this be done"; ", which …" is a relative clause,
# ", how to …" a title): a question word, or an auxiliary before its subject.
_COMMA_QUESTION_WORDS = ("what", "how", "where", "why")
_COMMA_AUXILIARIES = ("can", "could", "would", "will", "do", "does")
_COMMA_WH = tuple(f", {w} " for w in (*_COMMA_QUESTION_WORDS, *_COMMA_AUXILIARIES))
# A later clause: after ";", ", and/but/so", or "but" before a question's opening ("I know
# what your score was but how did you …"), or a comma before one (_COMMA_WH).
_LATER_CLAUSE = re.compile(
    r";\s*|, (?:and|but|so) | but (?=(?:how|what|why|where|which|can|could|would|do|does|did|"
    rf"is|are|should)\s)|, (?=(?:{'|'.join(_COMMA_QUESTION_WORDS)}) (?!to\b))"
    rf"|, (?=(?:{'|'.join(_COMMA_AUXILIARIES)}) (?:you|this|it|we|i|anyone|someone) )"
)
_WH_ANYWHERE = re.compile(
    rf"(?:^|[,;:]\s*|\b(?:and|but|so|or)\s+){_WH}\b|\b{_AUX}\s+{_SUBJECT}\s+\w+[^,]*[?？]\s*$"
)
# A condition, no comma, then the question inverted: "if I set a 20 hrs cache will it work".
# The verb must not follow its subject ("if it doesn't let you do it fast, …"), nor a
# modal ("if wordpress.com can do it for $17 …": "do" is the verb itself).
_IF_THEN_INVERTED = re.compile(
    r"^(?:(?:so|and|but|also|now)\s+)?if\s[^,;]*?(?<!\byou)(?<!\bto)(?<!\bi)(?<!\bwe)"
    r"(?<!\bthey)(?<!\bcan)(?<!\bcould)(?<!\bwill)(?<!\bwould)(?<!\bshould)"
    r"\s(?:does|do|did|will|would|can|could|should)\s+(?:it|i|you|we|this|that|they)"
    r"\s+\w"
)
# The openings _IF_THEN_INVERTED allows, tested first by one C call (most sentences fail).
_IF_STARTS = ("if ", "so if ", "and if ", "but if ", "also if ", "now if ")
# An announced question: "One question though: how does …", "Just a small question, what if …",
# "One question how would …".
_ANNOUNCED = re.compile(
    r"^(?:[\w'’]+\s+){0,3}questions?(?:\s+[\w'’]+){0,3}"
    r"(?:\s*[:,—–-]\s*|\s+(?=(?:how|what|why|where|when|which|who)\s))(?P<rest>\S.*)$",
    re.I | re.S,
)

# Words one of the interrogative openings needs among a sentence's first words.
_OPENERS = frozenset(
    """do does did can could would will is are was were have has should shall might am how what
    why where when which who whom whose isn't aren't doesn't don't didn't can't couldn't wouldn't
    won't shouldn't haven't hasn't wasn't weren't isnt arent doesnt dont didnt cant couldnt
    wouldnt wont shouldnt havent hasnt wasnt werent""".split()  # noqa: SIM905 (a word list as text)
)
_OPENS = frozenset(
    w + p for w in _OPENERS | LEADS for p in ("", ",", ".", ":", ";", "!", "-", "...")
)


def _worded_as_question(low: str, words: list[str] | None = None) -> bool:
    """True for interrogative word order ("do you know if …", "what if …"), "?" or not."""
    first = (low.split(None, 6) if words is None else words)[:5]
    if _OPENS.isdisjoint(first) or not _may_open_question(first):
        return False
    return bool(_INTERROGATIVE.match(low)) and not _NOT_INTERROGATIVE.match(low)


def _may_open_question(first: list[str]) -> bool:
    """False when a sentence's first words cannot start _INTERROGATIVE (most sentences).

    It must open on such a word or a lead-in ("so", "and"), or on a clause of
    at most four words and a comma, colon or dash ("In the second example, is …",
    "Hi Steve - did you …").
    """
    for n, word in enumerate(first):
        bare = word.strip(",.:;!-")
        if bare in _OPENERS or bare in LEADS:
            before = first[n - 1] if n else ""
            # The clause may hold an opener itself ("Wow this is awesome, what about …").
            if n == 0 or before[-1:] in ",:-–—" or before in LEADS:
                return True
    return False


def _asks_without_mark(text: str) -> bool:
    """True when a sentence without "?" still asks the author something."""
    low = text.lower()
    if not low.isascii():
        low = low.replace("’", "'").replace("´", "'")
    low = _unglued(low)
    return _asks_without_mark_low(low, low.split())


def _unglued(low: str) -> str:
    """The text with a space after marks glued to the next word (see _GLUED)."""
    if low.startswith(_GREETINGS):
        low = _GLUED_GREETING.sub("\\g<0> ", low, 1)
    if "?" in low or ".." in low or "…" in low or ".p" in low or ".k" in low:
        return _GLUED.sub("\\g<0> ", low)
    return low


def _asks_without_mark_low(low: str, words: list[str]) -> bool:
    """_asks_without_mark of a sentence already lower-cased ("’" as "'") and split."""
    # A program's prompt pasted ("Are you sure you want to … [y/N] y"), or asking leave to ask.
    if "/n]" in low or ("question" in low and "ask" in low and ASKS_LEAVE.match(low)):
        return False
    if _worded_as_question(low, words) or asks_indirectly(low, words):
        return True
    # A later clause may ask: "I have a question on this; can we say …", "I am new
    # here, and how can i estimate …".
    if (
        ";" in low
        or ", and " in low
        or " but " in low
        or ", so " in low
        or any(map(low.__contains__, _COMMA_WH))
    ) and any(map(_worded_as_question, _LATER_CLAUSE.split(low)[1:])):
        return True
    if low.startswith(_IF_STARTS) and _IF_THEN_INVERTED.match(low):
        return True
    if "question" in low:
        announced = _ANNOUNCED.match(low)
        if announced:
            return _worded_as_question(announced.group("rest"))
    return False


def is_question(sentence: str) -> bool:
    """True when a plain-text sentence asks something (directly or indirectly)."""
    ascii_ = sentence.isascii()
    if ascii_ and "?" not in sentence and '"' not in sentence:
        # Most sentences: no mark, no quotation, ASCII. One lower-casing and one
        # split serve all three tests of _asks_without_mark, and a sentence with
        # no word that could open a question (among its first five), no word an
        # indirect form needs and no "question" is decided without a call.
        low = _unglued(sentence.lower())
        words = low.split()
        if _OPENS.isdisjoint(words[:5]) and HINT_WORDS.isdisjoint(words) and "question" not in low:
            return False
        return _asks_without_mark_low(low, words)
    # A quotation stays as a mark, so the words after it do not open the sentence; the tail
    # of a quotation opened in the sentence before ('… it says "Please provide a valid
    # password."') is all quotation.
    unquoted = sentence
    if '"' in sentence or not ascii_:
        unquoted = "…" if _quotation_tail(sentence) else _QUOTED.sub(" … ", sentence).strip()
    if "$?" in unquoted:
        unquoted = unquoted.replace("$?", "$")  # a shell's exit status ("echo $?") asks nothing
    # No "?" at the end: none at all, or one inside, in code ("int? id", "a ? b : c")
    # or an aside ("(why?)"); such a sentence asks only as worded.
    if not ends_asking(unquoted):
        return _asks_without_mark(unquoted)
    return marked_asks(unquoted)


def _quotation_tail(sentence: str) -> bool:
    """True when a sentence closes a quotation it did not open."""
    end = sentence[-1:]
    return (end == '"' and sentence.count('"') % 2 == 1) or (end == "”" and "“" not in sentence)


def remark(text: str) -> bool:
    """True for a statement with a questioning "?" ("…, any leak will say more?").

    In a reply to another reader such a sentence argues with that reader; it
    does not ask the author anything.
    """
    low = text.lower().replace("’", "'").replace("´", "'")
    asks = _worded_as_question(low) or asks_indirectly(low)
    return not (asks or _WH_ANYWHERE.search(low))
