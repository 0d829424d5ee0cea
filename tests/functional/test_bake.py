"""Baking threads into real Pelican builds: bad items, aliases, drafts, XSS."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from conftest import DATA

HEADER = """Id: {id}
Kind: comment
Article: {article}
Author: {author}
Date: 2026-10-0{day}T10:00:00+00:00
Origin: receiver{extra}

{body}
"""


def comment(
    site,
    item_id,
    article="post",
    body="Hello there.",
    author="Ana",
    day=2,
    extra="",
    state="published",
):
    return site.item(
        state,
        article,
        item_id,
        HEADER.format(id=item_id, article=article, author=author, day=day, extra=extra, body=body),
    )


def test_bad_items_are_skipped_with_their_path_and_the_build_goes_on(site):
    site.article("post")
    comment(site, "aaaaaa000001", body="The good comment.")
    bad = {
        "bbbbbb000001": HEADER.format(
            id="bbbbbb000001", article="post", author="X", day=2, extra="", body="x"
        ).replace("Kind: comment", "Kind: rant"),
        "bbbbbb000002": HEADER.format(
            id="bbbbbb000002", article="post", author="X", day=2, extra="", body=""
        ).rstrip()
        + "\n",
        "bbbbbb000003": "Id: bbbbbb000003\nthis is not a header\n\nbody\n",
        "bbbbbb000004": HEADER.format(
            id="bbbbbb000004",
            article="post",
            author="X",
            day=2,
            extra="\nParent: cccccc999999",
            body="orphan reply",
        ),
    }
    for item_id, text in bad.items():
        site.item("published", "post", item_id, text)
    (site.feedback / "published" / "post" / "bbbbbb000005.md").write_bytes(
        b"Id: bbbbbb000005\nKind: comment\nArticle: post\nAuthor: \xff\xfe\n\nx"
    )
    comment(site, "dddddd000001", article="gone-post", body="For a deleted post.")
    proc = site.build()
    log = proc.stdout + proc.stderr
    html = site.page("post")
    assert "The good comment." in html
    for item_id in [*bad, "bbbbbb000005"]:
        assert f"{item_id}.md" in log, f"warning names {item_id}"
        assert f"comment-{item_id}" not in html
    assert "unknown kind" in log and "invalid UTF-8" in log and "does not exist" in log
    assert "gone-post" in log, "an item for a missing article is reported"


def test_sanitized_against_xss_vectors_in_built_html(site):
    site.article("post")
    vectors = (DATA / "xss_vectors.txt").read_text("utf-8").splitlines()
    for n, vector in enumerate(vectors):
        comment(site, f"e{n:011d}", body=f"Vector {n}: {vector}", author=vector[:40] or "x")
    site.build()
    page = BeautifulSoup(site.page("post"), "html.parser")
    thread = page.select_one("section.comments")
    assert len(thread.select("article.comment")) == len(vectors)
    assert not thread.find_all(
        [
            "script",
            "iframe",
            "object",
            "embed",
            "svg",
            "math",
            "form",
            "style",
            "meta",
            "link",
            "base",
            "img",
            "details",
            "template",
        ]
    )
    for tag in thread.find_all(True):
        for attr, value in tag.attrs.items():
            assert not attr.startswith("on"), (tag.name, attr)
            assert attr != "style"
            text = " ".join(value) if isinstance(value, list) else str(value)
            assert not text.strip().lower().startswith(("javascript:", "vbscript:", "data:"))
    for a in thread.select(".e-content a[href]"):
        assert a["rel"] == ["nofollow", "ugc", "noopener"]


def test_aliases_keep_a_moved_posts_thread(site):
    site.article("new-name")
    comment(site, "aaaaaa000002", article="old-name", body="Written before the rename.")
    site.write_conf('BACKCHANNEL_ALIASES = {"old-name": "new-name"}\n')
    proc = site.build()
    assert "Written before the rename." in site.page("new-name")
    assert "does not exist" not in proc.stdout + proc.stderr


def test_explicit_thread_id_survives_a_slug_change(site):
    site.article("renamed-slug", extra="Backchannel-Id: stable-id")
    comment(site, "aaaaaa000003", article="stable-id", body="Still attached.")
    site.build()
    assert "Still attached." in site.page("renamed-slug")


def test_drafts_and_hidden_articles_get_no_thread_and_no_warning(site):
    site.article("public")
    site.article("wip", extra="Status: draft")
    comment(site, "aaaaaa000004", article="wip", body="Early comment.")
    proc = site.build()
    assert "does not exist" not in proc.stdout + proc.stderr
    draft = (site.output / "drafts" / "wip.html").read_text("utf-8")
    assert "Early comment." not in draft


def test_unmatched_item_attaches_once_its_article_exists(site):
    site.article("other")
    comment(site, "aaaaaa000005", article="later-post", body="Imported early.", state="unmatched")
    proc = site.build()
    assert "later-post" not in proc.stdout + proc.stderr, "unmatched items wait quietly"
    site.article("later-post")
    site.build()
    assert "Imported early." in site.page("later-post")


def test_answers_metadata_links_both_ways(site):
    site.article("question-post")
    comment(
        site, "aaaaaa000006", article="question-post", author="Lucía", body="How do you price this?"
    )
    site.article("answer-post", date="2026-10-20 10:00", extra="Answers: aaaaaa000006")
    site.build()
    question = BeautifulSoup(site.page("question-post"), "html.parser")
    answered = question.select_one("#comment-aaaaaa000006").find_parent("li")
    assert "answer-post.html" in str(answered.select_one(".answered-in"))
    answer = site.page("answer-post")
    assert "Lucía" in answer and "question-post.html#comment-aaaaaa000006" in answer


@pytest.mark.parametrize("setting", ["BACKCHANNEL_RECIEVER_URL", "BACKCHANNEL_FOO"])
def test_unknown_setting_stops_the_build_by_name(site, setting):
    site.article("post")
    site.write_conf(f'{setting} = "x"\n')
    proc = site.build(check=False)
    assert proc.returncode != 0
    assert setting in proc.stdout + proc.stderr


def test_wrong_type_setting_is_warned_by_name_and_falls_back(site):
    site.article("post")
    site.write_conf('BACKCHANNEL_COMMENT_FEEDS = "yes please"\n')
    proc = site.build()
    assert "BACKCHANNEL_COMMENT_FEEDS" in proc.stdout + proc.stderr
    assert (site.output / "feeds" / "comments.atom.xml").exists()


def test_theme_builds_without_the_plugin(site):
    site.article("post")
    comment(site, "aaaaaa000007", body="Not shown without the plugin.")
    site.write_conf("PLUGINS = []\n")
    site.build()
    html = site.page("post")
    assert "comment-form" not in html and "Not shown" not in html


def test_replies_nest_under_their_parents_in_the_built_page(site):
    """The page's nested lists are the tree: each reply inside its parent, depth classes capped."""
    site.article("post")
    parents = {"a0": None, "b0": None}
    for n in range(1, 11):  # a chain ten deep under a0, deeper than the depth classes go
        parents[f"a{n}"] = f"a{n - 1}"
    parents |= {"c1": "a2", "c2": "c1", "d1": "a5", "e1": "b0"}
    for minute, (item_id, parent) in enumerate(parents.items()):
        comment(
            site,
            f"{item_id:0>12}",
            author=f"Reader {item_id}",
            extra=f"\nParent: {parent:0>12}" if parent else "",
            body=f"Comment {minute}.",
        )
    site.build()
    soup = BeautifulSoup(site.page("post"), "html.parser")
    shown = {}
    for li in soup.select("li.comment-item"):
        item_id = li.article["id"].removeprefix("comment-").lstrip("0")
        outer = li.find_parent("li", class_="comment-item")
        shown[item_id] = outer.article["id"].removeprefix("comment-").lstrip("0") if outer else None
        depth = 0
        while outer is not None:
            depth += 1
            outer = outer.find_parent("li", class_="comment-item")
        assert f"depth-{min(depth, 8)}" in li["class"]
        if parents[item_id]:
            assert f"In reply to Reader {parents[item_id]}" in li.header.get_text()
    assert shown == parents
    top = soup.select_one("ol.comment-list")
    assert [li.article["id"][-2:] for li in top.find_all("li", recursive=False)] == ["a0", "b0"]
