"""The store: atomic, never clobbering, states by folder, private data apart."""

from __future__ import annotations

import multiprocessing
import os
from datetime import UTC, datetime

import pytest
from backchannel.errors import AmbiguousItemError, StoreError, UnknownItemError
from backchannel.model import Item, Kind, State
from backchannel.store import Store, derived_id, new_id


def make_item(item_id: str | None = None, article: str = "post", **kw) -> Item:
    fields = {
        "id": item_id or new_id(),
        "kind": Kind.COMMENT,
        "article": article,
        "author": "Ana",
        "date": datetime(2026, 10, 1, 12, tzinfo=UTC),
        "origin": "receiver",
        "body": "A question?",
    }
    fields.update(kw)
    return Item(**fields)


def test_add_writes_inbox_file_and_private_apart(tmp_path):
    store = Store(tmp_path)
    item = store.add(
        make_item("aaaaaa111111"), private={"email": "ana@example.org", "ip": "192.0.2.1"}
    )
    path = tmp_path / "inbox" / "aaaaaa111111.md"
    assert path.read_text().startswith("Id: aaaaaa111111\n")
    assert "ana@example.org" not in path.read_text()
    assert store.read_private(item.id)["email"] == "ana@example.org"
    assert not list((tmp_path / ".tmp").iterdir()), "no temp file left behind"


def test_add_never_clobbers(tmp_path):
    store = Store(tmp_path)
    store.add(make_item("bbbbbb222222", body="first"))
    with pytest.raises(StoreError, match="already exists"):
        store.add(make_item("bbbbbb222222", body="second"))
    assert "first" in (tmp_path / "inbox" / "bbbbbb222222.md").read_text()


def test_move_between_states_is_a_rename(tmp_path):
    store = Store(tmp_path)
    item = store.add(make_item("cccccc333333"))
    published = store.move(item, State.PUBLISHED)
    assert not (tmp_path / "inbox" / "cccccc333333.md").exists()
    assert (tmp_path / "published" / "post" / "cccccc333333.md").exists()
    assert store.find("ccc").state is State.PUBLISHED
    spam = store.move(published, State.SPAM)
    assert (tmp_path / "spam" / "cccccc333333.md").exists()
    assert not (tmp_path / "published" / "post").exists(), "empty article folder pruned"
    with pytest.raises(UnknownItemError):
        store.move(published, State.INBOX)  # stale copy: already moved
    store.delete(spam)
    assert store.ids() == set()


def test_find_by_prefix(tmp_path):
    store = Store(tmp_path)
    store.add(make_item("abc111111111"))
    store.add(make_item("abc222222222"))
    assert store.find("abc1").id == "abc111111111"
    with pytest.raises(AmbiguousItemError):
        store.find("abc")
    with pytest.raises(UnknownItemError):
        store.find("fff")
    with pytest.raises(UnknownItemError):
        store.find("../etc")


def test_delete_removes_private_data(tmp_path):
    store = Store(tmp_path)
    item = store.add(make_item("dddddd444444"), private={"email": "x@example.org"})
    store.delete(item)
    assert store.read_private("dddddd444444") == {}
    assert not (tmp_path / "private" / "dddddd444444.json").exists()


def test_invalid_ids_and_articles_never_reach_the_file_system(tmp_path):
    store = Store(tmp_path)
    with pytest.raises(StoreError):
        store.add(make_item("../../evil1"))
    with pytest.raises(StoreError):
        store.move(store.add(make_item("eeeeee555555")), State.PUBLISHED, article="../x")
    assert not (tmp_path.parent / "evil1.md").exists()


def test_load_reports_bad_files_and_keeps_good_ones(tmp_path):
    store = Store(tmp_path)
    store.add(make_item("ffffff666666"))
    (tmp_path / "inbox" / "bad000000000.md").write_bytes(b"Id: bad000000000\nKind: \xff\n\nx")
    result = store.load()
    assert [i.id for i in result.items] == ["ffffff666666"]
    assert len(result.problems) == 1
    assert "invalid UTF-8" in str(result.problems[0])
    assert str(result.problems[0]).startswith(str(tmp_path / "inbox" / "bad000000000.md") + ":2:")


def test_a_file_in_the_wrong_folder_or_under_another_name_is_reported(tmp_path):
    store = Store(tmp_path)
    for item_id in ("aaaaaa000001", "aaaaaa000002", "aaaaaa000003"):
        store.move(store.add(make_item(item_id, article="post")), State.PUBLISHED)
    published = tmp_path / "published"
    (published / "other").mkdir()
    os.rename(published / "post" / "aaaaaa000001.md", published / "other" / "aaaaaa000001.md")
    os.rename(published / "post" / "aaaaaa000002.md", published / "post" / "aaaaaa000009.md")
    result = store.load([State.PUBLISHED])
    assert [i.id for i in result.items] == ["aaaaaa000003"]
    reasons = sorted(str(p) for p in result.problems)
    assert "Article 'post' does not match its folder 'other'" in reasons[0]
    assert "file name does not match Id 'aaaaaa000002'" in reasons[1]


def test_derived_ids_are_stable():
    assert derived_id("wordpress", "12") == derived_id("wordpress", "12")
    assert derived_id("wordpress", "12") != derived_id("disqus", "12")


def test_email_hash_is_keyed_and_stable(tmp_path):
    store = Store(tmp_path)
    h = store.email_hash(" Ana@Example.org ")
    assert h == store.email_hash("ana@example.org")
    assert h == Store(tmp_path).email_hash("ana@example.org"), "secret persisted"
    assert h != Store(tmp_path / "other").email_hash("ana@example.org")
    assert oct(os.stat(tmp_path / "private" / "secret").st_mode)[-3:] in ("600", "644")


def _writer(root: str, worker: int, count: int) -> None:
    store = Store(root)
    for n in range(count):
        store.add(make_item(f"{worker:06d}{n:06d}", body=f"worker {worker} item {n}"))


def test_concurrent_writers_lose_nothing(tmp_path):
    procs = [multiprocessing.Process(target=_writer, args=(str(tmp_path), w, 50)) for w in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    assert all(p.exitcode == 0 for p in procs)
    items = Store(tmp_path).items()
    assert len(items) == 200
    assert {i.body for i in items} == {f"worker {w} item {n}" for w in range(4) for n in range(50)}


def test_full_disk_is_a_store_error_and_leaves_nothing(tmp_path, monkeypatch):
    store = Store(tmp_path)

    def full(fd, data):
        raise OSError(28, "No space left on device")

    # (tests/test_disk_faults.py fills a real tmpfs; this pins the clean-up.)
    monkeypatch.setattr(os, "write", full)
    with pytest.raises(StoreError, match="No space left"):
        store.add(make_item("999999999999"), private=None)
    monkeypatch.undo()
    assert not (tmp_path / "inbox" / "999999999999.md").exists()
    assert not list((tmp_path / ".tmp").iterdir())
    assert store.ids() == set()


def cache_rows(cache, kind_part):
    """{key: JSON value} of the cache's rows whose kind contains `kind_part`, read with sqlite3."""
    import json
    import sqlite3

    with sqlite3.connect(cache / "backchannel-cache.sqlite3") as db:
        rows = db.execute("SELECT kind, key, value FROM entry").fetchall()
    return {key: json.loads(value) for kind, key, value in rows if kind_part in kind}


def test_item_cache_is_used_and_invalidated(tmp_path):
    import sqlite3

    root, cache = tmp_path / "fb", tmp_path / "cache"
    store = Store(root, cache_dir=cache)
    first = store.add(make_item("aaaa00000001", body="one"))
    store.add(make_item("aaaa00000002", body="two"))
    assert {i.body for i in store.items()} == {"one", "two"}
    assert set(cache_rows(cache, "inbox")) == {"aaaa00000001.md", "aaaa00000002.md"}
    assert not list(cache.glob("*.pickle"))
    # An edit (atomic replace: new inode) is seen; a deletion drops the row.
    store.update(first.with_changes(body="one, edited"))
    store.delete(store.find("aaaa00000002"))
    again = Store(root, cache_dir=cache).items()
    assert [i.body for i in again] == ["one, edited"]
    assert list(cache_rows(cache, "inbox")) == ["aaaa00000001.md"]
    # A row that is not what the store writes is not trusted: the file is parsed.
    with sqlite3.connect(cache / "backchannel-cache.sqlite3") as db:
        db.execute("UPDATE entry SET value = json_set(value, '$[4]', 'not a kind')")
    assert [i.body for i in Store(root, cache_dir=cache).items()] == ["one, edited"]
    # A corrupt cache is ignored, not trusted.
    (cache / "backchannel-cache.sqlite3").write_bytes(b"not a database" * 100)
    assert [i.body for i in Store(root, cache_dir=cache).items()] == ["one, edited"]
    # A file that became invalid is reported even though a good parse was cached.
    path = root / "inbox" / "aaaa00000001.md"
    path.write_text(path.read_text().replace("Kind: comment", "Kind: nope"))
    result = Store(root, cache_dir=cache).load()
    assert result.items == [] and "unknown kind" in str(result.problems[0])


def test_cached_items_equal_parsed_ones_field_for_field(tmp_path):
    from datetime import timedelta, timezone

    from backchannel.model import MentionType

    root, cache = tmp_path / "fb", tmp_path / "cache"
    store = Store(root, cache_dir=cache)
    store.add(
        make_item(
            "aaaa00000001",
            body="",
            kind=Kind.WEBMENTION,
            source="https://example.org/a",
            title="Τίτλος",
            author_url="https://x.example",
            mention_type=MentionType.LIKE,
            reasons=("links: 3", "new"),
            spam_score=0.25,
            origin_id="x1",
            origin_url="https://old.example/1",
            date=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=-5))),
        )
    )
    store.add(
        make_item(
            "aaaa00000002",
            parent="aaaa00000001",
            author_reply=True,
            email_hash="ab" * 8,
            article="post",
        )
    )
    store.move(store.find("aaaa00000002"), State.PUBLISHED)
    parsed = Store(root).load()  # no cache
    Store(root, cache_dir=cache).load()  # fills it
    assert set(cache_rows(cache, "")) == {"aaaa00000001.md", "post/aaaa00000002.md"}
    cached = Store(root, cache_dir=cache).load()
    assert cached.items == parsed.items
    for mine, theirs in zip(cached.items, parsed.items, strict=True):
        assert mine.state == theirs.state
        assert {k: type(v) for k, v in vars(mine).items()} == {
            k: type(v) for k, v in vars(theirs).items()
        }
        assert mine.date.utcoffset() == theirs.date.utcoffset()


def test_item_cache_writes_only_changed_rows_and_keeps_other_states(tmp_path, monkeypatch):
    from backchannel.store.cache import Cache

    root, cache = tmp_path / "fb", tmp_path / "cache"
    store = Store(root, cache_dir=cache)
    for n in range(5):
        store.add(make_item(f"bbbb0000000{n}", body=f"comment {n}"))
    store.add(make_item("cccc00000001", state=State.PUBLISHED))
    store.load()
    written: list[str] = []
    real = Cache.put_many

    def recording(self, kind, version, entries):
        written.extend(entries)
        real(self, kind, version, entries)

    monkeypatch.setattr(Cache, "put_many", recording)
    store.update(store.find("bbbb00000003").with_changes(body="changed"))
    assert [i.body for i in store.load([State.INBOX]).items][3] == "changed"
    assert written == ["bbbb00000003.md"]
    # Loading one state leaves the rows of the others alone.
    assert list(cache_rows(cache, "published")) == ["post/cccc00000001.md"]


def test_concurrent_threads_share_folder_fsyncs_and_lose_nothing(tmp_path):
    """Group commit: many threads writing at once all return, every item stored."""
    from concurrent.futures import ThreadPoolExecutor

    store = Store(tmp_path)

    def write(worker: int) -> None:
        for n in range(20):
            store.add(make_item(f"{worker:06d}{n:06d}"), private={"email": f"{worker}@x.example"})

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(write, range(16)))
    assert len(store.ids()) == 320
    assert len(list((tmp_path / "private").glob("*.json"))) == 320
