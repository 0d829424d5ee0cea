"""Issue 19's protocol corners over real HTTP: 201 + Location, 410 tombstones, links in
JSON and text sources, the exact target, Pingback 0x21, declared form charsets, and
the TrackBack RDF early in the page."""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from functools import partial

import httpx
import pytest
import receiver_support
from backchannel.model import loads
from conftest import Site
from receiver_support import (
    Pages,
    build_site,
    inbox_files,
    serve_site,
    wait_for,
)

# The shared module-scoped site (receiver_support.built) and its per-test reset.
built, site = receiver_support.built, receiver_support.site


@pytest.fixture
def pages() -> Iterator[Pages]:
    with Pages() as server:
        yield server


# The receiver beside the built site (receiver_support.serve_site).
serve = partial(serve_site, ALLOW_PRIVATE_ADDRESSES=True)


def items(site: Site):
    return [loads(p.read_text("utf-8"), p) for p in inbox_files(site)]


def webmention(base: str, source: str, target: str) -> dict:
    r = httpx.post(f"{base}/backchannel/webmention", data={"source": source, "target": target})
    assert r.status_code == 201, r.text  # Webmention 3.2.1: a status URL comes with 201
    assert r.headers["location"] == r.json()["status_url"]

    def finished() -> dict | None:
        data = httpx.get(r.headers["location"]).json()
        return data if data["status"] != "queued" else None

    return wait_for(finished)


def test_webmention_with_a_status_url_answers_201_created(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        source = pages.add("/a", f'<p>See <a href="{target}">this</a>.</p>')
        assert webmention(base, source, target)["status"] == "verified"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ('{"url":"TARGET","n":1}', "application/json"),
        ('{"links":["TARGET"]}', "application/activity+json"),
        ('{"url":"TARGET_ESCAPED"}', "application/json"),
        ("<?php $see = 'TARGET_ESCAPED'; ?>", "text/plain"),
        ("See TARGET.", "text/plain"),
        ("(about TARGET), and more", "text/plain"),
    ],
)
def test_links_in_json_and_text_sources_count(
    site: Site, pages: Pages, body: str, content_type: str
) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        text = body.replace("TARGET_ESCAPED", target.replace("/", "\\/")).replace("TARGET", target)
        source = pages.add("/src", text, content_type=content_type)
        status = webmention(base, source, target)
    assert status["status"] == "verified", status["reason"]


def test_a_link_with_another_query_is_not_the_target(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        source = pages.add("/utm", f'<a href="{target}?utm=1">tracked</a>')
        status = webmention(base, source, target)
        assert status["status"] == "rejected" and "does not link" in status["reason"]
        # Another URL of the same article (an alias), or the target with a fragment, counts.
        alias = pages.add("/alias", f'<a href="{base}/old-first">old</a>')
        assert webmention(base, alias, target)["status"] == "verified"
        anchored = pages.add("/anchor", f'<a href="{target}#comments">comments</a>')
        assert webmention(base, anchored, target)["status"] == "verified"


def fault(base: str, source: str, target: str) -> int:
    import xmlrpc.client

    try:
        xmlrpc.client.ServerProxy(f"{base}/backchannel/pingback").pingback.ping(source, target)
    except xmlrpc.client.Fault as exc:
        return exc.faultCode
    return 0


def test_pingback_to_an_existing_page_that_is_no_article_is_0x21(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        source = pages.add("/pb", f'<a href="{base}/">home</a> <a href="{base}/archives.html">')
        codes = {
            "home": fault(base, source, f"{base}/"),
            "archives": fault(base, source, f"{base}/archives.html"),
            "missing": fault(base, source, f"{base}/nope.html"),
            "escape": fault(base, source, f"{base}/../../etc/passwd"),
        }
    assert codes == {"home": 0x21, "archives": 0x21, "missing": 0x20, "escape": 0x20}


LATIN1 = {"Content-Type": "application/x-www-form-urlencoded; charset=iso-8859-1"}


def test_trackback_form_decoded_in_its_declared_charset(site: Site) -> None:
    body = (
        "title=Caf%E9&url=https%3A%2F%2Fblog.example%2Fcafe%2F&blog_name=Cr%E8me&excerpt=D%E9j%E0"
    )
    with serve(site) as base:
        r = httpx.post(f"{base}/backchannel/trackback/first-post", content=body, headers=LATIN1)
    assert "<error>0</error>" in r.text
    [item] = items(site)
    assert (item.title, item.author, item.body) == ("Café", "Crème", "Déjà")


def test_comment_form_decoded_in_its_declared_charset(site: Site) -> None:
    body = "article=first-post&author=Ren%E9&body=Tr%E8s+bien%2C+merci."
    with serve(site) as base:
        r = httpx.post(f"{base}/backchannel/comments", content=body, headers=LATIN1)
    assert r.status_code == 303, r.text
    [item] = items(site)
    assert (item.author, item.body) == ("René", "Très bien, merci.")


def test_webmention_form_decoded_in_its_declared_charset(site: Site, pages: Pages) -> None:
    with serve(site) as base:
        target = f"{base}/first-post.html"
        source = pages.add("/caf\u00e9", f'<a href="{target}">x</a>')
        body = f"source={pages.base}/caf%E9&target={target}"
        r = httpx.post(f"{base}/backchannel/webmention", content=body, headers=LATIN1)
        assert r.status_code == 201, r.text
        assert httpx.get(r.headers["location"]).json()["source"] == source


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/trackback/first-post", "title=x&url=https%3A%2F%2Fb.example%2F"),
        ("/webmention", "source=https%3A%2F%2Fb.example%2F&target=x"),
        ("/comments", "article=first-post&author=A&body=b"),
    ],
)
def test_an_unknown_or_wrong_charset_is_a_clear_400(site: Site, path: str, body: str) -> None:
    with serve(site) as base:
        unknown = httpx.post(
            f"{base}/backchannel{path}",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=klingon-8"},
        )
        wrong = httpx.post(
            f"{base}/backchannel{path}",
            content=body + "&x=%FF%FE%FD",
            headers={"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"},
        )
    for r, words in ((unknown, "unknown charset 'klingon-8'"), (wrong, "not valid utf-8")):
        if path.startswith("/trackback"):  # TrackBack 1.2's own error form, never a 5xx
            assert r.status_code == 200 and "<error>1</error>" in r.text
        else:
            assert r.status_code == 400, (r.status_code, r.text)
        assert words in html.unescape(r.text), r.text


def test_trackback_rdf_within_the_first_30_lines(tmp_path) -> None:
    """PEAR's Services_Trackback reads a page's first 30 lines, whatever feeds the site has."""
    site = Site(tmp_path / "site")
    site.write_conf(
        """
        FEED_DOMAIN = "https://example.org"
        FEED_ALL_ATOM = "feeds/all.atom.xml"
        FEED_ALL_RSS = "feeds/all.rss.xml"
        FEED_ATOM = "feeds/atom.xml"
        FEED_RSS = "feeds/rss.xml"
        CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
        CATEGORY_FEED_RSS = "feeds/{slug}.rss.xml"
        TAG_FEED_ATOM = "feeds/tag-{slug}.atom.xml"
        TAG_FEED_RSS = "feeds/tag-{slug}.rss.xml"
        """
    )
    site.article("first-post", title="First Post", extra="Authors: A, B")
    site.build()
    head = site.page("first-post").splitlines()[:30]
    assert any("</rdf:RDF>" in line for line in head)
    assert any("trackback:ping=" in line for line in head)


def test_a_deleted_post_answers_410_and_its_webmentions_are_deleted(tmp_path) -> None:
    """webmention.rocks' delete test, with `backchannel serve` on both ends."""
    site = build_site(Site(tmp_path / "site"))
    with serve(site) as base:
        target = f"{base}/first-post.html"
        source = f"{base}/second-post.html"
        (site.content / "second-post.md").write_text(
            (site.content / "second-post.md").read_text("utf-8")
            + f"\nI answer [the first post]({target}).\n",
            "utf-8",
        )
        site.build()
        assert webmention(base, source, target)["status"] == "verified"
        assert len(items(site)) == 1
        (site.content / "second-post.md").unlink()
        site.build()
        manifest = json.loads((site.output / "backchannel-articles.json").read_text("utf-8"))
        assert [d["id"] for d in manifest["deleted"]] == ["second-post"]
        gone = httpx.get(source)
        assert gone.status_code == 410 and httpx.head(source).status_code == 410
        assert httpx.get(target).status_code == 200
        status = webmention(base, source, target)
    assert status["status"] == "deleted" and "410" in status["reason"]
    assert items(site) == []
    # The post comes back: no longer a tombstone.
    site.article("second-post", title="Second Post", date="2026-09-03 10:00")
    site.build()
    manifest = json.loads((site.output / "backchannel-articles.json").read_text("utf-8"))
    assert manifest["deleted"] == []


def test_tombstones_survive_a_build_that_deletes_the_output_folder(tmp_path) -> None:
    """publishconf.py sets DELETE_OUTPUT_DIRECTORY: the tombstones must outlive it."""
    site = build_site(Site(tmp_path / "site"))
    site.write_conf("DELETE_OUTPUT_DIRECTORY = True\n")
    site.build()
    (site.content / "second-post.md").unlink()
    site.build()
    manifest = json.loads((site.output / "backchannel-articles.json").read_text("utf-8"))
    assert [d["id"] for d in manifest["deleted"]] == ["second-post"]
    site.build()  # and the build after that still knows
    manifest = json.loads((site.output / "backchannel-articles.json").read_text("utf-8"))
    assert [d["id"] for d in manifest["deleted"]] == ["second-post"]
