"""Importers read the real exports in tests/data/realdata and find the facts their README states."""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest
from backchannel.field_policy import http_url
from backchannel.importers import blogger, disqus, feed, html, isso, pcs, wordpress
from backchannel.importers.records import ImportSourceError
from backchannel.model import Kind, MentionType, State
from conftest import DATA, REALDATA

ISSO_WXR = REALDATA / "isso" / "wordpress.xml"
SAMPLE2_WXR = REALDATA / "google-blog-converters" / "wordpress-sample2.wxr"
BLOGGER = REALDATA / "google-blog-converters" / "blogger-sample2.xml"


def cid(record) -> str:
    return record.origin_id.rpartition("/")[2]


def depth(by_id: dict, key: str) -> int:
    n = 0
    while by_id[key].parent_origin_id:
        key = by_id[key].parent_origin_id
        n += 1
    return n


def test_isso_wxr_threads_dates_and_missing_fields():
    records = list(wordpress.read(str(ISSO_WXR)))
    assert len(records) == 8
    assert all(r.kind == Kind.COMMENT and r.state == State.PUBLISHED for r in records)
    assert sorted({cid(r) for r in records}, key=int) == ["2", "6", "7", "8", "9", "10", "11"]
    # ids repeat across posts; origin ids do not
    assert len({r.origin_id for r in records}) == 8
    by_id = {r.origin_id: r for r in records}
    parents = {cid(r): cid(by_id[r.parent_origin_id]) for r in records if r.parent_origin_id}
    assert parents == {"7": "6", "8": "7", "9": "7"}
    first = records[0]
    assert (first.author, first.body, first.email) == ("Ohai", "Erster!1", "test@example.org")
    assert first.ip == "::ffff:82.119.20.0"
    seven = next(r for r in records if cid(r) == "7")
    assert seven.body == "Drölfter!"
    assert seven.date == datetime(2014, 4, 29, 15, 21, 35, tzinfo=UTC)
    ten = next(r for r in records if cid(r) == "10")
    assert "\n" in ten.body and ten.date.hour == 2
    elevens = sorted(r.date.year for r in records if cid(r) == "11")
    assert elevens == [2014, 2022]
    assert {r.article.title for r in records} == {"Hello, World…", "..."}
    second_post = next(r for r in records if r.article.title == "...")
    assert second_post.article.url == "http://example.tld/?p=4"


def test_wptt_kinds_states_threading_greek_and_entities(wptt: Path):
    records = list(wordpress.read(str(wptt)))
    assert len(records) == 33 and len({cid(r) for r in records}) == 33
    assert Counter(r.kind for r in records) == {
        Kind.COMMENT: 29,
        Kind.TRACKBACK: 2,
        Kind.PINGBACK: 2,
    }
    assert {cid(r) for r in records if r.kind == Kind.TRACKBACK} == {"921", "922"}
    assert {cid(r) for r in records if r.kind == Kind.PINGBACK} == {"923", "924"}
    assert {cid(r) for r in records if r.state == State.INBOX} == {"1015", "1016", "1017"}
    assert Counter(r.state for r in records) == {State.PUBLISHED: 30, State.INBOX: 3}
    per_post = Counter(r.origin_id.partition("/")[0] for r in records)
    assert per_post == {"51": 1, "155": 4, "703": 1, "1148": 20, "1149": 5, "1168": 1, "1170": 1}
    by_id = {r.origin_id: r for r in records}
    assert all(r.parent_origin_id in by_id for r in records if r.parent_origin_id)
    assert sum(1 for r in records if r.parent_origin_id) == 10
    assert max(depth(by_id, k) for k in by_id) == 9
    names = {cid(r): r.author for r in records}
    assert names["881"] == "John Γιάννης Doe Κάποιος"
    assert names["904"] == "John Κώστας Doe Τάδε"
    assert names["918"] == "John Μαρία Doe Ντουε"
    pings = [r for r in records if r.kind in (Kind.PINGBACK, Kind.TRACKBACK)]
    assert "Ping 1 « What’s a tellyworth?" in {r.author for r in pings}
    assert all("&" not in r.author for r in pings)
    pingbacks = [r for r in pings if r.kind == Kind.PINGBACK]
    assert all(
        r.source.startswith("http://tellyworth.wordpress.com/2007/11/21/") for r in pingbacks
    )


def test_wxr_with_undeclared_excerpt_prefix_imports():
    records = list(wordpress.read(str(SAMPLE2_WXR)))
    assert [cid(r) for r in records] == ["459", "460", "461"]
    assert [r.author for r in records] == ["journalseditor @ aol", "JJ", "journalseditor @ aol"]
    assert records[0].body == "Nice picture!!!<br /><br />I mean <b>NICE</b> picture."
    assert records[0].article.title == "A (somewhat) brief history"
    assert records[1].article.title == records[2].article.title == "This about sums up my life."
    assert records[0].date == datetime(2008, 11, 11, 16, 9, tzinfo=UTC)


def test_blogger_comments_and_their_posts():
    records = list(blogger.read(str(BLOGGER)))
    assert [r.origin_id for r in records] == [
        "post-1066271041639903470",
        "post-8841580313327712653",
        "post-7939092188512366396",
    ]
    posts = Counter(r.article.permalink for r in records)
    assert posts == {"post-7031156583478223661": 2, "post-720686382913388888": 1}
    nice = records[1]
    assert nice.author == "journalseditor @ aol"
    assert nice.body == "Nice picture!!!<BR/><BR/>I mean <B>NICE</B> picture."
    assert nice.date.isoformat() == "2008-11-11T16:09:00-08:00"
    assert nice.article.title == "A (somewhat) brief history"
    assert all(r.parent_origin_id is None and r.email is None for r in records)


def test_blogger_and_wordpress_agree_on_the_same_three_comments():
    wp = sorted(r.body.lower().replace("<br />", "<br/>") for r in wordpress.read(str(SAMPLE2_WXR)))
    bl = sorted(r.body.lower() for r in blogger.read(str(BLOGGER)))
    assert wp == bl


def test_disqus_deleted_orphan_and_reply_to_deleted():
    records = list(disqus.read(str(REALDATA / "isso" / "disqus.xml")))
    assert [r.origin_id for r in records] == ["4", "5", "6", "8", "9", "11"]
    states = {r.origin_id: (r.state, r.skip_reason) for r in records}
    assert states["9"] == (None, "deleted in Disqus")
    assert states["6"][0] is None and "1337" in states["6"][1]
    assert {k for k, (s, _) in states.items() if s == State.PUBLISHED} == {"4", "5", "8", "11"}
    by_id = {r.origin_id: r for r in records}
    assert by_id["5"].parent_origin_id == "4" and by_id["11"].parent_origin_id == "9"
    assert by_id["4"].article.url == "http://example.org/"
    assert by_id["4"].article.title == "Hello, World!"
    assert by_id["8"].article.url.endswith("/redacted/index.html")


def isso_db(path: Path) -> Path:
    """An Isso database with Isso's schema, filled from isso/generic.json."""
    data = json.loads((REALDATA / "isso" / "generic.json").read_text("utf-8"))
    db = sqlite3.connect(path)
    db.executescript("""
        CREATE TABLE threads (id INTEGER PRIMARY KEY, uri VARCHAR(256) UNIQUE,
                              title VARCHAR(256));
        CREATE TABLE comments (
            tid REFERENCES threads(id), id INTEGER PRIMARY KEY, parent INTEGER,
            created FLOAT NOT NULL, modified FLOAT, mode INTEGER, remote_addr VARCHAR,
            text VARCHAR, author VARCHAR, email VARCHAR, website VARCHAR,
            likes INTEGER DEFAULT 0, dislikes INTEGER DEFAULT 0, voters BLOB NOT NULL,
            notification INTEGER DEFAULT 0);
        CREATE TABLE preferences (key VARCHAR PRIMARY KEY, value VARCHAR);
    """)
    for thread in data:
        tid = db.execute(
            "INSERT INTO threads (uri, title) VALUES (?, ?)", (thread["id"], thread["title"])
        ).lastrowid
        for c in thread["comments"]:
            created = (
                datetime.strptime(c["created"], "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()
            )
            db.execute(
                "INSERT INTO comments (tid, parent, created, mode, remote_addr, text, author,"
                " email, website, voters) VALUES (?, NULL, ?, 1, ?, ?, ?, ?, ?, ?)",
                (
                    tid,
                    created,
                    c["remote_addr"],
                    c["text"],
                    c["author"],
                    c["email"],
                    c["website"],
                    b"",
                ),
            )
    # Synthetic extras on top: a reply awaiting moderation and a deleted comment.
    db.execute(
        "INSERT INTO comments (tid, parent, created, mode, text, author, voters)"
        " VALUES (1, 1, 1500000000, 2, 'Ein Schöner Kommentar', 'Jürgen', x'')"
    )
    db.execute(
        "INSERT INTO comments (tid, parent, created, mode, text, author, voters)"
        " VALUES (1, NULL, 1500000001, 4, '', '', x'')"
    )
    db.commit()
    db.close()
    return path


def test_isso_database(tmp_path):
    records = list(isso.read(str(isso_db(tmp_path / "comments.db"))))
    assert len(records) == 4
    first, second, reply, deleted = records
    assert (first.author, first.author_url, first.email) == (
        "texas holdem",
        "http://www.tigerspice.com",
        None,
    )
    assert first.article.url == "/posts/0001/" and first.article.title == "Test+post"
    assert second.article.title == "Nat+%26+Miguel"  # kept encoded, as Isso does
    assert second.email == "105421439@87750645.com" and second.date.year == 2005
    assert first.ip == "0.0.0.0"
    assert (reply.state, reply.parent_origin_id, reply.author) == (State.INBOX, "1", "Jürgen")
    assert deleted.state is None and deleted.skip_reason == "deleted in Isso"


def test_isso_refuses_a_file_that_is_not_a_database(tmp_path):
    bad = tmp_path / "x.db"
    bad.write_text("hello")
    with pytest.raises(ImportSourceError, match="not an Isso database"):
        list(isso.read(str(bad)))


def pcs_folder(root: Path) -> Path:
    """The pelican_comment_system layout: comments/<slug>/<identifier>.md."""
    folder = root / "comments" / "knowledge-that-flows"
    folder.mkdir(parents=True)
    (folder / "0.md").write_text(
        "email: ada@example.org\ndate: 2014-03-21 15:00\nauthor: Ada Ünal\n"
        "website: https://ada.example\n\nFirst *Markdown* comment.\n",
        "utf-8",
    )
    (folder / "reply-1.md").write_text(
        "date: 2014-03-22T08:30+02:00\nauthor: Bo\nreplyto: 0\n\nA reply.\n", "utf-8"
    )
    return root / "comments"


def test_pelican_comment_system_folder(tmp_path):
    records = list(pcs.read(str(pcs_folder(tmp_path))))
    assert [r.origin_id for r in records] == [
        "knowledge-that-flows/0",
        "knowledge-that-flows/reply-1",
    ]
    first, reply = records
    assert (first.author, first.author_url, first.email) == (
        "Ada Ünal",
        "https://ada.example",
        "ada@example.org",
    )
    assert first.date == datetime(2014, 3, 21, 15, 0, tzinfo=UTC)
    assert reply.parent_origin_id == "knowledge-that-flows/0"
    assert reply.date.isoformat() == "2014-03-22T08:30:00+02:00"
    assert first.article.slug == "knowledge-that-flows"


def test_pcs_bad_metadata_names_file_and_line(tmp_path):
    folder = tmp_path / "c" / "post"
    folder.mkdir(parents=True)
    (folder / "1.md").write_text("date: 2014-01-01\nthis is not metadata\n\nx", "utf-8")
    with pytest.raises(ImportSourceError, match=r"1\.md:2: metadata line"):
        list(pcs.read(str(tmp_path / "c")))


def test_feed_post_feed_points_at_comment_feeds():
    doc = feed.parse_feed((REALDATA / "xray" / "feed.example.com-rss.http").read_bytes(), "rss")
    assert doc.records == []
    assert len(doc.comment_feeds) == 10
    assert [c["comments"] for c in doc.comment_feeds] == [12, 38, 0, 0, 0, 21, 11, 6, 14, 84]
    assert sum(c["comments"] for c in doc.comment_feeds) == 186
    assert all(c["feed"] == c["post"] + "/feed" for c in doc.comment_feeds)
    assert [c["title"] for c in doc.comment_feeds].count(None) == 9


def test_feed_webmention_io_mentions():
    (rec,) = feed.parse_feed(
        (REALDATA / "webmention-io" / "README-mentions.atom").read_bytes(), "atom"
    ).records
    assert rec.kind == Kind.WEBMENTION and rec.mention_type == MentionType.MENTION
    assert rec.source == "http://tantek.com/2013/113/b1/first-federated-indieweb-comment-thread"
    assert rec.article.url == "http://indiewebcamp.com/webmention"
    assert rec.origin_id == "https://webmention.io/api/mention/8675309"
    assert rec.date.isoformat() == "2013-04-26T00:09:33+00:00"


def test_feed_blogger_export_gives_its_three_comments():
    doc = feed.parse_feed(BLOGGER.read_bytes(), "blogger")
    assert len(doc.records) == 3
    assert {r.article.url.rpartition("/")[2] for r in doc.records} == {
        "this-about-sums-up-my-life.html",
        "somewhat-brief-history.html",
    }


def test_feed_wordpress_comment_feed():
    doc = feed.parse_feed((DATA / "wp-comments.rss").read_bytes(), "f")
    assert [r.author for r in doc.records] == ["Zoë", "Ravi"]
    assert doc.records[0].article.url == "https://old.example/2019/05/listening/"
    assert doc.records[0].body == "<p>Loved the part about <em>silence</em>.</p>"


def test_html_webmention_sources():
    (reply,) = html.parse_html(
        (REALDATA / "webmention-io" / "in-reply-to.html").read_text(),
        "http://source.example.org/in-reply-to",
    )
    assert reply.kind == Kind.WEBMENTION and reply.mention_type == MentionType.REPLY
    assert reply.article.url == "http://target.example.com/entry"
    assert reply.author == "Source Author" and reply.author_url == "http://source.example.org/"
    assert reply.date.isoformat() == "2015-11-07T12:00:00-05:00"
    assert reply.body.startswith("Thanks for the information, it was super helpful.")
    (like,) = html.parse_html(
        (REALDATA / "webmention-io" / "like-of.html").read_text(),
        "http://source.example.org/like-of",
    )
    assert like.mention_type == MentionType.LIKE and like.title == "Liked this"


def test_html_wordpress_page_with_nesting_and_pings():
    page = (DATA / "wp-page.html").read_text("utf-8")
    records = html.parse_html(page, "archive/listening.html")
    comments = [r for r in records if r.kind == Kind.COMMENT]
    assert [r.author for r in comments] == ["Zoë Ünal", "Mara", "Tom"]
    assert comments[1].parent_origin_id == comments[0].origin_id
    assert comments[2].parent_origin_id is None
    assert comments[0].date.isoformat() == "2019-05-02T10:00:00+00:00"
    assert comments[0].body == "<p>First &amp; <strong>best</strong>.</p>"
    assert comments[0].author_url == "https://zoe.example/"
    assert records[0].article.url == "https://old.example/2019/05/listening/"
    pings = [r for r in records if r.kind == Kind.PINGBACK]
    assert [(p.author, p.source) for p in pings] == [
        ("Other blog « Ideas", "https://other.example/ideas/")
    ]


def test_html_blogger_page():
    page = (DATA / "blogger-page.html").read_text("utf-8")
    records = html.parse_html(page, "https://jj.blogspot.com/2008/04/sums-up.html")
    assert [(r.author, r.body) for r in records] == [
        ("JJ", "<p>I'll get that fixed soon.</p>"),
        ("Ana", "Näive <b>question</b>"),
    ]
    assert records[0].date.year == 2008


def test_html_page_with_urls_urllib_cannot_split_still_imports():
    # Found by the fuzzer: an unbalanced "[" in a host made urlsplit raise ValueError
    # ("Invalid IPv6 URL") out of the importer instead of the URL being ignored.
    page = (DATA / "wp-page.html").read_text("utf-8")
    page = page.replace('href="https://old.example/', 'href="https://]]>old.example/', 1)
    page = page.replace('href="https://other.example/ideas/"', 'href="http://[other.example/"')
    assert "]]>old.example" in page and "[other.example" in page
    records = html.parse_html(page, "archive/listening.html")
    assert [r.author for r in records if r.kind == Kind.COMMENT] == ["Zoë Ünal", "Mara", "Tom"]
    assert records[0].article.url is None  # the broken canonical URL is not kept
    pings = [r for r in records if r.kind == Kind.PINGBACK]
    assert [(p.author, p.source) for p in pings] == [("Other blog « Ideas", None)]  # nor that
    assert [http_url(u) for u in ("https://[x.example/", "http://x]/", "https://x.example/")] == [
        None,
        None,
        "https://x.example/",
    ]
