"""One configuration per built site: the CLI and `backchannel serve` use the settings
(file and `-e` overrides) that built output/, recorded by the build itself."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import httpx
from backchannel.build.fragments import KIND as FRAGMENT_KIND
from backchannel.build.record import BuildRecord, read
from backchannel.settings import load
from backchannel.store import Store
from backchannel.store.cache import FILE_NAME
from conftest import Site
from receiver_support import free_port
from serve_support import Served

INBOX_COMMENT = """Id: {id}
Kind: comment
Article: first-post
Author: Ada
Date: 2026-11-09T19:48:00+00:00
Origin: receiver

{body}
"""


def inbox(site: Site, item_id: str, body: str = "How do you read feedback?") -> None:
    site.item("inbox", "first-post", item_id, INBOX_COMMENT.format(id=item_id, body=body))


def form_actions(html: str) -> set[str]:
    return set(re.findall(r'<form[^>]*\baction="([^"]*)"', html))


def receivers_in(output: Path) -> set[str]:
    """Every receiver origin a built page's forms post to."""
    found: set[str] = set()
    for page in output.rglob("*.html"):
        found |= {a.split("/backchannel")[0] for a in form_actions(page.read_text("utf-8"))}
    return {f for f in found if f.startswith("http")}


def test_serve_on_another_port_keeps_pages_reply_form_and_approve_on_it(site: Site) -> None:
    """`make serve PORT=N`: pages, the no-JS reply form and later approves all use port N."""
    port = free_port()
    receiver = f"http://127.0.0.1:{port}/backchannel"
    site.write_conf(
        "BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES = True\nBACKCHANNEL_MIN_SECONDS_TO_POST = 0\n"
    )
    site.article("first-post")
    inbox(site, "aaaaaa000001")
    site.build("-e", f'BACKCHANNEL_RECEIVER_URL="{receiver}"')
    assert receivers_in(site.output) == {f"http://127.0.0.1:{port}"}

    approved = site.cli("approve", "aaaaaa000001")  # the default -s, as a user types it
    assert approved.returncode == 0, approved.stderr
    assert "first-post" in site.page("first-post") and "How do you read feedback?" in site.page(
        "first-post"
    )
    assert receivers_in(site.output) == {f"http://127.0.0.1:{port}"}

    served = Served(site.conf, site.root, port)
    served.start()
    try:
        page = httpx.get(
            f"{receiver}/comments/new",
            params={"article": "first-post", "parent": "aaaaaa000001"},
            timeout=10,
        )
        assert page.status_code == 200
        (action,) = form_actions(page.text)
        assert action == f"{receiver}/comments"
        fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page.text))
        fields.update(author="Ben", body="A reply sent without JavaScript.")
        sent = httpx.post(action, data=fields, timeout=10)
        assert sent.status_code in (200, 303), sent.text
        bodies = [p.read_text("utf-8") for p in (site.feedback / "inbox").glob("*.md")]
        assert any("A reply sent without JavaScript." in b for b in bodies)
    finally:
        served.kill()


def test_approve_after_publish_keeps_the_publish_settings(site: Site) -> None:
    """After a build with publish settings, `approve` (default -s) republishes with them."""
    site.article("first-post")
    inbox(site, "aaaaaa000002")
    inbox(site, "aaaaaa000003", "Another question?")
    publish = site.root / "publishconf.py"
    publish.write_text(
        "import os, sys\nsys.path.append(os.curdir)\nfrom pelicanconf import *\n"
        'SITEURL = "https://example.org"\n'
        'BACKCHANNEL_RECEIVER_URL = "https://example.org/backchannel"\n',
        "utf-8",
    )
    proc = site.build("-s", str(publish))  # a second -s: argparse keeps the last
    assert proc.returncode == 0
    assert receivers_in(site.output) == {"https://example.org"}

    approved = site.cli("approve", "aaaaaa000002")
    assert approved.returncode == 0, approved.stderr
    assert f"was built with {publish}" in approved.stderr
    assert receivers_in(site.output) == {"https://example.org"}
    assert "127.0.0.1:8000" not in "".join(
        p.read_text("utf-8") for p in site.output.rglob("*.html")
    )

    # The full rebuild (when splicing cannot be trusted) uses them too.
    (site.output / "first-post.html").write_text("hand-edited", "utf-8")
    approved = site.cli("approve", "aaaaaa000003")
    assert approved.returncode == 0, approved.stderr
    assert "Another question?" in site.page("first-post")
    assert receivers_in(site.output) == {"https://example.org"}


def test_the_record_names_the_settings_and_overrides(site: Site) -> None:
    site.article("first-post")
    site.build("-e", 'BACKCHANNEL_RECEIVER_URL="http://127.0.0.1:9/backchannel"')
    store = Store(site.feedback)
    record = read(store, site.output)
    assert record is not None and record.settings_file == str(site.conf)
    assert record.overrides["BACKCHANNEL_RECEIVER_URL"] == "http://127.0.0.1:9/backchannel"
    # The record is private data: never in the published output.
    assert not any("build-" in p.name for p in site.output.rglob("*"))
    loaded = load(record.settings_file, record.overrides)
    assert loaded.receiver_url == "http://127.0.0.1:9/backchannel"
    args = BuildRecord(record.settings_file, record.overrides).pelican_arguments()
    assert args[:2] == ["-s", str(site.conf)] and "PATH=" not in " ".join(args)
    # A plain build afterwards replaces it: the pages no longer carry the override.
    site.build()
    assert read(store, site.output).overrides.get("BACKCHANNEL_RECEIVER_URL") is None


def test_a_recorded_settings_file_that_is_gone_is_warned_about(site: Site) -> None:
    site.article("first-post")
    inbox(site, "aaaaaa000005")
    other = site.root / "other.py"
    other.write_text(site.conf.read_text("utf-8"), "utf-8")
    site.build("-s", str(other))
    other.unlink()
    proc = site.cli("approve", "aaaaaa000005")
    assert proc.returncode == 0, proc.stderr
    assert f"{other}, which is gone; using {site.conf}" in proc.stderr


def test_the_parse_cache_runs_in_builds_without_cache_content(site: Site) -> None:
    """The store's parsed-item cache is written and read by builds even with CACHE_CONTENT off.

    It is Backchannel's cache, checked against each file's stamp, not Pelican's content cache.
    """
    site.write_conf(f'CACHE_CONTENT = False\nCACHE_PATH = "{site.root / "cache"}"\n')
    site.article("first-post")
    site.item(
        "published",
        "first-post",
        "aaaaaa000004",
        INBOX_COMMENT.format(id="aaaaaa000004", body="Cached?"),
    )
    site.build()
    cache = site.root / "cache" / FILE_NAME
    assert cache.is_file(), "no parsed-item cache after a build"
    with sqlite3.connect(cache) as db:
        [(kind, value)] = db.execute(
            "SELECT kind, value FROM entry WHERE key = 'first-post/aaaaaa000004.md'"
        ).fetchall()
        # The row is trusted while the file's stamp holds: an edited row shows on the page.
        db.execute(
            "UPDATE entry SET value = ? WHERE kind = ?",
            (value.replace("Cached?", "From the cache"), kind),
        )
        # The page's partials are kept whole, keyed by the item file's stamp, which holds:
        # without them the page is made again, from the row.
        db.execute("DELETE FROM entry WHERE kind = ?", (FRAGMENT_KIND,))
    site.build()
    assert "From the cache" in site.page("first-post")
