"""Hostile comments, approved and built, opened in a real headless Chromium.

Every XSS vector in data/xss_vectors.txt (script, event handlers, javascript:/data:
URLs, SVG, broken markup, unicode tricks: zero-width and bidi characters,
fullwidth and homoglyph schemes) goes into a comment body, an author
name, an author URL, a linkback title and excerpt; the built page is loaded in
Chromium and the test fails if any script ran (a dialog opened or the page set
window.__xss) or any dangerous attribute survived in the DOM.
"""

from __future__ import annotations

import pytest
from conftest import DATA

pytestmark = pytest.mark.browser

VECTORS = (DATA / "xss_vectors.txt").read_text("utf-8").splitlines()
EXTRA = [
    '<img src=x onerror="window.__xss=1">',
    "<svg><script>window.__xss=1</script></svg>",
    "[x](javascript:window.__xss=1)",
    # Multi-line vectors: Markdown reference links and a scheme split by a newline.
    "[ref][r] and ![img][r]\n\n[r]: javascript:window.__xss=1",
    "[ref][s]\n\n[s]: <java\u200bscript:window.__xss=1> 'title'",
    '<a href="java\nscript:window.__xss=1">newline in the scheme</a>',
    "```\n</code></pre><script>window.__xss=1</script>\n```",
    "<div>\n\n<img src=x onerror=window.__xss=1>\n\n</div>",
]


def item(kind: str, item_id: str, body: str, author: str, extra: str = "") -> str:
    return (
        f"Id: {item_id}\nKind: {kind}\nArticle: post\nAuthor: {author}\n"
        f"Date: 2026-10-02T10:00:00+00:00\n{extra}Origin: receiver\n\n{body}\n"
    )


def launch(playwright, chromium_path):
    return playwright.chromium.launch(
        executable_path=chromium_path,
        args=[
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--disable-sync",
        ],
    )


def test_no_script_runs_and_no_dangerous_attribute_survives(site, chromium):
    site.article("post")
    for n, vector in enumerate(VECTORS + EXTRA):
        one_line = " ".join(vector.split()) or "x"
        site.item(
            "published",
            "post",
            f"c{n:011d}",
            item(
                "comment",
                f"c{n:011d}",
                f"Vector {n}: {vector}",
                one_line,
                extra='Author-Url: https://ok.example/?q="><script>window.__xss=1</script>\n',
            ),
        )
        site.item(
            "published",
            "post",
            f"w{n:011d}",
            item(
                "webmention",
                f"w{n:011d}",
                vector,
                one_line,
                extra=f"Source: https://src.example/{n}\nTitle: {one_line}\nMention-Type: reply\n",
            ),
        )
    site.build()
    assert_page_is_inert(chromium, site.output / "post.html", len(VECTORS + EXTRA))


BAD_DOM = """() => {
    // The browser's own URL parser decides what a link would run, zero-width and all.
    const scheme = (v) => { try { return new URL(v, document.baseURI).protocol; }
                            catch (e) { return ''; } };
    const found = [];
    for (const el of document.querySelectorAll('.comments *, .linkbacks *')) {
        for (const a of el.attributes) {
            const urlish = ['href', 'src', 'action', 'xlink:href', 'formaction', 'data',
                            'poster', 'background', 'srcset'].includes(a.name);
            if (a.name.startsWith('on') || a.name === 'style' || a.name === 'srcdoc'
                || (urlish && ['javascript:', 'vbscript:', 'data:'].includes(scheme(a.value))))
                found.push(el.tagName + ' ' + a.name + '=' + a.value);
        }
        if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'STYLE', 'BASE',
             'META', 'LINK', 'FORM', 'TEXTAREA', 'XMP', 'PLAINTEXT', 'TITLE', 'NOSCRIPT',
             'TEMPLATE'].includes(el.tagName.toUpperCase())
            && !el.closest('#comment-form'))
            found.push(el.tagName);
    }
    return found;
}"""


def assert_page_is_inert(chromium: str, page_file, comments: int) -> None:
    """Open the built page in Chromium: no script ran, no dangerous attribute, page intact."""
    from playwright.sync_api import sync_playwright

    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = launch(p, chromium)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(page_file.as_uri())
            page.wait_for_timeout(300)
            assert page.evaluate("window.__xss === undefined")
            # Every comment is its own element: no vector swallowed the rest of the page.
            assert page.locator("article.comment").count() == comments
            assert page.evaluate("() => document.querySelectorAll('footer').length") >= 1
            assert page.evaluate(BAD_DOM) == []
        finally:
            browser.close()
    assert dialogs == []


def test_posted_through_the_receiver_approved_and_built(site, chromium):
    """The real path: POSTed as comments, approved with the CLI, built by Pelican."""
    import httpx
    from backchannel.receiver.server import create_app
    from receiver_support import free_port, running, settings_for

    site.article("post")
    site.build()
    port = free_port()
    settings = settings_for(site.conf, port, RATE_LIMIT=None, MIN_SECONDS_TO_POST=0, MAX_LINKS=99)
    vectors = VECTORS + EXTRA
    ids = []
    with running(create_app(settings, site.output), port) as base, httpx.Client() as client:
        for n, vector in enumerate(vectors):
            r = client.post(
                f"{base}/backchannel/comments",
                json={
                    "article": "post",
                    "author": " ".join(vector.split())[:90] or "x",
                    "body": f"Vector {n}: {vector}",
                    "url": f"https://ok.example/{n}?q=%22%3E%3Cscript%3Ewindow.__xss=1%3C/script%3E",
                },
            )
            assert r.status_code == 202, (n, r.text)
            assert "<script" not in r.json()["html"].lower()
            ids.append(r.json()["id"])
    approve = site.cli("approve", "--no-republish", *ids)
    assert approve.returncode == 0, approve.stderr
    site.build()
    assert_page_is_inert(chromium, site.output / "post.html", len(vectors))
