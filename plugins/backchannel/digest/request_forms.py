"""Requests: a reader asking the author to do something, without a question's word order.

"could you show …", "please let me know …", "any idea how …", "it would be great to
have …", "you might want to …": each form, as in indirect_forms (which searches
them), is a regular expression with the words it cannot match without.
"""

from __future__ import annotations

# Words that may open a sentence before its question proper ("So, do you …").
LEADS = frozenset(
    """so and also but then ok okay well hmm hmmm now anyway btw still or plus oh hi hello
    hey please sorry firstly secondly thirdly finally lastly maybe perhaps""".split()  # noqa: SIM905 (word list)
)
# Atomic: lead-ins once read are never given back ("Hi Hi Hi …" from a stranger must
# not make every way of splitting them a new try).
LEAD = rf"(?>(?:(?:hmm+|{'|'.join(sorted(LEADS))})\b[,\s]*)*)"
# What a reader would love to have ("Would love feedback on it.", "I would love details on …").
_WANTED = (
    *("feedback", "thoughts", "input", "comments", "advice", "help", "pointers", "details"),
    "support",
)
# Whom a hope asks ("Hopefully you can point me …", "hoping someone can help").
_SOMEONE = ("you", "someone", "somebody", "anyone", "anybody")
# What a reader wishes for ("it would be great to …").
_WISHED = tuple(
    """great helpful useful interesting good nice cool convenient awesome amazing better
    worthwhile handy sweet neat fantastic brilliant""".split()  # noqa: SIM905 (a word list as text)
)
# What help "would be" ("Any info would be excellent.").
_GOOD = ("great", "excellent", "helpful", "useful", "wonderful", "fantastic", "awesome")
_WISHED_THING = ("great", "nice", "helpful", "beneficial", "useful", "awesome", "cool", "handy")
# Requests and suggestions, anywhere in a sentence.
REQUEST_FORMS: tuple[tuple[tuple[str, ...], str], ...] = (
    (
        tuple(
            f"{verb} {who}"
            for verb in ("could", "can", "would", "will")
            for who in ("you", "anyone", "anybody", "someone", "somebody")
        ),
        r"""\b(?:could|can|would|will)\s+(?:you|any(?:one|body)|some(?:one|body))\s+(?:please\s+|perhaps\s+|maybe\s+|kindly\s+|possibly\s+|also\s+)?
            (?:explain|expand|elaborate|say|talk|write|share|clarify|describe|give|show|provide|
            recommend|suggest|point|cover|tell|walk|unpack|go|dig|address|help|check|confirm|look|
            post|add|update|comment|weigh|send|consider|mind|do\s+a|make\s+a)\b""",
    ),
    (
        # "pls" and "plz" are how many readers write it.
        ("please", "pls", "plz", "kindly"),
        r"""\b(?:please|pls|plz|kindly)[,.!]?\s+(?:do\s+|also\s+)?(?:let\s+(?:me|us)\s+know|keep\s+(?:me|us)\s+(?:posted|updated|informed)|explain|expand|elaborate|clarify|advise|help|
            confirm|correct|point|share|tell|show|look|check|consider|comment|describe|suggest|
            recommend|write|cover|post|publish|send|update|add|fix|provide|give|say|reply|respond|answer|
            guide|take|mail|e-?mail|contact|come\s+back|get\s+back|approve|have\s+a\s+look|sort|
            try(?!\s+again)|make(?!\s+sure))\b""",
    ),
    # The subject left out: "Can explain how to solve this error.", "Can help me out???".
    (
        ("can", "could"),
        r"^\W*(?:can|could)\s+(?:please\s+|pls\s+)?(?:explain|help|tell|show|share|provide|give|post)\b",
    ),
    # "help plz", "help me please": the same request, the other way round.
    # (Hinted by "help" alone: "please!!" is a word the hint index does not know.)
    (("help",), r"^\W*help(?:\s+(?:me\s+)?(?:plz|pls|please)\b|\W*$)"),  # "HELP!" alone too
    # "lets us know when …" opening a sentence is the same request mistyped; inside one
    # it states what a thing does ("the log lets me know when …").
    # Not an offer of help ("Let me know if you run into any problems, good luck.").
    (
        ("let know", "lets know"),
        r"""(?:\blet|^\W*lets)\s+(?:me|us)\s+know\b
            (?!\s+if\s+you\s+(?:run\s+into|have|hit|need|get|want)\s+(?:any\s+|more\s+)?
            (?:problems?|questions?|issues?|trouble|help)\b)""",
    ),
    # "…, email me to discuss" (an imperative after a clause, "please" or not).
    (
        ("email me", "e-mail me", "mail me", "contact me"),
        r"(?:^|[,;]\s*|\band\s+)(?:e-?mail|mail|contact)\s+me\b",
    ),
    (
        # A request ending in "please": an imperative ("Man, just take this post down
        # please.") or a bare noun ("Solution please").
        ("please", "pls", "plz"),
        rf"""^{LEAD}(?:[\w'-]+,\s*)?(?:just\s+)?(?:(?:take|fix|remove|update|help|send|share|
            reply|answer|explain|tell|show|post|add|check)\b[^,;]*
          | (?:any\s+)?(?:solution|help|reply|answer|advice|suggestions?)s?)
            \s+(?:please|pls|plz)\W*$""",
    ),
    (
        ("appreciate", "appreciated", "welcome", "grateful", "obliged", "thankful"),
        r"""\b(?:(?:i'?d|i\s+would|would|i\s+will|i'll)\s+(?:\w+\s+){0,3}?appreciate\b
          | appreciate\s+(?:it\s+)?if\s+
            (?:you|any(?:one|body)|some(?:one|body)|i\s+(?:can|could)\s+get)\b
          | \b(?:i'?d|i\s+would|i'll|i\s+will)\s+be\s+(?:very\s+|most\s+|really\s+)?
            (?:grateful|obliged|thankful)\s+(?:if|for\s+(?:any|your|some))\b
          | \bif\s+you\s+(?:could|can|have|know)\b.*\b(?:grateful|obliged|thankful)\b
          | (?:any|some)\s+(?:\w+\s+){0,5}?(?:would\s+be\s+)?(?:much\s+|greatly\s+|really\s+)?
            (?:appreciated|welcome)\b
          | ^\W*(?:help|advice|ideas|suggestions)\s+(?:is\s+|would\s+be\s+)?
            (?:much\s+|greatly\s+|really\s+)?appreciated\b  # "Help appreciated!"
          # "Your comments would be most appreciated" ("Your work is appreciated" thanks).
          | \byour?\s+(?:\w+\s+){0,3}?would\s+be\s+(?:most\s+|much\s+|greatly\s+|really\s+)?
            appreciated\b
          | \b(?:comments|feedback|thoughts|suggestions|corrections|ideas|hints)\s+
            (?:(?:are|is|would\s+be)\s+(?:\w+\s+){0,2}?)?welcome\b
          | \bi(?:'d|\s+would)?\s+(?:\w+\s+)?welcome\s+(?:your|any)\b)""",
    ),
    # "Any info would be excellent." ("Any delay would be bad" asks nothing).
    (
        tuple(f"would {w}" for w in _GOOD),
        rf"""(?:^\W*|\band\s+|,\s*)(?:any|some)\s+(?:\w+\s+){{0,3}}?would\s+be\s+
            (?:much\s+|really\s+|most\s+)?(?:{"|".join(_GOOD)})\b""",
    ),
    (
        # "It would help me a lot if you could post …", "it would help if there was …".
        ("would help", "it'd help"),
        r"""\b(?:it|that|this)(?:\s+would|'d)\s+(?:really\s+|greatly\s+|also\s+)?help\s+
            (?:me\s+|us\s+)?(?:a\s+lot\s+|greatly\s+|immensely\s+)?
            if\s+(?:you|there\s+(?:was|were|is))\b""",
    ),
    # An open invitation: "if you can find a better approach I'm all ears", "I am open to
    # suggestions".
    (
        ("all ears", "open to"),
        r"""\b(?:i'?m|i\s+am)\s+(?:all\s+ears\b|(?:always\s+|very\s+)?open\s+to\s+(?:any\s+)?
            (?:suggestions|ideas|advice)\b)""",
    ),
    (
        ("love to", "like to", "keen to", "glad to", "grateful to"),
        r"""(?:^(?:would\s+)?|\bi(?:'d|(?:\s+too|\s+also)?\s+would)\s+|\b(?:and|but|anyways?),?\s+would\s+)
            (?:(?:really|definitely|certainly|absolutely|also)\s+|very\s+much\s+)?
            (?:love|like|be\s+(?:keen|glad|grateful))\s+to\s+
            (?:know|hear|understand|learn|read\s+(?:more|about|how|what|why|your)
            |see\s+(?:a|an|more|your|some|how|what|why)\b)""",
    ),
    (
        # "Would love feedback on it.", "Would love some help soonest!", "I would like to get
        # some support of JOGL"; "I'd welcome" is above.
        (
            *(f"{verb} {noun}" for verb in ("love", "like") for noun in _WANTED),
            *(f"{verb} {det}" for verb in ("love", "like") for det in ("some", "your", "any")),
            "like to get",
        ),
        rf"""(?:^|\bi(?:'d|\s+would)\s+|\b(?:and|but)\s+)(?:would\s+)?(?:really\s+)?(?:love|like)\s+
            (?:to\s+get\s+)?(?:some\s+|your\s+|any\s+|more\s+)?(?:{"|".join(_WANTED)})\b""",
    ),
    # "(I) could really use some help."
    (
        ("could use",),
        r"""(?:^\W*|\bi\s+)could\s+(?:really\s+)?use\s+(?:some|a\s+little|your|any)\s+
            (?:help|advice|pointers|guidance|hints?|input)\b""",
    ),
    (
        ("feel free",),
        r"\bfeel\s+free\s+to\s+(?:point|let\s+me\s+know|tell|correct|share|send|add)\b",
    ),
    # "… so keep me posted.", "please keep us updated" ("I'll keep you posted" offers).
    (("keep me", "keep us"), r"\bkeep\s+(?:me|us)\s+(?:posted|updated|informed)\b"),
    # "Request you to write …" (a common English of South Asia).
    (("request you",), r"^(?:i\s+|we\s+)?(?:kindly\s+)?request\s+you\s+to\b"),
    (
        ("interested",),
        # "I'd be interested in …" (anything: "the methodology", "an article on …"), "I, too,
        # would be …"; "I'm interested in …" only in hearing or reading more.
        r"""\bi(?:,?\s*too,?)?(?:'d|\s+would)\s+(?:also\s+|really\s+)?be\s+
            (?:(?:very|really|quite|most|so|genuinely|particularly|actually|much|more|also)\s+){0,3}
            interested\s+(?:to\s+(?:know|hear|learn|read|see)|in\b)
          | \bi(?:'m|\s+am)\s+(?:(?:very|really|quite|most|so|genuinely|particularly)\s+)?
            interested\s+(?:to\s+(?:know|hear|learn|see|read)|in\s+(?:knowing|hearing|learning|seeing|
            reading)|whether|wheter|if)\b
          | \bif\s+you(?:'re|\s+are|r|\s+were)?\s+interested\s*,?\s+
            (?:i|we)(?:'d|'ll|\s+can|\s+could|\s+will|\s+would)\b
          | \b(?:i|we)\s+(?:can|could)\s+\w+.*\bif\s+you(?:'re|\s+are|r|\s+were)?\s+interested
          | \bif\s+you(?:'re|\s+are|r|\s+were)?\s+interested\s*,?\s+
            you\s+(?:might|may|could|should|can)\b""",
    ),
    (
        ("explain", "elaborate", "clarify", "describe", "tell", "show"),
        rf"""^{LEAD}(?:\([^)]*\)\s*)?(?:please\s+)?(?:explain|elaborate|clarify|describe|tell\s+(?:me|us)|show\s+(?:me|us))\b""",
    ),
    # A bare request for a post ("make a vim tutorial", "Please write more about X").
    (
        ("make", "write", "do", "create", "post", "publish"),
        rf"""^{LEAD}(?:please\s+|pls\s+|plz\s+)?(?:make|write|do|create|post|publish)\s+
            (?:a|an|some|more|another|one)\s+(?:[\w'-]+\s+){{0,3}}?
            (?:tutorials?|posts?|articles?|guides?|videos?|series|write-?ups?|follow-?ups?)\b""",
    ),
    # A sentence that opens by asking for hints ("Any hints or code, please.").
    (
        ("any",),
        (
            r"^(?:please\s*,?\s+)?any\s+(?:tips|advice|hints?|ideas?|pointers|suggestions|help|"
            r"solutions?|workarounds?|fix)\b"
        ),
    ),
    # "Does anyone know …", and without its "does" at the start ("Anyone know if I need …").
    (
        ("anyone", "anybody"),
        r"\b(?:does|do)\s+any(?:one|body)\s+(?:know|have)\b|^\W*any(?:one|body)\s+(?:know|have)\b",
    ),
    # "Any way of changing the path …" (also as one word, "Anyway of …").
    (("way",), r"^\W*any\s+way\s+(?:of|to)\b"),
    (("anyway",), r"^\W*anyway\s+of\s+\w+ing\b"),
    (
        ("any",),
        # Not the thanks that closes a request ("Thanks in advance for any pointers on …").
        r"""(?<!thanks\sfor\s)(?<!advance\sfor\s)\bany\s+(?:tips|advice|thoughts|pointers|ideas?|recommendations|suggestions|references|
            hints?|chance|insights?|comments?|word|news|updates?)\s+(?:on|about|for|would|how|why|what|whether|if|
            where|when|regarding|of|that|you)\b""",
    ),
    (
        # A wish aimed at the author ("It would be great to know …", "Also would be nice
        # to have a one-click deploy", "would be great if there was a flag", "It would have
        # been nice if you give some example"); not one about "it" ("… if it worked, but …").
        tuple(f"{w} {a}" for w in ("would", "it'd") for a in (*_WISHED, "idea")),
        rf"""(?:\bwould(?:\s+it)?|\bit'd)\s+(?:also\s+)?(?:be|have\s+been)\s+
            (?:really\s+|very\s+|so\s+|super\s+|immensely\s+|much\s+|even\s+)?
            (?:{"|".join(_WISHED)}|an?\s+(?:good|great|nice|better)\s+idea)\s+
            (?:(?:of\s+you\s+)?to\s+\w|being\s+able\b|if\s+(?:you|there\s+(?:was|were|is|could\s+be))\b)""",
    ),
    # A hedged suggestion of what the author might do ("It might be useful to include the
    # year"); "it might be useful to know that …" tells other readers.
    (
        tuple(f"{m} {a}" for m in ("might", "could", "may") for a in ("useful", "helpful", "nice")),
        r"""\bit\s+(?:might|could|may)\s+(?:also\s+)?be\s+(?:useful|helpful|nice|good)\s+to\s+
            (?:include|add|mention|show|explain|cover|note|link|clarify|update|give|provide)\b""",
    ),
    (
        # A wish opening on what is wished for ("An example would be beneficial.", "A post on
        # this would be great!"); not "The app would be great if it worked".
        tuple(f"would {a}" for a in _WISHED_THING),
        rf"""^(?:an?|some|more)\s+[^,]{{0,80}}?\bwould\s+be\s+(?:really\s+|very\s+|so\s+)?
            (?:{"|".join(_WISHED_THING)})[\s.!:)]*$""",
    ),
    (
        # ... and the same wish with its condition first ("if you find the fix that'd be great").
        tuple(f"{w} {a}" for w in ("would", "that'd", "it'd") for a in _WISHED),
        rf"""\bif\s+you\s+(?:[\w']+\s+){{1,8}}?(?:that\s+would|that'd|it\s+would|it'd|would)\s+be\s+
            (?:really\s+|very\s+|so\s+|super\s+)?(?:{"|".join(_WISHED)})\b""",
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
            "might want",
        ),
        # "I'd suggest that one answer might be …" proposes; "I suggest (that) you …" asks.
        r"""\bi(?:\s+would|\s+might|'d)?\s+(?:also\s+|strongly\s+)?suggest\b
            (?!\s*[:.]|\s+(?:that\s+)?(?:he|she|they)\b|\s+that\s+(?!you\b))
          | \byou\s+(?:might|should|could)\s+(?:also\s+)?  # "you may write …" gives leave
            (?:weigh|take\s+a\s+look|look\s+at|look\s+into|check|investigate|add|include|
            consider|mention|correct|fix|update|write|publish|post\s+more|cover|explain|clarify)
          # What the author "may want to" do, any verb: "you may want to move that comment",
          # "might want to fix that..." (its subject left out).
          | (?:\b(?:you|u)\s+(?:might|may|could|should)|^(?:[\w']+,\s*)?might)\s+(?:also\s+)?
            want\s+to\s+\w
          # "Hey man, you need to fix this" ("when you need to update it" is anyone).
          | (?<!when\s)(?<!if\s)\byou\s+(?:really\s+)?(?:need|have|ought)\s+to\s+(?:at\s+least\s+)?
            (?:address|cover|mention|explain|clarify|write\s+about|fix|correct|update)\b""",
    ),
    (("correct",), r"\b(?:please\s+)?correct\s+me\s+if\b"),
    (("tell me",), r"(?:^|,\s*|\band\s+)(?:please\s+)?tell\s+(?:me|us)\s+(?:if|whether)\b"),
    # An invitation to give one's view somewhere ("You can weigh in here if …").
    (("weigh",), r"\byou\s+(?:can|could|might|may)\s+(?:also\s+)?weigh\s+in\b"),
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
            advice|solutions?|examples?)\b
          # "Maybe you can mention the flag too".
          | \b(?:maybe|perhaps)\s+you\s+(?:can|could)\s+(?:also\s+)?(?:mention|add|explain|cover|
            include|write|post|show|share|update|clarify)\b""",
    ),
    (
        ("consider",),
        (
            rf"^{LEAD}(?:please\s+)?consider\s+(?:using|adding|switching|making|writing|changing|"
            r"replacing|moving|covering|including)\b"
        ),
    ),
)
