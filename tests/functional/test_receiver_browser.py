"""The comment form in headless Chromium, with JavaScript on and off, against the served site."""

from __future__ import annotations

from pathlib import Path

import pytest
from backchannel.model import loads
from backchannel.receiver.guard import NO_JS_REASON
from backchannel.receiver.server import create_app
from conftest import Site
from receiver_support import free_port, running, settings_for

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
SLUG = "read-feedback-first"
LATE_COMMENT = """Id: beef00000001
Kind: comment
Article: {slug}
Author: Late Reader
Date: 2026-11-01T10:00:00+00:00
Origin: receiver

Approved after the build.
"""


def new_inbox_items(site: Site, before: set[Path]):
    now = set((site.feedback / "inbox").glob("*.md"))
    return [loads(p.read_text("utf-8"), p) for p in sorted(now - before)]


def test_comment_form_with_and_without_javascript(sample_site: Site, chromium: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    port = free_port()
    sample_site.write_conf(f'BACKCHANNEL_RECEIVER_URL = "http://127.0.0.1:{port}/backchannel"\n')
    sample_site.build()
    settings = settings_for(sample_site.conf, port, MIN_SECONDS_TO_POST=1)
    before = set((sample_site.feedback / "inbox").glob("*.md"))
    # Approved after the build: the script fetches and shows it.
    sample_site.item("published", SLUG, "beef00000001", LATE_COMMENT.format(slug=SLUG))
    with (
        running(create_app(settings, sample_site.output), port) as base,
        sync_api.sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            # JavaScript on: token fetched, JSON posted, pending comment shown in place.
            page = browser.new_context().new_page()
            page.goto(f"{base}/{SLUG}.html")
            page.wait_for_function(
                "document.querySelector('#comment-form input[name=token]').value !== ''",
                timeout=10000,
            )
            page.wait_for_selector("#comment-beef00000001", timeout=10000)
            assert "Approved after the build" in page.inner_text("#comment-beef00000001")
            page.fill("#cf-author", "Scripted Reader")
            page.fill("#cf-body", "Posted with *JavaScript* on.")
            page.wait_for_timeout(1200)  # a human takes longer than MIN_SECONDS_TO_POST
            page.click("#comment-form button[type=submit]")
            page.wait_for_selector("#comment-pending.is-visible", timeout=10000)
            shown = page.inner_text(".comment-item.is-pending")
            assert "Scripted Reader" in shown and "Posted with JavaScript on." in shown
            assert page.url == f"{base}/{SLUG}.html"
            [with_js] = new_inbox_items(sample_site, before)
            assert with_js.author == "Scripted Reader" and with_js.reasons == ()

            # JavaScript off: a plain POST, a 303 back to the notice.
            before = set((sample_site.feedback / "inbox").glob("*.md"))
            page = browser.new_context(java_script_enabled=False).new_page()
            page.goto(f"{base}/{SLUG}.html")
            page.fill("#cf-author", "Plain Reader")
            page.fill("#cf-body", "Posted without JavaScript.")
            with page.expect_navigation():
                page.click("#comment-form button[type=submit]")
            assert page.url == f"{base}/{SLUG}.html#comment-pending"
            assert page.is_visible("#comment-pending")
            [without_js] = new_inbox_items(sample_site, before)
            assert without_js.author == "Plain Reader"
            assert without_js.reasons == (NO_JS_REASON,)
        finally:
            browser.close()


def test_pending_comment_survives_a_reload_until_the_build_bakes_it(
    sample_site: Site, chromium: str
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    port = free_port()
    sample_site.write_conf(f'BACKCHANNEL_RECEIVER_URL = "http://127.0.0.1:{port}/backchannel"\n')
    sample_site.build()
    settings = settings_for(sample_site.conf, port, MIN_SECONDS_TO_POST=1)
    before = set((sample_site.feedback / "inbox").glob("*.md"))
    with (
        running(create_app(settings, sample_site.output), port) as base,
        sync_api.sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(executable_path=chromium, args=ARGS)
        try:
            page = browser.new_context().new_page()
            page.goto(f"{base}/{SLUG}.html")
            page.wait_for_function(
                "document.querySelector('#comment-form input[name=token]').value !== ''",
                timeout=10000,
            )
            page.fill("#cf-author", "Remembered Reader")
            page.fill("#cf-body", "Still here after a *reload*.")
            page.wait_for_timeout(1200)  # a human takes longer than MIN_SECONDS_TO_POST
            page.click("#comment-form button[type=submit]")
            page.wait_for_selector(".comment-item.is-pending", timeout=10000)
            [item] = new_inbox_items(sample_site, before)
            # The date as the baked thread prints it (Pelican's DEFAULT_DATE_FORMAT).
            baked_date = item.date.strftime("%a %d %B %Y")

            page.reload()
            page.wait_for_selector(f"#comment-{item.id}", timeout=10000)
            shown = page.inner_text(".comment-item.is-pending")
            assert "Remembered Reader" in shown and "Still here after a reload." in shown
            assert "awaiting moderation" in shown.lower()
            assert page.inner_text(f"#comment-{item.id} time").strip(" ·") == baked_date

            approved = sample_site.cli("approve", item.id)
            assert approved.returncode == 0, approved.stderr
            assert f'id="comment-{item.id}"' in sample_site.page(SLUG)  # republished

            page.reload()
            page.wait_for_load_state("networkidle")
            assert page.locator(f"[id='comment-{item.id}']").count() == 1
            assert page.locator(".comment-item.is-pending").count() == 0
            assert baked_date in page.inner_text(f"#comment-{item.id} time")
            key = f"backchannel:pending:{SLUG}"
            assert page.evaluate(f"window.localStorage.getItem('{key}')") is None
        finally:
            browser.close()
