"""Indirect questions and requests: a reader asking without a question's word order.

"wondering if …", "I'm curious what …", "I don't understand why …" are here; requests
("could you show …", "please let me know …", "it would be great to have …") are in
request_forms. Each form is a regular expression with the words it cannot match
without, so a sentence is searched only by the forms whose words it holds.
question_forms.is_question uses it for sentences without "?".
"""

from __future__ import annotations

import re

from backchannel.digest.request_forms import REQUEST_FORMS

# Not knowing what one did oneself or what the author just said asks nothing ("I have no
# idea what I might have broken now", "no idea what you just said :-)").
_OWN_DOINGS = (
    r"i\s+(?:might|may|could|must)\s+have|you\s+(?:just\s+)?(?:said|say)\b"
    r"|many\s+times"  # "I don't know how many times I have set this up": an exclamation
)
# Indirect questions, anywhere in a sentence: each form with the words it cannot
# match without, so most sentences are searched by none.
_INDIRECT_FORMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        ("wonder", "wonders", "wondered", "wondering"),
        # Not a clause's end: "Something I was wondering about though is that …" announces;
        # "I always wondered how …", "I'd been wondering about this … before I found your
        # article" tell of a past curiosity, they ask nothing now; "one may wonder about …"
        # and "And you wonder why …" ask no one.
        (
            r"(?<!no\s)(?<!one\smay\s)(?<!one\smight\s)(?<!and\syou\s)\bwonder(?:s|ed(?<!always\swondered)(?<!ever\swondered)"
            r"|ing(?<!'d\sbeen\swondering)(?<!had\sbeen\swondering))?,?\s+"
            r"(?:(?:though|also|however|then|now),?\s+)?"  # "I was wondering, however, if …"
            r"(?:if|whether|why|how|what|who|when|where|which|"
            r"about\b(?!\s+(?:though\s+|however\s+)?(?:is|was)\b))\b"
        ),
    ),
    (
        ("curious",),
        (
            r"\bcurious,?\s+(?:(?:though|also|too|however|then),?\s+)?"
            r"(?:about|on|as\s+to|whether|if|how|why|what|who|which|where|when|"
            r"to\s+(?:know|hear|see|learn|understand))"
        ),
    ),
    (
        ("confused", "unclear", "puzzled", "mystified", "uncertain", "loss"),
        (
            r"\b(?:confused|unclear|puzzled|mystified|uncertain|at\s+a\s+loss)\s+"
            r"(?:about\s+|as\s+to\s+)?(?:why|how|what|whether|if|where|which)\b"
            # "I'm a little confused about the terms …" (not "I was confused by …").
            r"|\b(?:i'?m|i\s+am)\s+(?:(?:still|a\s+(?:little|bit)|somewhat|really)\s+)?confused\s+"
            r"(?:about|by)\s+(?:the|this|that|your)\b"
        ),
    ),
    (
        # "I'm not clear on how …" ("it is not clear how …" states it).
        ("not clear",),
        (
            r"\b(?:i'?m|i\s+am)\s+(?:still\s+)?not\s+(?:\w+\s+)?clear\s+(?:on\s+|about\s+|as\s+to\s+)?"
            r"(?:how|why|what|where|whether|if|which)\b"
        ),
    ),
    (
        # Not understanding a named point is confusion about it ("I don't see how"
        # and "not sure how to thank you" are not: the first argues, the second thanks).
        (
            "understand",
            "figure out",
            "not sure",
            "unsure",
            "don't know",
            "dont know",
            "not know",
            "no idea",
            "can't find",
            "cannot find",
            "couldn't find",
        ),
        # "What I don't understand is why …" says the same as "I don't understand why …";
        # not knowing a named point asks it too ("but i don't know how to check"), not
        # praise ("I don't know how you find the time") or thanks.
        rf"""\b(?:i|and)\s+(?:still\s+|just\s+|really\s+|honestly\s+|simply\s+|genuinely\s+|also\s+)?
            (?:don't|do\s+not|can't|cant|cannot|fail\s+to|continue\s+to\s+not|still\s+not)\s+(?:quite\s+)?
            (?:understand|figure\s+out)\s+(?:is\s+)?(?:why|how|what|whether|where|which)\s+\w
          | \bi\s+(?:still\s+|just\s+|really\s+|also\s+)?(?:don't|dont|do\s+not)\s+know\s+
            (?:why|how|what|where|which)\b
            (?!\s+(?:you\s+(?:do|find|manage|keep)|i(?:'d|\s+would)\s+do\s+without|to\s+(?:thank|repay)
                |(?:did\s+)?i\s+miss(?:ed)?|i\s+was\s+thinking|{_OWN_DOINGS})\b)
          | \bi\s+(?:can't|cannot|couldn't)\s+(?:seem\s+to\s+)?find\s+
            (?:where|how|which|(?:a|any)\s+way\s+to)\b
          | \bi\s+(?:have|had)\s+no\s+idea\s+(?:why|how|what|where|which|if|whether)\b
            (?!\s+(?:you\s+(?:do|find|manage|keep)|i\s+was\s+thinking|{_OWN_DOINGS})\b)
          | \b(?:i'm|i\s+am|am)\s+(?:also\s+|still\s+|a\s+(?:bit|little)\s+)?
            (?:not\s+(?:(?:entirely|quite|really|totally|exactly)\s+)?sure|unsure)\s+
            (?:why|which|how(?!\s+to\b)|where(?!\s+to\b)|what(?!\s+to\b))""",
    ),
    (
        # Not remembering what the author did ("Cant recall if your sample included this").
        ("recall", "remember"),
        (
            r"(?:^|\bi\s+)(?:can't|cant|cannot|don't|dont|do\s+not)\s+(?:recall|remember)\s+"
            r"(?:if|whether)\s+(?:you|your)\b"
        ),
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
            # The subject may be left out at the start ("Trying to understand how to …").
            r"(?:\b(?:i|i'm|we|we're)\s+|^)(?:am\s+|are\s+|still\s+|just\s+|really\s+)*"
            r"(?:trying|try|want|wanted|need|needed)\s+to\s+"
            r"(?:(?:understand|figure\s+out|work\s+out|know|learn)\s+"
            r"(?:why|how|what|whether|if|where|which|when|more\s+about)\b"
            r"|(?:know|hear)\s+(?:about\s+)?your\b)"
        ),
    ),
    (
        ("question",),
        (
            r"\b(?:my|the|one|another|a)\s+(?:\w+\s+)?question\s+(?:is|would\s+be|was)\s*[,:]?\s+"
            r"(?:whether|if|how|why|what|which|where|when)\b"
            # An earlier question asked again of something else: "Same question for L2 cache."
            r"|^(?:a\s+)?(?:similar|same)\s+question\s+(?:for|about|regarding|with)\b"
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
    r"\b(?:i'll|i\s+will|i\s+can)\s+(?:manage|figure|work|find|sort|try)\b[^.]*\b(?:myself|on\s+my\s+own)\b"
    r"|\blet\s+me\s+(?:look|check|read|try)\b",  # "… whether to move to git.... let me look at …"
    re.I,
)
_FORMS = (*_INDIRECT_FORMS, *REQUEST_FORMS)
_INDIRECT_BY_HINT = tuple((hints, re.compile(pattern, re.I | re.X)) for hints, pattern in _FORMS)
# Each form is tried only on sentences holding all the words of one of its
# hints, found by splitting at white space: a word is looked up with the
# punctuation that may cling to it ("know.", "(please"), which costs less than
# stripping the punctuation from every word of every sentence.
# Each entry: the hint's other words (its key word is in the sentence already,
# being part of one of its words) and the form's number.
_FORMS_BY_WORD: dict[str, list[tuple[tuple[str, ...], int]]] = {}
for _n, (_hints, _) in enumerate(_FORMS):
    for _hint in _hints:
        _needs = tuple(_hint.split())
        _key = max(sorted(_needs), key=len)
        _others = tuple(_need for _need in _needs if _need != _key)
        for _form in (_key, *(_key + p for p in ",.:;!)"), "(" + _key):
            _FORMS_BY_WORD.setdefault(_form, []).append((_others, _n))
HINT_WORDS = frozenset(_FORMS_BY_WORD)


def asks_indirectly(low: str, words: list[str] | None = None) -> bool:
    """True when a lower-cased sentence asks indirectly or requests something."""
    hits = HINT_WORDS.intersection(low.split() if words is None else words)
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
