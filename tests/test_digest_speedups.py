"""The compiled loops (_speedups.pyx) return exactly what their Python originals return."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from backchannel.digest import phrases, text
from backchannel.digest.compiled import speedups
from digest_eval import load_eval
from hypothesis import example, given, settings
from hypothesis import strategies as st


@pytest.fixture(scope="module")
def compiled():
    """The compiled module: skip where it was not built, fail under CI (which builds it)."""
    if speedups is None:
        if os.environ.get("CI"):
            pytest.fail("the digest's compiled loops must be built under CI (setup.py, Cython)")
        pytest.skip("backchannel.digest._speedups is not compiled in this install")
    return speedups


# Pieces that meet every branch of the three loops: ASCII punctuation runs and
# words (with digits, _ ' - inside), upper case, sentence ends and closing marks
# (full-width too), white space that is not " " (tab, no-break, ideographic,
# \x1c which str.split() and \s take as a separator), line breaks, and letters
# whose lower case is longer or not ASCII.
BITS = [
    *"aZ1_'-.,;:!?()[]\"/\n\t \u00a0\u3000\x1c…？！。”’»",
    "pricing",
    "Pricing tiers",
    "don't",
    "state-of-the-art",
    "the",
    "and",
    "über",
    "İstanbul",
    "straße",
    "’s",
    "x2",
    "...",
    "?!",
    '." ',
    ")] ",
]
texts = st.lists(st.sampled_from(BITS), max_size=40).map("".join)
EVAL = [body for body, _ in load_eval()]


@settings(max_examples=600, deadline=None)
@given(texts)
@example("Pricing tiers, pricing TIERS and the price of tiers!")
@example("İstanbul’s straße")
def test_scan_and_ngrams_equal_the_python_originals(compiled, value):
    expected = phrases._scan_python(value)
    got = compiled.scan(value, phrases._TOKEN_INFO, phrases._token_info, phrases._TOKEN)
    assert got == expected
    assert compiled.ngrams_of(got[0]) == phrases._ngrams_of_python(expected[0])


@pytest.mark.parametrize("body", EVAL)
def test_compiled_loops_equal_the_originals_on_the_labelled_comments(compiled, body):
    plain = text.strip_markup(body)
    scanned = compiled.scan(plain, phrases._TOKEN_INFO, phrases._token_info, phrases._TOKEN)
    assert scanned == phrases._scan_python(plain)
    assert compiled.ngrams_of(scanned[0]) == phrases._ngrams_of_python(scanned[0])


def test_the_public_functions_use_the_compiled_loops(compiled, monkeypatch):
    calls = []
    monkeypatch.setattr(phrases, "speedups", CountingProxy(compiled, calls))
    phrases.theme_forms("Pricing tiers matter. Do they?")
    assert calls == ["scan", "ngrams_of"]


class CountingProxy:
    def __init__(self, module, calls):
        self._module, self._calls = module, calls

    def __getattr__(self, name):
        self._calls.append(name)
        return getattr(self._module, name)


def test_pure_python_is_chosen_by_the_environment():
    code = "from backchannel.digest.compiled import speedups; print(speedups is None)"
    env = {**os.environ, "BACKCHANNEL_PURE_PYTHON": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True"
