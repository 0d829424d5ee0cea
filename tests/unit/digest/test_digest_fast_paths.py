"""The analysis's shortcuts give exactly what the long way gives.

Each shortcut (an ASCII text checked by bytes.translate instead of a regex or
str.isprintable, the English share counted a block at a time, one word split
for words and counts) is compared with the plain computation it replaces, on
generated text and on the hostile inputs of tests/data.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from backchannel.digest import analysis, indirect_forms, language, marked_forms, sentences, text
from backchannel.digest import question_forms as qf
from backchannel.digest.text import STOP_WORDS
from hypothesis import example, given, settings
from hypothesis import strategies as st

DATA = Path(__file__).resolve().parents[2] / "data"
HOSTILE = [
    line
    for name in ("xss_vectors.txt", "questions_eval.txt")
    for line in (DATA / name).read_text(encoding="utf-8").split("\n")
]
# Markup characters, line starts, controls, non-ASCII look-alikes and lone surrogates.
chars = st.characters() | st.sampled_from(
    "<>&*_`\\[]#~|-+= \t\n\r\x00\x1b\x7f\x85\u00a0\u2028\ud800é？"
)
texts = st.text(chars, max_size=200)


@pytest.mark.parametrize("body", HOSTILE)
def test_markup_and_printable_checks_agree_on_hostile_inputs(body):
    assert text._has_markup(body) == bool(text._MARKUP.search(body))
    assert sentences._printable(body) == body.isprintable()


@settings(max_examples=300, deadline=None)
@given(texts)
@example("plain words only")
@example("a *b*")
@example("tab\there")
@example("caf\u00e9 <b>")
def test_markup_and_printable_checks_agree_on_any_text(body):
    assert text._has_markup(body) == bool(text._MARKUP.search(body))
    assert sentences._printable(body) == body.isprintable()


def _english_the_long_way(plain: str, words: list[str]) -> bool:
    if len(words) < language.MIN_WORDS:
        return not language._UNSPACED.search(plain)
    n_stop = sum(w in STOP_WORDS for w in words)
    return n_stop / len(words) >= language.MIN_STOPWORD_SHARE


stop_or_not = st.sampled_from(["the", "and", "you", "is", "kernel", "modem", "fence", "quorum"])


@settings(max_examples=300, deadline=None)
@given(st.lists(stop_or_not, max_size=90), st.sampled_from(["", "数据库的问题"]))
# The share reached exactly at a block's end, just after it, and never.
@example(["the"] * 3 + ["kernel"] * 22, "")
@example(["kernel"] * 19 + ["the"] * 3 + ["modem"] * 3, "")
@example(["kernel"] * 60 + ["the"] * 7, "")
@example(["kernel"] * 60 + ["the"] * 8, "")
def test_english_share_counted_in_blocks_decides_as_the_full_count(words, extra):
    plain = " ".join(words) + extra
    assert language.is_english(plain, words) == _english_the_long_way(plain, words)


@pytest.mark.parametrize("body", [*HOSTILE, "Ünïcode wörds, ‘quoted’ it’s", "x\ty  z\n\nw"])
def test_the_words_are_split_as_the_general_pattern_splits_them(body):
    plain = text.strip_markup(body)
    low = plain.lower().replace("’", "'")
    # ASCII text takes a byte table instead of the pattern: the same words.
    assert analysis._word_list(plain) == analysis._NON_WORD.sub(" ", low).split()
    found = analysis.analyse(body)
    if found.unanalysed is None:
        assert found.words == " " + " ".join(analysis._word_list(plain)) + " "


def _asks_indirectly_the_long_way(low: str) -> bool:
    """Every form tried whose hint's words are all in the sentence, its longest one as a word."""
    tokens = set(low.split())
    for hints, pattern in indirect_forms._INDIRECT_BY_HINT:
        for hint in hints:
            needs = hint.split()
            key = max(sorted(needs), key=len)
            forms = {key, *(key + p for p in ",.:;!)"), "(" + key}
            if forms & tokens and all(need in low for need in needs):
                if pattern.search(low):
                    return not indirect_forms._SELF_SETTLED.search(low)
                break
    return False


hint_words = st.sampled_from(
    """would it'd useful great could you please let me know wonder if i'd appreciate any
    ideas on is this (please know. curious about it i'll figure myself""".split()  # noqa: SIM905
)


@settings(max_examples=400, deadline=None)
@given(st.lists(hint_words, min_size=1, max_size=12))
@example(["would", "be", "useful", "to", "know"])
@example(["it'd", "be", "great", "if", "you"])
@example(["useful", "stuff,", "would", "buy"])
def test_indirect_forms_found_by_their_hint_words_as_by_trying_each(words):
    low = " ".join(words)
    assert indirect_forms.asks_indirectly(low) == _asks_indirectly_the_long_way(low)


def _is_question_the_long_way(sentence: str) -> bool:
    """is_question before its shortcut: every sentence without "?" through _asks_without_mark."""
    ascii_ = sentence.isascii()
    quoted = '"' in sentence or not ascii_
    unquoted = qf._QUOTED.sub(" … ", sentence).strip() if quoted else sentence
    if "?" not in unquoted and (ascii_ or not marked_forms._QMARK.search(unquoted)):
        return qf._asks_without_mark(unquoted)
    return qf.is_question(sentence)  # a sentence with a mark takes the same way as before


# Openers, lead-ins, hint words with clinging punctuation, "question", quotes and marks.
sentence_words = st.sampled_from(
    """so and what how do you is there could would please let me know. (please wonder if
    i'd appreciate any ideas on one question: kernel modem fence the a, it's "quoted" why?
    really?! can anyone show tell us curious about - … ’ é""".split()  # noqa: SIM905
)


@pytest.mark.parametrize("line", HOSTILE)
def test_is_question_shortcut_decides_as_the_long_way_on_hostile_and_labelled_lines(line):
    for sentence in [line, *sentences.sentences(text.strip_markup(line))]:
        assert qf.is_question(sentence) == _is_question_the_long_way(sentence)


@settings(max_examples=500, deadline=None)
@given(st.lists(sentence_words, min_size=1, max_size=14) | texts.map(lambda t: [t]))
@example(["In", "the", "second", "example,", "is", "there", "a", "way"])
@example(["Kernel", "fence", "modem", "the", "a", "so"])
@example(["My", "question:", "how", "do", "you", "do", "it"])
@example(["Let", "me", "know."])
@example(["Small", "follow", "up", "questions", "here", "too:", "how", "does", "it", "work"])
def test_is_question_shortcut_decides_as_the_long_way(words):
    sentence = " ".join(words)
    assert qf.is_question(sentence) == _is_question_the_long_way(sentence)


def _has_line_mark_the_long_way(body: str) -> bool:
    return any(line[:1] in text._LINE_MARKS for line in body.split("\n"))


@pytest.mark.parametrize(
    "body", [*HOSTILE, "", "\n", "\n- item", "a\n\n1. one", "x\n\ty", "x\r\n-"]
)
def test_line_mark_search_agrees_with_splitting_the_lines_on_hostile_inputs(body):
    assert text._has_line_mark(body) == _has_line_mark_the_long_way(body)


@settings(max_examples=300, deadline=None)
@given(texts)
@example("plain\n= heading")
@example("\n")
@example("a\n\u2028- b")
def test_line_mark_search_agrees_with_splitting_the_lines(body):
    assert text._has_line_mark(body) == _has_line_mark_the_long_way(body)
