"""Issue 20: a stranger's hostile text through every door, then the whole pipeline.

A corpus of control characters in every field (NUL, BEL, ESC, DEL, C1 CSI),
ANSI and OSC escapes (colours, screen clear, window title, hyperlinks), rich
markup names (`[/]`, `[/bold]`), huge webmention fields and `javascript:` /
`data:` author URLs is sent to a real receiver on loopback: comment JSON and
form, TrackBack, Pingback and Webmention (source pages on a second loopback
server), and the pelican_comment_system importer. Then: no answer was a 5xx,
`backchannel check` is clean, no stored file holds a control character or an
over-long field, every item approves, the real Pelican build succeeds, every
Atom feed parses (defusedxml, feedparser) and `backchannel digest` succeeds.

Beside it, one test per finding that gave a server error or unbounded work.
"""

from __future__ import annotations

import json
import os
import xmlrpc.client
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import defusedxml.ElementTree as DefusedET
import feedparser
import httpx
import pytest
import receiver_support
from backchannel.field_policy import MAX_AUTHOR_CHARS, MAX_TITLE_CHARS, UNWANTED
from backchannel.model import State, loads
from conftest import Site
from receiver_support import Pages, empty_store, serve_site, wait_for

# The shared module-scoped site (receiver_support.built).
built = receiver_support.built

NAMES = [
    "[/]",
    "[/bold]",
    "[bold red]Mallory[/]",
    "\x1b[31mRed\x1b[0m Reader",
    "\x1b]0;owned title\x07Eve",
    "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\",
    "\x1b[2J\x1b[HClear",
    "Nul\x00Byte",
    "\x01\x02\x7f\x85\x9b\x9d",  # nothing printable: no name at all
    "Bell\x07 and\x08back",
    "Greek Ελένη \u202e",
]
BODIES = [
    "How does this work with Atom feeds?\x1b[0m",
    "Why\x00 does the build\x0b break\x0c here?",
    "\x1b]0;title\x07Text with an OSC title change. What then?",
    "Line one\r\nline two\rline three \x9b31m [/bold] [link=https://x]",
    "\x1b[2J\x1b[3J cleared screen, is that a question?",
    "Plain words with a \x7f DEL and \x85 NEL and \ud7ff edge.",
]
BAD_URLS = ["javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "JaVaScRiPt:x"]


@pytest.fixture
def site(built: Site) -> Iterator[Site]:
    yield built
    empty_store(built)
    for path in item_files(built):  # what a test published (build_site's comment stays)
        path.unlink()


@pytest.fixture
def pages() -> Iterator[Pages]:
    with Pages() as server:
        yield server


def serve(site: Site, **overrides: object):
    return serve_site(site, ALLOW_PRIVATE_ADDRESSES=True, **overrides)


def h_entry(target: str, author: str, author_url: str, title: str, text: str) -> str:
    """A source page whose h-entry says hostile things about its author."""
    return (
        "<!doctype html><html><head><title>"
        + title[:50].replace("<", "&lt;")
        + "</title></head><body><article class='h-entry'>"
        + f"<h1 class='p-name'>{title.replace('<', '&lt;')}</h1>"
        + f"<a class='p-author h-card' href='{author_url}'>{author}</a>"
        + f"<div class='e-content'><p>{text} <a class='u-in-reply-to' href='{target}'>"
        + "the post</a></p></div></article></body></html>"
    )


def item_files(site: Site) -> list[Path]:
    """The item files a test added (not build_site's one published comment)."""
    return sorted(
        p
        for p in site.feedback.rglob("*.md")
        if "digests" not in p.parts and p.stem != "c0ffee000001"
    )


def pingback_body(source: str, target: str, encoding: str | None = None) -> bytes:
    call = xmlrpc.client.dumps((source, target), "pingback.ping")
    if encoding is None:
        return call.encode()
    call = call.partition("?>")[2]  # dumps writes a declaration of its own
    return f'<?xml version="1.0" encoding="{encoding}"?>{call}'.encode("ascii")


def no_server_error(response: httpx.Response, what: str) -> httpx.Response:
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    return response


def pcs_folder(root: Path) -> Path:
    """A pelican_comment_system folder whose comments carry the corpus."""
    folder = root / "comments" / "first-post"
    folder.mkdir(parents=True)
    for n, (name, body) in enumerate(zip(NAMES, BODIES * 2, strict=False)):
        (folder / f"imp{n}.md").write_text(
            f"date: 2026-09-0{n % 9 + 1} 10:00\nauthor: {' '.join(name.split()) or 'x'}\n"
            f"website: {BAD_URLS[n % 3] if n % 2 else 'https://ok.example/' + str(n)}\n\n"
            f"{body} (imported {n})\n",
            "utf-8",
        )
    return root / "comments"


def test_hostile_corpus_through_every_door_then_check_build_feeds_and_digest(
    site: Site, pages: Pages, tmp_path: Path
) -> None:
    huge_author, huge_title = "\x1b[1mA" + "a" * 300_000, "T\x07" + "t" * 500_000
    with serve(site) as base, httpx.Client(timeout=30) as client:
        api, target = f"{base}/backchannel", f"{base}/first-post.html"
        accepted = 0
        for n, (name, body) in enumerate(zip(NAMES, BODIES * 2, strict=False)):
            fields = {"article": "first-post", "author": name, "body": f"{body} #{n}"}
            fields["url"] = "https://reader.example/" + str(n)
            r = no_server_error(client.post(f"{api}/comments", json=fields), f"json {name!r}")
            accepted += r.status_code == 202
            form = {**fields, "body": f"{body} (form) #{n}", "email": f"r{n}@example.org"}
            r = client.post(f"{api}/comments", content=urlencode(form).encode(), headers=FORM)
            no_server_error(r, f"form {name!r}")
            accepted += r.status_code == 303
        # A javascript: website is refused at the door with a reason, never stored.
        for url in BAD_URLS:
            r = client.post(
                f"{api}/comments",
                json={"article": "first-post", "author": "X", "body": f"b {url}", "url": url},
            )
            assert r.status_code == 400 and "http(s) URL" in r.json()["error"]
        assert accepted >= 2 * (len(NAMES) - 1)

        for n, name in enumerate(NAMES):
            form = {
                "url": f"https://tb{n}.example/\x1b[31m",
                "title": f"{name} title\x00",
                "excerpt": f"{BODIES[n % len(BODIES)]}\x1b]0;t\x07",
                "blog_name": name,
            }
            r = client.post(
                f"{api}/trackback/first-post", content=urlencode(form).encode(), headers=FORM
            )
            assert no_server_error(r, f"trackback {name!r}").status_code == 200
            assert "<error>0</error>" in r.text, r.text

        status_urls = []
        sources = [(f"/wm{n}", name, BAD_URLS[n % 3]) for n, name in enumerate(NAMES)]
        for path, name, url in sources:
            pages.add(path, h_entry(target, name, url, f"{name} says\x1b[5m", BODIES[0]))
        pages.add("/wm-huge", h_entry(target, huge_author, BAD_URLS[1], huge_title, BODIES[1]))
        for path in [p for p, _, _ in sources] + ["/wm-huge"]:
            r = client.post(
                f"{api}/webmention",
                content=urlencode({"source": pages.base + path, "target": target}).encode(),
                headers=FORM,
            )
            assert no_server_error(r, f"webmention {path}").status_code == 201
            status_urls.append(r.headers["location"])
        for url in status_urls:
            record = wait_for(
                lambda u=url: (d := client.get(u).json())["status"] != "queued" and d, 60
            )
            assert record["status"] == "verified", record

        for n, name in enumerate(NAMES):
            pages.add(f"/pb{n}", h_entry(target, name, BAD_URLS[n % 3], name, BODIES[2]))
            r = client.post(
                f"{api}/pingback",
                content=pingback_body(pages.base + f"/pb{n}", target),
                headers={"Content-Type": "text/xml"},
            )
            assert no_server_error(r, f"pingback {name!r}").status_code == 200
            assert "<fault>" not in r.text, r.text

    code = site.cli("import", "pelican-comment-system", str(pcs_folder(tmp_path)))
    assert code.returncode == 0, code.stdout + code.stderr

    check = site.cli("check")
    assert check.returncode == 0, check.stdout + check.stderr
    files = item_files(site)
    assert len(files) >= 4 * len(NAMES)
    for path in files:
        text = path.read_text("utf-8")
        assert not UNWANTED.search(text.replace("\n", "").replace("\t", "")), path
        assert "javascript:" not in text.lower() and "data:text" not in text, path
        item = loads(text, path)
        assert len(item.author) <= MAX_AUTHOR_CHARS and len(item.title or "") <= MAX_TITLE_CHARS
        assert item.author.strip()
    huge = [loads(p.read_text("utf-8"), p) for p in files if "aaaa" in p.read_text("utf-8")]
    assert huge and all(i.author_url is None and i.title.startswith("T") for i in huge)

    waiting = [p.stem for p in files if p.parent.name in (State.INBOX, State.SPAM)]
    approve = site.cli("approve", "--no-republish", *waiting)
    assert approve.returncode == 0, approve.stdout + approve.stderr
    assert not any(p.parent.name in ("inbox", "spam") for p in item_files(site))

    site.build()
    feeds = sorted(site.output.rglob("*.xml"))
    assert feeds
    hostile_entries = 0
    for feed in feeds:
        data = feed.read_bytes()
        DefusedET.fromstring(data)  # well-formed XML, no entity tricks
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (feed, parsed.get("bozo_exception"))
        hostile_entries += sum("[/bold]" in e.get("author", "") for e in parsed.entries)
    assert hostile_entries, "the comment feeds carry the hostile names, made harmless"
    page = site.page("first-post")
    assert "[/bold]" in page and "\x1b" not in page and "\x00" not in page

    digest = site.cli("digest")
    assert digest.returncode == 0, digest.stdout + digest.stderr


FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def private_files(site: Site) -> list[str]:
    folder = site.feedback / "private"
    # Per-item private files; the state database (rate limits) is not one.
    names = (p.name for p in folder.iterdir()) if folder.is_dir() else ()
    return sorted(n for n in names if n != "secret" and not n.startswith("state.sqlite3"))


@pytest.mark.parametrize("encoding", ["gbk", "shift_jis", "utf-7", "utf-32", "x-no-such-thing"])
def test_pingback_declaring_an_odd_encoding_is_a_fault_not_a_500(
    site: Site, pages: Pages, encoding: str
) -> None:
    with serve(site) as base:
        body = pingback_body(pages.base + "/nowhere", f"{base}/first-post.html", encoding)
        r = httpx.post(
            f"{base}/backchannel/pingback",
            content=body,
            headers=FORM | {"Content-Type": "text/xml"},
        )
    assert r.status_code == 200, r.text
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(r.content)
    # gbk and shift_jis are read (the source is then not found); the others are parse errors.
    expected = 0x0010 if encoding in ("gbk", "shift_jis") else -32700
    assert info.value.faultCode == expected, info.value.faultString


def test_pingback_in_gbk_is_read_like_utf8(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        pages.add("/cn", h_entry(target, "李雷", "https://li.example/", "标题", "文字"))
        call = xmlrpc.client.dumps((pages.base + "/cn", target), "pingback.ping")
        body = f'<?xml version="1.0" encoding="gbk"?>{call.partition("?>")[2]}'.encode("gbk")
        r = httpx.post(f"{base}/backchannel/pingback", content=body)
    assert "<fault>" not in r.text, r.text
    (path,) = item_files(site)
    assert loads(path.read_text("utf-8")).author == "李雷"


def test_json_nested_30000_deep_is_a_400(site: Site) -> None:
    with serve(site) as base:
        r = httpx.post(
            f"{base}/backchannel/comments",
            content=b"[" * 30000 + b"]" * 30000,
            headers={"Content-Type": "application/json"},
        )
    assert r.status_code == 400 and "nested too deeply" in r.json()["error"]


@pytest.mark.parametrize("as_json", [True, False])
def test_a_non_ascii_token_is_refused_not_a_500(site: Site, as_json: bool) -> None:
    fields = {"article": "first-post", "author": "T", "body": "token test", "token": "1.ü€"}
    with serve(site, MIN_SECONDS_TO_POST=3) as base:
        url = f"{base}/backchannel/comments"
        r = httpx.post(url, json=fields) if as_json else httpx.post(url, data=fields)
    assert r.status_code == 400, r.text
    assert "invalid form token" in r.text
    assert item_files(site) == [] and private_files(site) == []


@pytest.mark.parametrize("charset", ["unicode_escape", "raw_unicode_escape", "utf-7", "utf-16"])
def test_an_escape_charset_is_a_400_and_leaves_no_private_file(site: Site, charset: str) -> None:
    body = b"article=first-post&author=U&body=%5Cud800+lone+surrogate+%5Cx1b"
    with serve(site) as base:
        r = httpx.post(
            f"{base}/backchannel/comments",
            content=body,
            headers={"Content-Type": f"application/x-www-form-urlencoded; charset={charset}"},
        )
    assert r.status_code == 400 and "charset" in r.text, r.text
    assert item_files(site) == [] and private_files(site) == []


def test_a_comment_whose_text_is_only_control_characters_is_refused(site: Site) -> None:
    with serve(site) as base:
        url = f"{base}/backchannel/comments"
        empty_name = httpx.post(
            url, json={"article": "first-post", "author": "\x1b\x00", "body": "b"}
        )
        empty_body = httpx.post(url, json={"article": "first-post", "author": "a", "body": "\x07"})
    assert empty_name.status_code == 400 and "author" in empty_name.json()["error"]
    assert empty_body.status_code == 400 and "body" in empty_body.json()["error"]
    assert item_files(site) == [] and private_files(site) == []


def test_host_header_never_reaches_the_303_location(site: Site) -> None:
    fields = {"article": "first-post", "author": "H", "body": "host test"}
    with serve(site) as base:
        r = httpx.post(
            f"{base}/backchannel/comments", data=fields, headers={"Host": "evil.example"}
        )
    assert r.status_code == 303
    assert "evil.example" not in r.headers["location"]
    assert r.headers["location"] == f"{base}/first-post.html#comment-pending"


def test_reply_form_reads_one_article_folder_not_the_whole_store(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    """F6: GET /comments/new?parent= listed every article folder (on the event loop)."""
    for n in range(30):
        site.item("published", f"other-{n}", f"0dd{n:09d}", "x")  # folders, unreadable files
    listed: list[str] = []
    real_scandir, real_listdir = os.scandir, os.listdir

    def scandir(path: object = ".") -> object:
        listed.append(str(path))
        return real_scandir(path)  # type: ignore[arg-type]

    def listdir(path: object = ".") -> list[str]:
        listed.append(str(path))
        return real_listdir(path)  # type: ignore[arg-type]

    try:
        with serve(site) as base:
            monkeypatch.setattr(os, "scandir", scandir)
            monkeypatch.setattr(os, "listdir", listdir)
            r = httpx.get(
                f"{base}/backchannel/comments/new",
                params={"article": "first-post", "parent": "c0ffee000001"},
            )
            monkeypatch.undo()
        assert r.status_code == 200 and "Ada Reader" in r.text  # the quoted parent
        assert not [p for p in listed if "published" in p], listed
    finally:
        for n in range(30):
            folder = site.feedback / "published" / f"other-{n}"
            for path in folder.iterdir():
                path.unlink()
            folder.rmdir()


def test_reply_form_is_rate_limited(site: Site) -> None:
    with serve(site, RATE_LIMIT="3/minute") as base:
        url = f"{base}/backchannel/comments/new?article=first-post&parent=c0ffee000001"
        answers = [httpx.get(url) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["retry-after"]) >= 1


def test_webmention_with_huge_fields_and_javascript_author_is_valid_and_approvable(
    site: Site, pages: Pages
) -> None:
    """F7/F8 on their own: the stored item is capped, has no author URL, and approves."""
    with serve(site) as base:
        target = f"{base}/first-post.html"
        pages.add("/big", h_entry(target, "W" * 300_000, BAD_URLS[0], "T" * 500_000, "hi"))
        r = httpx.post(
            f"{base}/backchannel/webmention",
            data={"source": pages.base + "/big", "target": target},
        )
        status = wait_for(
            lambda: (d := httpx.get(r.headers["location"]).json())["status"] != "queued" and d, 60
        )
    assert status["status"] == "verified", status["reason"]
    (path,) = item_files(site)
    assert path.stat().st_size < 2000
    item = loads(path.read_text("utf-8"), path)
    assert len(item.author) == MAX_AUTHOR_CHARS and len(item.title) == MAX_TITLE_CHARS
    assert item.author_url is None
    assert site.cli("check").returncode == 0
    inbox = site.cli("inbox", "--json")
    assert item.id in inbox.stdout
    approve = site.cli("approve", "--no-republish", item.id)
    assert approve.returncode == 0, approve.stderr
    published = site.feedback / "published" / "first-post" / path.name
    published.unlink()


def test_deeply_nested_source_pages_are_refused_with_a_reason(site: Site, pages: Pages) -> None:
    """A source nested 30,000 deep (HTML or JSON) ended in RecursionError: now a clear refusal."""
    with serve(site) as base:
        target = f"{base}/first-post.html"
        deep = "<div>" * 30000 + f"<a href='{target}'>x</a>" + "</div>" * 30000
        pages.add("/deep.html", deep)
        pages.add(
            "/deep.json",
            "[" * 30000 + json.dumps(target) + "]" * 30000,
            content_type="application/json",
        )
        pb = httpx.post(
            f"{base}/backchannel/pingback",
            content=pingback_body(pages.base + "/deep.html", target),
            timeout=120,
        )
        statuses = []
        for source in ("/deep.html", "/deep.json"):
            wm = httpx.post(
                f"{base}/backchannel/webmention",
                data={"source": pages.base + source, "target": target},
            )
            statuses.append(
                wait_for(
                    lambda u=wm.headers["location"]: (
                        (d := httpx.get(u).json())["status"] != "queued" and d
                    ),
                    120,
                )
            )
    assert pb.status_code == 200, pb.text
    with pytest.raises(xmlrpc.client.Fault) as info:
        xmlrpc.client.loads(pb.content)
    assert info.value.faultCode == 0x0010 and "nested" in info.value.faultString
    html_status, json_status = statuses
    assert html_status["status"] == "rejected" and "nested" in html_status["reason"]
    # JSON too deep for the decoder is searched as text: the URL is found.
    assert json_status["status"] == "verified", json_status["reason"]
    assert site.cli("check").returncode == 0
