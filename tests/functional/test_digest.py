"""The digest's analysis as units: question quality, themes, answered state, bad input."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from backchannel.build.articles import ArticleInfo
from backchannel.digest.analysis import analyse
from backchannel.digest.build import compose
from backchannel.digest.coverage import coverage
from backchannel.digest.draft import draft_text
from backchannel.digest.questions import extract_questions, is_question
from backchannel.digest.render_html import render_html
from backchannel.digest.render_md import render_md
from backchannel.digest.themes import Doc, mine_themes
from backchannel.model import Item, Kind, State
from digest_eval import load_eval, score

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)
UNTIL = datetime(2026, 12, 1, tzinfo=UTC)


def article(
    slug: str,
    text: str = "Plain words about listening.",
    answers=(),
    title=None,
    date=T0 - timedelta(days=30),
) -> ArticleInfo:
    return ArticleInfo(
        id=slug,
        slug=slug,
        title=title or slug.title(),
        url=f"{slug}.html",
        date=date,
        status="published",
        source_path=f"{slug}.md",
        html=f"<p>{text}</p>",
        summary="",
        answers=tuple(answers),
    )


def comment(
    cid: str,
    art: str,
    author: str,
    body: str,
    days: int = 0,
    parent=None,
    reply=False,
    kind=Kind.COMMENT,
    **kw,
) -> Item:
    return Item(
        id=cid,
        kind=kind,
        article=art,
        author=author,
        date=T0 + timedelta(days=days),
        origin="test",
        body=body,
        parent=parent,
        author_reply=reply,
        state=State.PUBLISHED,
        **kw,
    )


def test_question_extraction_precision_and_recall_on_the_labelled_set():
    data = load_eval()
    assert len(data) >= 150
    assert sum(len(labels) for _, labels in data) >= 100
    precision, recall, false_pos, misses = score(extract_questions, data)
    print(
        f"questions: precision {precision:.3f} recall {recall:.3f}; "
        f"false positives {false_pos}; misses {misses}"
    )
    assert precision >= 0.9
    assert recall >= 0.9


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("How do you price discovery?", True),
        ("I wonder whether this works for a team of three.", True),
        ("Could you explain the Tuesday question in more detail.", True),
        ("Who knew?", False),
        ("How cool is that?", False),
        ('My boss always asks "what is the ROI?" and I never know.', False),
        ("¿Funciona esto con clientes grandes?", True),
        ("👍", False),
    ],
)
def test_is_question_cases(sentence, expected):
    assert is_question(sentence) is expected


def test_question_marks_in_urls_are_not_questions():
    assert extract_questions("See https://example.com/page?id=3 for the study.") == []


def test_blockquoted_and_code_question_marks_are_not_questions():
    body = "> Why do we even ask?\n\nThis line stuck with me.\n\n```\nx = a ? b : c\n```\n"
    assert extract_questions(body) == []


PLANTED = [
    "pricing discovery",
    "support tickets",
    "remote interviews",
    "imposter syndrome",
    "research budget",
]


def doc(cid: str, art: str, reader: str, text: str) -> Doc:
    """A comment as the theme miner sees it, analysed as the digest would."""
    found = analyse(text)
    return Doc(cid, art, reader, found.words, found.questions, found.language, text)


def test_planted_themes_rank_in_the_top_five():
    rng = random.Random(7)
    filler = [
        "listening",
        "client",
        "meeting",
        "notes",
        "project",
        "report",
        "workshop",
        "vocabulary",
        "habit",
        "objection",
        "story",
        "clinic",
        "receptionist",
        "nurse",
        "phone",
        "schedule",
        "spreadsheet",
        "manager",
        "design",
        "handover",
        "invoice",
        "contract",
        "colleague",
        "feedback",
        "summary",
        "diagram",
        "wiki",
        "deploy",
        "script",
        "mattress",
        "interest",
        "advice",
        "career",
        "judgment",
        "reputation",
        "sample",
        "thread",
    ]
    docs = []
    for n in range(400):
        words = rng.sample(filler, 12)
        if n % 4 == 0:
            words.insert(rng.randrange(len(words)), "and " + PLANTED[(n // 4) % 5] + " and")
        text = ". ".join(" ".join(words[i : i + 3]) for i in range(0, len(words), 3))
        if n % 4 == 0:  # a gap is a topic readers ask about
            text += f". What about {PLANTED[(n // 4) % 5]}?"
        docs.append(
            doc(f"c{n:05d}", f"article-{rng.randrange(20)}", f"reader-{rng.randrange(60)}", text)
        )
    covered = coverage([("Listening", " ".join(filler))])
    themes = mine_themes(docs, covered, limit=5)
    phrases = [t.phrase for t in themes]
    assert sorted(phrases) == sorted(PLANTED), phrases
    assert all(t.gap for t in themes)


def test_theme_is_not_a_gap_when_an_article_covers_it():
    docs = [
        doc(f"c{i}", "a", f"r{i}", f"How should I think about research budget {w}?")
        for i, w in enumerate(["limits", "planning", "cuts", "growth"])
    ]
    covered = coverage([("Research budget", "research budget research budget research budget")])
    [top, *_] = mine_themes(docs, covered)
    assert top.phrase == "research budget" and top.gap is False


def test_answered_by_author_reply_below_and_by_a_post():
    items = [
        comment("aaaaaa000001", "one", "Ana", "How do you price this?"),
        comment("aaaaaa000002", "one", "Bo", "Thanks, and why?", days=1, parent="aaaaaa000001"),
        comment(
            "aaaaaa000003", "one", "Mara", "Because.", days=2, parent="aaaaaa000002", reply=True
        ),
        comment("aaaaaa000004", "one", "Cy", "Could you explain the clinic example?", days=3),
        comment("aaaaaa000005", "one", "Di", "Is this still open?", days=4),
    ]
    arts = [article("one"), article("two", answers=["aaaaaa000004"], date=T0 + timedelta(days=5))]
    d = compose(items, arts, None, UNTIL)
    state = {q.comment_id: (q.answered, q.answered_by) for q in d.questions}
    assert state["aaaaaa000001"] == (True, "author-reply")  # reply below a reply counts
    assert state["aaaaaa000002"] == (True, "author-reply")
    assert state["aaaaaa000004"] == (True, "two")
    assert state["aaaaaa000005"] == (False, None)
    # A post published after `until` has not answered anything yet.
    early = compose(items, arts, None, T0 + timedelta(days=4, hours=12))
    assert {q.comment_id: q.answered for q in early.questions}["aaaaaa000004"] is False


def test_json_has_exactly_the_documented_keys():
    items = [
        comment("bbbbbb000001", "one", "Ana", "How do you price this work?"),
        comment("bbbbbb000002", "one", "Bo", "How do you price this work, though?", 1),
        comment(
            "bbbbbb000003",
            "one",
            "Site",
            "A post",
            2,
            kind=Kind.WEBMENTION,
            source="https://other.example/p",
            title="Linked",
        ),
    ]
    data = compose(items, [article("one")], None, UNTIL).to_json()
    assert {"period", "articles", "questions", "themes", "linkbacks", "suggestions"} <= set(data)
    assert set(data["period"]) == {"since", "until"}
    assert {"slug", "title", "comments", "new_comments", "linkbacks", "readers"} <= set(
        data["articles"][0]
    )
    assert {"comment_id", "article", "author", "text", "answered", "answered_by"} <= set(
        data["questions"][0]
    )
    assert {"phrase", "count", "articles", "gap"} <= set(data["themes"][0])
    assert {"site", "source", "title", "excerpt", "article", "kind"} <= set(data["linkbacks"][0])
    assert data["linkbacks"][0]["site"] == "other.example"
    assert {"title", "questions", "themes", "readers"} <= set(data["suggestions"][0])
    json.dumps(data)


def test_bad_input_still_renders_and_says_what_it_could_not_read():
    items = [
        comment("cccccc000001", "one", "A", "https://spam.example/?x=1"),
        comment("cccccc000002", "one", "B", "😂😂🙏"),
        comment(
            "cccccc000003",
            "one",
            "C",
            "Das ist ein sehr guter Artikel über Kunden und "
            "Beratung, danke schön für diese Gedanken zur Arbeit.",
        ),
        comment("cccccc000004", "one", "D", "I think this is a long rant about pricing. " * 30_000),
        comment("cccccc000005", "gone", "E", "Is the orphan article counted?"),
        comment(
            "cccccc000006", "one", "F", "这个方法在我的电脑上不能用，请问应该怎么解决这个问题？"
        ),
    ]
    d = compose(items, [article("one")], None, UNTIL)
    # German has stop words shipped for it: analysed. Chinese needs a word segmenter.
    assert d.unanalysed == {"links_or_emoji": 2, "other_language": 1, "truncated": 1}
    assert d.unanalysed_languages == {"zh": 1}
    assert d.totals["analysed_comments"] == 3
    md, page = render_md(d), render_html(d)
    assert "held only links or emoji" in md
    assert "1 comment in Chinese (zh) not analysed for themes" in md
    assert "1 comment in Chinese (zh) not analysed for themes" in page
    assert "first 20,000" in page
    empty = compose([], [], T0, UNTIL)
    assert "No new feedback" in render_html(empty)
    assert "No open questions." in render_md(empty)


def test_reader_text_is_escaped_in_html_markdown_and_drafts():
    evil = "How about <script>alert(1)</script> and <img src=x onerror=alert(2)>?"
    items = [comment("dddddd000001", "one", "<b>Eve</b>", evil)]
    d = compose(items, [article("one")], None, UNTIL)
    page = render_html(d)
    assert "<script>alert" not in page and "<img src=x" not in page
    # Tags and script code are dropped from the analysed text by the HTML parser.
    assert "How about and ?" in page
    assert "&lt;b&gt;Eve&lt;/b&gt;" in page and "<b>Eve" not in page
    data = d.to_json()
    suggestion = {"title": "t", "questions": ["dddddd000001"], "themes": [], "readers": []}
    text = draft_text("T", "t", suggestion, data["questions"], articles={}, now=T0)
    assert "<script>" not in text and "<b>" not in text and "&lt;b&gt;Eve" in text
