"""`thread.counts(...)`: the counts partial as an include renders it, once per SITEURL."""

from __future__ import annotations

import pytest
from backchannel.build.thread import Endpoints, Thread
from conftest import ROOT
from jinja2 import Environment, FileSystemLoader

# Pelican's own Jinja settings (its JINJA_ENVIRONMENT default).
ENV = Environment(
    loader=FileSystemLoader(ROOT / "theme" / "templates"), trim_blocks=True, lstrip_blocks=True
)
INCLUDE = ENV.from_string(
    '{% set thread = t %}{% set counts_show_empty = empty %}{% include "backchannel/counts.html" %}'
)
COUNTS = ENV.from_string("{{ t.counts(empty) }}")


def thread(comments: int, links: int) -> Thread:
    endpoints = Endpoints(*["https://example.org/bc"] * 7)
    return Thread(
        id="a&b", endpoints=endpoints, comment_count=comments, linkback_count=links,
        article_url="posts/a.html",
    )  # fmt: skip


@pytest.mark.parametrize("comments,links", [(0, 0), (1, 0), (0, 1), (2, 1), (1, 3)])
@pytest.mark.parametrize("empty", [False, True])
@pytest.mark.parametrize("siteurl", ["", "..", "https://blog.example"])
def test_the_counts_are_what_the_include_renders(comments, links, empty, siteurl) -> None:
    page = {"SITEURL": siteurl, "empty": empty}
    expected = INCLUDE.render(page, t=thread(comments, links))
    assert COUNTS.render(page, t=thread(comments, links)) == expected
    assert expected.startswith('<span class="bc-counts" data-thread="a&amp;b">')


def test_each_siteurl_and_choice_gets_its_own_rendering_and_the_rest_are_reused() -> None:
    one = thread(2, 1)
    pages = [("", False), ("..", False), ("", True), ("", False), ("..", False)]
    texts = [COUNTS.render(SITEURL=s, empty=e, t=one) for s, e in pages]
    assert 'href="/posts/a.html#comments"' in texts[0]
    assert 'href="../posts/a.html#comments"' in texts[1]
    assert texts[2] == texts[0]  # with counts, show_empty changes nothing...
    assert texts[3:] == texts[:2]
    assert len(one.shown_counts) == 3
    # ...but reused renderings are the ones made: a rendering changed by hand shows.
    one.shown_counts[("", False)] = "reused"
    assert COUNTS.render(SITEURL="", empty=False, t=one) == "reused"
    none = thread(0, 0)
    assert "No comments yet" in COUNTS.render(SITEURL="", empty=True, t=none)
    assert "No comments yet" not in COUNTS.render(SITEURL="", empty=False, t=none)


def test_the_page_context_is_left_as_it_was() -> None:
    """The include's locals (`thread`, `counts_show_empty`) do not leak into the page."""
    page = ENV.from_string(
        "{{ t.counts(true) }}|{{ thread is defined }}|{{ counts_show_empty is defined }}"
    )
    assert page.render(SITEURL="", t=thread(1, 0)).endswith("|False|False")
