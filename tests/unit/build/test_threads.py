"""The build's threads without the store's items (build/threads.py), against whole threads.

Counting in one pass and reading a thread again only when it is shown must give what building
every thread from every item gives (bake did that before): the same comments, counts, answers,
site feed, and a new hash whenever an item changes.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from backchannel.build.feeds import latest_feed, site_feed
from backchannel.build.thread import (
    Answer,
    CommentNode,
    Link,
    Thread,
    answers_of,
    build_thread,
    group_by_thread,
)
from backchannel.build.threads import STATES, BuildThreads
from backchannel.model import Item, Kind, State, dumps
from backchannel.settings import resolve
from backchannel.store import Store
from backchannel.store.cache import Cache

BASE = datetime(2026, 1, 1, tzinfo=UTC)


def article(slug: str, answers: str = "") -> SimpleNamespace:
    metadata = {"answers": answers} if answers else {}
    return SimpleNamespace(
        slug=slug, metadata=metadata, title=f"On {slug}", url=f"{slug}.html", date=BASE
    )


def write(store: Store, item: Item, folder: str | None = None) -> None:
    if item.state == State.PUBLISHED:
        path = store.root / "published" / (folder or item.article) / f"{item.id}.md"
    else:
        path = store.root / item.state.value / f"{item.id}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(item), "utf-8")


def comment(n: int, slug: str, **extra) -> Item:
    return Item(
        id=f"c{n:011d}",
        kind=Kind.COMMENT,
        article=slug,
        author=f"Reader {n}",
        date=BASE + timedelta(minutes=n),
        origin="test",
        body=f"Comment *{n}* on {slug}.",
        state=State.PUBLISHED,
        **extra,
    )


def site(tmp_path):
    """Three articles; replies, a linkback, an unmatched item, an aliased folder, an answer."""
    store = Store(tmp_path / "feedback")
    n = 0
    for slug in ("one", "two", "three"):
        for _ in range(6):
            n += 1
            parent = f"c{n - 1:011d}" if n % 3 == 0 else None
            write(store, comment(n, slug, parent=parent))
    write(store, comment(90, "old-one"))  # an old slug, aliased to "one"
    write(store, comment(91, "two", parent="c00000000077"))  # its parent exists nowhere
    write(store, Item(**{**comment(92, "three").__dict__, "state": State.UNMATCHED}))
    write(
        store,
        Item(
            id="w00000000001",
            kind=Kind.WEBMENTION,
            article="two",
            author="Other",
            date=BASE,
            origin="test",
            source="https://other.example/post",
            body="An excerpt.",
            state=State.PUBLISHED,
        ),
    )
    articles = {
        "one": article("one"),
        "two": article("two"),
        "three": article("three", "c00000000002"),
    }
    settings = resolve({"BACKCHANNEL_ALIASES": {"old-one": "one"}}, tmp_path)
    return store, articles, settings


def link_answers(  # how bake joined answers before threads.py: the reference
    threads: dict[str, Thread], articles: dict[str, object]
) -> None:
    """Join `Answers:` metadata to comments: both ends learn of each other."""
    by_comment: dict[str, tuple[str, CommentNode]] = {}
    for tid, thread in threads.items():
        for node in thread.all_comments():
            by_comment[node.id] = (tid, node)
    for tid, article in articles.items():
        for comment_id in answers_of(article):
            found = by_comment.get(comment_id)
            if found is None:
                continue
            other_tid, node = found
            other = articles[other_tid]
            node.answered_in.append(Link(title=article.title, url=article.url))
            thread = threads[tid]
            thread.answers.append(
                Answer(
                    comment_id=node.id,
                    author=node.author,
                    article_title=other.title,
                    url=f"{other.url}#comment-{node.id}",
                )
            )
            if node.author not in thread.prompted_by and not node.is_author:
                thread.prompted_by.append(node.author)


def whole_threads(store, articles, settings):
    """Every thread built from every item at once, as bake did before threads.py."""
    ids = store.ids()
    items = [i for i in store.items(STATES) if not i.parent or i.parent in ids]
    groups, _ = group_by_thread(items, set(articles), settings["ALIASES"])
    threads = {tid: build_thread(tid, groups.get(tid, []), settings) for tid in articles}
    link_answers(threads, articles)
    return threads


def test_threads_read_again_are_the_whole_threads_and_one_is_held_at_a_time(tmp_path):
    store, articles, settings = site(tmp_path)
    whole = whole_threads(store, articles, settings)
    with Cache(tmp_path / "cache") as cache:
        built = BuildThreads(settings, store, cache, articles, set(), 50)
        assert built.loaded is None  # counting read no thread into memory
        for tid, thread in built.threads.items():
            assert thread.comment_count == whole[tid].comment_count
            assert thread.linkback_count == whole[tid].linkback_count
            assert thread.answers == whole[tid].answers
            assert thread.prompted_by == whole[tid].prompted_by
            assert "comments" not in thread.__dict__
            assert thread.comments == whole[tid].comments  # answered_in and replies included
            assert thread.linkbacks == whole[tid].linkbacks
            assert built.loaded is thread
        # Only the last thread read keeps its items; an earlier one reads them again.
        assert [t for t in built.threads.values() if "comments" in t.__dict__] == [built.loaded]
        assert built.threads["one"].comments == whole["one"].comments
        assert "comments" not in built.threads["three"].__dict__
    assert whole["one"].comment_count == 7  # the aliased folder's comment is in
    # "three" answers a comment of "one": both ends know.
    assert whole["three"].answers and any(n.answered_in for n in whole["one"].all_comments())


def test_the_site_feed_of_the_newest_comments_is_the_feed_of_every_thread(tmp_path):
    store, articles, settings = site(tmp_path)
    whole = whole_threads(store, articles, settings)
    pairs = [(whole[tid], articles[tid]) for tid in articles]
    for limit in (0, 1, 5, 100):
        with Cache(None) as cache:
            built = BuildThreads(settings, store, cache, articles, set(), limit)
            ours = latest_feed(built.latest_comments(), articles.values(), "", "Site")
        assert ours == site_feed(pairs, "", "Site", limit)


def test_the_items_hash_changes_with_any_item_and_only_then(tmp_path):
    store, articles, settings = site(tmp_path)

    def digests():
        with Cache(tmp_path / "cache") as cache:
            built = BuildThreads(settings, store, cache, articles, set(), 50)
            return {tid: built.items_digest(tid) for tid in articles}

    before = digests()
    assert digests() == before  # from the parsed-item rows: the same hash
    edited = comment(5, "one")
    write(store, Item(**{**edited.__dict__, "body": "Edited."}))
    after = digests()
    assert after["one"] != before["one"]
    assert {k: v for k, v in after.items() if k != "one"} == {
        k: v for k, v in before.items() if k != "one"
    }
    # An item reaching a thread from another folder (unmatched) counts too.
    (store.root / "unmatched" / "c00000000092.md").unlink()
    assert digests()["three"] != after["three"]
