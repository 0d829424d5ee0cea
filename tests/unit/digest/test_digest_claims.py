"""The digest's theme claims, one invented example per error class seen on real blogs.

bench/bench_digest_quality.py prints the themes and suggestions of real blogs;
each test here is a class of wrong claim found there, written as invented comments:
a short plural and its singular shown as two themes, an everyday word ("code") as a
theme, and a "gap" that the very post readers asked under is about.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from backchannel.digest.build import compose
from backchannel.digest.text import stem
from backchannel.model import Item, Kind, State
from test_digest_themes import T0, UNTIL, article

READERS = ["Ines", "Jonas", "Kemal", "Lotte", "Mirko", "Nadia"]


def comments(article_id: str, bodies: list[str]) -> list[Item]:
    return [
        Item(
            id=f"q{n:011d}",
            kind=Kind.COMMENT,
            article=article_id,
            author=READERS[n],
            date=T0 + timedelta(days=n),
            origin="test",
            body=body,
            state=State.PUBLISHED,
        )
        for n, body in enumerate(bodies)
    ]


def test_a_short_plural_meets_its_singular_and_words_ending_in_s_stay():
    assert stem("gpus") == stem("gpu") == "gpu"
    assert stem("apis") == "api" and stem("bugs") == "bug"
    assert [stem(w) for w in ("plus", "thus", "less", "axis", "news")] == [
        "plus",
        "thus",
        "less",
        "axis",
        "news",
    ]


def theme_phrases(article_id: str, title: str, bodies: list[str]) -> list[str]:
    """The phrases of the themes the digest finds in these comments under one post."""
    d = compose(comments(article_id, bodies), [article(article_id, title)], None, UNTIL)
    return [t.phrase for t in d.themes]


def test_a_plural_in_s_meets_its_singular_in_e():
    # A third held-out blog: "file" was called a gap under a post titled "…Files",
    # because "files" lost "es" ("fil") while "file" kept its "e".
    for singular, plural in [
        ("file", "files"),
        ("type", "types"),
        ("cache", "caches"),
        ("box", "boxes"),
        ("class", "classes"),
        ("match", "matches"),
    ]:
        assert stem(singular) == stem(plural), (singular, plural)


def test_a_topic_asked_about_under_a_post_with_its_plural_in_the_title_is_no_gap():
    asked = [
        "How do I read the file back after a restart?",
        "Where does the app keep the file it wrote?",
        "Can the file live on the memory card instead?",
    ]
    posts = [article("storage", "Writing and Reading Files"), article("timers", "Timers")]
    d = compose(comments("storage", asked), posts, None, UNTIL)
    [file_theme] = [t for t in d.themes if t.phrase == "file"]
    assert len(file_theme.askers) == 3 and not file_theme.gap


def test_a_short_plural_and_its_singular_are_one_theme_with_every_asker():
    items = comments(
        "render-farm",
        [
            "Do the GPUs throttle when the room gets warm?",
            "Which GPUs did you measure in the render farm?",
            "Would a second GPU halve the render time?",
            "Is the GPU fan curve something you tuned by hand?",
        ],
    )
    d = compose(items, [article("render-farm", "Building a render farm")], None, UNTIL)
    named = [t for t in d.themes if t.key == ("gpu",)]
    assert [t.phrase for t in d.themes].count("gpu") + [t.phrase for t in d.themes].count(
        "gpus"
    ) == 1
    assert len(named) == 1 and len(named[0].askers) == 4


ASKED = [
    "How do I size the flyback diode for the relay coil?",
    "Does the relay coil need a snubber as well as the diode?",
    "Can the relay coil run from the same rail as the logic?",
]


def test_a_topic_asked_about_under_the_post_named_after_it_is_no_gap():
    # Readers ask about "relay coil" under a post titled "Relays": that post is about
    # it, partly at least, so "no post covers it" would be false.
    posts = [article("relays", "Relays for beginners"), article("timers", "The 555 timer")]
    d = compose(comments("relays", ASKED), posts, None, UNTIL)
    [coil] = [t for t in d.themes if t.phrase == "relay coil"]
    assert len(coil.askers) == 3 and not coil.gap


def test_the_same_questions_under_an_unrelated_post_are_a_gap():
    posts = [article("relays", "Relays for beginners"), article("timers", "The 555 timer")]
    d = compose(comments("timers", ASKED), posts, None, UNTIL)
    [coil] = [t for t in d.themes if t.phrase == "relay coil"]
    assert coil.gap


def test_an_everyday_word_alone_is_no_theme_beside_a_real_topic():
    # "code" is in most technical comments: alone it names no topic.
    phrases = theme_phrases(
        "profiling",
        "Profiling a web server",
        [
            "Could you share the code you ran?",
            "Is the code on GitHub somewhere?",
            "Which compiler flags did the code use?",
            "How do I read the flame graph in the second chart?",
            "Is the flame graph from perf or from a sampling profiler?",
            "Would a flame graph of the source code show inlined calls?",
        ],
    )
    assert "code" not in phrases, phrases
    assert "flame graph" in phrases


@pytest.mark.parametrize(
    ("title", "bodies", "not_themes", "theme"),
    [
        (
            # A second held-out blog: "pls" and "fix" were a theme and a gap, from readers
            # asking for fixes in their own words; the topic is what is to be fixed.
            "A local package cache",
            [
                "pls fix the mirror script, it fails on the sync step",
                "Could you fix the sample list in the following section?",
                "pls fix the mirror script for the new release, and send an updated list",
                "Can the mirror script solve the lock file error as well?",
            ],
            ("pls", "fix", "sample", "list", "following", "send", "updated", "solve"),
            "mirror script",
        ),
        (
            # Once "I suggest …" asked, "suggest" became a theme and a gap (binfalse), and
            # "check" and "procedure" themes alone (yasoob).
            "A local package cache",
            [
                "I suggest include a retry for the download.",
                "I would suggest to check the cable.",
                "I suggest adding a procedure to check the disk.",
                "I would also suggest a check of the disk procedure.",
            ],
            ("suggest", "check", "procedure"),
            "disk",
        ),
        (
            # A programming noun alone (haacked, ASP.NET): "object" was a gap and "string"
            # a theme; the topic is the kind of object.
            "Model binding in depth",
            [
                "How do I bind a json object with a nested object inside?",
                "Can the binder map a json object to a string property?",
                "Why is every string in the object empty after the post?",
                "Does a json object with an array of objects bind too?",
            ],
            ("object", "string"),
            "json object",
        ),
    ],
)
def test_the_words_of_a_request_or_a_vague_noun_are_no_theme(title, bodies, not_themes, theme):
    phrases = theme_phrases("post", title, bodies)
    for word in not_themes:
        assert word not in phrases, phrases
    assert theme in phrases, phrases
