"""The build's fragment cache without a Pelican build: keys, batches, a theme it cannot list."""

from __future__ import annotations

from backchannel.build.fragments import Fragments, build_digest
from backchannel.store.cache import Cache
from jinja2 import DictLoader, Environment, FunctionLoader


def test_a_fragment_is_made_once_per_key_and_kept_for_the_next_build(tmp_path) -> None:
    made: list[str] = []

    def make(text: str):
        return lambda: made.append(text) or text

    fragments = Fragments(Cache(tmp_path), "digest")
    assert fragments.get(("a", 1), make("one")) == "one"
    assert fragments.get(("a", 1), make("again")) == "one"  # the same key: not made again
    assert fragments.get(("a", 2), make("two")) == "two"
    fragments.close()
    assert made == ["one", "two"]

    later = Fragments(Cache(tmp_path), "digest")
    assert later.get(("a", 1), make("three")) == "one"
    later.close()
    # Only the row this build used is kept: ("a", 2) is made again, ("a", 1) is not.
    pruned = Fragments(Cache(tmp_path), "digest")
    assert pruned.get(("a", 2), make("five")) == "five"
    assert pruned.get(("a", 1), make("six")) == "one"
    pruned.close()
    assert made == ["one", "two", "five"]
    # Another digest (a template or setting changed) is another key.
    other = Fragments(Cache(tmp_path), "another digest")
    assert other.get(("a", 1), make("four")) == "four"
    other.close()


def test_the_digest_covers_every_template_and_setting() -> None:
    env = Environment(loader=DictLoader({"a.html": "A", "b.html": "B"}))
    base = build_digest({"SITENAME": "x"}, env)
    assert build_digest({"SITENAME": "x"}, env) == base
    assert build_digest({"SITENAME": "y"}, env) != base
    # Backchannel's own per-build entries (the previous manifest, ...) are not settings.
    assert build_digest({"SITENAME": "x", "_BACKCHANNEL_RECORD": object()}, env) == base
    changed = Environment(loader=DictLoader({"a.html": "A", "b.html": "B changed"}))
    assert build_digest({"SITENAME": "x"}, changed) != base
    # A filter function is keyed by its code, not its address, so it matches next build.
    assert build_digest({"F": lambda s: s}, env) == build_digest({"F": lambda s: s}, env)
    assert build_digest({"F": lambda s: s}, env) != build_digest({"F": lambda s: s + "!"}, env)


def test_a_theme_whose_templates_cannot_be_listed_makes_every_fragment(tmp_path) -> None:
    env = Environment(loader=FunctionLoader(lambda name: "T"))
    digest = build_digest({}, env)
    assert digest is None
    fragments = Fragments(Cache(tmp_path), digest)
    assert fragments.get(("a",), lambda: "one") == "one"
    assert fragments.get(("a",), lambda: "two") == "two"
    fragments.close()
