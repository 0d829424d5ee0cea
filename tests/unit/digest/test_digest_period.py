"""A digest of a period: what counts as new, what carries over, what stays out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backchannel.digest.build import compose
from backchannel.model import Item, Kind, State

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SINCE = T0 + timedelta(days=10)
UNTIL = T0 + timedelta(days=20)


def item(cid: str, body: str, days: float, *, parent=None, owner=False, kind=Kind.COMMENT):
    return Item(
        id=cid,
        kind=kind,
        article="post" if cid < "m" else "other",
        author="Site Owner" if owner else f"Reader {cid}",
        date=T0 + timedelta(days=days),
        origin="test",
        body=body,
        parent=parent,
        author_reply=owner,
        source="https://example.org/x" if kind != Kind.COMMENT else None,
        state=State.PUBLISHED,
    )


ITEMS = [
    item("a1", "How do you rotate the signing keys?", 1),  # before: open, carries over
    item("a2", "Why is the cache keyed by inode?", 2),  # before: answered below
    item("a3", "Because renames keep it.", 3, parent="a2", owner=True),
    item("b1", "Could you explain the retry budget?", 12),  # in the period: open
    item("b2", "What limits the queue length?", 13),  # in the period: answered
    item("b3", "The disk does.", 14, parent="b2", owner=True),
    item("n1", "Where does the fallback live?", 15),  # another article
    item("p1", "", 16, kind=Kind.PINGBACK),
    item("z1", "Is this after the period?", 25),  # after: never shown
]


def test_a_period_counts_what_is_new_and_carries_open_questions_over():
    d = compose(ITEMS, [], SINCE, UNTIL)
    shown = {q.comment_id: q.answered for q in d.questions}
    # Open questions carry over from earlier periods; answered ones only in theirs.
    assert shown == {"a1": False, "b1": False, "b2": True, "n1": False}
    assert d.totals["comments"] == 4 and d.totals["linkbacks"] == 1
    assert d.totals["readers"] == 3 and d.totals["analysed_comments"] == 3
    stats = {s.slug: s for s in d.articles}
    assert (stats["post"].comments, stats["post"].new_comments) == (6, 3)
    assert (stats["other"].comments, stats["other"].new_comments) == (1, 1)
    assert (stats["other"].linkbacks, stats["other"].new_linkbacks) == (1, 1)
    assert stats["post"].readers == 4  # every reader up to `until`, not only the new ones
    assert d.comment_articles.keys() == {"b1", "b2", "n1"}


def test_without_a_start_everything_before_the_end_is_new():
    d = compose(ITEMS, [], None, UNTIL)
    assert {q.comment_id for q in d.questions} == {"a1", "a2", "b1", "b2", "n1"}
    assert d.totals["comments"] == 7 and d.totals["analysed_comments"] == 5
    assert {s.slug: s.new_comments for s in d.articles} == {"post": 6, "other": 1}


def test_readers_are_counted_by_e_mail_else_by_name_in_any_case_and_each_guest_apart():
    def signed(cid: str, author: str, email_hash: str | None = None) -> Item:
        one = item(cid, "How do you rotate the signing keys?", 12)
        return one.with_changes(author=author, email_hash=email_hash)

    comments = [
        signed("c1", "Bara"),
        signed("c2", "bara"),  # the same reader, typed in lower case
        signed("c3", "Guest"),  # Disqus signs every guest "Guest": three people
        signed("c4", "Guest"),
        signed("c8", "Guest"),
        signed("c5", "Sam", "0" * 16),  # two readers who share a name, not an e-mail
        signed("c6", "Sam", "1" * 16),
        signed("c7", "Samuel", "1" * 16),  # the same e-mail under another name
    ]
    d = compose(comments, [], SINCE, UNTIL)
    assert d.totals["readers"] == 6
    assert [a.readers for a in d.articles] == [6]
