"""The comment endpoints over real HTTP: uvicorn on loopback, httpx as the client."""

from __future__ import annotations

import html
import json
import threading
import time
from pathlib import Path

import httpx
import pytest
import receiver_support
from backchannel.model import State, loads
from backchannel.receiver.guard import NO_JS_REASON, make_token
from backchannel.store import Store
from backchannel.store.state import FILE_NAME as STATE_FILE
from conftest import Site
from receiver_support import (
    inbox_files,
    serve_site,
)

# The shared module-scoped site (receiver_support.built) and its per-test reset.
built, site = receiver_support.built, receiver_support.site


# The receiver beside the built site (receiver_support.serve_site).
serve = serve_site


def form(**fields: str) -> dict[str, str]:
    """A comment form as the theme sends it."""
    data = {
        "article": "first-post",
        "author": "Grace",
        "url": "",
        "email": "",
        "body": "Hi!",
        "parent": "",
        "token": "",
        "homepage": "",
    }
    data.update(fields)
    return data


def only_item(site: Site, state: str = "inbox"):
    files = inbox_files(site, state)
    assert len(files) == 1, files
    return loads(files[0].read_text("utf-8"), files[0], State(state)), files[0]


def test_form_post_redirects_to_article_and_stores_one_file(site: Site) -> None:
    with serve(site, MIN_SECONDS_TO_POST=3) as base:
        r = httpx.post(
            f"{base}/backchannel/comments",
            data=form(
                email="grace@example.org",
                notify="1",
                url="https://grace.example",
                body="Great *post*.",
            ),
        )
    assert r.status_code == 303
    assert r.headers["location"] == f"{base}/first-post.html#comment-pending"
    item, path = only_item(site)
    assert (item.author, item.article, item.body) == ("Grace", "first-post", "Great *post*.")
    assert item.author_url == "https://grace.example"
    text = path.read_text("utf-8")
    assert "grace@example.org" not in text and "127.0.0.1" not in text
    store = Store(site.feedback)
    assert item.email_hash == store.email_hash("grace@example.org")
    assert store.read_private(item.id) == {
        "email": "grace@example.org",
        "ip": "127.0.0.1",
        "notify": True,
    }
    # The no-JS form has no token: held with the documented reason, not refused.
    assert item.reasons == (NO_JS_REASON,)


def test_json_post_answers_202_with_rendered_pending_comment(site: Site) -> None:
    with serve(site) as base:
        r = httpx.post(
            f"{base}/backchannel/comments",
            json=form(body="**bold** <script>alert(1)</script>", notify=True, email="a@b.example"),
        )
    assert r.status_code == 202
    data = r.json()
    assert data["status"] == "pending" and data["article"] == "first-post"
    assert "<script" not in data["html"] and "<strong>bold</strong>" in data["html"]
    assert "email" not in data and "ip" not in json.dumps(data)
    item, _ = only_item(site)
    assert item.id == data["id"]
    assert Store(site.feedback).read_private(item.id)["notify"] is True


def test_timing_token(site: Site) -> None:
    with serve(site, MIN_SECONDS_TO_POST=30) as base:
        token = httpx.get(f"{base}/backchannel/token", params={"article": "first-post"}).json()
        too_fast = httpx.post(f"{base}/backchannel/comments", json=form(token=token["token"]))
        forged = httpx.post(f"{base}/backchannel/comments", json=form(token="123.abc"))
        secret = Store(site.feedback).secret()
        old = make_token(secret, "first-post", time.time() - 60)
        ok = httpx.post(f"{base}/backchannel/comments", json=form(token=old, body="slow"))
        other = make_token(secret, "second-post", time.time() - 60)
        wrong_article = httpx.post(f"{base}/backchannel/comments", json=form(token=other))
    assert too_fast.status_code == 429 and "wait 30 s" in too_fast.json()["error"]
    assert forged.status_code == 400 and "invalid form token" in forged.json()["error"]
    assert wrong_article.status_code == 400
    assert ok.status_code == 202
    item, _ = only_item(site)
    assert item.body == "slow" and item.reasons == ()


def test_timing_check_off_with_zero(site: Site) -> None:
    with serve(site, MIN_SECONDS_TO_POST=0) as base:
        r = httpx.post(f"{base}/backchannel/comments", data=form())
    assert r.status_code == 303
    assert only_item(site)[0].reasons == ()


def test_honeypot_and_blocklist_go_to_spam(site: Site) -> None:
    with serve(site, BLOCKLIST=["casino", "spam.example", "10.0.0.0/8"]) as base:
        r1 = httpx.post(f"{base}/backchannel/comments", data=form(homepage="http://bot"))
        r2 = httpx.post(
            f"{base}/backchannel/comments", json=form(body="Best CASINO offers", author="Bot")
        )
        r3 = httpx.post(
            f"{base}/backchannel/comments",
            json=form(body="see", url="https://spam.example/x", author="Bot2"),
        )
        r4 = httpx.post(f"{base}/backchannel/comments", json=form(body="casinos are fine"))
    assert r1.status_code == 303 and r2.status_code == 202 and r3.status_code == 202
    spam = [loads(p.read_text("utf-8")) for p in inbox_files(site, "spam")]
    reasons = sorted(r for i in spam for r in i.reasons)
    assert len(spam) == 3
    assert "honeypot field filled in" in reasons
    assert "blocklisted word 'casino'" in reasons and "blocklisted URL spam.example" in reasons
    assert r4.status_code == 202 and len(inbox_files(site)) == 1  # whole words only


def test_blocklisted_address_range(site: Site) -> None:
    with serve(site, BLOCKLIST=["127.0.0.0/8"]) as base:
        httpx.post(f"{base}/backchannel/comments", json=form())
    item, _ = only_item(site, "spam")
    assert item.reasons == ("blocklisted address range 127.0.0.0/8",)


def test_too_many_links_are_held(site: Site) -> None:
    body = "a https://a.example b https://b.example c [x](http://c.example)"
    with serve(site, MAX_LINKS=2) as base:
        httpx.post(f"{base}/backchannel/comments", json=form(body=body))
    item, _ = only_item(site)
    assert item.reasons == ("3 links (more than 2)",)


def test_duplicate_is_refused(site: Site) -> None:
    with serve(site) as base:
        first = httpx.post(f"{base}/backchannel/comments", json=form(body="Same  text"))
        again = httpx.post(f"{base}/backchannel/comments", json=form(body="same text"))
        form_again = httpx.post(f"{base}/backchannel/comments", data=form(body="Same text"))
    assert first.status_code == 202
    assert again.status_code == 409 and "duplicate" in again.json()["error"]
    assert form_again.status_code == 409 and "text/html" in form_again.headers["content-type"]
    assert len(inbox_files(site)) == 1


@pytest.mark.parametrize(
    ("kwargs", "status", "words"),
    [
        ({"json": form(author="")}, 400, "missing field 'author'"),
        ({"json": form(body="   ")}, 400, "missing field 'body'"),
        ({"json": form(article="nope")}, 404, "unknown article 'nope'"),
        ({"json": form(article="")}, 400, "missing field 'article'"),
        ({"json": form(url="javascript:alert(1)")}, 400, "'url' must be an http(s) URL"),
        ({"json": form(email="not-an-address")}, 400, "'email' is not an e-mail address"),
        ({"json": form(parent="ffffffffffff")}, 400, "no comment 'ffffffffffff'"),
        ({"json": form(parent="../../etc")}, 400, "field 'parent'"),
        ({"json": form(author="x" * 101)}, 400, "'author' is longer than 100"),
        ({"json": form(body="x" * 10001)}, 400, "'body' is longer than 10000"),
        ({"json": ["not", "an", "object"]}, 400, "must be an object"),
        ({"json": {**form(), "author": 5}}, 400, "'author' must be a string"),
        (
            {"content": b"{not json", "headers": {"content-type": "application/json"}},
            400,
            "not valid JSON",
        ),
        (
            {
                "content": b"author=\xff\xfe",
                "headers": {"content-type": "application/x-www-form-urlencoded"},
            },
            400,
            "not valid utf-8",
        ),
        (
            {"content": b"author=x", "headers": {"content-type": "text/plain"}},
            415,
            "unsupported content type 'text/plain'",
        ),
        (
            {
                "content": b"author=x",
                "headers": {"content-type": "application/x-www-form-urlencoded; charset=klingon"},
            },
            400,
            "unknown charset",
        ),
    ],
)
def test_bad_input_is_refused_with_reason_and_writes_nothing(
    site: Site, kwargs: dict, status: int, words: str
) -> None:
    with serve(site) as base:
        r = httpx.post(f"{base}/backchannel/comments", **kwargs)
    assert r.status_code == status
    body = r.json()["error"] if "json" in r.headers["content-type"] else html.unescape(r.text)
    assert words in body
    assert inbox_files(site) == [] and inbox_files(site, "spam") == []


def test_oversize_body_is_413_and_form_errors_are_html(site: Site) -> None:
    with serve(site, MAX_BODY_BYTES=1000) as base:
        big = httpx.post(f"{base}/backchannel/comments", data=form(body="x" * 2000))
        # A chunked body without Content-Length is cut off while streaming.
        chunked = httpx.post(
            f"{base}/backchannel/comments",
            content=iter([b"author=a&body=", b"x" * 1500]),
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    assert big.status_code == 413 and "text/html" in big.headers["content-type"]
    assert "larger than 1000 bytes" in big.text and "not sent" in big.text
    assert chunked.status_code == 413
    assert inbox_files(site) == []


def test_rate_limit(site: Site) -> None:
    with serve(site, RATE_LIMIT="3/minute") as base:
        codes = [
            httpx.post(f"{base}/backchannel/comments", json=form(body=f"n{i}")).status_code
            for i in range(5)
        ]
        last = httpx.post(f"{base}/backchannel/comments", json=form(body="late"))
    assert codes == [202, 202, 202, 429, 429]
    assert last.status_code == 429 and int(last.headers["retry-after"]) >= 1
    assert len(inbox_files(site)) == 3


def test_reply_to_published_comment_and_reply_form_page(site: Site) -> None:
    with serve(site) as base:
        page = httpx.get(
            f"{base}/backchannel/comments/new",
            params={"article": "first-post", "parent": "c0ffee000001"},
        )
        r = httpx.post(f"{base}/backchannel/comments", json=form(parent="c0ffee000001"))
        missing = httpx.get(
            f"{base}/backchannel/comments/new",
            params={"article": "first-post", "parent": "abcdefabcdef"},
        )
    assert page.status_code == 200
    assert 'name="parent" value="c0ffee000001"' in page.text
    assert "replying to Ada Reader" in page.text and "/theme/css/backchannel.css" in page.text
    assert f'action="{base}/backchannel/comments"' in page.text
    assert 'name="token" value="' in page.text and 'value=""' in page.text  # honeypot empty
    assert r.status_code == 202 and only_item(site)[0].parent == "c0ffee000001"
    assert missing.status_code == 404


def test_reply_form_page_token_is_checked(site: Site) -> None:
    with serve(site, MIN_SECONDS_TO_POST=30) as base:
        page = httpx.get(f"{base}/backchannel/comments/new", params={"article": "first-post"})
        token = page.text.split('name="token" value="', 1)[1].split('"', 1)[0]
        r = httpx.post(f"{base}/backchannel/comments", data=form(token=token))
    assert r.status_code == 429 and inbox_files(site) == []


def test_get_comments_json_shows_published_only(site: Site) -> None:
    with serve(site) as base:
        pending = httpx.post(f"{base}/backchannel/comments", json=form(body="pending one"))
        r = httpx.get(f"{base}/backchannel/comments", params={"article": "first-post"})
        unknown = httpx.get(f"{base}/backchannel/comments", params={"article": "zzz"})
        alias = httpx.get(f"{base}/backchannel/comments", params={"article": "old-first"})
        # Approving moves the file into the folder: the cached JSON must notice.
        store = Store(site.feedback)
        approved = store.move(store.find(pending.json()["id"]), State.PUBLISHED)
        later = httpx.get(f"{base}/backchannel/comments", params={"article": "first-post"})
        store.delete(approved)
    assert [c["id"] for c in later.json()["comments"]] == ["c0ffee000001", approved.id]
    data = r.json()
    assert data["article"] == "first-post"
    assert [c["id"] for c in data["comments"]] == ["c0ffee000001"]
    comment = data["comments"][0]
    assert comment["author"] == "Ada Reader" and "<strong>work</strong>" in comment["html"]
    assert "<script" not in comment["html"]
    assert unknown.status_code == 404 and alias.json()["article"] == "first-post"


def test_disk_error_is_503_and_leaves_nothing(site: Site) -> None:
    inbox = site.feedback / "inbox"
    inbox.mkdir(exist_ok=True)
    inbox.rmdir()
    inbox.write_text("not a folder")  # the store cannot create files under it
    with serve(site) as base:
        try:
            r = httpx.post(f"{base}/backchannel/comments", json=form())
            f = httpx.post(f"{base}/backchannel/comments", data=form(body="form"))
            private = site.feedback / "private"
            # No orphan private file of an item (the state database is not one).
            assert [p.name for p in private.iterdir() if not p.name.startswith(STATE_FILE)] == [
                "secret"
            ]
            assert not any((site.feedback / ".tmp").iterdir())
        finally:
            inbox.unlink()
        # The refused comment was not remembered: sent again, it is no duplicate.
        retry = httpx.post(f"{base}/backchannel/comments", json=form())
    assert r.status_code == 503 and "please try later" in r.json()["error"]
    assert f.status_code == 503
    assert retry.status_code == 202, retry.text


def test_concurrent_posts_are_all_stored(site: Site) -> None:
    results: list[int] = []
    with serve(site) as base:

        def post(n: int) -> None:
            with httpx.Client() as client:
                for i in range(5):
                    r = client.post(
                        f"{base}/backchannel/comments", json=form(body=f"thread {n} comment {i}")
                    )
                    results.append(r.status_code)

        threads = [threading.Thread(target=post, args=(n,)) for n in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    assert results == [202] * 40
    items = Store(site.feedback).load([State.INBOX])
    assert len(items.items) == 40 and items.problems == []
    assert len({i.body for i in items.items}) == 40


def test_no_manifest_is_503(tmp_path: Path) -> None:
    bare = Site(tmp_path / "bare")
    with serve(bare) as base:
        r = httpx.post(f"{base}/backchannel/comments", json=form())
        t = httpx.get(f"{base}/backchannel/token", params={"article": "x"})
    assert r.status_code == 503 and "build the site first" in r.json()["error"]
    assert t.status_code == 503


XSS = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.mark.parametrize("field", ["article", "author", "url", "email", "parent", "body"])
def test_xss_in_any_field_never_comes_back_as_markup(site: Site, field: str) -> None:
    with serve(site) as base:
        as_form = httpx.post(f"{base}/backchannel/comments", data=form(**{field: XSS}))
        as_json = httpx.post(f"{base}/backchannel/comments", json=form(**{field: XSS + "2"}))
        page = httpx.get(
            f"{base}/backchannel/comments/new", params={"article": "first-post", "parent": XSS}
        )
    for r in (as_form, page):
        assert "<script>" not in r.text and "<img" not in r.text
    if as_json.status_code == 202:
        data = as_json.json()
        assert "<script" not in data["html"] and "onerror" not in data["html"]
        assert data["author"] == form(**{field: XSS + "2"})["author"]  # data, not markup
    if field in ("article", "url", "email", "parent"):
        assert inbox_files(site) == []  # invalid values are refused, not stored


def test_stored_comments_are_scored_and_a_failing_scorer_loses_nothing(
    site: Site, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backchannel.moderation import decisions as moderation

    with serve(site) as base:
        ok = httpx.post(f"{base}/backchannel/comments", json=form(body="fine"))
    assert ok.status_code == 202
    [path] = inbox_files(site)
    assert "Spam-Score:" in path.read_text("utf-8"), "moderation scored the item before storing"

    def broken(store: Store, item, settings) -> None:
        raise RuntimeError("scorer bug")

    monkeypatch.setattr(moderation, "assess", broken)
    with serve(site) as base:
        boom = httpx.post(f"{base}/backchannel/comments", json=form(body="still kept"))
    assert boom.status_code == 202  # a scorer bug never loses or refuses a stored item
    assert len(inbox_files(site)) == 2
