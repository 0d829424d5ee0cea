"""Reader furniture on the article page (issue 21, item 5), on real Pelican builds.

Series navigation, related posts, the author's h-card, the comment form's help
(the sanitizer's own allow-list) and bare URLs in comments linked; axe-core in
headless Chromium finds no violation on the article page.
"""

from __future__ import annotations

import re

import mf2py
import pytest
from backchannel.build.render import ALLOWED_TAGS
from bs4 import BeautifulSoup
from conftest import Site

BIO = "Mara writes about learning from readers."
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]


def comment(article: str, item_id: str, body: str) -> str:
    return (
        f"Id: {item_id}\nKind: comment\nArticle: {article}\nAuthor: Ines\n"
        f"Date: 2026-10-02T10:00:00+00:00\nOrigin: receiver\n\n{body}\n"
    )


@pytest.fixture
def built(site: Site) -> Site:
    site.write_conf(f"BACKCHANNEL_AUTHOR_BIO = {BIO!r}\n")
    series = "Series: Learning from readers\nSeries-Index: {n}\n"
    site.article("part-one", "Part One", "2026-09-01 10:00", extra=series.format(n=1))
    site.article("part-two", "Part Two", "2026-09-08 10:00", extra=series.format(n=2))
    site.article("part-three", "Part Three", "2026-09-15 10:00", extra=series.format(n=3))
    site.article("loner", "Loner", "2026-09-20 10:00")
    (site.content / "elsewhere.md").write_text(
        "Title: Elsewhere\nDate: 2026-09-21\nCategory: Other\nTags: gardening\n"
        "Slug: elsewhere\n\nNothing in common.\n",
        "utf-8",
    )
    site.item(
        "published",
        "loner",
        "c0ffee000001",
        comment("loner", "c0ffee000001", "See https://example.org/notes. And `https://x.example`"),
    )
    site.build()
    return site


def soup(site: Site, slug: str) -> BeautifulSoup:
    return BeautifulSoup(site.page(slug), "html.parser")


def test_series_part_n_of_m_with_neighbours(built: Site) -> None:
    middle = soup(built, "part-two")
    assert "Part 2 of 3 in the series" in middle.select_one(".series").get_text(" ", strip=True)
    nav = middle.select_one("nav.series-nav")
    assert nav.select_one("a[rel=prev]")["href"] == "/part-one.html"
    assert nav.select_one("a[rel=next]")["href"] == "/part-three.html"
    assert "Next in the series" in nav.get_text()

    first = soup(built, "part-one").select_one("nav.series-nav")
    assert first.select_one("a[rel=next]")["href"] == "/part-two.html"
    assert first.select_one("a[rel=prev]") is None

    # The latest part shows no "next" until a newer part is published.
    last = soup(built, "part-three")
    assert "Part 3 of 3" in last.select_one(".series").get_text()
    assert last.select_one("nav.series-nav a[rel=next]") is None
    assert last.select_one("nav.series-nav a[rel=prev]")["href"] == "/part-two.html"
    assert soup(built, "loner").select_one("nav.series-nav") is None


def test_related_posts_share_tags_or_category(built: Site) -> None:
    related = soup(built, "loner").select_one("nav.related")
    links = [a["href"] for a in related.select("a")]
    # The three parts share both tags with "loner": newest first; none of another topic.
    assert links == ["/part-three.html", "/part-two.html", "/part-one.html"]
    assert "/loner.html" not in links and "/elsewhere.html" not in links
    assert soup(built, "elsewhere").select_one("nav.related") is None


def test_author_box_is_an_h_card(built: Site) -> None:
    parsed = mf2py.parse(doc=built.page("part-one"), url="http://example.test/part-one.html")

    def cards(items):
        for item in items:
            if "h-card" in item["type"]:
                yield item
            yield from cards(item.get("children", []))

    boxed = [c for c in cards(parsed["items"]) if "note" in c["properties"]]
    assert len(boxed) == 1
    props = boxed[0]["properties"]
    assert props["name"] == ["Mara Lindqvist"]
    assert props["note"] == [BIO]
    assert props["url"] == ["http://example.test/author/mara-lindqvist.html"]


def test_author_box_from_settings_with_photo_and_none_on_a_guest_post(site: Site) -> None:
    site.write_conf(
        f"BACKCHANNEL_AUTHOR_BIO = {BIO!r}\n"
        "BACKCHANNEL_AUTHOR_URL = 'https://mara.example/'\n"
        "BACKCHANNEL_AUTHOR_PHOTO = 'https://mara.example/me.jpg'\n"
    )
    site.article("mine")
    site.article("guest", extra="Author: Guest Writer\n")
    site.build()
    parsed = mf2py.parse(doc=site.page("mine"), url="http://example.test/mine.html")
    (entry,) = parsed["items"]
    (card,) = [c for c in entry.get("children", []) if "h-card" in c["type"]]
    assert card["properties"]["url"] == ["https://mara.example/"]
    assert card["properties"]["photo"][0]["value"] == "https://mara.example/me.jpg"
    assert 'class="author-box' not in site.page("guest")


def test_no_author_box_without_a_bio(site: Site) -> None:
    site.article("post")
    site.build()
    assert 'class="author-box' not in site.page("post")


def test_form_help_lists_the_sanitizers_tags_and_the_link_rel(built: Site) -> None:
    help_text = soup(built, "loner").select_one("#cf-body-help")
    listed = [c.get_text() for c in help_text.select("code")]
    assert listed[:-1] == [f"<{t}>" for t in sorted(ALLOWED_TAGS)]
    assert listed[-1] == 'rel="nofollow ugc noopener"'
    assert help_text.get_text().startswith("Markdown")


def test_a_bare_url_in_a_comment_is_a_nofollow_ugc_link(built: Site) -> None:
    body = soup(built, "loner").select_one("#comment-c0ffee000001")
    link = body.select_one("a[href='https://example.org/notes']")
    assert link is not None and link.get_text() == "https://example.org/notes"
    assert {"nofollow", "ugc"} <= set(link["rel"])
    # Code stays code: no link inside it.
    assert body.select_one("code").get_text() == "https://x.example"
    assert body.select_one("code a") is None


@pytest.mark.browser
def test_article_page_axe_clean(built: Site, chromium: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            for slug in ("part-two", "loner"):
                page = browser.new_page()
                page.goto((built.output / f"{slug}.html").as_uri())
                assert re.search(r"Related posts", page.content())
                results = axe.Axe().run(page)
                violations = [
                    f"{v['id']}: {[n['target'] for n in v['nodes']]}"
                    for v in results.response["violations"]
                ]
                assert violations == [], slug
        finally:
            browser.close()


def test_the_sample_sites_series_links_its_two_parts(sample_site: Site) -> None:
    sample_site.build()
    first = soup(sample_site, "read-feedback-first")
    assert "Part 1 of 2" in first.select_one(".series").get_text()
    assert first.select_one("nav.series-nav a[rel=next]")["href"] == "/credit-the-askers.html"
    second = soup(sample_site, "credit-the-askers")
    assert "Part 2 of 2" in second.select_one(".series").get_text()
    assert second.select_one("nav.series-nav a[rel=prev]")["href"] == "/read-feedback-first.html"
    assert second.select_one("nav.series-nav a[rel=next]") is None
    assert second.select_one("nav.related a")  # shares tags with the other posts
