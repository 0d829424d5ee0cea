"""The digest's rows in the one SQLite cache, streamed JSON, shortcuts that change nothing."""

from __future__ import annotations

import dataclasses
import json
import random
import re
from datetime import UTC, datetime, timedelta

import pytest
from backchannel.build.articles import load_articles
from backchannel.digest.analysis import analyse
from backchannel.digest.build import build_digest
from backchannel.digest.cached import load_articles_cached
from backchannel.digest.feedback import ROWS
from backchannel.digest.write import write_digest
from backchannel.model import Item, Kind
from backchannel.settings import load
from backchannel.store.cache import FILE_NAME, Cache
from digest_eval import load_eval

UNTIL = "2030-01-01"


def comment(n: int, body: str) -> Item:
    return Item(
        id=f"c{n:05d}",
        kind=Kind.COMMENT,
        article="a",
        author=f"reader {n}",
        date=datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n),
        origin="test",
        body=body,
    )


def eval_bodies() -> list[str]:
    return [t for t, _ in load_eval()]


# --- the cache's rows ------------------------------------------------------------


def rows(folder, kind: str) -> dict[str, str]:
    """The rows of one kind (or of its store folders: "kind %") as the file holds them."""
    import sqlite3

    with sqlite3.connect(folder / FILE_NAME) as db:
        return dict(db.execute("SELECT key, version FROM entry WHERE kind LIKE ?", (kind,)))


# The per-file rows (a comment and its analysis) are tested in
# tests/unit/digest/test_digest_feedback.py.


# --- the article cache ---------------------------------------------------------


def article_view(articles):
    return [(a.id, a.title, a.url, a.date, a.status, a.answers, a.tags, a.text) for a in articles]


def test_article_cache_matches_pelican_and_follows_edits(site, monkeypatch):
    site.article("one", extra="Author: Marta Kowalczyk\n", body="About pricing tiers.")
    site.article("two", extra="Tags: money, time\nAnswers: c00001\n", body="About **scale**.")
    site.article("draft", extra="Status: draft\n")
    settings_ = load(site.conf)
    # CACHE_PATH is relative to the working folder, as in Pelican.
    monkeypatch.chdir(site.root)
    fresh = article_view(load_articles(settings_))
    cache = Cache(site.root / "cache")

    def cached(settings_=settings_):
        return load_articles_cached(settings_, cache)[0]

    assert article_view(cached()) == fresh  # cold
    assert article_view(cached()) == fresh  # warm
    # The authors' names come back from the rows too: no theme may be a person's name.
    authors = [a.metadata.get("author") for a in load_articles(settings_)]
    assert [a.metadata.get("author") for a in cached()] == ["Marta Kowalczyk", None]
    assert [str(a) if a else a for a in authors] == ["Marta Kowalczyk", None]
    assert set(rows(site.root / "cache", "digest-article")) == {"one.md", "two.md", "draft.md"}
    site.article("one", title="Pricing, revisited", body="Longer text about pricing tiers.")
    (site.content / "two.md").unlink()
    assert [(a.slug, a.title) for a in cached()] == [("one", "Pricing, revisited")]
    assert set(rows(site.root / "cache", "digest-article")) == {"one.md", "draft.md"}
    # A setting that changes URLs invalidates every entry.
    site.write_conf('ARTICLE_URL = "posts/{slug}/"\n')
    assert [a.url for a in cached(load(site.conf))] == ["posts/one/"]


CODE_BODIES = {
    "indented": "Before.\n\n    def price(tier):\n        return tier * 2\n\nAfter.",
    "fenced": "Before.\n\n```\nSELECT price FROM tiers;\n```\n\nAfter.",
    "named": "Before.\n\n    :::python\n    print('tiers')\n\nAfter.",
}


def test_the_digest_reads_code_blocks_without_guessing_their_language(site, monkeypatch):
    for slug, body in CODE_BODIES.items():
        site.article(slug, body=body)
    settings_ = load(site.conf)
    monkeypatch.chdir(site.root)
    guessed = {a.slug: a for a in load_articles(settings_)}
    assert 'class="highlight"' in guessed["indented"].html  # codehilite is on, as in Pelican

    from markdown.extensions import codehilite

    guesses = []
    guess = codehilite.guess_lexer
    monkeypatch.setattr(
        codehilite, "guess_lexer", lambda *a, **k: guesses.append(1) or guess(*a, **k)
    )
    load_articles(settings_)
    assert len(guesses) == 2  # the counter works: the tools' own reading guesses
    guesses.clear()
    digest_view = {a.slug: a for a in load_articles_cached(settings_, Cache(None))[0]}
    assert set(digest_view) == set(CODE_BODIES)
    for slug, info in digest_view.items():
        assert info.text == guessed[slug].text  # the same words, other highlighting spans
    assert guesses == []
    assert ":::python" not in digest_view["named"].text  # a named language is still honoured


def test_one_reused_markdown_instance_reads_as_pelican_does(site):
    # State Python-Markdown keeps per document: footnotes, abbreviations, the
    # metadata extension (which Pelican removes to render a formatted summary).
    site.article(
        "notes", extra="Summary: A *formatted* summary.\n", body="Text.[^1]\n\n[^1]: A note."
    )
    site.article("abbr", body="The HTML spec.\n\n*[HTML]: HyperText Markup Language")
    site.article(
        "plain", body="No notes here, and HTML is just a word.\n\n| a | b |\n|---|---|\n| 1 | 2 |"
    )
    site.article(
        "again", extra="Summary: Another **one**.\n", body="More.[^1]\n\n[^1]: Second note."
    )
    # Without formatted metadata Pelican itself never resets the instance.
    for slug, body in (("bare-a", "First.[^1]\n\n[^1]: Bare note."), ("bare-b", "Nothing.")):
        (site.content / f"{slug}.md").write_text(
            f"Title: {slug}\nDate: 2026-09-02 10:00\nSlug: {slug}\n\n{body}\n", "utf-8"
        )
    from pelican.contents import Article
    from pelican.readers import Readers
    from pelican.settings import DEFAULT_CONFIG

    settings_ = load(site.conf)
    pelican_settings = {**DEFAULT_CONFIG, **settings_.pelican}
    reused = {a.source_path: a for a in load_articles(settings_)}
    assert len(reused) == 6
    for rel, info in reused.items():
        # A fresh Readers (and so a fresh Markdown instance) for each file, as Pelican reads.
        own = Readers(pelican_settings).read_file(
            base_path=str(site.content), path=rel, content_class=Article, context={}
        )
        assert info.html == own._content
        assert info.metadata == own.metadata
    assert "HyperText" not in reused["plain.md"].html and "<abbr" in reused["abbr.md"].html
    assert "Second note" in reused["again.md"].html and "A note" not in reused["again.md"].html
    assert "<em>formatted</em>" in str(reused["notes.md"].metadata["summary"])
    assert "Bare note" not in reused["bare-b.md"].html


# --- through the CLI: cold and warm digests say the same ------------------------


STAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d(?::\d\d)?(?:\+00:00| UTC)?")


def digest_files(site) -> dict[str, object]:
    """The written digest, without the time it was generated at."""
    folder = site.feedback / "digests"
    out: dict[str, object] = {}
    for path in folder.iterdir():
        raw = path.read_text("utf-8")
        if path.suffix == ".json":
            out["json"] = {k: v for k, v in json.loads(raw).items() if k != "generated"}
        else:
            out[path.suffix] = STAMP.sub("", raw)
    return out


def test_warm_digest_equals_cold_and_sees_an_edited_comment(sample_site):
    proc = sample_site.cli("digest", "--until", UNTIL)
    assert proc.returncode == 0, proc.stderr
    cold = digest_files(sample_site)
    cache = sample_site.root / "cache"
    assert rows(cache, ROWS + " %") and rows(cache, "digest-article")
    assert not list(cache.glob("backchannel-digest-*"))  # no pickle of the digest's own
    proc = sample_site.cli("digest", "--until", UNTIL)
    assert proc.returncode == 0, proc.stderr
    assert digest_files(sample_site) == cold
    # Deleting the cache changes nothing the digest says.
    (cache / FILE_NAME).unlink()
    proc = sample_site.cli("digest", "--until", UNTIL)
    assert proc.returncode == 0, proc.stderr
    assert digest_files(sample_site) == cold
    # Edit a comment the cache already knows: the next digest reads the new words.
    [path] = sample_site.feedback.glob("published/*/377216a3f4a1.md")
    path.write_text(path.read_text("utf-8") + "\nCould you explain how zebras migrate?\n", "utf-8")
    proc = sample_site.cli("digest", "--until", UNTIL)
    assert proc.returncode == 0, proc.stderr
    data = digest_files(sample_site)["json"]
    asked = [q["text"] for q in data["questions"] if q["comment_id"] == "377216a3f4a1"]
    assert "Could you explain how zebras migrate?" in asked


def test_json_is_streamed_one_element_per_line_and_equals_to_json(sample_site, monkeypatch):
    monkeypatch.chdir(sample_site.root)
    settings_ = load(sample_site.conf)
    until = datetime(2030, 1, 1, tzinfo=UTC)
    digest = build_digest(settings_, None, until=until, now=until)
    write_digest(settings_, digest, formats=("json",), out=sample_site.root / "out")
    raw = (sample_site.root / "out" / "2030-01-01.json").read_text("utf-8")
    assert json.loads(raw) == digest.to_json()
    question_lines = [ln for ln in raw.splitlines() if ln.startswith('  {"comment_id"')]
    assert len(question_lines) == len(digest.questions) > 0


@pytest.mark.parametrize("siteurl", ["", "https://example.org/blog/"])
def test_question_json_texts_equal_the_generic_encoding(siteurl):
    from backchannel.digest.model import _ENCODER, Digest
    from backchannel.digest.questions import Question

    now = datetime(2026, 11, 1, tzinfo=UTC)
    digest = Digest(since=None, until=now, generated=now, site="S", siteurl=siteurl)
    digest.urls = {"a1": "posts/a1/"}
    digest.questions = [
        Question("c1", "a1", "Zoë “Q” O'Neil", 'Why "this"\\path?\n\t😀', False, None, "2026"),
        Question("c2", "gone", "</script>", "Ça va ? \u2028 \x00", True, "author-reply", "2025"),
    ]
    encode = _ENCODER.encode
    generic = [encode(q) for q in digest.to_json()["questions"]]
    assert list(digest._question_texts()) == generic


# --- shortcuts that must not change what the digest says --------------------------


# The shortcuts of text.strip_markup and questions.is_question are checked
# against their unshortened forms in tests/test_digest_questions.py.


def test_token_cache_stays_bounded_on_a_long_tail_of_words(monkeypatch):
    from backchannel.digest import phrases

    monkeypatch.setattr(phrases, "MAX_TOKEN_CACHE", 2_000)
    rng = random.Random(3)
    letters = "abcdefghijklmnopqrstuvwxyz"
    for _ in range(6):
        words_ = ("".join(rng.choice(letters) for _ in range(9)) for _ in range(1_000))
        assert len(phrases.theme_forms(" ".join(words_))) > 1_000
        assert len(phrases._TOKEN_INFO["en"]) <= 2_000 + 1_000


def test_feed_and_last_digest_read_only_the_head_of_a_big_digest(sample_site, monkeypatch):
    from backchannel.digest.feed import digest_feed
    from backchannel.digest.files import DigestError, last_until, read_json, read_summary

    monkeypatch.chdir(sample_site.root)
    settings_ = load(sample_site.conf)
    until = datetime(2030, 1, 1, tzinfo=UTC)
    digest = build_digest(settings_, None, until=until, now=until)
    folder = sample_site.root / "out"
    write_digest(settings_, digest, formats=("json",), out=folder)
    path = folder / "2030-01-01.json"
    expected = {k: v for k, v in digest.to_json().items() if k in ("period", "generated", "totals")}
    assert read_summary(path) == expected
    # A cut-off tail does not matter to the summary (the whole file is no longer JSON).
    path.write_text(path.read_text("utf-8")[:-200], "utf-8")
    with pytest.raises(DigestError):
        read_json(path)
    assert read_summary(path) == expected
    assert last_until(folder) == until
    # An older, indented digest is read whole, as before.
    older = folder / "2029-12-01.json"
    older.write_text(json.dumps({**expected, "questions": []}, indent=1), "utf-8")
    assert read_summary(older) == expected
    feed = digest_feed(folder, "Site", "")
    assert feed.count("<entry>") == 2 and "Digest 2030-01-01" in feed


# --- the sampled comments' phrase rows ----------------------------------------------


def test_theme_phrases_come_from_the_cache_and_a_new_comment_moves_the_sample_little(
    tmp_path, monkeypatch
):
    from backchannel.digest import themes
    from backchannel.digest.coverage import coverage
    from backchannel.digest.themes import PHRASES, Doc, mine_themes

    monkeypatch.setattr(themes, "SAMPLE", 30)  # the sample is a part of a bigger site's comments
    docs = []
    for n, body in enumerate(eval_bodies()[:90]):
        found = analyse(body)
        if found.words:
            docs.append(Doc(f"c{n:05d}", f"a{n % 7}", f"r{n % 40}", found.words, found.questions,
                            found.language, body))  # fmt: skip
    covered = coverage([("Nothing", "nothing at all")])
    folder = tmp_path / "cache"

    def view(found):
        return [(t.phrase, t.count, t.questions, t.related, t.gap, t.score) for t in found]

    plain = view(mine_themes(docs, covered, cache=Cache(None)))
    assert plain  # the sample finds themes at all
    with Cache(folder) as cache:
        assert view(mine_themes(docs, covered, cache=cache)) == plain
    sampled = set(rows(folder, PHRASES))
    assert len(sampled) == 30
    with Cache(folder) as cache:  # read back from the rows: the same themes
        assert view(mine_themes(docs, covered, cache=cache)) == plain
    # Two more comments: the sample (chosen by a hash of the ids) keeps all but two at most.
    more = [*docs, *(dataclasses.replace(d, id=f"c9{d.id}") for d in docs[:2])]
    with Cache(folder) as cache:
        mine_themes(more, covered, cache=cache)
    assert len(sampled & set(rows(folder, PHRASES))) >= 28
