"""Plain text (text.strip_markup) into sentences, as readers write them.

Sentences come from sentencex (Wikimedia's segmenter, compiled), which knows
abbreviations ("e.g.", "i. e.", "P.S.") and other languages' end marks ("？");
the rules here mend what it does with how readers type on real blogs (no space
after a mark, hard-wrapped lines, runs of "?", ellipses).
"""

from __future__ import annotations

import re

import sentencex

# Printable ASCII: an ASCII text made of these alone is str.isprintable().
_ASCII_PRINTABLE = bytes(range(0x20, 0x7F))
# A whole run of marks, read once and never given back (a stranger's "!?!?…" must not
# be tried at every split); it ends a sentence when it holds "?!" or "!?".
_SURPRISE_END = re.compile(r"(?<![?!])([?!]++)[ \t]+(?=[A-Z])")
# An ellipsis and a space that end one sentence before a capital or a word opening a
# question or request ("… maintainers... I don't understand why …", "help me.. can
# you …", "Thanks Shai .. does this …"): sentencex reads on past it, as it should
# before other words ("It works... but slowly"), after a link's shortened text
# ("example.org/... do that") and with no space after it ("… forecast...could you
# please …", as the labels read it).
_ELLIPSIS_ENDING = re.compile(
    r"(?:(?<=[^\W_]\.\.)|(?<=[^\W_]\.\.\.)|(?<=[^\W_]\.\.\.\.)|(?<=[^\W_]…)"
    r"|(?<=[^\W_] \.\.)|(?<=[^\W_] \.\.\.))"
    r"\s+(?=(?-i:[A-Z])|(?:any|can|could|would|will|do|"
    r"does|did|have|has|should|is|are|how|what|why|where|when|which|who|please|pls|plz)\b)",
    re.I,
)
# A question mark trailing off into dots and a space ends its sentence ("… via
# bluetooth??... and if …", "… work?... I tried"): sentencex reads on. Without the
# space the labelling rule reads on too, as after any ellipsis ("…you??...Are you …").
_QMARK_ELLIPSIS = re.compile(r"(?:(?<=\?\.\.)|(?<=\?\.\.\.)|(?<=\?…))[ \t]+")
# A question mark before a lower-case word or a bracket ends a sentence too: readers
# often write on without a capital ("… with tf.keras ? tf.keras allows …", "… already?
# (don't know but …)"); and a run of them before a capital, where sentencex reads on
# ("Any ideas??? I am running …").
# Not a Java wildcard: "List<? extends Object>".
_QMARK_THEN_MORE = re.compile(r"(?<=[^<‹]\?)[ \t]+(?=[a-z(])|(?<=\?\?)[ \t]+(?=[A-Z])")
_QMARK_THANKS = re.compile(r"(?<=\?)(?=(?i:thanks|thank\s+you|thx)\b)")
# A hard-wrapped line: one that stops without an end mark, before a line going on
# in lower case or with a bracket ("… create new articles using" / "existing
# content (…)?", "… pipelines<br> (1 per subproject …)?", "… (e.g." / "if …"), is one
# sentence with it; not before a line opening as a question ("is any of it useful" /
# "how memory …") or on a lower-case "i" ("… how to work on it" / "i want to use …").
_NOT_GOING_ON = (
    r"(?!(?:how|what|why|where|when|which|who|is|are|can|could|would|will|do|does|did|"
    r"should|any|anyone|please|kindly|i(?!\.))\b)"
)
_WRAPPED_LINE = re.compile(
    r"(?:(?<=[^\s.!?:;。？！])|(?<=[eE]\.g\.)|(?<=[iI]\.e\.))[ \t]*\n[ \t]*(?=[a-z(])"
    + _NOT_GOING_ON
)
# A line stopping on a word no sentence ends on ("… plugins to help with" / "SEO?") goes
# on in the next line, capital or not, unless that line opens as a question (a link cut
# from "… domains from <a …>" / "Is the above …"). Look-behinds are fixed-width: one per length.
_WRAPPED_AFTER_FUNCTION_WORD = re.compile(
    r"(?:(?<=\Wa)|(?<=\W(?:an|of|or|my))|(?<=\W(?:the|and|our))"
    r"|(?<=\W(?:with|from|into|your|than))|(?<=\Wtheir))[ \t]*\n[ \t]*(?=[A-Z])(?i:"
    + _NOT_GOING_ON
    + ")"
)
# A list mark typed by hand (HTML comments keep it: "* is there …"), not a word of
# the sentence after it.
_BULLET = re.compile(r"[ \t]*[*•+-][ \t]+")
# Names that end in "!", after which a lower-case word goes on with the sentence.
_NAMES_WITH_BANG = ("Joomla!", "Yahoo!", "Jeopardy!")
# Abbreviations sentencex splits after when a lower-case word follows.
_ABBREVIATION = re.compile(
    r"\b(?:lib|libs|etc|vs|approx|fig|eq|ref|cf|incl|esp|resp|ca|func|var|obj|ex|min|max|no|vol|pp|ch|sec)\.\s*$",
    re.I,
)


def _printable(text: str) -> bool:
    """str.isprintable(), for an ASCII text by deleting its printable bytes in one C pass."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _ASCII_PRINTABLE)
    return text.isprintable()


def _surprise_ends(run: re.Match[str]) -> str:
    marks = run.group(1)
    return marks + "\n" if "?!" in marks or "!?" in marks else run.group(0)


def sentences(plain: str, language: str = "en") -> list[str]:
    """Split plain text (see strip_markup) into sentences, whitespace collapsed.

    sentencex finds the sentence ends; a line break always ends one too: on
    the labelled real comments readers break lines between unpunctuated
    sentences ("Hi Anna" / "How do I …") far more often than inside one.
    """
    # Both marks hold a "!", which a one-character search finds (or not) at memchr's speed.
    if "!" in plain and ("?!" in plain or "!?" in plain):
        plain = _SURPRISE_END.sub(_surprise_ends, plain)  # sentencex reads on past "Really?! I…"
    if "\n" in plain:
        plain = _WRAPPED_AFTER_FUNCTION_WORD.sub(" ", _WRAPPED_LINE.sub(" ", plain))
    glued: list[str] = []
    # Each line apart: a line break ends a sentence anyway, and sentencex, given
    # the whole text, may read a quotation or bracket as open across lines and go
    # on past the next "?" ("… possible? My first thought …").
    for line in plain.split("\n") if "\n" in plain else (plain,):
        first = len(glued)
        bullet = _BULLET.match(line) if line[:1] in " \t*•+-" else None
        for part in sentencex.segment(language, line[bullet.end() :] if bullet else line):
            # sentencex also splits inside a word ("ASP.NET", "Task.Run") and
            # after a few abbreviations it does not know ("lib. version").
            if (
                len(glued) > first
                and (
                    glued[-1][-1:] == "."  # no space after the "." (sentencex keeps it)
                    or (part[:1].islower() and _ABBREVIATION.search(glued[-1][-12:]))
                    # "Pls. Help …" is one request ("Help me pls. I tried …" is two).
                    or glued[-1].strip().lower() in ("pls.", "plz.")
                    # A name with its "!" ("Joomla! is the answer").
                    or (part[:1].islower() and glued[-1].rstrip().endswith(_NAMES_WITH_BANG))
                    # "i.e." and "e.g." never end a sentence ("… application, i.e. How to …").
                    or glued[-1].rstrip()[-4:].lower() in ("i.e.", "e.g.")
                    # "… for my students. ?": the mark is its end.
                    or (("?" in part or "？" in part) and not part.strip(" ?？"))
                    # No sentence opens on ";" or ",": "if response.success?; @id = …" is code.
                    or part[:1] in ";,"
                    # A "?" right before a digit or hyphen is inside a token ("187?-1922").
                    or (glued[-1][-1:] == "?" and part[:1] in "-0123456789")
                )
            ):
                glued[-1] += part
            else:
                glued.append(part)
    if ".." in plain or "…" in plain:
        glued = [piece for part in glued for piece in _ELLIPSIS_ENDING.split(part)]
        if "?." in plain or "?…" in plain:
            glued = [piece for part in glued for piece in _QMARK_ELLIPSIS.split(part)]
    # "… the NAND protection?thanks.": thanks glued to a question is a sentence of its own.
    if "?th" in plain or "?Th" in plain:
        glued = [piece for part in glued for piece in _QMARK_THANKS.split(part)]
    # sentencex ends a sentence at "? " before a capital: only a part holding "? "
    # inside (not at its end) is split again.
    if "? " in plain:
        glued = [
            piece
            for part in glued
            for piece in (_QMARK_THEN_MORE.split(part) if "? " in part.rstrip() else (part,))
        ]
    # Every white space str.split() knows but " " is unprintable (tabs, "\r"…); the
    # lines were split apart above, so no sentence holds a line break.
    if "  " in plain or not _printable(plain):
        return [" ".join(words) for words in map(str.split, glued) if words]
    # One line, single spaces (most comments): stripping each is collapsing it.
    return [text for text in map(str.strip, glued) if text]
