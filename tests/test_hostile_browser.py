"""Hostile comments, approved and built, opened in a real headless Chromium.

Every XSS vector in data/xss_vectors.txt goes into a comment body, an author
name, an author URL, a linkback title and excerpt; the built page is loaded in
Chromium and the test fails if any script ran (a dialog opened or the page set
window.__xss) or any dangerous attribute survived in the DOM.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

VECTORS = (Path(__file__).parent / "data" / "xss_vectors.txt").read_text("utf-8").splitlines()
EXTRA = [
    '<img src=x onerror="window.__xss=1">',
    "<svg><script>window.__xss=1</script></svg>",
    "[x](javascript:window.__xss=1)",
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
    from playwright.sync_api import sync_playwright

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
    page_file = site.output / "post.html"
    dialogs: list[str] = []
    with sync_playwright() as p:
        browser = launch(p, chromium)
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(page_file.as_uri())
            page.wait_for_timeout(300)
            assert page.evaluate("window.__xss === undefined")
            comments = page.locator("article.comment").count()
            assert comments == len(VECTORS + EXTRA)
            bad = page.evaluate("""() => {
                const found = [];
                for (const el of document.querySelectorAll('.comments *, .linkbacks *')) {
                    for (const a of el.attributes) {
                        const v = a.value.trim().toLowerCase();
                        if (a.name.startsWith('on') || a.name === 'style' || a.name === 'srcdoc'
                            || ((a.name === 'href' || a.name === 'src' || a.name === 'action')
                                && /^(javascript|vbscript|data):/.test(v.replace(/\\s/g, ''))))
                            found.push(el.tagName + ' ' + a.name + '=' + a.value);
                    }
                    if (['SCRIPT', 'IFRAME', 'OBJECT', 'EMBED', 'SVG', 'MATH', 'STYLE', 'BASE',
                         'META', 'LINK', 'FORM'].includes(el.tagName.toUpperCase())
                        && !el.closest('#comment-form'))
                        found.push(el.tagName);
                }
                return found;
            }""")
            assert bad == []
        finally:
            browser.close()
    assert dialogs == []
