"""F4: auto-approve needs the returning reader's browser, not just their e-mail address."""

from __future__ import annotations

import httpx
from backchannel.model import State
from backchannel.receiver.reader_cookie import COOKIE
from backchannel.store import Store
from conftest import Site
from receiver_support import build_site, serve_site


def post(client: httpx.Client, base: str, body: str, email: str, **extra: str) -> str:
    """Send a comment as the JSON script does; returns its id."""
    fields = {"article": "first-post", "author": "Kim", "email": email, "body": body, **extra}
    answer = client.post(f"{base}/backchannel/comments", json=fields)
    assert answer.status_code == 202, answer.text
    return answer.json()["id"]


def state_of(site: Site, item_id: str) -> State:
    return Store(site.feedback).find(item_id).state


def test_only_the_approved_readers_browser_is_auto_approved(site: Site) -> None:
    build_site(site)
    with serve_site(site, AUTO_APPROVE_KNOWN=True) as base:
        with httpx.Client() as kim:
            first = post(kim, base, "Thanks, this helped me.", "kim@example.org")
            assert state_of(site, first) == State.INBOX  # a first comment always waits
            cookie = kim.cookies.get(COOKIE)
            assert cookie
            approved = site.cli("approve", "--no-republish", first)
            assert approved.returncode == 0, approved.stderr

            # Kim, from the same browser: published at once.
            again = post(kim, base, "One more thought on chapter two.", "kim@example.org")
            assert state_of(site, again) == State.PUBLISHED
            # ... but never with a link in it, nor with another homepage.
            linked = post(kim, base, "See [my notes](https://kim.example/x).", "kim@example.org")
            assert state_of(site, linked) == State.INBOX
            homepage = post(kim, base, "Plain.", "kim@example.org", url="https://spam.example")
            assert state_of(site, homepage) == State.INBOX

        # Anyone who knows Kim's address (any letter case), without her browser: held.
        with httpx.Client() as stranger:
            posing = post(stranger, base, "Kim here, all good.", "KIM@Example.org")
            assert state_of(site, posing) == State.INBOX
        # A forged or copied-from-another-site cookie proves nothing either.
        with httpx.Client(cookies={COOKIE: cookie[:-4] + "AAAA"}) as forger:
            forged = post(forger, base, "Kim again, honest.", "kim@example.org")
            assert state_of(site, forged) == State.INBOX
        # Kim's own cookie in a stranger's hands with another address: held.
        with httpx.Client(cookies={COOKIE: cookie}) as other:
            other_mail = post(other, base, "Hello.", "lee@example.org")
            assert state_of(site, other_mail) == State.INBOX


def test_the_cookie_is_http_only_lax_and_scoped_to_the_receiver(site: Site) -> None:
    build_site(site)
    with serve_site(site, AUTO_APPROVE_KNOWN=True) as base:
        answer = httpx.post(
            f"{base}/backchannel/comments",
            data={"article": "first-post", "author": "Kim", "email": "k@e.org", "body": "Hi"},
        )
        anonymous = httpx.post(
            f"{base}/backchannel/comments",
            data={"article": "first-post", "author": "Anon", "body": "Hello there"},
        )
    assert answer.status_code == 303
    attributes = {a.strip().lower() for a in answer.headers["set-cookie"].split(";")[1:]}
    assert {"httponly", "samesite=lax", "path=/backchannel"} <= attributes
    assert "set-cookie" not in anonymous.headers  # no e-mail, nothing to prove later
