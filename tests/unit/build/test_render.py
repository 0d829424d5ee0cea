"""The sanitizer: Markdown features kept, everything dangerous dropped."""

from __future__ import annotations

import html as html_module
import random
from urllib.parse import urlsplit

import nh3
from backchannel.build.render import (
    ALLOWED_TAGS,
    _links_only,
    _prose_html,
    _walk_links,
    link_urls,
    markdown_html,
    plain_prose,
    plain_text,
    render_markdown,
    sanitize,
)
from conftest import DATA

_TEXT_ONLY = nh3.Cleaner(tags=set(), attributes={})


def html_text(fragment: str) -> str:
    """The text of an HTML fragment as a parser reads it: tags removed, entities decoded."""
    return html_module.unescape(_TEXT_ONLY.clean(fragment)).strip()


def test_markdown_features_survive_and_links_are_marked():
    html = render_markdown("**bold** and [a link](https://ok.example/) and `code`\n\n> quote")
    assert "<strong>bold</strong>" in html
    assert '<a href="https://ok.example/" rel="nofollow ugc noopener">a link</a>' in html
    assert "<code>code</code>" in html and "<blockquote>" in html


def test_line_breaks_are_kept():
    assert render_markdown("one\ntwo") == "<p>one<br>\ntwo</p>"


def test_imported_html_is_kept_within_the_allowlist():
    html = render_markdown("Nice picture!!!<br /><br />I mean <b>NICE</b> picture.")
    assert "<b>NICE</b>" in html and "<br>" in html


def test_an_indented_html_document_is_not_shown_as_code():
    # An old blog's archived page indents each comment's paragraphs; CommonMark would
    # read a line indented four columns after a blank line as code and show its tags.
    body = "<p>First, it works.</p>\n\n    <p>Second: <b>does</b> it scale?</p>\n"
    html = render_markdown(body)
    assert "<pre>" not in html and "&lt;p&gt;" not in html
    assert "<p>Second: <b>does</b> it scale?</p>" in html
    assert "<p>" in render_markdown("\n  \t<p>\n  \t\tIndented from the start.\n  \t</p>")
    # Markdown that merely holds a tag later is still Markdown.
    assert "<strong>" in render_markdown("**bold** then <b>tag</b>")


def test_every_xss_vector_is_neutralised():
    from bs4 import BeautifulSoup

    vectors = (DATA / "xss_vectors.txt").read_text("utf-8")
    for vector in vectors.splitlines():
        html = render_markdown(vector)
        # Escaped text such as "&lt;img onerror=…" is harmless: judge the parsed tree.
        for tag in BeautifulSoup(html, "html.parser").find_all(True):
            assert tag.name in ALLOWED_TAGS, (vector, html)
            assert set(tag.attrs) <= {"href", "title", "rel"}, (vector, html)
            # What a browser would take as a scheme: only http(s) or none (relative).
            href = "".join(tag.get("href", "").split()).lower()
            assert urlsplit(href).scheme in ("", "http", "https"), (vector, html)


def test_plain_text_has_no_markup_and_decodes_entities():
    assert plain_text("**Tom &amp; Jerry** <script>x</script>") == "Tom & Jerry"


def test_bare_urls_become_links_but_not_inside_links_code_or_addresses():
    html = render_markdown(
        "See https://ok.example/a?b=1&c=2. or www.example.org, "
        'or <a href="https://imported.example/">https://imported.example/</a>; '
        "mail me@ok.example, `https://code.example` ftp://old.example"
    )
    rel = 'rel="nofollow ugc noopener"'
    assert (
        f'<a href="https://ok.example/a?b=1&amp;c=2" {rel}>https://ok.example/a?b=1&amp;c=2</a>.'
        in html
    )
    assert f'<a href="http://www.example.org" {rel}>www.example.org</a>' in html
    # An imported comment's own link is kept as it was, not nested or doubled.
    assert html.count("imported.example") == 2 and "<a></a>" not in html
    assert html.count("<a ") == 3
    assert "<code>https://code.example</code>" in html and "ftp://old.example" in html
    assert plain_text("see https://ok.example/") == "see https://ok.example/"


def _long_way(body: str) -> tuple[str, str]:
    """HTML and text as the general path makes them, never the plain-prose shortcut."""
    html = link_urls(sanitize(markdown_html(body))).strip()
    return html, html_text(html)


def _bodies() -> list[str]:
    """Hostile bodies, prose and near-prose: every character the shortcut accepts and its
    neighbours, at the start and end of lines, around line and paragraph breaks."""
    vectors = (DATA / "xss_vectors.txt").read_text("utf-8").splitlines()
    rng = random.Random(17)
    words = ["Reader", "question", "www", "http", "1", "42", "it's", "(see", "this)", "x", "A"]
    marks = [
        *" .,;:!?'\"()/%-*_`<>&#=+[]\\~|{}@$^\t\r\n\u00a0é–",
        *("\n\n", "\n\n\n", "  \n", "\n ", "www.", "https://", "&amp;", "1. ", "- ", "> ", "    "),
    ]
    out = list(vectors) + ["\n".join(rng.sample(vectors, 3)) for _ in range(30)]
    for _ in range(4000):
        parts = [
            rng.choice(words if rng.random() < 0.6 else marks) for _ in range(rng.randint(1, 14))
        ]
        out.append(" ".join(parts) if rng.random() < 0.5 else "".join(parts))
        # Prose, and prose with a few marks added: the shortcut's edges.
        prose = " ".join(rng.choice([*words[:3], "word", "and"]) for _ in range(8)) + "."
        prose += "\n" * rng.randint(1, 3) + "Then, why (not)? 'Yes': 50% - \"ok\"/no!"
        out.append(prose)
        for _ in range(rng.randint(1, 3)):  # one to three characters changed
            spot = rng.randrange(len(prose) + 1)
            prose = prose[:spot] + rng.choice(marks) + prose[spot:]
        out.append(prose)
    return out


def test_plain_prose_renders_exactly_as_the_long_way():
    """The shortcut for plain prose gives the general path's bytes, HTML and text alike."""
    bodies = _bodies()
    prose = {b for b in bodies if plain_prose(b)}
    assert len(prose) > 3000 and len(set(bodies)) - len(prose) > 5000  # both ways exercised
    for body in bodies:
        html, text = _long_way(body)
        if body in prose:
            assert _prose_html(body) == html, body
        assert str(render_markdown(body)) == html, body
        assert plain_text(body) == text, body


def test_hostile_bodies_never_take_the_prose_shortcut():
    vectors = (DATA / "xss_vectors.txt").read_text("utf-8").splitlines()
    assert not any(plain_prose(v) for v in vectors)
    markup = ("a *b* c", "a _b_ c", "a `b` c", "a &amp; b", "a <b>", "a [b](c)", "a\\b")
    blocks = ("a\n- b", "a\n1. b", "a\n# b", "a\n> b", "a\n    b", "a  \nb", "see www.x.org")
    for body in markup + blocks:
        assert not plain_prose(body), body
    assert plain_prose('It\'s fine (really): 50% - "yes"/no?\n\nThanks!')


def test_links_from_markdown_skip_the_walk_and_change_nothing():
    """The shortcut past the tag walk gives the walk's result, on hostile look-alikes too."""
    vectors = (DATA / "xss_vectors.txt").read_text("utf-8").splitlines()
    rng = random.Random(29)
    pieces = [
        "[see](https://x.example/)",
        "[old](http://x.example/a?u=https://y.example/)",
        "<https://auto.example/>",
        "https://bare.example/",
        "HTTPS://upper.example/",
        "www.example.org",
        "WWW.Example.org",
        '<a title="https://in-title.example/" href="https://t.example/">t</a>',
        '<a href="https://www.in-href.example/">w</a>',
        'href="https://as-text.example/"',
        '&lt;a href="https://escaped.example/"&gt;',
        "`https://code.example/`",
        "ftp://old.example/",
        "*words*",
        "plain words",
    ]
    # Half from every piece, half from Markdown links and words only (the shortcut's case).
    bodies = vectors + [
        " ".join(rng.choice(pieces if n % 2 else pieces[:2] + pieces[-2:]) for _ in range(5))
        for n in range(3000)
    ]
    skipped = changed = 0
    for body in bodies:
        fragment = sanitize(markdown_html(body))
        walked = _walk_links(fragment)
        assert link_urls(fragment) == walked, body
        if _links_only(fragment) and "://" in fragment:
            skipped += 1
            assert walked == fragment, body
        changed += walked != fragment
    assert skipped > 300 and changed > 300  # both the shortcut and the walk's links exercised


def test_the_text_of_rendered_html_is_what_parsing_it_gives():
    """plain_text reads render_markdown's HTML without parsing it again: the same text as
    html_text, also where a parser drops the newline after `<pre>` or decodes entities."""
    bodies = [
        "x\n\n<pre>\n\nfoo</pre>",
        "a\n\n<pre>\n\n\nb\n</pre>\n\nc",
        "x <pre>\n\nfoo</pre> y",
        "<pre>\n</pre>x",
        "    \n\n    code\n\n```\n\nfenced\n```",
        '<p title="a>b">x &amp; y &lt;z&gt; &nbsp;&eacute;</p>',
        "<a href='https://x.example/?a=1&b=\"2\"'>link</a> after\n\n> quoted\n> <pre>\nq</pre>",
        *(DATA / "xss_vectors.txt").read_text("utf-8").splitlines(),
    ]
    for body in bodies:
        assert not plain_prose(body)
        assert plain_text(body) == html_text(render_markdown(body)), body
