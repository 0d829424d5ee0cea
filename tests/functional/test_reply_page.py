"""The no-JS reply page and form errors over real HTTP, and the reply page in headless Chromium.

The pages wear the site's theme (stylesheet, header linking home), quote the
published comment being answered, give back everything typed when a comment is
refused, and show that refusal in an error box, never in the green "thanks" one.
"""

from __future__ import annotations

import html
import re

import httpx
import pytest
import receiver_support
from conftest import Site
from receiver_support import (
    inbox_files,
    serve_site,
)

# The shared module-scoped site (receiver_support.built) and its per-test reset.
built, site = receiver_support.built, receiver_support.site

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"]
INBOX_COMMENT = """Id: 1ab0c0000001
Kind: comment
Article: first-post
Author: Not Yet Public
Date: 2026-09-02T11:00:00+00:00
Origin: receiver

Held for moderation: nobody may read this yet.
"""
TYPED = {
    "article": "first-post",
    "parent": "c0ffee000001",
    "token": "",
    "author": 'Zoë "<b>Bold</b>"',
    "url": "https://zoe.example/?a=1&b=2",
    "email": "not-an-address",
    "notify": "1",
    "body": 'Line one & <script>alert("x")</script>\nLine two, "quoted".',
    "homepage": "",
}


# The receiver beside the built site (receiver_support.serve_site).
serve = serve_site


def value_of(page: str, name: str) -> str:
    """The unescaped value of the input named `name`."""
    match = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page, re.S)
    assert match, name
    return html.unescape(match.group(1))


def textarea(page: str) -> str:
    """The unescaped text of the comment textarea."""
    match = re.search(r'<textarea[^>]*name="body"[^>]*>(.*?)</textarea>', page, re.S)
    assert match
    return html.unescape(match.group(1))


def assert_themed(page: str) -> None:
    """The site's stylesheet and a header linking home, as on the article pages."""
    assert '<link rel="stylesheet" href="/theme/css/backchannel.css">' in page
    assert '<header class="site-header">' in page
    assert '<a href="/" rel="home">Test Site</a>' in page
    assert '<main id="content"' in page


def test_reply_page_is_themed_and_quotes_the_published_comment(site: Site) -> None:
    with serve(site) as base:
        page = httpx.get(
            f"{base}/backchannel/comments/new",
            params={"article": "first-post", "parent": "c0ffee000001"},
        )
    assert page.status_code == 200
    assert_themed(page.text)
    quote = page.text.split('<figure class="reply-quote">', 1)[1].split("</figure>", 1)[0]
    # As the article page renders it: Markdown applied, the script gone, the name escaped.
    assert "<strong>work</strong>" in quote and "Ada Reader" in quote
    assert "<script" not in page.text and "alert(1)" not in page.text
    assert 'id="comment-form"' in page.text and 'role="alert"' not in page.text


def test_a_comment_still_in_the_inbox_is_not_quoted(site: Site) -> None:
    site.item("inbox", "first-post", "1ab0c0000001", INBOX_COMMENT)
    with serve(site) as base:
        page = httpx.get(
            f"{base}/backchannel/comments/new",
            params={"article": "first-post", "parent": "1ab0c0000001"},
        )
    assert page.status_code == 200
    assert value_of(page.text, "parent") == "1ab0c0000001"
    assert "reply-quote" not in page.text and "nobody may read this" not in page.text
    assert "Not Yet Public" not in page.text


def test_a_refused_form_comes_back_with_everything_typed_and_an_error_box(site: Site) -> None:
    with serve(site) as base:
        r = httpx.post(f"{base}/backchannel/comments", data=TYPED)
    assert r.status_code == 400 and "text/html" in r.headers["content-type"]
    assert_themed(r.text)
    for name in ("author", "url", "email", "article", "parent"):
        assert value_of(r.text, name) == TYPED[name], name
    assert textarea(r.text) == TYPED["body"]
    assert re.search(r'name="notify"[^>]*checked', r.text)
    assert "<script>" not in r.text and "<b>Bold" not in r.text  # given back as text
    box = re.search(r'<div class="notice is-visible error" role="alert">([^<]*)</div>', r.text)
    assert box and "not an e-mail address" in html.unescape(box.group(1))
    assert 'role="status"' not in r.text  # never the green "thanks" box
    assert "<strong>work</strong>" in r.text  # still quoting the comment answered
    assert value_of(r.text, "token")  # a fresh token to send again with
    assert inbox_files(site) == []


def test_too_fast_keeps_the_token_and_the_text_and_can_be_sent_again(site: Site) -> None:
    with serve(site, MIN_SECONDS_TO_POST=30) as base:
        page = httpx.get(f"{base}/backchannel/comments/new", params={"article": "first-post"})
        token = value_of(page.text, "token")
        fields = {**TYPED, "email": "zoe@example.org", "parent": "", "token": token}
        r = httpx.post(f"{base}/backchannel/comments", data=fields)
    assert r.status_code == 429
    assert "wait" in r.text and 'role="alert"' in r.text
    # The wait counts from when the form was opened, not from the error page.
    assert value_of(r.text, "token") == token
    assert textarea(r.text) == TYPED["body"] and value_of(r.text, "email") == "zoe@example.org"


def test_rate_limited_form_keeps_the_text(site: Site) -> None:
    with serve(site, RATE_LIMIT="1/minute") as base:
        fields = {**TYPED, "email": "", "parent": ""}
        first = httpx.post(f"{base}/backchannel/comments", data=fields)
        second = httpx.post(f"{base}/backchannel/comments", data={**fields, "body": "Again."})
    assert first.status_code == 303
    assert second.status_code == 429 and int(second.headers["retry-after"]) >= 1
    assert textarea(second.text) == "Again." and 'role="alert"' in second.text


def test_error_pages_are_themed_errors(site: Site) -> None:
    with serve(site) as base:
        unknown = httpx.get(f"{base}/backchannel/comments/new", params={"article": "nope"})
        post = httpx.post(f"{base}/backchannel/comments", data={**TYPED, "article": "nope"})
    for r in (unknown, post):
        assert r.status_code == 404
        assert_themed(r.text)
        assert '<div class="notice is-visible error" role="alert">' in r.text
        assert 'role="status"' not in r.text


def test_reply_page_in_chromium_axe_clean_and_the_error_box_is_not_green(
    site: Site, chromium: str
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    axe = pytest.importorskip("axe_playwright_python.sync_playwright")
    with serve(site) as base, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(f"{base}/backchannel/comments/new?article=first-post&parent=c0ffee000001")
            page.fill("#cf-author", "Zoë")
            page.fill("#cf-email", "zoe@example.org")
            page.fill("#cf-body", "A long reply I do not want to type twice.")
            # The browser's own check would stop an invalid URL; the receiver's is tested.
            page.evaluate("document.querySelector('#cf-url').type = 'text'")
            page.fill("#cf-url", "ftp://zoe.example")
            with page.expect_navigation():
                page.click("#comment-form button[type=submit]")
            assert page.input_value("#cf-body") == "A long reply I do not want to type twice."
            assert page.input_value("#cf-author") == "Zoë"
            error_bg = page.evaluate(
                "getComputedStyle(document.querySelector('[role=alert]')).backgroundColor"
            )
            page.goto(f"{base}/first-post.html#comment-pending")
            thanks_bg = page.evaluate(
                "getComputedStyle(document.querySelector('#comment-pending')).backgroundColor"
            )
            assert error_bg != thanks_bg and error_bg not in ("", "rgba(0, 0, 0, 0)")

            checked = browser.new_context().new_page()
            checked.goto(f"{base}/backchannel/comments/new?article=first-post&parent=c0ffee000001")
            results = axe.Axe().run(checked)
            violations = [v["id"] for v in results.response["violations"]]
            assert violations == []
        finally:
            browser.close()


def test_the_reply_page_says_which_html_is_allowed() -> None:
    """The no-JS form's help names the sanitizer's own tags, as the article page does."""
    from backchannel.build.render import ALLOWED_TAGS, LINK_REL
    from backchannel.receiver.pages import reply_form_page

    html = reply_form_page(
        action="/c",
        article="a",
        article_title="A",
        article_url="/a.html",
        parent="",
        quote=None,
        token="t",
        siteurl="",
        site_name="S",
    )
    for tag in ALLOWED_TAGS:
        assert f"<code>&lt;{tag}&gt;</code>" in html
    assert f'rel="{LINK_REL}"' in html and "Markdown supported." not in html
