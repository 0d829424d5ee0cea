"""Themes, gaps, suggestions, languages and the activity chart on small invented blogs.

Each test is one error class seen on real blogs (issue 18), written as invented
comments in the same style: greetings naming the author, HTML attributes in
imported bodies, themes nobody asks about, Chinese comments, an old blog.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from backchannel.build.articles import ArticleInfo
from backchannel.digest.build import compose
from backchannel.digest.charts import activity_svg
from backchannel.digest.engagement import activity
from backchannel.digest.language import detect, looks_english
from backchannel.digest.render_html import render_html
from backchannel.digest.render_md import plural, render_md
from backchannel.model import Item, Kind, State

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)


def article(slug: str, title: str, text: str = "Plain words about the topic.") -> ArticleInfo:
    return ArticleInfo(
        id=slug,
        slug=slug,
        title=title,
        url=f"{slug}.html",
        date=T0 - timedelta(days=60),
        status="published",
        source_path=f"{slug}.md",
        html=f"<p>{text}</p>",
        summary="",
        metadata={"author": "Marta Kowalczyk"},
    )


def comment(cid: str, art: str, author: str, body: str, days: int = 0, **kw) -> Item:
    return Item(
        id=cid,
        kind=Kind.COMMENT,
        article=art,
        author=author,
        date=T0 + timedelta(days=days),
        origin="test",
        body=body,
        state=State.PUBLISHED,
        **kw,
    )


ARTICLES = [
    article("solder-basics", "Soldering basics"),
    article("bench-supply", "A bench power supply"),
    article("scope-probes", "Choosing scope probes"),
]
READERS = ["Anna", "Bruno", "Chidi", "Dana", "Emil", "Farah"]


def blog() -> list[Item]:
    """Readers greet the author by name and keep asking about one thing no post covers."""
    asks = [
        "Hi Marta, great post! Would a ground loop isolator stop the hum on my amplifier?",
        "Thanks Marta. How do I find a ground loop when the hum only starts with the laptop?",
        "Hi Marta, is a ground loop the reason my scope trace is noisy near the supply?",
        "Hello Marta! Could a ground loop explain the buzz in my headphones too?",
        "Hi Marta, nice write-up. I used the flux you suggested and the joints look shiny now.",
        "Thanks Marta, the soldering iron temperature table was exactly what I needed.",
    ]
    items = [
        comment(f"c{n:011d}", ARTICLES[n % 3].slug, READERS[n], body, days=n)
        for n, body in enumerate(asks)
    ]
    items.append(
        comment(
            "c99999999999",
            "bench-supply",
            "Marta Kowalczyk",
            "Thanks Anna, I'll write about that.",
            days=9,
            author_reply=True,
            parent="c00000000000",
        )
    )
    return items


def test_a_greeting_name_is_never_a_theme_and_the_asked_topic_is_a_gap():
    d = compose(blog(), ARTICLES, None, UNTIL)
    phrases = [t.phrase for t in d.themes]
    words = {w for t in d.themes for p in [t.phrase, *t.related] for w in p.split()}
    assert "marta" not in words and "anna" not in words, phrases
    assert "hi" not in words and "thanks" not in words and "great" not in words
    [loop] = [t for t in d.themes if t.phrase == "ground loop"]
    assert loop.gap and len(loop.askers) >= 2 and len(loop.questions) == 4
    assert d.themes[0] is loop  # the most asked topic ranks first
    md = render_md(d)
    assert "**ground loop**" in md and "gap: no post covers it" in md
    assert "1 theme no post covers" in md


def test_a_topic_an_article_covers_is_not_a_gap():
    covering = [*ARTICLES, article("ground-loops", "Ground loops", "A ground loop hums.")]
    d = compose(blog(), covering, None, UNTIL)
    [loop] = [t for t in d.themes if t.phrase == "ground loop"]
    assert not loop.gap


def test_html_attributes_in_imported_bodies_never_become_themes():
    body = (
        'See <a href="https://parts.example/relay" rel="nofollow noopener" '
        'target="_blank" title="relay">this relay board</a>. Does the relay board need a diode?'
    )
    items = [comment(f"d{n:011d}", "bench-supply", READERS[n], body, days=n) for n in range(4)]
    d = compose(items, ARTICLES, None, UNTIL)
    assert not theme_words(d) & {"href", "rel", "nofollow", "noopener", "target", "blank", "https"}
    assert "relay board" in [t.phrase for t in d.themes]


def said_by_readers(prefix: str, article: str, said: list[str]) -> list:
    """One comment a day by a different reader for each text."""
    return [
        comment(f"{prefix}{n:011d}", article, READERS[n], t, days=n) for n, t in enumerate(said)
    ]


def theme_words(d) -> set[str]:
    """Every word of every theme's phrase and related phrases."""
    return {w for t in d.themes for p in [t.phrase, *t.related] for w in p.split()}


@pytest.mark.parametrize(
    ("said", "never", "kept"),
    [
        # Blind real blogs had "btw", "appreciated" and "bother" among their themes: how
        # readers write is no topic.
        (
            [
                "Btw, which btw setting do you use? Any pointers would be most appreciated.",
                "Why bother with btw at all? Help appreciated.",
                "Btw does btw still apply? Why bother?",
            ],
            {"btw", "appreciated", "bother"},
            None,
        ),
        # ... and "able", "chance" and "project", "gaps" among them: a filler word, or a
        # word that needs a qualifier, is no topic alone.
        (
            [
                "Any chance the relay board is able to switch mains? My project needs it.",
                "Is there a chance I'd be able to drive the relay board from my project?",
                "No chance of getting the relay board in my project able to run at 5 V?",
            ],
            {"able", "chance", "project"},
            "relay board",
        ),
        # ... and "properly", "refer" and "provides": an adverb, or a verb with no object.
        (
            [
                "Does the relay board properly refer to the ground? Which one provides it?",
                "How do I properly wire the relay board? What does pin 3 refer to?",
                "Can the relay board properly switch 5 V, or what provides the current?",
            ],
            {"properly", "refer", "provides"},
            "relay board",
        ),
    ],
)
def test_how_readers_write_is_no_topic(said, never, kept):
    d = compose(said_by_readers("f", "bench-supply", said), ARTICLES, None, UNTIL)
    assert not theme_words(d) & never
    assert kept is None or kept in [t.phrase for t in d.themes]


def test_an_identifier_from_pasted_code_is_no_topic():
    # A real blog's theme was "http_authentication", from $_SERVER['HTTP_AUTHENTICATION'].
    said = [
        "My header_value is empty: why does the digest header_value never arrive?",
        "Same here, header_value stays empty. Is the digest header stripped?",
        "Does header_value need a rewrite rule for the digest header?",
    ]
    d = compose(said_by_readers("g", "bench-supply", said), ARTICLES, None, UNTIL)
    assert not {w for w in theme_words(d) if "_" in w}
    assert any("header" in t.phrase for t in d.themes)


def test_a_topic_nobody_asks_about_is_neither_a_theme_nor_suggested():
    said = [
        "The flux pen made my rework so much cleaner.",
        "A flux pen is the best tool I bought this year.",
        "My flux pen dried out after a month, sadly.",
    ]
    items = said_by_readers("e", "solder-basics", said)
    d = compose(items, ARTICLES, None, UNTIL)
    assert d.themes == [] and d.suggestions == []
    # The same topic, asked about by two readers, is a theme with those questions.
    asked = [
        comment("e00000000010", "solder-basics", "Goran", "Which flux pen lasts longest?"),
        comment("e00000000011", "bench-supply", "Hana", "Does a flux pen work on aluminium?"),
    ]
    d = compose(items + asked, ARTICLES, None, UNTIL)
    [pen] = [t for t in d.themes if t.phrase == "flux pen"]
    assert pen.questions == ["e00000000010", "e00000000011"] and pen.count == 5


def test_suggestions_hold_only_open_questions_and_credit_their_askers():
    items = blog()
    d = compose(items, ARTICLES, None, UNTIL)
    open_ids = {q.comment_id for q in d.questions if not q.answered}
    assert d.suggestions
    for s in d.suggestions:
        assert s.questions and set(s.questions) <= open_ids and s.readers
    askers = {q.author for q in d.questions if q.comment_id in d.suggestions[0].questions}
    assert set(d.suggestions[0].readers) == askers


def test_a_chinese_comment_is_counted_named_and_its_question_listed():
    items = [
        comment(
            "f00000000001", "bench-supply", "王伟", "这个电源在我的电脑上不能用，请问应该怎么解决？"
        ),
        comment("f00000000002", "bench-supply", "Anna", "Does the supply need a fan at full load?"),
    ]
    d = compose(items, ARTICLES, None, UNTIL)
    assert d.unanalysed["other_language"] == 1 and d.unanalysed_languages == {"zh": 1}
    asked = [q.text for q in d.questions if q.comment_id == "f00000000001"]
    assert asked and asked[0].endswith("？")
    for page in (render_md(d), render_html(d)):
        assert "1 comment in Chinese (zh) not analysed for themes" in page


def test_language_detection_asks_the_model_only_when_needed():
    assert looks_english("Does the supply need a fan at full load, or is it fine?")
    assert (
        detect("Wie viel Strom braucht das Netzteil bei voller Last, und ist das normal?") == "de"
    )
    assert detect("请问应该怎么解决这个问题") == "zh"
    assert detect("ok") == "en"  # too short to tell: taken as the site's language


def test_the_activity_chart_of_an_old_blog_shows_its_years_of_feedback():
    old = [
        comment(f"g{n:011d}", "solder-basics", "Anna", "Nice.", days=-365 * 7 + 60 * n)
        for n in range(40)
    ]
    bars, unit = activity(old, None, UNTIL)
    assert unit == "year" and 6 <= len(bars) <= 8
    assert sum(c for _, c, _ in bars) == 40
    recent = [comment(f"h{n:011d}", "solder-basics", "Anna", "Nice.", days=7 * n) for n in range(3)]
    weekly, unit = activity(recent, None, UNTIL)
    assert unit == "week" and [c for _, c, _ in weekly] == [1, 1, 1]
    monthly, unit = activity(old[-12:], None, UNTIL)
    assert unit == "month" and 20 <= len(monthly) <= 24 and sum(c for _, c, _ in monthly) == 12
    svg = activity_svg(monthly, unit=unit)
    assert "per month" in svg and "<rect" in svg


def test_plurals_read_right():
    assert plural(1, "theme") == "1 theme" and plural(2, "theme") == "2 themes"
    assert plural(1, "reply") == "1 reply" and plural(0, "reply") == "0 replies"
    d = compose(
        [comment("i00000000001", "bench-supply", "Anna", "Does the fan run all the time?")],
        ARTICLES,
        None,
        UNTIL,
    )
    md, page = render_md(d), render_html(d)
    assert "1 new comment from 1 reader, 0 linkbacks, 1 open question" in md
    assert "<strong>1</strong> open question<" in page


@pytest.mark.parametrize(
    ("name", "bodies"),
    [
        (
            "zofia",  # greeted only; no setting names the author
            [
                "Hi Zofia, how long does the capacitor take to discharge?",
                "Hello Zofia! Could the capacitor leak over a week?",
                "Thanks, Zofia. Why does the capacitor get warm?",
                "Dear Zofia, is a bigger capacitor always better here?",
            ],
        ),
        (
            # Greeted, and named elsewhere too: the author signs "haacked", readers
            # write "Phil" (a fourth held-out blog).
            "phil",
            [
                "Hi Phil, how long does the capacitor take to discharge?",
                "Hey Phil! Could the capacitor leak over a week, Phil?",
                "Phil, why does the capacitor get warm in your photo?",
                "Is a bigger capacitor better? Phil wrote that it is.",
            ],
        ),
    ],
)
def test_a_name_readers_greet_is_never_a_theme(name, bodies):
    items = [
        comment(f"j{n:011d}", "bench-supply", READERS[n], b, days=n) for n, b in enumerate(bodies)
    ]
    bare = [dataclasses.replace(a, metadata={}) for a in ARTICLES]
    d = compose(items, bare, None, UNTIL)
    words = {w for t in d.themes for p in [t.phrase, *t.related] for w in p.split()}
    assert name not in words and "capacitor" in words


def test_word_specificity_ranks_topic_words_over_everyday_ones_and_is_kept(tmp_path):
    from backchannel.digest.specificity import Specificity
    from backchannel.store.cache import Cache

    first = Specificity(Cache(tmp_path))
    assert first.of(["cache", "line"], "en") > first.of(["simple"], "en") > 0
    assert first.of(["egal"], "xx") == 1.0  # no word list for the language: neutral
    first.save()
    again = Specificity(Cache(tmp_path))
    assert "en:cache" in again.known and not again.added
    assert again.of(["simple"], "en") == first.of(["simple"], "en") and not again.added


def test_the_html_suggestion_quotes_its_first_four_comments_and_counts_the_rest():
    asks = [
        f"Would a ground loop isolator number {n} stop the hum on my amplifier?" for n in range(6)
    ]
    items = [
        comment(f"g{n:011d}", "bench-supply", f"{READERS[n]} Reader", body, days=n)
        for n, body in enumerate(asks)
    ]
    d = compose(items, ARTICLES, None, UNTIL)
    [first] = [s for s in d.suggestions if len(s.questions) == 6]
    page = render_html(d)
    section = page[page.index('<section id="suggestions">') :]
    section = section[: section.index("</section>")]
    texts = {q.comment_id: q.text for q in d.questions}
    shown = [cid for cid in first.questions if texts[cid] in section]
    assert shown == first.questions[:4]
    assert "and 2 more" in section


def test_a_suggestion_credits_each_reader_once_and_each_guest_apart():
    hashed = "f" * 16
    asked = [
        comment("g00000000001", "solder-basics", "Guest", "Which flux pen lasts longest?"),
        comment("g00000000002", "bench-supply", "Guest", "Does a flux pen work on aluminium?"),
        # One reader, typed in two cases (an e-mail hash wins over the name).
        comment("g00000000003", "scope-probes", "Bara", "Is a flux pen safe near probes?"),
        comment("g00000000004", "scope-probes", "bara", "Can a flux pen damage a probe tip?"),
        comment(
            "g00000000005", "bench-supply", "Ivo", "Will a flux pen dry out?", email_hash=hashed
        ),
    ]
    d = compose(asked, ARTICLES, None, UNTIL)
    [pen] = [s for s in d.suggestions if "flux pen" in s.themes]
    assert sorted(r.casefold() for r in pen.readers) == ["bara", "guest", "guest", "ivo"]
    assert hashed not in "".join(d.json_chunks())  # who asked is counted, never written
