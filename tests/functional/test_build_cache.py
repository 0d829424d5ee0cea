"""Rendered comment HTML in the build's SQLite cache: a rebuild renders only what changed."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

from backchannel.build.fragments import KIND as FRAGMENT_KIND
from backchannel.build.render import (
    CACHE_KIND,
    body_key,
    render_markdown,
    render_some,
    renderer_version,
)
from backchannel.store.cache import FILE_NAME, Cache
from test_bake import comment

RENDERED = re.compile(r"backchannel: (\d+) bodies rendered, (\d+) taken from the cache")


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path."""
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def build(site, output: str) -> tuple[int, int]:
    """Build into `output`; (bodies rendered, bodies from the cache) as the build logs them."""
    proc = site.build("-v", "-o", str(site.root / output))
    found = RENDERED.findall(proc.stdout + proc.stderr)
    assert len(found) == 1, proc.stdout + proc.stderr
    return int(found[0][0]), int(found[0][1])


def cached_rows(site) -> int:
    with sqlite3.connect(site.root / "cache" / FILE_NAME) as db:
        return db.execute("SELECT count(*) FROM entry WHERE kind = ?", (CACHE_KIND,)).fetchone()[0]


def test_a_rebuild_with_no_comment_changed_renders_no_body(sample_site):
    site = sample_site
    rendered, cached = build(site, "first")
    # The sample site's bodies with markup (plain prose takes no row: see below).
    assert rendered >= 10 and cached == 0
    assert cached_rows(site) == rendered

    assert build(site, "second") == (0, rendered)
    assert tree(site.root / "second") == tree(site.root / "first")

    # One new comment: one body rendered, the rest from the cache.
    comment(site, "cccccc000001", article="credit-the-askers", body="A *new* question?")
    assert build(site, "third") == (1, rendered)
    assert (
        "A <em>new</em> question?" in (site.root / "third" / "credit-the-askers.html").read_text()
    )


def test_deleting_the_cache_changes_no_output(sample_site):
    site = sample_site
    build(site, "cold")
    assert build(site, "warm")[0] == 0
    (site.root / "cache" / FILE_NAME).unlink()
    assert build(site, "again")[1] == 0
    assert tree(site.root / "warm") == tree(site.root / "cold") == tree(site.root / "again")


def test_pages_show_what_the_cache_holds(site):
    """The cached HTML is what the page gets: proof the rebuild does not render it again."""
    site.article("post")
    # Markup: plain prose is rendered directly, never cached (see the next test).
    comment(site, "aaaaaa000001", body="Marked *words*.")
    build(site, "output")
    with sqlite3.connect(site.root / "cache" / FILE_NAME) as db:
        db.execute(
            "UPDATE entry SET value = ? WHERE kind = ?", ('"<p>From the cache.</p>"', CACHE_KIND)
        )
        # Without the page's whole cached partial (test_build_fragments.py), it is made
        # again, from the cached body.
        db.execute("DELETE FROM entry WHERE kind = ?", (FRAGMENT_KIND,))
    assert build(site, "output") == (0, 1)
    assert "From the cache." in site.page("post")


def test_rows_of_another_renderer_version_are_rendered_again(tmp_path):
    bodies = ["*one*", "two https://example.org", ""]
    with Cache(tmp_path) as cache:
        cache.put(CACHE_KIND, "an older renderer", body_key("*one*"), "<p>stale</p>")
        assert render_some(bodies, cache) == (2, 0)
        assert render_some(bodies, cache) == (0, 2)
        # The stale row was replaced by this version's.
        assert cache.get_many(CACHE_KIND, "an older renderer") == {}
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        keys = {key for (key,) in db.execute("SELECT key FROM entry")}
    assert keys == {body_key("*one*"), body_key("two https://example.org")}
    assert str(render_markdown("*one*")) == "<p><em>one</em></p>"


def test_plain_prose_takes_no_cache_row(tmp_path):
    """Rendering plain prose costs less than its row: it is neither looked up nor stored."""
    with Cache(tmp_path) as cache:
        assert render_some(["Plain words, twice.\n\nNo markup.", "*marked*"], cache) == (1, 0)
        assert list(cache.get_many(CACHE_KIND, renderer_version())) == [body_key("*marked*")]
    assert str(render_markdown("Plain words, twice.\n\nNo markup.")) == (
        "<p>Plain words, twice.</p>\n<p>No markup.</p>"
    )
