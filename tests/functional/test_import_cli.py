"""`backchannel import` and `collect` via the CLI: real files, Pelican builds, an HTTP server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from backchannel.errors import StoreError
from backchannel.importers import wordpress
from backchannel.importers.matching import ArticleIndex
from backchannel.importers.records import ImportSourceError, Record
from backchannel.importers.run import Summary, plan, run_import
from backchannel.store import Store
from conftest import DATA, REALDATA, Site


def files_in(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def run_json(site: Site, *args: str) -> dict:
    proc = site.cli(*args, "--json")
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture
def wptt_site(site: Site) -> Site:
    site.article("template-comments", title="Template: Comments", date="2012-01-03 10:00")
    site.article(
        "template-pingbacks-an-trackbacks",
        title="Pingbacks and trackbacks",
        date="2012-01-01 10:00",
    )
    return site


def test_import_wptt_end_to_end_threads_show_in_built_site(wptt: Path, wptt_site: Site):
    site = wptt_site
    summary = run_json(site, "import", "wordpress", str(wptt))
    assert summary["imported"] == 33 and summary["duplicates"] == 0
    assert summary["by_kind"] == {"comment": 29, "pingback": 2, "trackback": 2}
    assert summary["by_state"] == {"inbox": 3, "published": 24, "unmatched": 6}
    assert summary["skipped"] == [] and summary["warnings"] == []
    assert {u["article"] for u in summary["unmatched"]} >= {
        "page-with-comments",
        "edge-case-no-content",
    }
    again = run_json(site, "import", "wordpress", str(wptt))
    assert (again["imported"], again["duplicates"]) == (0, 33)
    assert site.cli("check").returncode == 0
    # e-mail addresses and IPs stay private
    public = [p for p in files_in(site.feedback) if "private" not in p.parts]
    assert not any(
        "@" in line and line.startswith("Author")
        for p in public
        for line in p.read_text("utf-8").splitlines()
    )
    assert not any("theme.tester+demos@mail.example" in p.read_text("utf-8") for p in public)
    # ... and are not kept at all: only the keyed Email-Hash, no per-item private file
    assert not any(p.suffix == ".json" for p in files_in(site.feedback / "private"))
    everything = "".join(p.read_text("utf-8") for p in files_in(site.feedback))
    assert "theme.tester+demos@mail.example" not in everything
    assert "::ffff:" not in everything and "127.0.0.1" not in everything
    with_email = sum(1 for r in wordpress.read(str(wptt)) if r.email and r.state)
    assert sum("Email-Hash: " in p.read_text("utf-8") for p in public) == with_email > 20

    site.build()
    page = site.page("template-comments")
    assert page.count('<article class="comment') == 19  # 20 minus the unapproved one
    assert "John Κώστας Doe Τάδε" in page and "John Μαρία Doe Ντουε" in page
    assert "Comment Depth 10" in page
    # the ten-level chain is nested, not flattened
    assert page.count('class="comment-children"') == 9  # the chain 904 -> 915 is 9 deep
    assert "mail.example" not in page
    pings = site.page("template-pingbacks-an-trackbacks")
    assert "Ping 1 « What’s a tellyworth?" in pings
    assert "&amp;laquo;" not in pings
    assert "tellyworth.wordpress.com/2007/11/21/" in pings


def test_imported_people_are_found_by_export_and_erased_by_forget(wptt: Path, wptt_site: Site):
    site = wptt_site
    run_json(site, "import", "wordpress", str(wptt))
    who = "THEME.tester+demos@mail.example"  # five comments in the export; case does not matter
    expected = sum(
        1 for r in wordpress.read(str(wptt)) if r.state and (r.email or "").lower() == who.lower()
    )
    proc = site.cli("export", who)
    assert proc.returncode == 0, proc.stderr
    exported = json.loads(proc.stdout)
    mine = {i["id"] for i in exported["items"]}
    assert len(mine) == expected == 5
    assert all(i["private"] == {} for i in exported["items"])  # nothing beyond the hash
    others = {p.stem for p in files_in(site.feedback) if p.suffix == ".md"} - mine
    proc = site.cli("forget", who, "--no-republish")
    assert proc.returncode == 0, proc.stderr
    left = {p.stem for p in files_in(site.feedback) if p.suffix == ".md"}
    assert left == others
    assert json.loads(site.cli("export", who).stdout)["items"] == []
    # The erasure sticks: reading the same export again, even asking for deleted
    # items back, does not bring that person's comments back.
    for extra in ((), ("--restore-deleted",)):
        again = run_json(site, "import", "wordpress", str(wptt), *extra)
        assert again["imported"] == 0
        erased = {s["id"]: s["reason"] for s in again["skipped"]}
        assert erased.keys() == mine
        assert all("forget" in reason for reason in erased.values())
        assert json.loads(site.cli("export", who).stdout)["items"] == []


def test_a_deleted_item_stays_deleted_when_its_source_is_imported_again(
    wptt: Path, wptt_site: Site
):
    site = wptt_site
    run_json(site, "import", "wordpress", str(wptt))
    page = site.feedback / "published" / "template-comments"
    gone = sorted(p.stem for p in page.glob("*.md"))[0]
    proc = site.cli("delete", gone, "--no-republish")
    assert proc.returncode == 0, proc.stderr
    dry = run_json(site, "import", "wordpress", str(wptt), "--dry-run")
    again = run_json(site, "import", "wordpress", str(wptt))
    for summary in (dry, again):
        assert (summary["imported"], summary["duplicates"]) == (0, 32)
        (skipped,) = summary["skipped"]
        assert skipped["id"] == gone and "--restore-deleted" in skipped["reason"]
    assert not (page / f"{gone}.md").exists()
    restored = run_json(site, "import", "wordpress", str(wptt), "--restore-deleted")
    assert (restored["imported"], restored["skipped"]) == (1, [])
    assert (page / f"{gone}.md").exists()
    assert site.cli("check").returncode == 0


def test_unmatched_items_attach_through_an_alias(site: Site):
    site.article("listening", title="Listening")
    summary = run_json(site, "import", "feed", str(DATA / "wp-comments.rss"))
    # feed comments are moderated: they wait in the inbox, not published
    assert summary["by_state"] == {"inbox": 2}
    site.write_conf(
        'BACKCHANNEL_ALIASES = {"https://old.example/2019/05/listening/": "listening"}\n'
    )
    disqus = run_json(site, "import", "disqus", str(REALDATA / "isso" / "disqus.xml"))
    assert disqus["imported"] == 4 and disqus["by_state"] == {"unmatched": 4}
    reasons = {s["origin_id"]: s["reason"] for s in disqus["skipped"]}
    assert reasons["9"] == "deleted in Disqus" and "1337" in reasons["6"]
    assert any("kept as a top-level comment" in w["reason"] for w in disqus["warnings"])
    site.write_conf('BACKCHANNEL_ALIASES = {"http://example.org/": "listening"}\n')
    site.build()
    page = site.page("listening")
    assert page.count('<article class="comment') == 3  # posts 4, 5 (reply) and 11


def test_dry_run_writes_nothing(site: Site):
    summary = run_json(
        site, "import", "wordpress", str(REALDATA / "isso" / "wordpress.xml"), "--dry-run"
    )
    assert summary["imported"] == 8 and summary["dry_run"] is True
    assert files_in(site.feedback) == []


HOSTILE = {
    "bomb": (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
        ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;">\n]>\n<rss><channel>&lol2;</channel></rss>\n',
        "refused unsafe XML",
        ":3:",
    ),
    "external": (
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY xxe SYSTEM '
        '"file:///etc/passwd">\n]>\n<rss>&xxe;</rss>\n',
        "refused unsafe XML",
        ":3:",
    ),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_is_refused_with_position(site: Site, tmp_path: Path, name: str):
    text, message, where = HOSTILE[name]
    path = tmp_path / f"{name}.xml"
    path.write_text(text)
    proc = site.cli("import", "wordpress", str(path))
    assert proc.returncode == 1
    assert message in proc.stderr and f"{path}{where}" in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert files_in(site.feedback) == []


def test_truncated_export_is_refused_and_nothing_written(wptt: Path, site: Site, tmp_path: Path):
    data = wptt.read_bytes()
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: len(data) * 2 // 3])
    proc = site.cli("import", "wordpress", str(path))
    assert proc.returncode == 1
    assert "not well-formed XML" in proc.stderr and f"{path}:" in proc.stderr
    assert files_in(site.feedback) == []


@pytest.mark.parametrize(
    ("fmt", "source", "message"),
    [
        ("wordpress", REALDATA / "isso" / "disqus.xml", "not a WordPress WXR file"),
        ("disqus", REALDATA / "isso" / "wordpress.xml", "not a Disqus export"),
        ("blogger", REALDATA / "isso" / "wordpress.xml", "not a Blogger export"),
        ("feed", REALDATA / "webmention-io" / "in-reply-to.html", "not well-formed XML"),
        (
            "isso",
            REALDATA / "google-blog-converters" / "blogger-sample2.xml",
            "not an Isso database",
        ),
    ],
)
def test_wrong_format_is_refused(site: Site, fmt: str, source: Path, message: str):
    proc = site.cli("import", fmt, str(source))
    assert proc.returncode == 1 and message in proc.stderr, proc.stderr
    assert files_in(site.feedback) == []


def test_a_failed_write_removes_what_the_run_wrote(wptt: Path, tmp_path: Path):
    store = Store(tmp_path / "feedback", "secret")
    index = ArticleIndex([], {})
    planned = plan(wordpress.read(str(wptt)), set(), index, Summary())
    # Another writer creates one of the items after the import listed the store's
    # ids (so it is no duplicate) but before the batch is placed.
    victim = sorted(planned)[len(planned) // 2]
    clash = store.folder(planned[victim].state) / f"{victim}.md"

    def source() -> Iterator[Record]:
        for n, record in enumerate(wordpress.read(str(wptt))):
            if n == 5:
                clash.parent.mkdir(parents=True, exist_ok=True)
                clash.write_text("someone else's")
            yield record

    with pytest.raises(StoreError, match="already exists"):
        run_import(source, store, index)
    assert files_in(store.root) == [clash]
    assert clash.read_text() == "someone else's"
    assert not (store.root / ".tmp").exists()


def test_a_failed_parse_midway_removes_the_staged_items(wptt: Path, tmp_path: Path):
    store = Store(tmp_path / "feedback")
    data = wptt.read_bytes()
    cut = data[: len(data) * 9 // 10]  # most items are staged before the error
    with pytest.raises(ImportSourceError, match="not well-formed"):
        run_import(lambda: wordpress.parse(cut, "cut.xml"), store, ArticleIndex([], {}))
    assert files_in(store.root) == []  # no item, no staged file, no secret


class FeedServer(BaseHTTPRequestHandler):
    """Serves tests/data feeds with an ETag; records conditional requests."""

    seen: ClassVar[list[tuple[str, str | None]]] = []

    def do_GET(self) -> None:
        name = self.path.lstrip("/")
        etag = f'"{name}-v1"'
        FeedServer.seen.append((self.path, self.headers.get("If-None-Match")))
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.end_headers()
            return
        if name == "posts.rss":
            port = self.server.server_address[1]
            body = POSTS.format(port=port).encode()
        else:
            body = (DATA / name).read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


POSTS = """<?xml version="1.0"?>
<rss version="2.0" xmlns:wfw="http://wellformedweb.org/CommentAPI/"
     xmlns:slash="http://purl.org/rss/1.0/modules/slash/"><channel>
<title>Old blog</title><link>https://old.example/</link>
<item><title>Listening</title><link>https://old.example/2019/05/listening/</link>
<wfw:commentRss>http://127.0.0.1:{port}/wp-comments.rss</wfw:commentRss>
<slash:comments>2</slash:comments></item></channel></rss>
"""


@pytest.fixture
def feed_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), FeedServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    FeedServer.seen = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_collect_follows_comment_feeds_with_conditional_get(site: Site, feed_server: str):
    site.article("listening", title="Listening")
    (site.root / "mentions.atom").write_bytes(
        (REALDATA / "webmention-io" / "README-mentions.atom").read_bytes()
    )
    site.write_conf(
        f'BACKCHANNEL_FEEDS = ["{feed_server}/posts.rss", "mentions.atom"]\n'
        "BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True\n"
    )
    first = run_json(site, "collect")
    assert first["imported"] == 3
    assert first["by_kind"] == {"comment": 2, "webmention": 1}
    statuses = {f["feed"]: f["status"] for f in first["feeds"]}
    assert statuses == {
        f"{feed_server}/posts.rss": "ok",
        f"{feed_server}/wp-comments.rss": "ok",
        "mentions.atom": "ok",
    }
    state = json.loads((site.feedback / "private" / "collect-state.json").read_text())
    assert state[f"{feed_server}/posts.rss"] == {"etag": '"posts.rss-v1"'}
    second = run_json(site, "collect")
    assert second["imported"] == 0 and second["duplicates"] == 1  # the file feed
    assert {f["status"] for f in second["feeds"] if f["feed"].startswith("http")} == {
        "not modified"
    }
    assert ("/posts.rss", '"posts.rss-v1"') in FeedServer.seen
    items = json.loads(site.cli("list", "--json").stdout)
    comments = [i for i in items if i["kind"] == "comment"]
    assert {c["article"] for c in comments} == {"listening"}
    # A mention deleted here is not collected again from the feed that still lists it.
    (mention,) = [i["id"] for i in items if i["kind"] == "webmention"]
    assert site.cli("delete", mention, "--no-republish").returncode == 0
    third = run_json(site, "collect")
    assert (third["imported"], third["duplicates"]) == (0, 0)
    assert [s["id"] for s in third["skipped"]] == [mention]


def test_collect_refuses_loopback_without_the_setting(site: Site, feed_server: str):
    site.write_conf(f'BACKCHANNEL_FEEDS = ["{feed_server}/posts.rss"]\n')
    proc = site.cli("collect", "--json")
    assert proc.returncode == 1
    (feed,) = json.loads(proc.stdout)["feeds"]
    assert feed["status"] == "error"
    assert FeedServer.seen == []


def test_the_site_authors_own_comments_are_imported_as_replies(site: Site):
    """JJ, the blog's owner in the real 2008 export, answers a reader: with JJ as a name of
    the author, that comment is the author's (the digest counts it as an answer)."""
    source = str(REALDATA / "google-blog-converters" / "wordpress-sample2.wxr")
    summary = run_json(site, "import", "wordpress", source, "--author-name", " jj ")
    assert summary["imported"] == 3
    texts = {p.read_text("utf-8") for p in site.feedback.rglob("*.md")}
    mine = [t for t in texts if "Author-Reply: yes" in t]
    assert len(mine) == 1 and "I'll get that fixed soon." in mine[0]
    assert all("Author: journalseditor" in t for t in texts - set(mine))
    # AUTHOR in the settings is a name of the author too.
    other = Site(site.root.parent / "other")
    other.write_conf('AUTHOR = "JJ"\n')
    run_json(other, "import", "wordpress", source)
    assert (
        sum("Author-Reply: yes" in p.read_text("utf-8") for p in other.feedback.rglob("*.md")) == 1
    )
