"""The digest's helper processes (analysis, articles, themes, JSON, cache writes) change nothing."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime

import pytest
from backchannel.digest import analysis_cache, build, write
from backchannel.digest.build import build_digest
from backchannel.digest.files import DigestError
from backchannel.digest.write import write_digest
from backchannel.settings import load

UNTIL = datetime(2030, 1, 1, tzinfo=UTC)


def every_helper(monkeypatch) -> None:
    """Thresholds at zero: every step that can use a helper process does, however small."""
    monkeypatch.setattr(build, "FORK_MIN", 0)
    monkeypatch.setattr(write, "FORK_MIN", 0)
    monkeypatch.setattr(analysis_cache, "PARALLEL_MIN", 2)


def files_of(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_a_digest_made_with_helpers_is_byte_identical(sample_site, monkeypatch):
    monkeypatch.chdir(sample_site.root)
    settings_ = load(sample_site.conf)
    cache = sample_site.root / "cache"
    written = {}
    for mode in ("one process", "helpers", "helpers, warm"):
        if mode == "helpers":
            every_helper(monkeypatch)
        if mode != "helpers, warm":
            shutil.rmtree(cache, ignore_errors=True)
        digest = build_digest(settings_, None, until=UNTIL, now=UNTIL)
        # The caches are on disk when build_digest returns (their child was waited for).
        assert {p.name for p in cache.iterdir()} >= {
            "backchannel-cache.sqlite3",
            "backchannel-digest-analysis.pickle",
            "backchannel-digest-articles.pickle",
        }
        out = sample_site.root / mode.replace(" ", "-").replace(",", "")
        write_digest(settings_, digest, out=out)
        written[mode] = files_of(out)
    assert written["helpers"] == written["one process"] == written["helpers, warm"]
    assert written["one process"]["2030-01-01.json"].count(b'"comment_id"') > 0


def test_a_json_the_child_cannot_write_is_a_clear_error(sample_site, monkeypatch):
    monkeypatch.chdir(sample_site.root)
    every_helper(monkeypatch)
    settings_ = load(sample_site.conf)
    digest = build_digest(settings_, None, until=UNTIL, now=UNTIL)
    out = sample_site.root / "out"
    (out / "2030-01-01.json").mkdir(parents=True)  # the JSON's name is taken by a folder
    with pytest.raises(DigestError, match=r"2030-01-01\.json"):
        write_digest(settings_, digest, out=out)
    assert not [p for p in out.iterdir() if p.name.startswith(".tmp")]  # nothing half-written
