"""Whole partials and comment feeds in the build's cache (build/fragments.py).

A rebuild in which nothing a partial or feed shows changed takes them from the cache;
everything they show (a comment, the article, another post's Answers:, a template, a
setting) makes them again, and the cache never changes what a build writes.
"""

from __future__ import annotations

import re
import shutil
import sqlite3

from backchannel.build.fragments import KIND
from backchannel.store.cache import FILE_NAME
from conftest import ROOT
from test_bake import comment
from test_build_cache import tree

MADE = re.compile(r"backchannel: (\d+) partials and feeds made, (\d+) taken from the cache")


def build(site, output: str = "output", *extra: str) -> tuple[int, int]:
    """Build into `output`; (fragments made, fragments from the cache) as the build logs them."""
    made, found, _ = build_logged(site, output, *extra)
    return made, found


def build_logged(site, output: str = "output", *extra: str) -> tuple[int, int, str]:
    """As `build`, with the build's log."""
    proc = site.build("-v", "-o", str(site.root / output), *extra)
    log = proc.stdout + proc.stderr
    found = MADE.findall(log)
    assert len(found) == 1, log
    return int(found[0][0]), int(found[0][1]), log


def page(site, slug: str, output: str = "output") -> str:
    return (site.root / output / f"{slug}.html").read_text("utf-8")


def feed(site, slug: str, output: str = "output") -> str:
    return (site.root / output / "feeds" / "comments" / f"{slug}.atom.xml").read_text("utf-8")


def two_posts(site) -> None:
    site.article("post")
    site.article("other", date="2026-09-02 10:00")
    comment(site, "aaaaaa000001", body="First *words*.")
    comment(site, "aaaaaa000002", body="A reply.", extra="\nParent: aaaaaa000001", day=3)


def test_a_rebuild_with_nothing_changed_takes_every_partial_and_feed_from_the_cache(site):
    two_posts(site)
    # Two articles: two partials (thread, linkbacks) and a feed each.
    # The same output folder each time: OUTPUT_PATH is one of the settings a key covers.
    assert build(site) == (6, 0)
    cold = tree(site.output)
    made, found, log = build_logged(site)
    assert (made, found) == (0, 6)
    # Nothing to make: no comment body is even looked up.
    assert "bodies rendered" not in log
    assert tree(site.output) == cold
    (site.root / "cache" / FILE_NAME).unlink()
    assert build(site) == (6, 0)
    assert tree(site.output) == cold


def test_feeds_are_written_whole_and_readable_by_the_web_server(site):
    """Feeds are written in place like Pelican's pages: nothing else left, none private."""
    two_posts(site)
    for _ in range(2):  # written new, then over the last build's
        build(site)
        feeds = sorted(p for p in (site.output / "feeds").rglob("*") if p.is_file())
        names = [p.relative_to(site.output).as_posix() for p in feeds]
        assert "feeds/comments/post.atom.xml" in names and "feeds/comments.atom.xml" in names
        assert not [name for name in names if "/." in name]
        assert {oct(p.stat().st_mode & 0o777) for p in feeds} == {oct(0o644)}


def test_a_feed_written_over_a_longer_one_is_exactly_the_new_feed(site):
    """A feed that shrinks (a comment deleted) leaves nothing of the old one behind."""
    two_posts(site)
    comment(site, "aaaaaa000003", body="A long comment. " * 200, day=4)
    build(site)
    longer = feed(site, "post")
    (site.feedback / "published" / "post" / "aaaaaa000003.md").unlink()
    build(site)
    assert len(feed(site, "post")) < len(longer)
    # As a build into an empty folder writes it.
    build(site, "fresh")
    assert feed(site, "post") == feed(site, "post", "fresh")
    assert feed(site, "post").endswith("</feed>\n")


def test_pages_and_feeds_show_what_the_cache_holds(site):
    """The cached fragment is what the page and feed get: proof the rebuild does not make it."""
    two_posts(site)
    build(site)
    with sqlite3.connect(site.root / "cache" / FILE_NAME) as db:
        rows = db.execute("SELECT key, value FROM entry WHERE kind = ?", (KIND,)).fetchall()
        for key, value in rows:
            marked = value.replace("First <em>words</em>.", "From the fragment cache.")
            marked = marked.replace("First &lt;em&gt;words&lt;/em&gt;.", "From the fragment cache.")
            db.execute("UPDATE entry SET value = ? WHERE key = ?", (marked, key))
    assert build(site) == (0, 6)
    assert "From the fragment cache." in page(site, "post")
    assert "From the fragment cache." in feed(site, "post")


def test_an_edited_comment_shows_on_its_page_and_feed_and_only_its_article_is_made_again(site):
    two_posts(site)
    build(site)
    comment(site, "aaaaaa000002", body="An *edited* reply.", extra="\nParent: aaaaaa000001", day=3)
    assert build(site) == (3, 3)
    assert "An <em>edited</em> reply." in page(site, "post")
    assert "An &lt;em&gt;edited&lt;/em&gt; reply." in feed(site, "post")
    # A deleted comment leaves the page too.
    (site.feedback / "published" / "post" / "aaaaaa000002.md").unlink()
    build(site)
    assert "edited" not in page(site, "post") and "edited" not in feed(site, "post")


def test_an_answer_in_another_post_shows_on_the_unchanged_thread(site):
    two_posts(site)
    build(site)
    site.article("other", date="2026-09-02 10:00", extra="Answers: aaaaaa000001")
    build(site)
    assert 'class="answered-in"' in page(site, "post")


def test_an_article_retitled_shows_in_its_feed(site):
    two_posts(site)
    build(site)
    site.article("post", title="A New Title")
    build(site)
    assert "Comments on A New Title" in feed(site, "post")


def test_an_edited_template_shows_on_the_next_build(site):
    theme = site.root / "theme"
    shutil.copytree(ROOT / "theme", theme)
    site.write_conf(f"THEME = {str(theme)!r}\n")
    two_posts(site)
    build(site)
    partial = theme / "templates" / "backchannel" / "thread.html"
    text = partial.read_text("utf-8")
    partial.write_text(text.replace("comment-permalink", "comment-permalink edited"), "utf-8")
    # Every template is part of every key: a partial may include any of them.
    assert build(site) == (6, 0)
    assert "comment-permalink edited" in page(site, "post")


def test_a_changed_setting_shows_on_the_next_build(site):
    two_posts(site)
    build(site)
    build(site, "output", "-e", 'DEFAULT_DATE_FORMAT="%Y/%m/%d"')
    assert ">2026/10/02</time>" in page(site, "post")
    build(site, "output", "-e", 'BACKCHANNEL_RECEIVER_URL="https://example.org/bc"')
    assert "https://example.org/bc/comments/new?article=post" in page(site, "post")
    build(site, "output", "-e", 'SITEURL="https://blog.example"')
    assert "https://blog.example/post.html#comment-aaaaaa000001" in feed(site, "post")


def test_a_comment_reaching_a_cached_thread_from_another_folder_shows_on_the_next_build(site):
    """A thread is counted from every folder holding its items, and read again from them all."""
    two_posts(site)
    site.write_conf('BACKCHANNEL_ALIASES = {"old-post": "post"}\n')
    build(site)
    comment(site, "aaaaaa000003", article="post", body="Waited *here*.", state="unmatched", day=4)
    comment(site, "aaaaaa000004", article="old-post", body="Under the *old* slug.", day=5)
    # Only "post" changed: its two partials and its feed are made again.
    assert build(site) == (3, 3)
    html = page(site, "post")
    assert "Waited <em>here</em>." in html and "Under the <em>old</em> slug." in html
    assert "4 comments" in html
    assert "Under the &lt;em&gt;old&lt;/em&gt; slug." in feed(site, "post")
    assert "4 comments" in (site.output / "index.html").read_text("utf-8")


def test_a_comment_rewritten_in_place_or_deleted_shows_in_list_counts_and_the_site_feed(site):
    """Unchanged folders are counted from their stored summaries (build/summaries.py); a folder
    whose file changed in place (same inode) or lost one is read again."""
    two_posts(site)
    comment(site, "aaaaaa000003", body="Third words.", day=4)
    build(site)

    def index_and_site_feed() -> tuple[str, str]:
        return (
            (site.output / "index.html").read_text("utf-8"),
            (site.output / "feeds" / "comments.atom.xml").read_text("utf-8"),
        )

    index, site_feed = index_and_site_feed()
    assert "3 comments" in index and "Third words." in site_feed
    # Rewritten in place as a reply to a comment that exists nowhere: no longer shown.
    path = site.feedback / "published" / "post" / "aaaaaa000003.md"
    inode = path.stat().st_ino
    text = path.read_text("utf-8").replace("Author: Ana", "Author: Ana\nParent: zzzzzz000009")
    with open(path, "r+", encoding="utf-8") as file:
        file.truncate(0)
        file.write(text)
    assert path.stat().st_ino == inode
    build(site)
    index, site_feed = index_and_site_feed()
    assert "2 comments" in index and "3 comments" not in index
    assert "Third words." not in site_feed and "Third words." not in page(site, "post")

    (site.feedback / "published" / "post" / "aaaaaa000002.md").unlink()
    build(site)
    index, site_feed = index_and_site_feed()
    assert "1 comment" in index and "2 comments" not in index
    assert "A reply." not in site_feed and "First" in site_feed
