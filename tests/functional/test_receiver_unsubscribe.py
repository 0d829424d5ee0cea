"""One-click unsubscribe (RFC 8058) through the receiver."""

from __future__ import annotations

import httpx
from backchannel.moderation import mail
from backchannel.receiver.server import create_app
from backchannel.store import Store
from conftest import Site
from receiver_support import build_site, free_port, running, settings_for


def test_unsubscribe_get_confirms_post_records(site: Site) -> None:
    build_site(site)
    port = free_port()
    settings = settings_for(site.conf, port, RATE_LIMIT=None)
    store = Store(site.feedback)
    email_hash = store.email_hash("reader@example.org")
    token = mail.unsubscribe_token(store, email_hash)
    with running(create_app(settings, site.output), port) as base:
        url = f"{base}/backchannel/unsubscribe"
        shown = httpx.get(url, params={"h": email_hash, "t": token})
        assert shown.status_code == 200 and "List-Unsubscribe" in shown.text
        assert mail.may_mail(store, email_hash)  # a GET (a link scanner) changes nothing
        # The form posts back to the same link, relative: a forged Host never reaches the page.
        assert 'action="?h=' in shown.text
        spoofed = httpx.get(
            url, params={"h": email_hash, "t": token}, headers={"Host": "evil.example"}
        )
        assert spoofed.status_code == 200 and "evil.example" not in spoofed.text
        forged = httpx.post(
            url, params={"h": email_hash, "t": "0" * 32}, data={"List-Unsubscribe": "One-Click"}
        )
        incomplete = httpx.get(url)
        assert mail.may_mail(store, email_hash)
        done = httpx.post(
            url, params={"h": email_hash, "t": token}, data={"List-Unsubscribe": "One-Click"}
        )
    assert forged.status_code == 400 and "not valid" in forged.text
    assert incomplete.status_code == 400
    assert done.status_code == 200 and "no more e-mails" in done.text
    # In the site's dress; a refusal is an error box, a confirmation the status one.
    for page in (shown, forged, incomplete, done):
        assert '<a href="/" rel="home">Test Site</a>' in page.text
    for page in (forged, incomplete):
        assert 'class="notice is-visible error" role="alert"' in page.text
    assert 'role="status"' in done.text and 'role="alert"' not in done.text
    assert not mail.may_mail(store, email_hash)
