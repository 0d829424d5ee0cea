"""Plain text for analysis: Markdown/HTML to text, sentences, words, stems.

A comment body is rendered by GitHub's CommonMark library (cmarkgfm) and read
back as text, so markup, attributes, link targets, code blocks and quoted
replies never become words; URLs are removed from the text only after that
(removing them first left `rel="nofollow noopener"` behind as words).
Sentences come from sentencex (Wikimedia's segmenter, compiled), which knows
abbreviations ("e.g.", "i. e.", "P.S.") and other languages' end marks ("？").
"""

from __future__ import annotations

import html
import logging
import re
from functools import lru_cache
from html.parser import HTMLParser

import cmarkgfm
import sentencex
from cmarkgfm.cmark import Options

from backchannel.model import is_html_document

logger = logging.getLogger(__name__)

# Analysis reads at most this much of one comment: an enormous paste must not
# dominate the themes or the run time.
MAX_CHARS = 20_000

# A body holding none of these characters, and no line starting with one of
# _LINE_MARKS, renders to itself: no need to render it.
_MARKUP = re.compile(r"[<>&*_`\\\[\]#~|]")
_LINE_MARKS = frozenset("-+= \t0123456789")
# A line after the first starting with one of _LINE_MARKS: one C scan, no list of lines.
_MARKED_LINE = re.compile(r"\n[-+= \t0-9]")
# The ASCII characters _MARKUP does not match: deleting them from an ASCII body
# (bytes.translate, one C pass) leaves its markup characters, at a third of the
# regex search's cost; most comments are ASCII.
_ASCII_NOT_MARKUP = bytes(c for c in range(128) if not _MARKUP.match(chr(c)))
# Printable ASCII: an ASCII text made of these alone is str.isprintable().
_ASCII_PRINTABLE = bytes(range(0x20, 0x7F))
# Raw HTML in the body (an import from Disqus or WordPress, or a reader's tags):
# cmark passes it through, so the rendered page needs a real HTML parser.
_RAW_HTML = re.compile(r"<[A-Za-z/!?]")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_RENDER_OPTIONS = Options.CMARK_OPT_UNSAFE
# What cmark itself writes: text and attribute values are escaped, so every "<"
# starts one of its own tags and these patterns read its output exactly.
_PRE = re.compile(r"<pre[^>]*>.*?</pre>", re.S)
_INNER_QUOTE = re.compile(r"<blockquote>(?:(?!<blockquote>).)*?</blockquote>", re.S)
_CODE = re.compile(r"<code>(.*?)</code>", re.S)
_BLOCK_ENDS = ("</p>", "</li>", "</ul>", "</ol>", "<hr />", *(f"</h{n}>" for n in range(1, 7)))
# A break and the source's newline after it ("<br />\n", as cmark and WordPress write it)
# are one line break, not a blank line: the lines are still one paragraph.
_BR = re.compile(r"<br\s*/?>\n?", re.I)
# An open or closing tag as CommonMark defines one (quoted values may hold ">").
_TAG = re.compile(
    r"""</?[A-Za-z][A-Za-z0-9-]*(?:\s+[A-Za-z_:][\w.:-]*"""
    r"""(?:\s*=\s*(?:[^\s"'=<>`]+|'[^']*'|"[^"]*"))?)*\s*/?>"""
)
_HTML_BLOCK = re.compile(r"^ {0,3}<", re.M)
_FREE_HTML = re.compile(r"<(?:script|style|textarea|pre|q\b|!|\?)", re.I)
# A URL ends before the punctuation after it ("(see https://x.org/a). Is …").
_URL = re.compile(r"\b(?:https?://|www\.)\S*[^\s.,;:!?)\]'\"]", re.I)
# Jekyll's code blocks, which comments imported from Jekyll sites (Staticman) hold.
_LIQUID_CODE = re.compile(r"{%-?\s*highlight\b.*?{%-?\s*endhighlight\s*-?%}", re.S)
# Markdown's code fences typed into an HTML body (a Disqus import): no HTML parser
# knows them, and a listing's "?" is no question.
_TYPED_FENCE = re.compile(r"^[ \t]*```.*?(?:^[ \t]*```[^\n]*$|\Z)", re.S | re.M)
# A "(?)" or a bracketed hedge ("(I think?)") doubts a word; it asks nothing.
_UNCERTAIN = re.compile(
    r"\(\s*(?:(?:i\s+think|i\s+guess|i\s+believe|maybe|probably|right)\s*)?[?？]\s*\)", re.I
)
# A line quoted mail-style that no Markdown quote became ("&gt; so you think …" in an
# export that escaped the ">"): the words of whoever is quoted, not the reader's.
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.M)
# A whole run of marks, read once and never given back (a stranger's "!?!?…" must not
# be tried at every split); it ends a sentence when it holds "?!" or "!?".
_SURPRISE_END = re.compile(r"(?<![?!])([?!]++)[ \t]+(?=[A-Z])")
# An ellipsis and a space that end one sentence before a capital or a word opening a
# question or request ("… maintainers... I don't understand why …", "help me.. can
# you …"): sentencex reads on past it, as it should before other words ("It works...
# but slowly"), after a link's shortened text ("example.org/... do that") and with
# no space after it ("… forecast...could you please …", as the labels read it).
_ELLIPSIS_ENDING = re.compile(
    r"(?:(?<=[^\W_]\.\.)|(?<=[^\W_]\.\.\.)|(?<=[^\W_]\.\.\.\.)|(?<=[^\W_]…))\s+(?=(?-i:[A-Z])|(?:any|can|could|would|will|do|"
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
_QMARK_THEN_MORE = re.compile(r"(?<=\?)[ \t]+(?=[a-z(])|(?<=\?\?)[ \t]+(?=[A-Z])")
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
# Abbreviations sentencex splits after when a lower-case word follows.
_ABBREVIATION = re.compile(
    r"\b(?:lib|libs|etc|vs|approx|fig|eq|ref|cf|incl|esp|resp|ca|func|var|obj|ex|min|max|no|vol|pp|ch|sec)\.\s*$",
    re.I,
)
_WORD = re.compile(r"[^\W\d_][\w'’-]*", re.U)

STOP_WORDS = frozenset(
    """
    a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each even ever every few for from further get gets got had
    hadn't has hasn't have haven't having he he'd he'll he's her here here's hers herself him
    himself his how how's however i i'd i'll i'm i've if in into is isn't it it's its itself
    just let's like lot lots many may maybe me might more most much must mustn't my myself need
    no nor not now of off often on once one only or other ought our ours ourselves out over own
    quite rather really same say says said see seem seems shan't she she'd she'll she's should
    shouldn't so some something still such than that that's the their theirs them themselves
    then there there's these they they'd they'll they're they've thing things think this those
    though through thus to too under until up upon us use used very want was wasn't way we we'd
    we'll we're we've well were weren't what what's when when's where where's whether which
    while who who's whom why why's will with without won't would wouldn't yes yet you you'd
    you'll you're you've your yours yourself yourselves thank thanks great good post article
    piece read reading agree point bit make makes made know actually always never sometimes
    already back first last two three new old next per via etc else another anyone someone
    everyone nobody people person time times year years day days week weeks ask asked asking
    question questions answer wonder mean means true right kind sort part write wrote written
    writing keep keeps kept reply replies work works worked working tell told everything
    anything nothing small big little long short high low best better worse worst whole own sure
    real really find found give gave given take took taken come came go goes going gone put try
    tried trying start started help helps helped feel felt look looks looked call called end
    ended lots hard easy different interesting useful nice happen happened happens seem seemed
    done getting stop number case example exactly probably usually simply almost enough less
    least far once twice everyone's instead since around today yesterday tomorrow ago later soon
    fine okay ok sure oh ha hi hello dear love loved lovely brilliant excellent awesome amazing
    wonderful perfect
    """.split()  # noqa: SIM905 (a word list reads best as text)
)


class _TextOfHTML(HTMLParser):
    """Text of an HTML fragment: no tags or attributes, no code blocks or quotes."""

    # "q": a reader quoting another inline (Disqus and WordPress keep the tag).
    SKIP = frozenset({"pre", "blockquote", "q", "script", "style", "template", "textarea"})
    BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.code = 0
        self.after_break = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.after_break = tag == "br"
        if tag in self.SKIP:
            self.skipping += 1
        elif tag == "code":
            self.code += 1
        elif tag == "br":
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        # after_break stays: "<br />" ends itself here too (handle_startendtag).
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag == "code":
            self.code = max(0, self.code - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self.after_break and data[:1] == "\n":
            data = data[1:]  # "<br />\n" is one line break (see _BR)
        self.after_break = False
        if not self.skipping:
            # Inline code stays as words (often a name), minus any "?" it holds.
            self.parts.append(data.replace("?", "") if self.code else data)


def _html_text(page: str) -> str:
    """Text of arbitrary HTML (a reader's raw tags), read by the standard library's parser."""
    parser = _TextOfHTML()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts)


def _rendered_text(page: str) -> str:
    """Text of HTML that cmark wrote itself (the body held no raw HTML)."""
    if "<pre" in page:
        page = _PRE.sub("\n\n", page)
    while "<blockquote>" in page:  # innermost first: quotes nest
        page = _INNER_QUOTE.sub("\n\n", page)
    if "<code>" in page:
        # Inline code stays as words (it is often a name), minus any "?" it holds.
        page = _CODE.sub(lambda m: m.group(1).replace("?", ""), page)
    for end in _BLOCK_ENDS:
        if end in page:
            page = page.replace(end, "\n\n")
    page = _BR.sub("\n", page)
    return html.unescape(_TAG.sub("", page))


def _needs_html_parser(text: str) -> bool:
    """True when the body holds HTML that cmark copies through as it is.

    A raw tag inside a line is copied only when it is a well-formed tag (the
    CommonMark grammar, which _TAG follows); an HTML block (a line starting
    with "<"), a comment or a script is copied whatever it holds, so only
    those need the HTML parser. "<" inside `code` is not HTML.
    """
    if "`" in text:
        text = _CODE_SPAN.sub("", text)
    if not _RAW_HTML.search(text):
        return False
    return bool(_HTML_BLOCK.search(text) or _FREE_HTML.search(text))


def _has_markup(text: str) -> bool:
    """True when _MARKUP.search(text) finds something."""
    if text.isascii():
        return bool(text.encode("ascii").translate(None, _ASCII_NOT_MARKUP))
    return _MARKUP.search(text) is not None


def _printable(text: str) -> bool:
    """str.isprintable(), for an ASCII text by deleting its printable bytes in one C pass."""
    if text.isascii():
        return not text.encode("ascii").translate(None, _ASCII_PRINTABLE)
    return text.isprintable()


def _has_line_mark(text: str) -> bool:
    """True when a line of the text starts with one of _LINE_MARKS (a list, a rule, a heading)."""
    return text[:1] in _LINE_MARKS or ("\n" in text and _MARKED_LINE.search(text) is not None)


def strip_markup(text: str) -> str:
    """A comment body (Markdown, maybe with HTML) as plain prose: no markup, code, quotes or URLs.

    Paragraphs and other blocks are separated by a blank line; a line break
    inside a paragraph stays a single newline.
    """
    text = text[:MAX_CHARS]
    if "{%" in text:
        text = _LIQUID_CODE.sub("\n\n", text)
    if is_html_document(text):
        text = _html_text(text)
        if "```" in text:
            text = _TYPED_FENCE.sub("\n\n", text)
    elif _has_markup(text) or _has_line_mark(text):
        page = cmarkgfm.markdown_to_html(text, options=_RENDER_OPTIONS)
        text = _html_text(page) if _needs_html_parser(text) else _rendered_text(page)
    if ">" in text:
        text = _QUOTED_LINE.sub("", text)
    # URLs go after the markup: only the text's own URLs are left by now.
    if "://" in text or "www." in text.lower():
        text = _URL.sub(" ", text)
    if "(" in text:
        text = _UNCERTAIN.sub("", text)
    return text.strip()


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


def words(text: str) -> list[str]:
    """Lower-case words (letters first, apostrophes and hyphens kept)."""
    return [w.strip("'-") for w in _WORD.findall(text.lower().replace("’", "'"))]


# Four-letter words ending in "s" that are not plurals.
_NOT_PLURAL = frozenset(
    [
        "plus",
        "thus",
        "onus",
        "opus",
        "news",
        "lens",
        "does",
        "goes",
        "axis",
        "iris",
        "this",
        "bias",
        "alas",
    ]
)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """A crude suffix stripper so 'pricing', 'prices' and 'price' meet."""
    if word.endswith("'s"):
        word = word[:-2]
    if len(word) <= 4:
        # A short plural meets its singular ("cpus", "apis", "bugs").
        if len(word) == 4 and word[-1] == "s" and word[-2] != "s":
            return word if word in _NOT_PLURAL else word[:-1]
        # "file" meets "files" (both "fil", below).
        return word[:-1] if len(word) == 4 and word[-1] == "e" else word
    # Only "s" is cut, never "es": the "e" goes next, so "files" meets "file" as
    # "boxes" meets "box" and "caches" meets "cache".
    for suffix, repl in (("ies", "y"), ("ing", ""), ("ed", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3 and not word.endswith("ss"):
            word = word[: -len(suffix)] + repl
            break
    if len(word) > 3 and word.endswith("e"):
        word = word[:-1]
    return word
