"""The one function that turns stranger-written text into HTML: CommonMark, then nh3.

Everything a reader, another site or an importer wrote is data until it passes
through `render_markdown`. nh3 (the Ammonia sanitizer) is the barrier: the
Markdown step may emit raw HTML because imported WordPress comments contain
some, and nh3 keeps only an allowlist of tags, attributes and URL schemes, and
adds rel="nofollow ugc noopener" to every link.

cmark (GitHub's C implementation of CommonMark, via cmarkgfm) renders a comment
in microseconds; pure-Python Markdown took about 50 times longer, which a
build of 20,000 comments could not afford.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import cmarkgfm
import nh3
from cmarkgfm.cmark import Options
from markupsafe import Markup

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
_text_only = nh3.Cleaner(tags=set(), attributes={})


def sanitize(fragment: str) -> str:
    """Keep only allowlisted markup; every link gets the untrusted-link rel."""
    return _cleaner.clean(fragment)


def markdown_html(text: str) -> str:
    """CommonMark to (unsanitized) HTML."""
    return cmarkgfm.markdown_to_html(text, options=_CMARK_OPTIONS)


# Body -> safe HTML, and body -> plain text: dicts rather than lru_cache so
# that a build can prime the first with what a helper process rendered (see
# `preload`). The text is made only when asked for (feeds, digest, spam
# filter): a build's pages need only the HTML.
_HTML: dict[str, str] = {}
_TEXT: dict[str, str] = {}
_CACHE_MAX = 250_000


def render_markdown(text: str) -> Markup:
    """A comment body (Markdown, maybe with HTML) as safe HTML, computed once per body."""
    hit = _HTML.get(text)
    if hit is None:
        hit = sanitize(markdown_html(text)).strip()
        if len(_HTML) < _CACHE_MAX:
            _HTML[text] = hit
    return Markup(hit)


def prime(pairs: Iterable[tuple[str, str]]) -> None:
    """Seed the cache with (body, safe HTML) pairs made elsewhere by `render_markdown`."""
    _HTML.update(pairs)


def plain_text(text: str) -> str:
    """A Markdown body as text without any markup (for feed titles, digest, spam filter)."""
    hit = _TEXT.get(text)
    if hit is None:
        hit = html_text(render_markdown(text))
        if len(_TEXT) < _CACHE_MAX:
            _TEXT[text] = hit
    return hit


def html_text(fragment: str) -> str:
    """The text of an HTML fragment, tags removed and entities decoded."""
    return html.unescape(_text_only.clean(fragment)).strip()
