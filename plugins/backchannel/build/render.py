"""The one function that turns stranger-written text into HTML: CommonMark, then nh3.

Everything a reader, another site or an importer wrote is data until it passes
through `render_markdown`. nh3 (the Ammonia sanitizer) is the barrier: the
Markdown step may emit raw HTML because imported WordPress comments contain
some, and nh3 keeps only an allowlist of tags, attributes and URL schemes, and
adds rel="nofollow ugc noopener" to every link. Bare http(s):// and www. URLs
in the sanitized text (outside links and code) become links, found by
linkify-it-py, and the result goes through nh3 once more.

cmark (GitHub's C implementation of CommonMark, via cmarkgfm) renders a comment
in microseconds; pure-Python Markdown took about 50 times longer, which a
build of 20,000 comments could not afford.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from linkify_it import LinkifyIt
from markupsafe import Markup

from backchannel.model import is_html_document

if TYPE_CHECKING:
    from backchannel.store.cache import Cache

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "a",
        "em",
        "strong",
        "b",
        "i",
        "code",
        "pre",
        "blockquote",
        "ul",
        "ol",
        "li",
        "del",
        "hr",
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = frozenset({"http", "https"})
LINK_REL = "nofollow ugc noopener"

# UNSAFE only means cmark passes raw HTML through: nh3 decides what survives.
# HARDBREAKS: readers type line breaks and expect to see them.
_CMARK_OPTIONS = Options.CMARK_OPT_UNSAFE | Options.CMARK_OPT_HARDBREAKS

_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)
# Fuzzy links only for `www.` (as GitHub does): "readme.md" is a file, not a site.
# The fuzzy finder costs about twice the strict one, so only text with a `www.` pays it.
_strict = LinkifyIt().set({"fuzzy_link": False, "fuzzy_email": False, "fuzzy_ip": False})
_fuzzy = LinkifyIt().set({"fuzzy_link": True, "fuzzy_email": False, "fuzzy_ip": False})


def _may_link(text: str) -> bool:
    """False only for text that cannot hold a link to make: no `://`, no `www.` in any case.

    linkify's own pretest is much slower, and so is a case-blind regex, which tries every
    position. Text this lets through may still hold no http(s) or www. link to make:
    `_link_text` keeps only those.
    """
    return "://" in text or "www." in text.lower()


# A tag of nh3's output: attribute values are double-quoted with `"` escaped.
_TAG = re.compile(r'<(/?)([a-z0-9]+)(?:[^>"]|"[^"]*")*>')
_NO_LINKS = frozenset({"a", "code", "pre"})


def sanitize(fragment: str) -> str:
    """Keep only allowlisted markup; every link gets the untrusted-link rel."""
    return _cleaner.clean(fragment)


def _link_text(escaped: str) -> str:
    """One escaped text node with its bare URLs made into links (unchanged if none)."""
    if not _may_link(escaped):
        return escaped
    text = html.unescape(escaped)
    finder = _fuzzy if "www." in text.lower() else _strict
    matches = [
        m
        for m in finder.match(text) or []
        if m.schema.lower() in ("http:", "https:") or (not m.schema and m.raw.startswith("www."))
    ]
    if not matches:
        return escaped
    out, pos = [], 0
    for m in matches:
        out.append(html.escape(text[pos : m.index], quote=False))
        out.append(f'<a href="{html.escape(m.url)}">{html.escape(m.raw, quote=False)}</a>')
        pos = m.last_index
    out.append(html.escape(text[pos:], quote=False))
    return "".join(out)


def _links_only(fragment: str) -> bool:
    """Whether sanitized HTML holds no URL to link outside links' own targets.

    True when every `://` is that of a link's own `<a href="http(s)://` and no `www.`
    occurs. That opening cannot occur elsewhere in the sanitizer's output: text has `<` escaped,
    attribute values `"`. Links from Markdown, the commonest case, are so told apart from
    bare URLs without walking the tags.
    """
    schemes = fragment.count('<a href="http://') + fragment.count('<a href="https://')
    return fragment.count("://") == schemes and "www." not in fragment.lower()


def link_urls(fragment: str) -> str:
    """Sanitized HTML with its bare URLs linked, outside links and code; sanitized again."""
    if not _may_link(fragment) or _links_only(fragment):
        return fragment
    return _walk_links(fragment)


def _walk_links(fragment: str) -> str:
    """link_urls the long way: each text node outside links and code, linked."""
    out, depth, pos = [], 0, 0
    for tag in _TAG.finditer(fragment):
        text = fragment[pos : tag.start()]
        out.append(_link_text(text) if depth == 0 and text else text)
        out.append(tag.group(0))
        if tag.group(2) in _NO_LINKS:
            depth = max(0, depth + (-1 if tag.group(1) else 1))
        pos = tag.end()
    tail = fragment[pos:]
    out.append(_link_text(tail) if depth == 0 and tail else tail)
    linked = "".join(out)
    # New links get their rel (and a last scheme check) from the sanitizer itself.
    return fragment if linked == fragment else sanitize(linked)


# Plain prose: lines that start with an ASCII letter and hold only letters, digits, spaces
# and these few punctuation marks, none ending in a space. No such line can start a block
# (list, heading, quote, code, HTML, link definition), hold inline markup, an entity or a
# character that cmark or nh3 would escape, so CommonMark gives its paragraphs and line
# breaks and nothing else, and the sanitizer keeps them as they are (`<br />` written `<br>`).
# Rendering that directly gives the same bytes as the long way (test_render.py checks it
# over hostile and generated bodies), at a fraction of the cost: most comments are such.
# Possessive quantifiers: a body that is not prose fails at its first other character,
# without backtracking.
_PROSE_CHAR = r"[A-Za-z0-9 .,;:!?'\"()/%-]"
_PLAIN = re.compile(rf"[A-Za-z]{_PROSE_CHAR}*+(?:\n++[A-Za-z]{_PROSE_CHAR}*+)*+")
_PARAGRAPHS = re.compile(r"\n\n+")


def plain_prose(text: str) -> bool:
    """Whether `text` is plain prose as `_PLAIN` says, no line ending in a space, no URL."""
    return (
        _PLAIN.fullmatch(text) is not None
        and " \n" not in text
        and not text.endswith(" ")
        and not _may_link(text)
    )


def _prose_html(text: str) -> str:
    """What render_markdown gives for plain prose, made directly."""
    return "\n".join(
        "<p>" + paragraph.replace("\n", "<br>\n") + "</p>" for paragraph in _PARAGRAPHS.split(text)
    )


def markdown_html(text: str) -> str:
    """CommonMark to (unsanitized) HTML; an imported HTML document stays as it is."""
    if is_html_document(text):
        return text  # its indented lines are layout: CommonMark would show them as code
    return cmarkgfm.markdown_to_html(text, options=_CMARK_OPTIONS)


# Body -> safe HTML, and body -> plain text, the latest ones of this process: a build
# shows a body on its page and in its feed one after the other, and holds one thread's
# bodies at a time (threads.py), not the site's. The text is made only when asked for
# (feeds, digest, spam filter): pages need only the HTML.
_HTML: dict[str, Markup] = {}
_TEXT: dict[str, str] = {}
_CACHE_MAX = 4096


def _remember(memo: dict[str, Any], key: str, value: Any) -> None:
    if len(memo) >= _CACHE_MAX:
        memo.clear()
    memo[key] = value


# Rows of the build's cache (cache.py) holding rendered bodies, by body hash.
CACHE_KIND = "comment-html"
# Raise it when this module's rules change the HTML; the libraries' versions
# count on their own (see renderer_version).
RULES = "2"


def render_markdown(text: str) -> Markup:
    """A comment body (Markdown, maybe with HTML) as safe HTML, computed once per body."""
    hit = _HTML.get(text)
    if hit is None:
        if plain_prose(text):
            hit = Markup(_prose_html(text))
        else:
            hit = Markup(link_urls(sanitize(markdown_html(text))).strip())
        _remember(_HTML, text, hit)
    return hit


@functools.cache
def renderer_version() -> str:
    """What made a rendering: these rules and the libraries that apply them."""
    from importlib.metadata import version

    return " ".join([RULES, *(f"{n}={version(n)}" for n in ("cmarkgfm", "nh3", "linkify-it-py"))])


def body_key(text: str) -> str:
    """A body's key in the cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _needing_rows(bodies: Iterable[str]) -> dict[str, str]:
    """Key -> body of the bodies worth a cache row.

    Not plain prose: render_markdown makes its HTML for less than hashing the body and
    reading or writing its row would cost.
    """
    return {body_key(text): text for text in bodies if text and not plain_prose(text)}


def render_some(
    bodies: Iterable[str], cache: Cache, fresh: dict[str, str] | None = None
) -> tuple[int, int]:
    """Render bodies (a thread's) once, taking what `cache` holds; (rendered, from cache).

    Plain prose (see `plain_prose`) is neither counted nor kept in the cache. Rows of
    other bodies are left alone: a build never holds every body to know which are gone.
    What is rendered is stored at once, or left in `fresh` for the caller to store
    (`put_many(CACHE_KIND, renderer_version(), fresh)`) with other threads' bodies.
    """
    keys = _needing_rows(bodies)
    version = renderer_version()
    waiting = 0
    if fresh is not None:  # rendered for an earlier thread and not stored yet
        for key in [k for k in keys if k in fresh]:
            _remember(_HTML, keys.pop(key), Markup(fresh[key]))
            waiting += 1
    found = cache.get_many(CACHE_KIND, version, keys) if keys else {}
    mine = {key: str(render_markdown(text)) for key, text in keys.items() if key not in found}
    for key, made in found.items():
        _remember(_HTML, keys[key], Markup(made))
    if fresh is None:
        cache.put_many(CACHE_KIND, version, mine)
    else:
        fresh.update(mine)
    return len(mine), len(found) + waiting


def plain_text(text: str) -> str:
    """A Markdown body as text without any markup (for feed titles, digest, spam filter)."""
    hit = _TEXT.get(text)
    if hit is None:
        # Plain prose's text is itself, a paragraph break read as a line break.
        hit = _PARAGRAPHS.sub("\n", text) if plain_prose(text) else _own_text(render_markdown(text))
        _remember(_TEXT, text, hit)
    return hit


def _own_text(fragment: str) -> str:
    """The text of render_markdown's own HTML, as an HTML parser reads it, without parsing it.

    That HTML is the sanitizer's serialization: every `<` in it opens a tag (`_TAG`), text
    holds only entities, and no tag but `<a>` has attributes. So the text is what is left
    without the tags, decoded, once the one newline an HTML parser drops after `<pre>` is
    dropped too (test_render.py compares this with an HTML parser's text over hostile bodies).
    """
    return html.unescape(_TAG.sub("", str(fragment).replace("<pre>\n", "<pre>"))).strip()
