"""The digest's compact row per item file: what it reads of the store, and when it reads again."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta, timezone

import pytest
from backchannel.digest import feedback
from backchannel.digest.analysis import Analysis, analyse
from backchannel.digest.feedback import ROWS, load_feedback
from backchannel.digest.questions import find_questions
from backchannel.model import Item, Kind, State, dumps
from backchannel.store import Store
from backchannel.store.cache import FILE_NAME, Cache
from digest_eval import load_eval

COMMENT_FIELDS = (
    *("id", "article", "author", "email_hash", "date", "parent", "author_reply", "body"),
    "reader",  # who wrote it: one definition for a stored Item and a cached row
)


def item(n: int, body: str, **kw) -> Item:
    fields = {
        "id": f"c{n:05d}",
        "kind": Kind.COMMENT,
        "article": f"a{n % 3}",
        "author": f"reader {n % 7}",
        "date": datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=n),
        "origin": "test",
        "body": body,
        "email_hash": f"{n % 5:016x}" if n % 2 else None,
    }
    fields.update(kw)
    return Item(**fields)


def write(root, one: Item) -> None:
    folder = root / "published" / one.article
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{one.id}.md").write_text(dumps(one), "utf-8")


@pytest.fixture
def store(tmp_path):
    root = tmp_path / "feedback"
    bodies = [t for t, _ in load_eval()][:30]
    for n, body in enumerate(bodies):
        write(root, item(n, body))
    write(root, item(40, "Thanks, fixed now.", author_reply=True, parent="c00001", article="a1"))
    write(root, item(41, "Same words twice?", parent="c00040", article="a1"))
    write(root, item(42, "Same words twice?", article="a2"))
    write(root, item(50, "", kind=Kind.WEBMENTION, source="https://example.org/p", title="T"))
    return root


def analyses_of(analyses) -> dict[str, Analysis]:
    """The analyses load_feedback gives (a reader's Comment is its own), as Analysis tuples."""
    return {k: Analysis(*(getattr(v, f) for f in Analysis._fields)) for k, v in analyses.items()}


def view(loaded):
    """What the digest reads, as comparable values (comments by their fields, others whole)."""
    items, analyses, problems = loaded
    return (
        [
            tuple(getattr(i, f) for f in COMMENT_FIELDS) if i.kind == Kind.COMMENT else i
            for i in items
        ],
        analyses_of(analyses),
        [str(p) for p in problems],
    )


def cached_rows(folder) -> dict[str, str]:
    with sqlite3.connect(folder / FILE_NAME) as db:
        query = "SELECT key, version FROM entry WHERE kind LIKE ?"
        return dict(db.execute(query, (ROWS + " %",)))


def test_rows_read_what_the_store_and_the_analysis_give(store, monkeypatch):
    from backchannel.store import item_cache

    monkeypatch.setattr(item_cache, "_PARSE_BLOCK", 4)  # files are parsed block by block
    loaded = load_feedback(store, Cache(None))
    parsed = Store(store).load([State.PUBLISHED])
    items = loaded[0]
    assert [i.id for i in items] == [i.id for i in parsed.items]  # the store's order
    for mine, theirs in zip(items, parsed.items, strict=True):
        assert mine.kind == theirs.kind and mine.is_linkback == theirs.is_linkback
        if theirs.kind == Kind.COMMENT:
            assert [getattr(mine, f) for f in COMMENT_FIELDS] == [
                getattr(theirs, f) for f in COMMENT_FIELDS
            ]
        else:
            assert mine == theirs  # a linkback keeps every field
    readers = [i for i in parsed.items if i.kind == Kind.COMMENT and not i.author_reply]
    # none for the author's reply; a reader's comment is its own analysis
    assert all(loaded[1][i.id] is i for i in items if i.id in loaded[1])
    assert analyses_of(loaded[1]) == {i.id: analyse(i.body) for i in readers}


def test_warm_rows_equal_cold_and_an_edit_addition_or_deletion_is_read(
    store, tmp_path, monkeypatch
):
    folder = tmp_path / "cache"
    cold = view(load_feedback(store, Cache(None)))
    with Cache(folder) as cache:
        assert view(load_feedback(store, cache)) == cold
    assert len(cached_rows(folder)) == 34

    def no_analysis(body):
        raise AssertionError("analysed again: " + body)

    with monkeypatch.context() as patch:
        patch.setattr(feedback, "analyse", no_analysis)
        with Cache(folder) as cache:  # every row from the cache: nothing parsed or analysed
            assert view(load_feedback(store, cache)) == cold
    # An edited comment (same id, new body), a new one and a deleted one.
    write(store, item(3, "Could you explain how zebras migrate?"))
    write(store, item(60, "Where do penguins sleep?"))
    (store / "published" / "a2" / "c00005.md").unlink()
    with Cache(folder) as cache:
        items, analyses, _ = load_feedback(store, cache)
    assert analyses["c00003"].questions == ("Could you explain how zebras migrate?",)
    assert analyses["c00060"].questions == ("Where do penguins sleep?",)
    assert "c00005" not in analyses and "c00005" not in {i.id for i in items}
    assert "a2/c00005.md" not in cached_rows(folder) and len(cached_rows(folder)) == 34
    assert view((items, analyses, [])) == view(load_feedback(store, Cache(None)))


def test_a_row_of_other_code_or_not_as_made_is_never_trusted(store, tmp_path):
    folder = tmp_path / "cache"
    expected = view(load_feedback(store, Cache(None)))
    with Cache(folder) as cache:
        load_feedback(store, cache)
    lie = '["Is this a lie?"]'
    with sqlite3.connect(folder / FILE_NAME) as db:
        # Another version's rows read as missing, even with a matching stamp.
        db.execute(
            "UPDATE entry SET version = 'old', value = json_set(value, '$[12]', json(?))"
            " WHERE key = 'a0/c00000.md'",
            (lie,),
        )
        # A row of this version that is not as the code makes it: the file is read again.
        db.execute("UPDATE entry SET value = json_set(value, '$[3]', 'x') WHERE key LIKE 'a1/%'")
        db.execute("UPDATE entry SET value = json_remove(value, '$[16]') WHERE key LIKE 'a2/%'")
    with Cache(folder) as cache:
        assert view(load_feedback(store, cache)) == expected
    assert "old" not in set(cached_rows(folder).values())
    # A file that is not a database: everything is read from the files.
    (folder / FILE_NAME).write_bytes(b"not a database" * 100)
    with Cache(folder) as cache:
        assert view(load_feedback(store, cache)) == expected


def test_an_unreadable_file_is_a_problem_even_when_its_row_was_good(store, tmp_path):
    folder = tmp_path / "cache"
    with Cache(folder) as cache:
        load_feedback(store, cache)
    path = store / "published" / "a1" / "c00001.md"
    path.write_text(path.read_text("utf-8").replace("Kind: comment", "Kind: nope"), "utf-8")
    with Cache(folder) as cache:
        items, analyses, problems = load_feedback(store, cache)
    assert [str(p) for p in problems] == [str(p) for p in Store(store).load().problems]
    assert "unknown kind" in str(problems[0])
    assert "c00001" not in analyses and len(items) == 33


def test_a_digest_of_the_rows_says_what_a_digest_of_the_parsed_items_says(store, tmp_path):
    from backchannel.digest import themes
    from backchannel.digest.build import compose

    until = datetime(2030, 1, 1, tzinfo=UTC)

    def said(items, analyses=None, cache=None):
        d = compose(items, [], None, until, now=until, analyses=analyses, cache=cache)
        return d.to_json()

    plain = said(Store(store).load([State.PUBLISHED]).items)
    assert plain["themes"] and plain["questions"]  # something to compare
    folder = tmp_path / "cache"
    with Cache(folder) as cache:
        load_feedback(store, cache)
    with Cache(folder) as cache:
        items, analyses, _ = load_feedback(store, cache)
        # The rows keep a body's hash, not the body: the themes' phrases, not in the
        # cache yet, are read from the bodies in the files, not from the words.
        assert not cache.get_many(themes.PHRASES, "any")
        assert said(items, analyses, cache) == plain
        assert said(items, analyses, cache) == plain  # and again, from the phrase rows
    assert all(isinstance(i.body, str) for i in items)


def test_an_author_row_keeps_whom_it_greets_so_the_rows_answer_as_the_items_do(tmp_path):
    root = tmp_path / "feedback"
    when = datetime(2026, 1, 1, tzinfo=UTC)
    write(root, item(1, "How do I set the path?", article="a", author="Pat", date=when))
    write(root, item(2, "Hi Irene, yes.", article="a", author_reply=True, date=when + timedelta(1)))
    write(root, item(3, "Is 2.x supported?", article="a", author="Irene", date=when - timedelta(1)))

    def answered(items):
        return {q.comment_id: q.answer_id for _, q in find_questions(items, {})}

    expected = {"c00001": None, "c00003": "c00002"}
    assert answered(Store(root).load([State.PUBLISHED]).items) == expected
    folder = tmp_path / "cache"
    for _ in range(2):  # parsed, then from the rows
        with Cache(folder) as cache:
            items, _, _ = load_feedback(root, cache)
        assert answered(items) == expected
    assert next(i for i in items if i.id == "c00002").greeted == ("irene",)


def test_a_doc_given_by_its_body_hash_has_the_phrases_of_its_body_not_of_its_words():
    from backchannel.digest.analysis import body_hash
    from backchannel.digest.themes import Doc, _sample_forms

    body = "Great post, Ana. Static meshes: slow? Render queue budget *tuning* helps."
    words = analyse(body).words
    whole = Doc("c1", "a", "r", words, (), "en", body)
    keyed = Doc("c1", "a", "r", words, (), "en", "", body_hash(body))
    bare = Doc("c1", "a", "r", words, (), "en")
    from_body = _sample_forms([whole], Cache(None), None)
    assert from_body != _sample_forms([bare], Cache(None), None)  # the words alone differ
    assert _sample_forms([keyed], Cache(None), {"c1": body}.__getitem__) == from_body


WHEN = [
    datetime(2026, 1, 1, 12, 0, 5, tzinfo=UTC),
    datetime(2026, 1, 1, 12, 0, 5, tzinfo=timezone(timedelta(hours=-5, minutes=-30))),
]


@pytest.mark.parametrize("when", WHEN)
def test_a_question_read_from_the_rows_is_dated_to_the_second_as_from_the_item(tmp_path, when):
    # The digest's Comment dates its questions from its row's date text: the same
    # text isoformat(timespec="seconds") gives the parsed item.
    root = tmp_path / "feedback"
    asked = item(1, "How do zebras migrate in winter?", date=when)
    write(root, asked)
    with Cache(tmp_path / "cache") as cache:
        load_feedback(root, cache)
    with Cache(tmp_path / "cache") as cache:
        items, analyses, _ = load_feedback(root, cache)  # from the rows
    [(_, q)] = find_questions(items, {}, analyses)
    assert q.date == when.isoformat(timespec="seconds")
    assert [q.date for _, q in find_questions([asked], {})] == [q.date]


@pytest.mark.parametrize("micro", [123456, 7])
@pytest.mark.parametrize("when", WHEN)
def test_a_comment_dated_to_the_microsecond_asks_to_the_second(when, micro):
    # Item files hold whole seconds, but a Comment's date text is whatever isoformat() gave.
    when = when.replace(microsecond=micro)
    c = feedback.Comment("c1", "a", "reader", None, when.isoformat(), None, False, "k", "-")
    found = Analysis(("How do zebras migrate?",), " how do zebras migrate ", None, False, "en")
    [(_, q)] = find_questions([c], {}, {"c1": found})
    assert c.date == when and q.date == when.isoformat(timespec="seconds")
