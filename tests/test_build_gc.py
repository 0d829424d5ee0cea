"""A build freezes the cycle collector when it ends; the next build in the process thaws it."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from backchannel import build_gc
from pelican import signals
from test_partials import build_in_process


@pytest.fixture(autouse=True)
def thawed() -> Iterator[None]:
    gc.unfreeze()
    build_gc.thaw_before_build(None)
    yield
    build_gc.thaw_before_build(None)
    gc.unfreeze()


def test_freeze_after_and_thaw_before_a_build() -> None:
    build_gc.freeze_after_build(None)
    assert gc.get_freeze_count() > 0
    build_gc.thaw_before_build(None)
    assert gc.get_freeze_count() == 0
    # Nothing to thaw when this module did not freeze: what someone else froze stays.
    gc.freeze()
    frozen = gc.get_freeze_count()
    build_gc.thaw_before_build(None)
    assert gc.get_freeze_count() == frozen


def test_a_build_ends_frozen_and_the_next_one_starts_thawed(sample_site) -> None:
    seen: list[int] = []

    def probe(_generator: object) -> None:  # runs after article_generator_init
        seen.append(gc.get_freeze_count())

    signals.article_generator_finalized.connect(probe)
    try:
        first = build_in_process(sample_site, sample_site.root / "first")
        after_first = gc.get_freeze_count()
        second = build_in_process(sample_site, sample_site.root / "second")
    finally:
        signals.article_generator_finalized.disconnect(probe)
    assert after_first > 0 and gc.get_freeze_count() > 0
    assert seen == [0, 0]  # the second build thawed what the first froze
    assert first == second
