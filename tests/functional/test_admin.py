"""The moderation page (/admin) over real HTTP, the admin commands as real subprocesses.

A real site is built by Pelican and served with its receiver by real uvicorn on
loopback; the CLI runs as `python -m backchannel.cli`; the author's notification
mail goes through a real SMTP server (aiosmtpd). Time is moved with the page's
clock, never slept through.
"""

from __future__ import annotations

import json
import multiprocessing
import re
import time

import httpx
import pytest
from admin_support import (
    PASSWORD,
    PASSWORD_HASH,
    admin_site,
    csrf_in,
    one_click_links,
    serving,
    sign_in,
    smtp_server,
)
from backchannel.moderation.admin_tokens import hash_password, verify_password
from backchannel.store import Store
from backchannel.store.state import FILE_NAME, SIGN_IN_LINK, state_of
from bs4 import BeautifulSoup
from conftest import Site
from receiver_support import free_port

pytestmark = pytest.mark.timeout(240)


def client() -> httpx.Client:
    return httpx.Client(follow_redirects=False, timeout=30)


def location(response: httpx.Response) -> str:
    return response.headers.get("location", "")


# --- the commands --------------------------------------------------------------------------
def test_admin_password_prints_a_hash_line_and_refuses_bad_input(site: Site) -> None:
    proc = site.cli("admin-password", input="a long enough secret\n")
    assert proc.returncode == 0, proc.stderr
    line = proc.stdout.strip().splitlines()[-1]
    match = re.fullmatch(r'BACKCHANNEL_ADMIN_PASSWORD_HASH = "(scrypt:[^"$]+)"', line)
    assert match, line
    assert verify_password("a long enough secret", match.group(1))
    assert not verify_password("a long enough secreT", match.group(1))
    assert "a long enough secret" not in proc.stdout + proc.stderr
    # The printed line is valid Python settings: pasted in, the CLI reads it.
    site.write_conf(line + "\n")
    assert site.cli("admin-link").returncode == 0
    short = site.cli("admin-password", input="short\n")
    assert short.returncode == 1 and "at least 8 characters" in short.stderr
    assert short.stdout == ""
    # Two hashes of one password differ (salted), and both verify.
    assert hash_password("same one") != hash_password("same one")
    assert not verify_password("x", "not-a-hash")


def test_admin_link_prints_a_one_time_url_last_and_keeps_only_its_hash(site: Site) -> None:
    proc = site.cli("admin-link")
    assert proc.returncode == 0, proc.stderr
    url = proc.stdout.strip().splitlines()[-1]
    assert url.startswith("http://127.0.0.1:8000/backchannel/admin/link?t="), url
    token = url.split("t=", 1)[1]
    kept = state_of(Store(site.feedback)).items(SIGN_IN_LINK)
    assert token not in json.dumps(kept) and len(kept) == 1
    for part in (site.feedback / "private").glob(FILE_NAME + "*"):  # the file, its WAL
        assert token.encode() not in part.read_bytes()
    assert "15 minutes" in proc.stdout


# --- sessions ---------------------------------------------------------------------------------
ADMIN_PATHS = ("", "/items/c00000000001", "/items/c00000000001/reply", "/signout")


def test_nothing_is_reachable_without_a_session(site: Site) -> None:
    port = free_port()
    admin_site(site, port)
    with serving(site, port) as served, client() as http:
        for path in ADMIN_PATHS:
            got = http.get(served.admin + path)
            assert got.status_code == 303, path
            assert location(got) == "/backchannel/admin/signin", path
            posted = http.post(served.admin + path, data={"action": "approve", "body": "x"})
            assert posted.status_code == 401, path
        for method in ("GET", "POST"):
            assert http.request(method, served.admin + "/one-click").status_code == 401
            forged = http.request(method, served.admin + "/one-click", params={"t": "abc.def"})
            assert forged.status_code == 401
        # A cookie not signed with this site's secret is no session.
        http.cookies.set("backchannel_admin", "eyJzIjoieCJ9.forged", domain="127.0.0.1")
        assert http.get(served.admin).status_code == 303
        assert "Sign in" in http.get(served.admin + "/signin").text
    assert (site.feedback / "inbox" / "c00000000001.md").exists()


def test_password_sign_in_sets_a_strict_http_only_cookie_and_is_rate_limited(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    admin_site(site, port)
    with serving(site, port) as served, client() as http:
        wrong = sign_in(http, served.admin, "not the password")
        assert wrong.status_code == 401 and "Wrong password" in wrong.text
        assert "backchannel_admin=" not in wrong.headers.get("set-cookie", "")
        ok = sign_in(http, served.admin)
        assert ok.status_code == 303 and location(ok) == "/backchannel/admin"
        cookie = next(
            c for c in ok.headers.get_list("set-cookie") if c.startswith("backchannel_admin=")
        )
        attributes = {a.strip().lower() for a in cookie.split(";")[1:]}
        assert {"httponly", "samesite=strict", "path=/backchannel/admin"} <= attributes
        assert "secure" not in attributes  # plain http here: the browser would drop it
        page = http.get(served.admin)
        assert page.status_code == 200 and 'id="item-c00000000001"' in page.text
        assert page.headers["cache-control"] == "no-store"
        assert page.headers["x-frame-options"] == "DENY"
        assert "default-src 'none'" in page.headers["content-security-policy"]
        # Sign out (with the page's CSRF token) ends it.
        out = http.post(served.admin + "/signout", data={"csrf": csrf_in(page.text)})
        assert out.status_code == 303
        assert http.get(served.admin).status_code == 303
        # Five tries a minute per address; the next is 429 even with the right password.
        for _ in range(3):
            assert sign_in(http, served.admin, "guess").status_code == 401
        limited = sign_in(http, served.admin)
        assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1

    # The environment variable wins over the setting.
    other = "another password entirely"
    monkeypatch.setenv("BACKCHANNEL_ADMIN_PASSWORD_HASH", hash_password(other))
    port2 = free_port()
    with serving(site, port2) as served, client() as http:
        # The tries are counted in the state database: a restart does not forget them.
        assert sign_in(http, served.admin, other).status_code == 429
        served.clock.offset = 61
        assert sign_in(http, served.admin, PASSWORD).status_code == 401
        assert sign_in(http, served.admin, other).status_code == 303
    # An https site gets Secure cookies (sent here by hand: this test server speaks http).
    port3 = free_port()
    https = f"https://127.0.0.1:{port3}/backchannel"
    with serving(site, port3, RECEIVER_URL=https) as served, client() as http:
        form = http.get(served.admin + "/signin")
        pre = form.headers["set-cookie"]
        assert "secure" in pre.lower()
        ok = http.post(
            served.admin + "/signin",
            data={"csrf": csrf_in(form.text), "password": other},
            headers={"Cookie": pre.split(";", 1)[0]},
        )
        assert ok.status_code == 303
        session = next(
            c for c in ok.headers.get_list("set-cookie") if c.startswith("backchannel_admin=")
        )
        assert "secure" in {a.strip().lower() for a in session.split(";")}


def test_every_state_change_needs_a_valid_csrf_token(site: Site) -> None:
    port = free_port()
    admin_site(site, port)
    with serving(site, port) as served, client() as http, client() as other:
        # Sign-in forms: the token is tied to the form's own cookie.
        fresh = other.get(served.admin + "/signin")
        refused = http.post(
            served.admin + "/signin", data={"csrf": csrf_in(fresh.text), "password": PASSWORD}
        )
        assert refused.status_code == 403
        # A stranger's token in any characters is refused, never a 500.
        odd = http.post(served.admin + "/signin", data={"csrf": "é✓", "password": PASSWORD})
        assert odd.status_code == 403
        huge = http.post(served.admin + "/signin", data={"password": "x" * 70000})
        assert huge.status_code == 413  # BACKCHANNEL_MAX_BODY_BYTES, before any parsing
        assert sign_in(http, served.admin).status_code == 303
        assert sign_in(other, served.admin).status_code == 303
        token = csrf_in(http.get(served.admin).text)
        foreign = csrf_in(other.get(served.admin).text)
        assert token != foreign
        for bad in (
            {},
            {"csrf": ""},
            {"csrf": foreign},
            {"csrf": token[:-1] + ("1" if token.endswith("0") else "0")},
            {"csrf": "jeton-é✓"},
        ):
            for path, data in (
                ("/items/c00000000001", {"action": "approve"}),
                ("/items/c00000000002/reply", {"body": "Thanks!"}),
                ("/signout", {}),
            ):
                got = http.post(served.admin + path, data={**data, **bad})
                assert got.status_code == 403, (path, bad)
        assert sorted(p.name for p in (site.feedback / "inbox").glob("*.md")) == [
            f"c{n:011d}.md" for n in range(1, 6)
        ]
        assert http.get(served.admin).status_code == 200  # still signed in
        # The one-time link's button and an e-mail link's button are guarded too.
        link = site.cli("admin-link").stdout.strip().splitlines()[-1]
        with client() as phone:
            page = phone.get(link)
            assert page.status_code == 200 and "Sign in" in page.text
            t = link.split("t=", 1)[1]
            assert phone.post(served.admin + "/link", data={"t": t}).status_code == 403
            spent = phone.post(served.admin + "/link", data={"t": t, "csrf": csrf_in(page.text)})
            assert spent.status_code == 303  # the refused try did not spend it


def test_one_time_link_signs_in_once_and_expires(site: Site) -> None:
    port = free_port()
    admin_site(site, port)
    with serving(site, port, ADMIN_PASSWORD_HASH=None) as served:
        with client() as http:
            assert "No password is set" in http.get(served.admin + "/signin").text
            refused = http.post(served.admin + "/signin", data={"password": ""})
            assert refused.status_code == 403
        link = site.cli("admin-link").stdout.strip().splitlines()[-1]
        assert link.startswith(served.admin + "/link?t=")
        with client() as http:
            for _ in range(2):  # a GET (a link preview, a mail scanner) spends nothing
                page = http.get(link)
                assert page.status_code == 200
            data = {"t": link.split("t=", 1)[1], "csrf": csrf_in(page.text)}
            first = http.post(served.admin + "/link", data=data)
            assert first.status_code == 303 and location(first) == "/backchannel/admin"
            assert http.get(served.admin).status_code == 200
            with client() as again:
                assert again.get(link).status_code == 401
                again.get(served.admin + "/signin")
                assert again.post(served.admin + "/link", data=data).status_code in (401, 403)
        late = site.cli("admin-link").stdout.strip().splitlines()[-1]
        served.clock.offset = 16 * 60
        with client() as http:
            gone = http.get(late)
            assert gone.status_code == 401 and "15 minutes" in gone.text
        served.clock.offset = 0


# --- the inbox and the decisions ---------------------------------------------------------
def test_inbox_shows_what_the_cli_shows_escaped(site: Site) -> None:
    port = free_port()
    admin_site(site, port)
    cli = {row["id"]: row for row in json.loads(site.cli("inbox", "--json").stdout)}
    with serving(site, port) as served, client() as http:
        sign_in(http, served.admin)
        html = http.get(served.admin).text
    assert "<script>" not in html.split("</style>", 1)[1]
    assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in html
    soup = BeautifulSoup(html, "html.parser")
    assert len(soup.find_all("h1")) == 1 and soup.find("main")
    for item_id, row in cli.items():
        element = soup.find(id=f"item-{item_id}")
        assert element is not None, item_id
        text = " ".join(element.get_text(" ").split())
        assert f"Spam score {row['spam_score']:.2f}" in text
        for reason in row["reasons"]:
            assert " ".join(reason.split()) in text
        buttons = {b["value"] for b in element.select('form button[name="action"]')}
        assert buttons == {"approve", "reject", "spam", "delete"}
        assert element.select_one('form textarea[name="body"]') is not None
        for form in element.find_all("form"):
            assert form["method"] == "post" and form.find("input", {"name": "csrf"})["value"]
    reply = soup.find(id="item-c00000000002")
    assert "In reply to Ada Reader" in reply.get_text(" ")
    assert "Does this work with" in " ".join(reply.get_text(" ").split())
    assert cli["c00000000002"]["parent"] == "c0ffee000001"
    assert "First Post" in soup.find(id="item-c00000000001").get_text()


def test_decisions_from_the_page_republish_and_are_audited(site: Site) -> None:
    port = free_port()
    admin_site(site, port)
    with serving(site, port) as served, client() as http:
        sign_in(http, served.admin)
        token = csrf_in(http.get(served.admin).text)

        def decide(item_id: str, action: str) -> str:
            got = http.post(
                f"{served.admin}/items/{item_id}", data={"action": action, "csrf": token}
            )
            assert got.status_code == 303 and location(got).startswith("/backchannel/admin?done=")
            return http.get(served.base + location(got)).text

        shown = decide("c00000000001", "approve")
        assert "approved c00000000001" in shown and "updated" in shown
        assert 'id="comment-c00000000001"' in site.page("first-post")
        assert 'id="item-c00000000001"' not in shown
        assert "rejected c00000000004" in decide("c00000000004", "reject")
        assert "marked as spam c00000000003" in decide("c00000000003", "spam")
        assert "deleted c00000000005" in decide("c00000000005", "delete")
        assert (site.feedback / "rejected" / "c00000000004.md").exists()
        assert (site.feedback / "spam" / "c00000000003.md").exists()
        assert not list(site.feedback.rglob("c00000000005*"))
        unknown = http.post(
            f"{served.admin}/items/c00000000001", data={"action": "publish", "csrf": token}
        )
        assert unknown.status_code == 400
        again = decide("c00000000001", "approve")  # the same code says so: no second move
        assert "already published" in again

        got = http.post(
            f"{served.admin}/items/c00000000002/reply",
            data={"body": "Thanks, Ben: see the next post & more.", "csrf": token},
        )
        shown = http.get(served.base + location(got)).text
        assert "replied to c00000000002" in shown
        page = site.page("first-post")
        assert 'id="comment-c00000000002"' in page and "see the next post &amp; more." in page
        empty = http.post(
            f"{served.admin}/items/c0ffee000001/reply", data={"body": "  ", "csrf": token}
        )
        assert "the text is empty" in http.get(served.base + location(empty)).text
    audit = [
        json.loads(line)
        for line in (site.feedback / "moderation" / "audit.jsonl").read_text().splitlines()
    ]
    by_page = [(a["action"], a["id"]) for a in audit if a["reason"] == "from the moderation page"]
    assert by_page == [
        ("approve", "c00000000001"),
        ("reject", "c00000000004"),
        ("spam", "c00000000003"),
        ("delete", "c00000000005"),
    ]
    assert [a["action"] for a in audit][-2:] == ["approve", "reply"]
    # The fast path wrote what a full build writes.
    fast = site.page("first-post")
    site.build()
    assert site.page("first-post") == fast


# --- one-click links in the author's e-mail ----------------------------------------------
def test_one_click_link_from_the_mail_approves_after_confirmation_once(site: Site) -> None:
    port = free_port()
    with smtp_server() as box:
        admin_site(
            site,
            port,
            f'BACKCHANNEL_SMTP_HOST = "127.0.0.1"\nBACKCHANNEL_SMTP_PORT = {box.port}\n'
            'BACKCHANNEL_AUTHOR_EMAIL = "mara@example.org"\n',
        )
        proc = site.cli("notify")
        assert proc.returncode == 0, proc.stderr
        [message] = box.messages
    links = one_click_links(message, "c00000000001")
    assert set(links) == {"approve", "spam"}
    assert all(
        u.startswith(f"http://127.0.0.1:{port}/backchannel/admin/one-click?t=")
        for u in links.values()
    )
    spam_links = one_click_links(message, "c00000000003")
    with serving(site, port) as served, client() as http:
        # A GET only shows what would happen.
        for _ in range(2):
            page = http.get(links["approve"])
            assert page.status_code == 200 and "Approve this comment?" in page.text
        assert "&lt;script&gt;window.__xss=1&lt;/script&gt;" in page.text
        assert (site.feedback / "inbox" / "c00000000001.md").exists()
        form = BeautifulSoup(page.text, "html.parser").find("form", action=True)
        data = {i["name"]: i["value"] for i in form.find_all("input")}
        for bad in ("x", "é✓"):
            refused = http.post(served.admin + "/one-click", data={**data, "csrf": bad})
            assert refused.status_code == 403
        done = http.post(served.admin + "/one-click", data=data)
        assert done.status_code == 200 and "approved c00000000001" in done.text
        assert 'id="comment-c00000000001"' in site.page("first-post")
        # Only once.
        again = http.post(served.admin + "/one-click", data=data)
        assert again.status_code == 410 and "already used" in again.text
        assert http.get(links["approve"]).status_code == 410
        # The other link of a decided item does nothing.
        other = http.get(links["spam"])
        assert "no longer in the inbox" in other.text
        # Expired after 7 days, even unused.
        served.clock.offset = 7 * 86400 + 60
        expired = http.get(spam_links["spam"])
        assert expired.status_code == 410 and "expired" in expired.text
        served.clock.offset = 0
        fine = http.get(spam_links["spam"])
        data = {
            i["name"]: i["value"]
            for i in BeautifulSoup(fine.text, "html.parser").find("form").find_all("input")
        }
        served.clock.offset = 7 * 86400 + 60
        assert http.post(served.admin + "/one-click", data=data).status_code == 410
        served.clock.offset = 0
        # A link for one action cannot be turned into another: the signature covers it.
        tampered = links["approve"].replace("t=", "t=x")
        assert http.get(tampered).status_code == 401
    assert (site.feedback / "inbox" / "c00000000003.md").exists()
    audit = (site.feedback / "moderation" / "audit.jsonl").read_text()
    assert "one-click link in the notification e-mail" in audit
    assert PASSWORD_HASH not in audit


def _spend(args: tuple[str, str]) -> bool:
    from backchannel.moderation.admin_tokens import use_sign_in_link
    from backchannel.store import Store

    root, token = args
    return use_sign_in_link(Store(root), token, time.time())


def test_a_sign_in_link_is_spent_once_by_racing_processes(site: Site) -> None:
    """Eight processes (as receiver workers would) spend one link at once: one wins."""
    url = site.cli("admin-link").stdout.strip().splitlines()[-1]
    token = url.split("t=", 1)[1]
    context = multiprocessing.get_context("spawn")
    with context.Pool(8) as pool:
        outcomes = pool.map(_spend, [(str(site.feedback), token)] * 8)
    assert sorted(outcomes) == [False] * 7 + [True]
    assert state_of(Store(site.feedback)).items(SIGN_IN_LINK) == {}


def test_spending_sign_in_links_too_often_is_429_with_retry_after(site: Site) -> None:
    """Guessing one-time links is rate limited like passwords, and the 429 says when to retry."""
    port = free_port()
    admin_site(site, port)
    with serving(site, port) as served, client() as http:
        csrf = csrf_in(http.get(served.admin + "/signin").text)
        answers = [
            http.post(served.admin + "/link", data={"t": f"guess{n}", "csrf": csrf})
            for n in range(6)
        ]
    assert [a.status_code for a in answers] == [401] * 5 + [429]
    assert int(answers[-1].headers["retry-after"]) >= 1


def test_two_workers_of_one_host_share_the_sign_in_limit(site: Site) -> None:
    """Password guesses spread over two receiver processes' apps still meet one limit."""
    port, other_port = free_port(), free_port()
    admin_site(site, port)
    with (
        serving(site, port) as first,
        serving(site, other_port) as second,
        client() as http_first,
        client() as http_second,
    ):
        answers = []
        for n in range(6):
            http, served = (http_first, first) if n % 2 else (http_second, second)
            answers.append(sign_in(http, served.admin, f"guess {n}").status_code)
    assert answers == [401] * 5 + [429]
