"""Path traversal in every id and slug that reaches the file system.

CLI ids (show/approve/reject/spam/delete/edit/reply), `send --article`,
`draft --title`, an importer's article guess, and over HTTP the `article` and
`parent` fields, `/trackback/{article}`, `/webmention/status/{id}`, the
query parameters and the static site itself. Every one is refused with a clear
message, and no file outside feedback/ (or content/drafts/ for a draft)
appears, changes or disappears.
"""

from __future__ import annotations

import hashlib
import socket
from pathlib import Path

import httpx
import pytest
from backchannel.cli import main
from backchannel.receiver.server import create_app
from backchannel.store.state import FILE_NAME as STATE_FILE
from conftest import Site
from receiver_support import build_site, free_port, running, settings_for

EVIL_IDS = [
    "../x",
    "../../pelicanconf",
    "inbox/../../x",
    "/etc/passwd",
    "..",
    ".",
    "c0ffee000001/../../x",
    "..%2f..%2fx",
    "c0ffee\x00000001",
]
SENTINEL = "do not touch\n"


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` with a hash of its content (but the private state database,
    which counts requests for the rate limit by design)."""
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and ".venv" not in p.parts and not p.name.startswith(STATE_FILE)
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Site:
    site = build_site(Site(tmp_path_factory.mktemp("traversal") / "site"))
    # Files a traversal would reach: next to feedback/, and one level above the site.
    (site.root / "x.md").write_text(SENTINEL)
    (site.root.parent / "x.md").write_text(SENTINEL)
    (site.feedback / "inbox").mkdir(exist_ok=True)
    return site


@pytest.mark.parametrize(
    "command",
    [
        ["show"],
        ["approve", "--no-republish"],
        ["reject", "--no-republish"],
        ["spam", "--no-republish"],
        ["delete", "--no-republish"],
        ["edit", "--no-republish", "--file", "/etc/hostname"],
        ["reply", "--no-republish", "--yes", "--text", "hi"],
    ],
)
def test_cli_ids_cannot_leave_the_store(
    built: Site, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(built.root.parent)
    for evil in EVIL_IDS:
        args = [*command[:1], *command[1:], evil]
        code = main(["-s", str(built.conf), *args])
        err = capsys.readouterr().err
        assert code == 1, f"{args}: exit {code}"
        assert err.count("\n") == 1 and "Traceback" not in err, err
        assert "not an item id" in err or "no item" in err, err
    assert snapshot(built.root.parent) == before


def test_send_article_cannot_leave_the_site(
    built: Site, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(built.root.parent)
    for evil in ["../x", "../../x", "/etc/passwd", "first-post/../../x"]:
        code = main(
            [
                "-s",
                str(built.conf),
                "send",
                "--article",
                evil,
                "--json",
                "--site-url",
                "https://site.example",
            ]
        )
        out, err = capsys.readouterr()
        assert code == 1, f"send --article {evil!r}: exit {code}: {out}"
        assert "article" in err and err.count("\n") == 1, err
    assert snapshot(built.root.parent) == before


def test_draft_title_stays_in_drafts(sample_site: Site, capsys: pytest.CaptureFixture[str]) -> None:
    before = {p for p in snapshot(sample_site.root.parent) if "drafts" not in p}
    code = main(["-s", str(sample_site.conf), "draft", "--title", "../../../../tmp/evil/../x"])
    _out, err = capsys.readouterr()
    assert code == 0, err
    drafts = sorted((sample_site.content / "drafts").glob("*.md"))
    assert len(drafts) == 1 and drafts[0].parent == sample_site.content / "drafts"
    assert ".." not in drafts[0].name and "/" not in drafts[0].stem
    after = {p for p in snapshot(sample_site.root.parent) if "drafts" not in p}
    new = after - before
    assert all(p.startswith("sample/feedback/digests/") for p in new), new


def test_importer_article_guesses_stay_in_the_store(
    built: Site, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    wxr = tmp_path / "evil.xml"
    wxr.write_text(
        '<?xml version="1.0"?><rss version="2.0" '
        'xmlns:wp="http://wordpress.org/export/1.2/" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        "<link>https://old.example</link>"
        + "".join(
            f"<item><title>../../{n}</title><link>https://old.example/../../{n}/..</link>"
            f"<wp:post_id>{n}</wp:post_id><wp:post_name>{name}</wp:post_name>"
            f"<wp:comment><wp:comment_id>1</wp:comment_id>"
            f"<wp:comment_author>A</wp:comment_author>"
            f"<wp:comment_date_gmt>2020-01-01 10:00:00</wp:comment_date_gmt>"
            f"<wp:comment_content>c {n}</wp:comment_content>"
            f"<wp:comment_approved>1</wp:comment_approved></wp:comment></item>"
            for n, name in enumerate(["../../x", "..", "/etc/passwd", "a/../../../x", "%2e%2e"])
        )
        + "</channel></rss>"
    )
    outside = {p: h for p, h in snapshot(built.root.parent).items() if "/feedback/" not in p}
    code = main(["-s", str(built.conf), "import", "wordpress", str(wxr), "--json"])
    capsys.readouterr()
    assert code == 0
    feedback = built.feedback.resolve()
    for path in built.feedback.rglob("*.md"):
        assert path.resolve().is_relative_to(feedback)
        assert ".." not in path.relative_to(built.feedback).parts
    assert {p: h for p, h in snapshot(built.root.parent).items() if "/feedback/" not in p} == (
        outside
    )
    check = main(["-s", str(built.conf), "check"])
    capsys.readouterr()
    assert check == 0


def raw_get(port: int, target: str) -> bytes:
    """An HTTP GET with the request target exactly as given (no client normalization)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    return data


def test_http_ids_and_slugs_cannot_leave_the_store(built: Site) -> None:
    port = free_port()
    settings = settings_for(built.conf, port, RATE_LIMIT=None, MIN_SECONDS_TO_POST=0)
    before = snapshot(built.root.parent)
    secret = (
        (built.feedback / "private" / "secret").read_bytes().strip()
        if (built.feedback / "private" / "secret").exists()
        else None
    )
    with running(create_app(settings, built.output), port) as base:
        api = base + "/backchannel"
        secret = (built.feedback / "private" / "secret").read_bytes().strip()
        before = snapshot(built.root.parent)
        with httpx.Client(timeout=5) as client:
            for evil in EVIL_IDS:
                r = client.post(
                    f"{api}/comments", json={"article": evil, "author": "A", "body": "b"}
                )
                assert r.status_code in (400, 404) and "unknown article" in r.text, r.text
                r = client.post(
                    f"{api}/comments",
                    json={"article": "first-post", "author": "A", "body": "b", "parent": evil},
                )
                assert r.status_code == 400 and "parent" in r.text, r.text
                for path, params in (
                    ("/comments", {"article": evil}),
                    ("/token", {"article": evil}),
                    ("/comments/new", {"article": evil}),
                    ("/comments/new", {"article": "first-post", "parent": evil}),
                ):
                    r = client.get(api + path, params=params)
                    assert r.status_code in (400, 404), f"{path} {params}: {r.status_code}"
                # GET only shows the confirmation page; the POST must refuse the link.
                r = client.post(f"{api}/unsubscribe", params={"h": evil, "t": evil})
                assert r.status_code == 400, f"unsubscribe {evil!r}: {r.status_code}"
            for target in (
                "/backchannel/trackback/..%2F..%2Fx",
                "/backchannel/trackback/%2e%2e",
                "/backchannel/trackback/..",
                "/backchannel/trackback/first-post%2F..%2F..%2Fx",
            ):
                r = client.post(base + target, data={"url": "https://a.example/"})
                assert "<error>0</error>" not in r.text, target
            for target in (
                "/backchannel/webmention/status/..%2F..%2Fprivate%2Fsecret",
                "/backchannel/webmention/status/wm..%2Fsecret",
                "/backchannel/webmention/status/..",
                "/backchannel/webmention/status/secret",
                "/backchannel/webmention/status/wm%2F..%2F..%2Fsecret",
            ):
                r = client.get(base + target)
                assert r.status_code in (404, 405), target  # 405: the client resolved ".."
                assert secret.decode() not in r.text
        for target in (
            "/../pelicanconf.py",
            "/..%2fpelicanconf.py",
            "/%2e%2e/pelicanconf.py",
            "/backchannel/../../pelicanconf.py",
            "/../x.md",
            "/..%2f..%2fx.md",
        ):
            answer = raw_get(port, target)
            assert b"AUTHOR" not in answer and SENTINEL.encode() not in answer, target
    assert snapshot(built.root.parent) == before
