"""The moderation page in headless Chromium: a 390 px phone without JavaScript, and axe-core.

The author signs in, approves one comment and replies to another; both are on
the article page as soon as the click's page has loaded (the decision republishes
inside the request; how fast is measured in bench/, not asserted here). axe-core (shipped inside
axe-playwright-python, nothing fetched) finds no violation on the sign-in page,
the inbox and an e-mail link's confirmation page.
"""

from __future__ import annotations

import httpx
import pytest
from admin_support import PASSWORD, admin_site, inbox_item, serving
from backchannel.moderation.admin_tokens import one_click_url
from backchannel.store import Store
from conftest import DATA, Site
from receiver_support import Pages, free_port

pytestmark = [pytest.mark.browser, pytest.mark.timeout(240)]

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
FORGED = """<!doctype html><html lang="en"><title>Win</title>
<form method="post" action="{target}"><input name="action" value="approve">
<button>Claim your prize</button></form></html>"""


def assert_on_article(http: httpx.Client, base: str, needles: list[str]) -> None:
    """The built article page holds every needle now: no waiting, no retry."""
    html = http.get(f"{base}/first-post.html").text
    missing = [n for n in needles if n not in html]
    assert not missing, f"not on the article page when the moderation page answered: {missing}"


def axe_violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {[n['target'] for n in v['nodes']]}" for v in results.response["violations"]
    ]


def test_sign_in_approve_and_reply_on_a_phone_without_javascript(site: Site, chromium: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    port = free_port()
    admin_site(site, port)
    with (
        serving(site, port) as served,
        sync_api.sync_playwright() as pw,
        httpx.Client(timeout=5) as http,  # made before the clicks: a client's set-up is slow
    ):
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            context = browser.new_context(java_script_enabled=False, viewport=PHONE)
            page = context.new_page()
            page.goto(served.admin)
            assert page.url == served.admin + "/signin"
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]:has-text('Sign in')")
            assert page.url == served.admin
            assert page.is_visible("#item-c00000000001")
            # Everything fits the phone's width: no sideways scrolling.
            box = page.locator("#item-c00000000003").bounding_box()
            assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390

            with page.expect_navigation():
                page.click("#item-c00000000001 button[name=action][value=approve]")
            assert_on_article(http, served.base, ['id="comment-c00000000001"'])
            assert "approved c00000000001" in page.inner_text("[role=status]")
            assert page.locator("#item-c00000000001").count() == 0

            page.fill("#item-c00000000004 textarea[name=body]", "Thanks, Dee: more next week.")
            with page.expect_navigation():
                page.click("#item-c00000000004 form:has(textarea) button[type=submit]")
            assert_on_article(
                http, served.base, ['id="comment-c00000000004"', "Thanks, Dee: more next week."]
            )
            assert "replied to c00000000004" in page.inner_text("[role=status]")

            # The reader sees both on the article page.
            reader = browser.new_context(java_script_enabled=False, viewport=PHONE).new_page()
            reader.goto(f"{served.base}/first-post.html")
            assert reader.is_visible("#comment-c00000000001")
            assert reader.is_visible("#comment-c00000000004")
            assert "Thanks, Dee: more next week." in reader.inner_text("body")

            # axe-core, with script on (axe is a script), in the same session.
            state = context.storage_state()
            checked = browser.new_context(viewport=PHONE, storage_state=state).new_page()
            checked.goto(served.admin)
            assert checked.locator("article.item").count() == 3
            assert checked.evaluate("document.documentElement.scrollWidth") <= 390
            assert axe_violations(checked) == []
            # A forged form on another page, submitted from the signed-in browser: from
            # another site the Strict cookie stays home (401); from the same site (another
            # port) it goes along, and the missing CSRF token refuses it (403).
            for host, status in (("localhost", 401), ("127.0.0.1", 403)):
                with Pages(host) as evil:
                    target = f"{served.admin}/items/c00000000005"
                    url = evil.add("/win.html", FORGED.format(target=target))
                    checked.goto(url)
                    with checked.expect_response(target) as response:
                        checked.click("button")
                    assert response.value.status == status, host
            assert (site.feedback / "inbox" / "c00000000005.md").exists()
            anonymous = browser.new_context(viewport=PHONE).new_page()
            anonymous.goto(served.admin + "/signin")
            assert axe_violations(anonymous) == []
            link = one_click_url(served.settings, Store(site.feedback), "c00000000005", "approve")
            anonymous.goto(link)
            assert "Approve this comment?" in anonymous.content()
            assert axe_violations(anonymous) == []
            assert anonymous.evaluate("document.documentElement.scrollWidth") <= 390
        finally:
            browser.close()


VECTORS = (DATA / "xss_vectors.txt").read_text("utf-8").splitlines()
# Inside each inbox item: nothing a stranger wrote may become an element or an attribute.
BAD_DOM = """() => {
    const found = [];
    for (const el of document.querySelectorAll('article.item *')) {
        for (const a of el.attributes)
            if (a.name.startsWith('on') || a.name === 'style' || a.name === 'srcdoc'
                || (a.name === 'href' && !/^(https?:|\\/)/.test(a.value)))
                found.push(el.tagName + ' ' + a.name + '=' + a.value);
        if (!['H2', 'P', 'A', 'CODE', 'DIV', 'BLOCKQUOTE', 'FORM', 'INPUT', 'BUTTON',
              'LABEL', 'TEXTAREA'].includes(el.tagName))
            found.push(el.tagName);
    }
    return found;
}"""


def test_strangers_text_stays_text_on_the_moderation_page(site: Site, chromium: str) -> None:
    """Every XSS vector as a name and a body, the page opened with its CSP bypassed:
    only escaping stands between the vector and the author's session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    port = free_port()
    store = admin_site(site, port)
    for n, vector in enumerate(VECTORS, start=10):
        name = " ".join(vector.split())[:100] or "x"
        store.add(inbox_item(n, name, f"Vector {n}: {vector}\n\nEnd {n}."))
    with serving(site, port) as served, sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            context = browser.new_context(bypass_csp=True)
            page = context.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(served.admin + "/signin")
            page.fill("#password", PASSWORD)
            with page.expect_navigation():
                page.click("button[type=submit]")
            page.wait_for_timeout(300)
            assert page.evaluate("window.__xss === undefined") and dialogs == []
            assert page.locator("article.item").count() == 5 + len(VECTORS)
            for n in range(10, 10 + len(VECTORS)):
                assert f"End {n}." in page.inner_text(f"#item-c{n:011d} .body")
            assert page.evaluate(BAD_DOM) == []
        finally:
            browser.close()
