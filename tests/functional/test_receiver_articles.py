"""Known articles from the build manifest: lookup by id, alias and target URL; reloads."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from backchannel.receiver.articles import Articles, ManifestError
from backchannel.settings import resolve


def write(out: Path, siteurl: str, articles: list[dict], mtime: int) -> None:
    path = out / "backchannel-articles.json"
    path.write_text(json.dumps({"siteurl": siteurl, "articles": articles}))
    os.utime(path, ns=(mtime, mtime))


def entry(aid: str, url: str, aliases: list[str] | None = None) -> dict:
    return {"id": aid, "url": url, "title": aid.title(), "aliases": aliases or []}


def test_lookup_and_reload(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    settings = resolve(
        {"OUTPUT_PATH": "output", "BACKCHANNEL_RECEIVER_URL": "https://api.example/bc"},
        base_dir=tmp_path,
    )
    articles = Articles(settings)
    with pytest.raises(ManifestError, match="build the site first"):
        articles.get("a")
    write(
        out,
        "https://blog.example/sub",
        [
            entry("a", "2026/a.html", ["old-a", "https://blog.example/sub/2019/a/"]),
            entry("b", "posts/b/"),
        ],
        1_000_000_000,
    )
    assert articles.get("a").title == "A" and articles.get("old-a").id == "a"
    by = articles.by_target
    assert by("https://blog.example/sub/2026/a.html#comments").id == "a"
    assert by("https://BLOG.example/sub/2019/a/").id == "a"  # alias given as a URL
    assert by("https://blog.example/sub/posts/b/index.html").id == "b"
    assert by("https://blog.example/sub/posts/b").id == "b"
    assert by("https://api.example/sub/2026/a.html").id == "a"  # the receiver's host
    assert by("https://blog.example/2026/a.html") is None  # outside SITEURL's path
    assert by("https://evil.example/sub/2026/a.html") is None
    assert by("https://blog.example/sub/nothing.html") is None
    write(out, "https://blog.example/sub", [entry("c", "c.html")], 2_000_000_000)
    assert articles.get("a") is None and articles.get("c").id == "c"  # rebuilt: reloaded
    (out / "backchannel-articles.json").write_text("{broken")
    with pytest.raises(ManifestError, match="cannot read article manifest"):
        articles.get("c")
