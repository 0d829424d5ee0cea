"""Partials rendered by the helper process: the same bytes as including them in-process."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import pytest
from backchannel import partials
from pelican import Pelican
from pelican.log import LimitFilter
from pelican.settings import read_settings
from test_bake import comment


def tree(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by relative path (the digest's timestamps aside)."""
    return {
        str(p.relative_to(folder)): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and "digests" not in p.parts
    }


def build_in_process(site, output: Path) -> dict[str, bytes]:
    """Run the real Pelican in this process (so monkeypatches reach the forked helper)."""
    settings = read_settings(
        str(site.conf),
        override={"PATH": str(site.content), "OUTPUT_PATH": str(output)},
    )
    cwd = os.getcwd()
    os.chdir(site.root)
    try:
        Pelican(settings).run()
    finally:
        os.chdir(cwd)
    return tree(output)


@pytest.fixture
def rich_site(sample_site):
    """The sample site plus an answered comment, an alias and an unmatched item."""
    site = sample_site
    site.article("moved-post", date="2026-10-01 10:00")
    comment(site, "bbbbbb000001", article="old-slug", body="Written before the move.")
    comment(site, "bbbbbb000002", article="moved-post", author="Ivo", body="What does it cost?")
    comment(site, "bbbbbb000003", article="moved-post", body="Imported.", state="unmatched")
    site.article("answer-post", date="2026-10-20 10:00", extra="Answers: bbbbbb000002")
    return site


@pytest.mark.parametrize("relative", [False, True])
def test_helper_output_equals_includes_and_every_fallback(rich_site, monkeypatch, caplog, relative):
    site = rich_site
    caplog.set_level(logging.WARNING, logger="backchannel")
    # Pelican logs a warning text once per process; each case here must see its own.
    monkeypatch.setattr(LimitFilter, "_raised_messages", set())
    site.write_conf(
        'BACKCHANNEL_ALIASES = {"old-slug": "moved-post"}\n'
        f"RELATIVE_URLS = {relative}\nDEFAULT_PAGINATION = 2\n"
    )
    helper = build_in_process(site, site.root / "helper")
    assert "Written before the move." in helper["moved-post.html"].decode()
    assert "answer-post.html" in helper["moved-post.html"].decode()

    with monkeypatch.context() as m:  # the theme includes every partial itself
        m.setattr(partials, "start", lambda *args: None)
        assert build_in_process(site, site.root / "include") == helper

    def dies_midway(conn, renderer, order, limit):
        for tid, article, thread in order[:2]:
            conn.send((tid, renderer.render(article, thread)))
        os._exit(3)

    with monkeypatch.context() as m:
        m.setattr(partials, "_serve", dies_midway)
        # The main process waits for the helper instead of taking articles from the
        # tail: otherwise, on a loaded machine, it could render every article and
        # stop the helper before the helper reaches its simulated death.
        m.setattr(partials.Stream, "_render_tail", lambda self: False)
        assert build_in_process(site, site.root / "died") == helper
    assert "partials helper failed" in caplog.text

    def cannot_fork(renderer, order):
        raise OSError("no processes here")

    with monkeypatch.context() as m:
        m.setattr(partials, "_fork", cannot_fork)
        assert build_in_process(site, site.root / "nofork") == helper
