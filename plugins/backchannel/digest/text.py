"""Plain text for analysis: Markdown/HTML to text, words, stems (sentences.py splits it).

A comment body is rendered by GitHub's CommonMark library (cmarkgfm) and read
back as text, so markup, attributes, link targets, code blocks and quoted
replies never become words; URLs are removed from the text only after that
(removing them first left `rel="nofollow noopener"` behind as words).
"""

from __future__ import annotations

import html
import logging
import re
from functools import lru_cache
from html.parser import HTMLParser

import cmarkgfm
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
# A "(?)" or a bracketed hedge ("(I think?)", "Hey Ryan (is it?)") doubts a word; it asks
# nothing.
_UNCERTAIN = re.compile(
    r"\(\s*(?:(?:i\s+think|i\s+guess|i\s+believe|maybe|probably|right|is\s+it|was\s+it)\s*)?"
    r"[?？]\s*\)",
    re.I,
)
# A line quoted mail-style that no Markdown quote became ("&gt; so you think …" in an
# export that escaped the ">"): the words of whoever is quoted, not the reader's.
_QUOTED_LINE = re.compile(r"^[ \t]*>.*$", re.M)

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
