"""The sample site, built by the real Pelican: pages, threads, feeds, discovery."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from conftest import Site, copy_sample

SLUGS = [
    "discovery-not-delivery",
    "customers-are-the-experts",
    "knowledge-that-flows",
    "read-feedback-first",
    "credit-the-askers",
]


def tree_digest(folder: Path) -> str:
    """A hash of every file in `folder` but the build's own record of its settings
    (private/build-*.json, see build_record.py), the one thing a build writes there."""
    h = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not (
            path.parent.name == "private" and path.name.startswith("build-")
        ):
            h.update(str(path.relative_to(folder)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory, committed_sample: Path) -> Site:
    site = copy_sample(committed_sample, tmp_path_factory.mktemp("built") / "site")
    site.write_conf("DEFAULT_PAGINATION = 2\n")
    before = tree_digest(site.feedback)
    site.build()
    site.feedback_unchanged = tree_digest(site.feedback) == before
    return site


def soup(site: Site, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site.output / rel).read_text("utf-8"), "html.parser")


def test_every_sample_article_is_built_with_its_title(built):
    for slug in SLUGS:
        md = (built.content / f"{slug}.md").read_text("utf-8")
        title = re.search(r"^Title: (.+)$", md, re.M).group(1)
        page = soup(built, f"{slug}.html")
        assert page.find("h1").get_text(strip=True) == title
        assert title in page.title.get_text()


def test_site_pages_a_pelican_user_expects(built):
    for rel in (
        "index.html",
        "archives.html",
        "tags.html",
        "categories.html",
        "authors.html",
        "pages/about.html",
        "feeds/all.atom.xml",
    ):
        assert (built.output / rel).is_file(), rel
    assert list((built.output / "tag").glob("*.html"))
    assert list((built.output / "category").glob("*.html"))
    assert (built.output / "index2.html").is_file(), "pagination"


def test_threads_are_baked_nested_with_author_replies(built):
    page = soup(built, "customers-are-the-experts.html")
    comments = page.select("article.comment")
    assert comments, "comment thread on the page"
    # three levels: a comment inside a reply inside a top-level comment
    deepest = max(len(c.find_parents("li", class_="comment-item")) for c in comments)
    assert deepest >= 3
    for c in comments:
        assert c.select_one(".p-author.h-card")
        assert c.select_one("time.dt-published")["datetime"]
    replies = [c for c in comments if len(c.find_parents("li", class_="comment-item")) > 1]
    assert replies
    assert all(r.select_one("a.u-in-reply-to") for r in replies)
    author_page = soup(built, "discovery-not-delivery.html")
    marked = author_page.select(".comment.by-author")
    assert marked, "the author's replies are marked"
    assert all(m.select_one(".badge-author") for m in marked)
    assert all(m.select_one(".p-name").get_text() == "Mara Lindqvist" for m in marked)


def test_linkbacks_listed_apart_with_excerpts(built):
    page = soup(built, "discovery-not-delivery.html")
    text = page.get_text(" ")
    assert "Elsewhere on the web" in text
    links = page.select(".linkbacks .h-cite, .linkbacks li")
    assert links


def test_counts_on_index_pages(built):
    index = (built.output / "index.html").read_text("utf-8")
    assert re.search(r"\d+ comments?", index)
    assert re.search(r"\d+ links?", index)


def test_comment_feeds_are_valid_atom(built):
    site_feed = feedparser.parse((built.output / "feeds/comments.atom.xml").read_bytes())
    assert not site_feed.bozo
    assert len(site_feed.entries) >= 20
    one = feedparser.parse(
        (built.output / "feeds/comments/read-feedback-first.atom.xml").read_bytes()
    )
    assert not one.bozo
    assert len(one.entries) == len(
        list((built.feedback / "published/read-feedback-first").glob("*.md"))
    ) - sum(
        1
        for p in (built.feedback / "published/read-feedback-first").glob("*.md")
        if "Kind: comment" not in p.read_text()
    )
    page = soup(built, "read-feedback-first.html")
    assert page.find("link", rel="alternate", href=re.compile("feeds/comments/read-feedback-first"))


def test_discovery_and_form_on_every_article(built):
    for slug in SLUGS:
        html = built.page(slug)
        page = BeautifulSoup(html, "html.parser")
        assert (
            page.find("link", rel="webmention")["href"]
            == "http://127.0.0.1:8000/backchannel/webmention"
        )
        assert (
            page.find("link", rel="pingback")["href"]
            == "http://127.0.0.1:8000/backchannel/pingback"
        )
        assert f'trackback:ping="http://127.0.0.1:8000/backchannel/trackback/{slug}"' in html
        form = page.find("form", id="comment-form")
        assert form["action"] == "http://127.0.0.1:8000/backchannel/comments"
        names = {i.get("name") for i in form.find_all(["input", "textarea"])}
        assert {
            "author",
            "url",
            "email",
            "notify",
            "body",
            "parent",
            "article",
            "token",
            "homepage",
        } <= names
        assert form.find("input", attrs={"name": "article"})["value"] == slug
        assert form.find("input", attrs={"name": "notify"}).get("checked") is None


def test_build_never_modifies_feedback(built):
    assert built.feedback_unchanged


def test_inbox_items_are_not_published(built):
    for path in (built.feedback / "inbox").glob("*.md"):
        item_id = path.stem
        for slug in SLUGS:
            assert f"comment-{item_id}" not in built.page(slug)


def test_manifest_lists_articles(built):
    import json

    data = json.loads((built.output / "backchannel-articles.json").read_text())
    assert sorted(a["id"] for a in data["articles"]) == sorted(SLUGS)


def _comments(entry: dict) -> list[dict]:
    """Every `comment` of a parsed microformat, depth first, with its replies."""
    out = []
    for c in entry.get("properties", {}).get("comment", []):
        if isinstance(c, dict):
            out.append(c)
            out.extend(_comments(c))
    return out


@pytest.mark.parametrize("slug", ["customers-are-the-experts", "discovery-not-delivery"])
def test_mf2_one_h_entry_holds_every_comment_replies_nested(built, slug):
    import mf2py

    url = f"https://example.org/{slug}.html"
    html = (built.output / f"{slug}.html").read_text("utf-8")
    parsed = mf2py.parse(doc=html, url=url)
    entries = [i for i in parsed["items"] if "h-entry" in i["type"]]
    assert len(entries) == 1 and not [i for i in parsed["items"] if "h-cite" in i["type"]]
    [entry] = entries
    page = BeautifulSoup(html, "html.parser")
    replies_in = page.select(".linkbacks article.p-comment")
    every = _comments(entry)
    assert len(every) == len(page.select("article.comment")) + len(replies_in) > 0
    top = entry["properties"]["comment"]
    for c in top:
        assert c["type"] == ["h-cite"] and c["properties"]["in-reply-to"] == [url]
    nested = [c for c in every if c not in top]
    assert nested, "replies are nested in their parent comment"
    for parent in every:
        for child in parent["properties"].get("comment", []):
            assert child["properties"]["in-reply-to"][0].startswith(url + "#comment-")
