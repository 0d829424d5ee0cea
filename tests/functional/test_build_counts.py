"""The comment counts on article and listing pages of a real build (`thread.counts`).

Each article's counts are rendered once per SITEURL and per "show empty" in a build and
reused on the other pages listing it: every page must still get the counts an include
would have drawn there.
"""

from __future__ import annotations

import re

from test_bake import comment


def counts(site, page: str) -> dict[str, str]:
    """Each counts wrapper on a built page, by thread id."""
    html = (site.output / page).read_text("utf-8")
    pattern = r'<span class="bc-counts" data-thread="([^"]+)">(.*?)</span>(?=\s|<)'
    return dict(re.findall(pattern, html))


def test_every_page_links_its_counts_from_where_it_is_and_only_the_article_says_none(site):
    site.article("post")
    site.article("quiet", date="2026-09-02 10:00")
    comment(site, "aaaaaa000001")
    comment(site, "aaaaaa000002", body="Another.", day=3)
    # Relative URLs: SITEURL is "." on top-level pages and ".." one folder down.
    site.write_conf("RELATIVE_URLS = True\n")
    site.build()
    top = '<a class="counts" href="./post.html#comments">2 comments</a>'
    down = '<a class="counts" href="../post.html#comments">2 comments</a>'
    for page in ("index.html", "archives.html"):
        assert counts(site, page) == {"post": top, "quiet": ""}, page
    for page in ("tag/listening.html", "category/practice.html", "author/mara-lindqvist.html"):
        assert counts(site, page) == {"post": down, "quiet": ""}, page
    assert counts(site, "post.html") == {"post": top}
    quiet = counts(site, "quiet.html")
    assert quiet == {"quiet": '<span class="counts counts-empty">No comments yet'}
