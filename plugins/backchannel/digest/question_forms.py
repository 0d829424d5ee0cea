"""Which sentences ask the author something: the forms of a reader's question.

A sentence asks when it ends in a question mark (outside quotation marks) and
is neither a stock rhetorical phrase nor a one-word fragment ("Really?"); or,
without "?", when it is worded as a question ("Do you know if …", "what if …"),
announces one ("One question though: how …"), asks indirectly in any person
("wondering if …", "I'm curious what …") or asks the author for something
("could you show …", "please let me know …", "any idea how …"). The forms
follow the labelling rules of the real-comment development set
(bench/bench_digest_quality.py); tests/test_digest_questions.py holds an
invented example of each.
"""

from __future__ import annotations

import logging
import re

logger = logging.getLogger(__name__)

_QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|„[^“”\n]*[“”]|«[^»\n]*»|‘[^’\n]*’")
_QMARK = re.compile(r"[?？؟]")
# A question mark ending the sentence, before closing marks and a smiley at most.
_ENDS_ASKING = re.compile(r"[?？؟][\s?？؟!.,…)\]\"'’”»*_~-]*(?:[:;]-?[()DPp]+[\s.!]*)?$")
_LETTER = re.compile(r"[^\W\d_]")
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
      | what\s+else\s+is\s+new | need\s+i\s+say\s+more | how\s+about\s+that
      | where\s+do\s+i\s+sign(?:\s+up)? | what\s+a\s+\w+
      | why\s+bother\b.*  # "Why bother typing exit when one key will do?"
    )[\s,.!]*$""",
    re.I | re.X,
)

# Words that may open a sentence before its question proper ("So, do you …").
_LEADS = frozenset(
    """so and also but then ok okay well hmm hmmm now anyway btw still or plus oh
    hi hello hey""".split()  # noqa: SIM905 (a word list as text)
)
_LEAD = rf"(?:(?:hmm+|{'|'.join(sorted(_LEADS))})\b[,\s]*)*"
# One short clause before a comma ("Stephen, can you …", "In the second example, is …").
_CLAUSE = r"(?:(?:[\w'@…-]+\s+){0,3}[\w'@…-]+,\s*)?"
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
    rf"""^{_LEAD}{_CLAUSE}{_LEAD}(?:
        {_AUX}\s+{_SUBJECT}\b
      | (?:is|are|was|were|does|did|can|could|will|would|isn'?t|aren'?t|doesn'?t)\s+the\b
      | {_WH}\s+(?:{_AUX}|if|about|else|exactly|would)\b
      | how\s+(?:come|much|many|often|long)\b
      | why\s+not\s+\w  # a suggestion: "Why not just return the string."
    )""",
    re.I | re.X,
)
# Inversions that are not questions: conditions ("Should you need …, …"),
# wishes ("May you …"), clefts ("What is nice is …", "Which is why …").
_NOT_INTERROGATIVE = re.compile(
    r"""^(?:(?:should|had|were)\s+\w+\s+[^,]*,
      | may\s+you\b
      | (?:man|boy|oh\s+boy|wow|gosh|geez|jeez|damn)\s*,?\s*(?:was|were)\b  # "man, were you right."
      | .*,\s*(?:is|was)\s+that\b
      | what\s+(?:is|was)\s+(?:really\s+|so\s+|also\s+)?\w+\s+(?:is|was)\b
      | (?:[\w'-]+,\s*)?what\s+(?:is|was)\s+[^,?]{1,60},\s*(?:is|was)\b
      | which\s+(?:is|was)\s+(?:why|how|what|where|when)\b
      | what\s+is\s+more\b
      | how\s+to\s+\w+\s*:)""",
    re.I | re.X,
)
_LATER_CLAUSE = re.compile(r";\s*|, (?:and|but|so) ")
_WH_ANYWHERE = re.compile(
    rf"(?:^|[,;:]\s*|\b(?:and|but|so|or)\s+){_WH}\b|\b{_AUX}\s+{_SUBJECT}\s+\w+[^,]*[?？]\s*$"
)
# An announced question: "One question though: how does …".
_ANNOUNCED = re.compile(
    r"^(?:[\w'’]+\s+){0,3}questions?(?:\s+[\w'’]+){0,3}\s*[:—–-]\s*(?P<rest>\S.*)$", re.I | re.S
)

# Whom a hope asks ("Hopefully you can point me …", "hoping someone can help").
_SOMEONE = ("you", "someone", "somebody", "anyone", "anybody")
# What a reader wishes for ("it would be great to …").
_WISHED = (
    "great",
    "helpful",
    "useful",
    "interesting",
    "good",
    "nice",
    "cool",
    "convenient",
    "awesome",
    "amazing",
)
# Indirect questions and requests, anywhere in a sentence: each form with the
# words it cannot match without, so most sentences are searched by none.
_INDIRECT_FORMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("wonder", "wonders", "wondered", "wondering"),
        r"(?<!no\s)\bwonder(?:s|ed|ing)?\s+(?:if|whether|why|how|what|who|when|where|which|about)\b",
    ),
    (
        ("curious",),
        (
            r"\bcurious\s+(?:about|on|as\s+to|whether|if|how|why|what|who|which|where|when|"
            r"to\s+(?:know|hear|see|learn|understand))"
        ),
    ),
    (
        ("confused", "unclear", "puzzled", "mystified", "uncertain", "loss"),
        (
            r"\b(?:confused|unclear|puzzled|mystified|uncertain|at\s+a\s+loss)\s+"
            r"(?:about\s+|as\s+to\s+)?(?:why|how|what|whether|if|where|which)\b"
        ),
    ),
    (
        # Not understanding a named point is confusion about it ("I don't see how"
        # and "not sure how to thank you" are not: the first argues, the second thanks).
        ("understand", "figure out", "not sure", "don't know", "dont know", "not know"),
        # "What I don't understand is why …" says the same as "I don't understand why …";
        # not knowing a named point asks it too ("but i don't know how to check"), not
        # praise ("I don't know how you find the time") or thanks.
        r"""\b(?:i|and)\s+(?:still\s+|just\s+|really\s+|honestly\s+|simply\s+|genuinely\s+)?
            (?:don't|do\s+not|can't|cannot|fail\s+to|continue\s+to\s+not|still\s+not)\s+(?:quite\s+)?
            (?:understand|figure\s+out)\s+(?:is\s+)?(?:why|how|what|whether|where|which)\b
          | \bi\s+(?:still\s+|just\s+|really\s+)?(?:don't|dont|do\s+not)\s+know\s+
            (?:why|how|what|where|which)\b
            (?!\s+(?:you\s+(?:do|find|manage|keep)|i(?:'d|\s+would)\s+do\s+without|to\s+(?:thank|repay)
                |(?:did\s+)?i\s+miss(?:ed)?)\b)
          | \b(?:i'm|i\s+am|am)\s+(?:also\s+|still\s+)?not\s+sure\s+
            (?:why|which|how(?!\s+to\b)|where(?!\s+to\b)|what(?!\s+to\b))""",
    ),
    (
        ("could use", "need your", "need some", "need help", "need advice", "need assistance"),
        (
            r"\b(?:i|we)\s+(?:could\s+(?:really\s+)?use|(?:really\s+|urgently\s+)?need)\s+"
            r"(?:some\s+|a\s+little\s+|your\s+)?(?:help|advice|pointers|guidance|assistance)\b"
        ),
    ),
    (
        ("trying to", "try to", "want to", "wanted to", "need to", "needed to"),
        # The reader's own wish ("I'm trying to understand what …", "I wanted to
        # know your view"), not advice to someone else ("you need to understand how …").
        (
            r"\b(?:i|i'm|we|we're)\s+(?:am\s+|are\s+|still\s+|just\s+|really\s+)*"
            r"(?:trying|try|want|wanted|need|needed)\s+to\s+"
            r"(?:(?:understand|figure\s+out|work\s+out|know|learn)\s+"
            r"(?:why|how|what|whether|if|where|which|when|more\s+about)\b"
            r"|(?:know|hear)\s+(?:about\s+)?your\b)"
        ),
    ),
    (
        ("could you", "can you", "would you", "will you"),
        r"""\b(?:could|can|would|will)\s+you\s+(?:please\s+|perhaps\s+|maybe\s+|kindly\s+|possibly\s+|also\s+)?
            (?:explain|expand|elaborate|say|talk|write|share|clarify|describe|give|show|provide|
            recommend|suggest|point|cover|tell|walk|unpack|go|dig|address|help|check|confirm|look|
            post|add|update|comment|weigh|send|consider|mind|do\s+a|make\s+a)\b""",
    ),
    (
        # "pls" and "plz" are how many readers write it.
        ("please", "pls", "plz"),
        r"""\b(?:please|pls|plz)\s+(?:do\s+)?(?:let\s+(?:me|us)\s+know|explain|expand|elaborate|clarify|advise|help|
            confirm|correct|point|share|tell|show|look|check|consider|comment|describe|suggest|
            recommend|write|cover|post|send|update|add|fix|provide|give|say)\b""",
    ),
    (("let know",), r"\blet\s+(?:me|us)\s+know\b"),
    (
        ("appreciate", "appreciated", "welcome", "grateful", "obliged", "thankful"),
        r"""\b(?:(?:i'?d|i\s+would|would)\s+(?:\w+\s+){0,3}?appreciate\b
          | appreciate\s+(?:it\s+)?if\s+you\b
          | \b(?:i'?d|i\s+would|i'll|i\s+will)\s+be\s+(?:very\s+|most\s+|really\s+)?
            (?:grateful|obliged|thankful)\s+(?:if|for\s+(?:any|your|some))\b
          | \bif\s+you\s+could\b.*\b(?:grateful|obliged|thankful)\b
          | any\s+(?:\w+\s+){0,4}?(?:would\s+be\s+)?(?:much\s+|greatly\s+|really\s+)?
            (?:appreciated|welcome)\b
          | \b(?:comments|feedback|thoughts|suggestions|corrections|ideas)\s+(?:are|is)\s+
            (?:\w+\s+){0,2}?welcome\b)""",
    ),
    (
        ("love to", "like to", "keen to", "glad to", "grateful to"),
        r"""(?:^(?:would\s+)?|\bi(?:'d|\s+would)\s+|\b(?:and|but)\s+would\s+)(?:really\s+|very\s+much\s+)?
            (?:love|like|be\s+(?:keen|glad|grateful))\s+to\s+
            (?:know|hear|understand|learn|read\s+(?:more|about|how|what|why|your)
            |see\s+(?:a|an|more|your|some|how|what|why)\b)""",
    ),
    (
        ("interested",),
        r"""\bi(?:'d|\s+would)\s+be\s+(?:(?:very|really|quite|most|so|genuinely|particularly)\s+){0,2}interested\s+
            (?:to\s+(?:know|hear|learn|read|see)|in\s+(?:knowing|hearing|learning|reading|seeing|your))
          | \bif\s+you(?:'re|\s+are|r|\s+were)?\s+interested\s*,?\s+
            (?:i|we)(?:'d|'ll|\s+can|\s+could|\s+will|\s+would)\b
          | \b(?:i|we)\s+(?:can|could)\s+\w+.*\bif\s+you(?:'re|\s+are|r|\s+were)?\s+interested
          | \bif\s+you(?:'re|\s+are|r|\s+were)?\s+interested\s*,?\s+
            you\s+(?:might|may|could|should|can)\b""",
    ),
    (
        ("explain", "elaborate", "clarify", "describe", "tell", "show"),
        rf"""^{_LEAD}(?:\([^)]*\)\s*)?(?:please\s+)?(?:explain|elaborate|clarify|describe|tell\s+(?:me|us)|show\s+(?:me|us))\b""",
    ),
    # A bare request for a post ("make a vim tutorial", "Please write more about X").
    (
        ("make", "write", "do", "create", "post", "publish"),
        rf"""^{_LEAD}(?:please\s+|pls\s+|plz\s+)?(?:make|write|do|create|post|publish)\s+
            (?:a|an|some|more|another|one)\s+(?:[\w'-]+\s+){{0,3}}?
            (?:tutorials?|posts?|articles?|guides?|videos?|series|write-?ups?|follow-?ups?)\b""",
    ),
    # A sentence that opens by asking for hints ("Any hints or code, please.").
    (
        ("any",),
        r"^(?:please\s*,?\s+)?any\s+(?:tips|advice|hints?|ideas?|pointers|suggestions|help)\b",
    ),
    (("anyone", "anybody"), r"\b(?:does|do)\s+any(?:one|body)\s+(?:know|have)\b"),
    (
        ("any",),
        r"""\bany\s+(?:tips|advice|thoughts|pointers|ideas?|recommendations|suggestions|references|
            hints?|chance|insights?|comments?)\s+(?:on|about|for|would|how|why|what|whether|if|
            where|when|regarding|of|that|you)\b""",
    ),
    (
        ("question",),
        r"\b(?:my|the|one|another|a)\s+question\s+(?:is|would\s+be|was)\s+(?:whether|if|how|why|what|which|where|when)\b",
    ),
    (
        # A wish aimed at the author ("It would be great to know …", "Also would be nice
        # to have a one-click deploy", "would be great if there was a flag").
        tuple(f"{w} {a}" for w in ("would", "it'd") for a in _WISHED),
        rf"""(?:\bwould(?:\s+it)?|\bit'd)\s+be\s+(?:really\s+|very\s+|so\s+|super\s+)?
            (?:{"|".join(_WISHED)})\s+
            (?:to\s+(?:know|hear|read|learn|understand|see|have)\b|being\s+able\b
            |if\s+(?:you|there\s+(?:was|were|is|could\s+be))\b)""",
    ),
    (
        (
            "suggest",
            "might you",
            "should you",
            "may you",
            "could you",
            "need you",
            "have you",
            "ought you",
        ),
        r"""\bi(?:\s+would|'d)?\s+(?:also\s+)?suggest\b(?!\s+(?:that\s+)?(?:he|she|they)\b)
          | \byou\s+(?:might|may|should|could)\s+(?:want\s+to\s+)?
            (?:weigh|take\s+a\s+look|look\s+at|look\s+into|check|investigate|add|include|
            consider|mention|correct|fix|update|write|publish|post\s+more|cover|explain|clarify)
          | \byou\s+(?:really\s+)?(?:need|have|ought)\s+to\s+(?:at\s+least\s+)?
            (?:address|cover|mention|explain|clarify|write\s+about)\b""",
    ),
    (("correct",), r"\b(?:please\s+)?correct\s+me\s+if\b"),
    (
        # A hope that asks the author to act ("Hopefully you can point me …"); a hope
        # about anything else asks nothing ("I hope this is correct").
        tuple(f"{h} {w}" for h in ("hopefully", "hope", "hoping") for w in _SOMEONE),
        r"""\b(?:hopefully|i\s+(?:do\s+|really\s+)?hope|hoping)\s+(?:that\s+)?
            (?:you|someone|somebody|anyone|anybody)\s+
            (?:can|could|will|would|might)\s+(?:please\s+)?
            (?:help|lead|point|explain|shed|share|show|tell|give|clarify|advise|answer|cover|
            write|look|update|comment)\b""",
    ),
    (
        # A tentative request ("Maybe you have a hint for me …").
        ("maybe you", "perhaps you"),
        r"""\b(?:maybe|perhaps)\s+you\s+(?:have|know(?:\s+of)?|could\s+give|can\s+give)\s+
            (?:a|an|some|any)\s+(?:\w+\s+)?(?:hints?|ideas?|tips?|suggestions?|pointers?|links?|
            advice|solutions?|examples?)\b""",
    ),
    (
        ("consider",),
        (
            rf"^{_LEAD}(?:please\s+)?consider\s+(?:using|adding|switching|making|writing|changing|"
            r"replacing|moving|covering|including)\b"
        ),
    ),
    (("demande",), r"\bje\s+me\s+demande\b"),
    (("frage",), r"\bich\s+frage\s+mich\b"),
    (("pregunto",), r"\bme\s+pregunto\b"),
    (("chiedo",), r"\bmi\s+chiedo\b"),
    (("pourriez-vous",), r"\bpourriez-vous\s+expliquer\b"),
    (("könnten",), r"\bkönnten\s+sie\s+(?:erklären|mehr)\b"),
)
# Musings the reader says they will settle themselves ask nothing of the author.
_SELF_SETTLED = re.compile(
    r"\b(?:i'll|i\s+will|i\s+can)\s+(?:manage|figure|work|find|sort|try)\b[^.]*\b(?:myself|on\s+my\s+own)\b",
    re.I,
)
_INDIRECT_BY_HINT = tuple(
    (hints, re.compile(pattern, re.I | re.X)) for hints, pattern in _INDIRECT_FORMS
)
# Each form is tried only on sentences holding all the words of one of its
# hints, found by splitting at white space: a word is looked up with the
# punctuation that may cling to it ("know.", "(please"), which costs less than
# stripping the punctuation from every word of every sentence.
# Each entry: the hint's other words (its key word is in the sentence already,
# being part of one of its words) and the form's number.
_FORMS_BY_WORD: dict[str, list[tuple[tuple[str, ...], int]]] = {}
for _n, (_hints, _) in enumerate(_INDIRECT_FORMS):
    for _hint in _hints:
        _needs = tuple(_hint.split())
        _key = max(sorted(_needs), key=len)
        _others = tuple(_need for _need in _needs if _need != _key)
        for _form in (_key, *(_key + p for p in ",.:;!)"), "(" + _key):
            _FORMS_BY_WORD.setdefault(_form, []).append((_others, _n))
_HINT_WORDS = frozenset(_FORMS_BY_WORD)
# Words one of the interrogative openings needs among a sentence's first words.
_OPENERS = frozenset(
    """do does did can could would will is are was were have has should shall might am how what
    why where when which who whom whose isn't aren't doesn't don't didn't can't couldn't wouldn't
    won't shouldn't haven't hasn't wasn't weren't isnt arent doesnt dont didnt cant couldnt
    wouldnt wont shouldnt havent hasnt wasnt werent""".split()  # noqa: SIM905 (a word list as text)
)
_OPENS = frozenset(
    w + p for w in _OPENERS | _LEADS for p in ("", ",", ".", ":", ";", "!", "-", "...")
)


def _asks_indirectly(low: str, words: list[str] | None = None) -> bool:
    """True when a lower-cased sentence asks indirectly or requests something."""
    hits = _HINT_WORDS.intersection(low.split() if words is None else words)
    if not hits:
        return False
    tried: set[int] = set()
    for word in hits:
        for others, n in _FORMS_BY_WORD[word]:
            if n in tried or not all(map(low.__contains__, others)):
                continue
            tried.add(n)
            if _INDIRECT_BY_HINT[n][1].search(low):
                return not _SELF_SETTLED.search(low)
    return False


def _worded_as_question(low: str, words: list[str] | None = None) -> bool:
    """True for interrogative word order ("do you know if …", "what if …"), "?" or not."""
    first = (low.split(None, 6) if words is None else words)[:5]
    if _OPENS.isdisjoint(first) or not _may_open_question(first):
        return False
    return bool(_INTERROGATIVE.match(low)) and not _NOT_INTERROGATIVE.match(low)


def _may_open_question(first: list[str]) -> bool:
    """False when a sentence's first words cannot start _INTERROGATIVE (most sentences).

    It must open on such a word or a lead-in ("so", "and"), or on a clause of
    at most four words and a comma ("In the second example, is …").
    """
    for n, word in enumerate(first):
        bare = word.strip(",.:;!-")
        if bare in _OPENERS or bare in _LEADS:
            return n == 0 or first[n - 1].endswith(",") or first[n - 1] in _LEADS
    return False


def _asks_without_mark(text: str) -> bool:
    """True when a sentence without "?" still asks the author something."""
    low = text.lower()
    if not low.isascii():
        low = low.replace("’", "'")
    return _asks_without_mark_low(low, low.split())


def _asks_without_mark_low(low: str, words: list[str]) -> bool:
    """_asks_without_mark of a sentence already lower-cased ("’" as "'") and split."""
    if _worded_as_question(low, words) or _asks_indirectly(low, words):
        return True
    # A later clause may ask: "I have a question on this; can we say …", "I am new
    # here, and how can i estimate …".
    if (";" in low or ", and " in low or ", but " in low or ", so " in low) and any(
        map(_worded_as_question, _LATER_CLAUSE.split(low)[1:])
    ):
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
        low = sentence.lower()
        words = low.split()
        if _OPENS.isdisjoint(words[:5]) and _HINT_WORDS.isdisjoint(words) and "question" not in low:
            return False
        return _asks_without_mark_low(low, words)
    # A quotation stays as a mark, so the words after it do not open the sentence.
    unquoted = _QUOTED.sub(" … ", sentence).strip() if '"' in sentence or not ascii_ else sentence
    # No "?" at the end: none at all, or one inside, in code ("int? id", "a ? b : c")
    # or an aside ("(why?)"); such a sentence asks only as worded.
    if not _ENDS_ASKING.search(unquoted):
        return _asks_without_mark(unquoted)
    bare = _QMARK.sub("", unquoted).strip(" ¿!.…")
    if not _LETTER.search(bare) or _RHETORICAL.match(bare):
        return False
    count = len(bare.split())
    if count <= 1 and not _NO_SPACES.search(bare):
        return False  # "Really?", "Why?": a fragment, not a question to answer
    end = unquoted.rstrip()
    run = end[len(end.rstrip("!?？")) :]
    # "Seriously?!": surprise, not a question.
    return not ("!" in run and count <= 3)


def remark(text: str) -> bool:
    """True for a statement with a questioning "?" ("…, any leak will say more?").

    In a reply to another reader such a sentence argues with that reader; it
    does not ask the author anything.
    """
    low = text.lower().replace("’", "'")
    asks = _worded_as_question(low) or _asks_indirectly(low)
    return not (asks or _WH_ANYWHERE.search(low))
