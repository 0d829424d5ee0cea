"""Folder summaries (build/summaries.py): a pass from stored summaries counts what reading gives.

Each test builds the threads with a cache, changes the store or the articles, and builds again:
what the summaries give must be what building every thread from every item gives
(test_threads.py's reference), and a folder whose files did not change must not be read.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from datetime import timedelta

from backchannel.build.feeds import latest_feed, site_feed
from backchannel.build.summaries import KIND
from backchannel.build.threads import BuildThreads
from backchannel.model import Item, dumps
from backchannel.store.cache import FILE_NAME, Cache
from pelican.log import LimitFilter
from test_threads import BASE, article, comment, site, whole_threads, write


def counted(store, articles, settings, cache_dir):
    """(per thread: counts, answers, prompted by; the site feed; the items hashes) of a pass."""
    with Cache(cache_dir) as cache:
        built = BuildThreads(settings, store, cache, articles, set(), 50)
        threads = {
            tid: (t.comment_count, t.linkback_count, t.answers, t.prompted_by)
            for tid, t in built.threads.items()
        }
        feed = latest_feed(built.latest_comments(), articles.values(), "", "Site")
        return threads, feed, {tid: built.items_digest(tid) for tid in articles}


def reference(store, articles, settings):
    whole = whole_threads(store, articles, settings)
    threads = {
        tid: (t.comment_count, t.linkback_count, t.answers, t.prompted_by)
        for tid, t in whole.items()
    }
    feed = site_feed([(whole[tid], articles[tid]) for tid in articles], "", "Site", 50)
    return threads, feed


def rows(cache_dir, kind_prefix: str) -> list[str]:
    with sqlite3.connect(cache_dir / FILE_NAME) as db:
        return [
            key
            for (key,) in db.execute(
                "SELECT key FROM entry WHERE kind LIKE ? ORDER BY key", (kind_prefix + " %",)
            )
        ]


def test_unchanged_folders_are_counted_from_their_summaries_without_reading_them(tmp_path):
    store, articles, settings = site(tmp_path)
    cache_dir = tmp_path / "cache"
    first = counted(store, articles, settings, cache_dir)
    assert first[:2] == reference(store, articles, settings)
    summarized = sorted(os.path.basename(k) for k in rows(cache_dir, KIND))
    # "two" holds a reply whose parent is nowhere: what it shows depends on other folders.
    assert summarized == ["old-one", "one", "three", "unmatched"]
    with sqlite3.connect(cache_dir / FILE_NAME) as db:
        db.execute("DELETE FROM entry WHERE kind LIKE 'items %'")
    with Cache(cache_dir) as cache:
        BuildThreads(settings, store, cache, articles, set(), 50)
    # Only the folder without a summary was read (and its parsed items stored again).
    assert {os.path.dirname(k) for k in rows(cache_dir, "items")} == {"two"}
    assert counted(store, articles, settings, cache_dir) == first


def test_a_comment_edited_in_place_deleted_or_added_is_counted_and_fed_right(tmp_path):
    store, articles, settings = site(tmp_path)
    cache_dir = tmp_path / "cache"
    before = counted(store, articles, settings, cache_dir)

    # Rewritten in place (same file, same inode): a new author and the newest date.
    path = store.root / "published" / "one" / "c00000000005.md"
    inode = path.stat().st_ino
    edited = comment(5, "one")
    edited = Item(**{**edited.__dict__, "author": "Someone Else", "date": BASE + timedelta(days=9)})
    with open(path, "r+", encoding="utf-8") as file:
        file.truncate(0)
        file.write(dumps(edited))
    assert path.stat().st_ino == inode
    after = counted(store, articles, settings, cache_dir)
    assert after[:2] == reference(store, articles, settings)
    assert "Someone Else" in after[1] and after[1] != before[1]
    assert after[2]["one"] != before[2]["one"]
    assert {k: v for k, v in after[2].items() if k != "one"} == {
        k: v for k, v in before[2].items() if k != "one"
    }

    # The same bytes again, only the time stamp differs: still read again (and still equal).
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 10**9))
    assert counted(store, articles, settings, cache_dir)[:2] == after[:2]

    # Deleted: it drops from the counts and from the site feed, and so does its reply
    # (c00000000006), whose parent now exists nowhere.
    path.unlink()
    gone = counted(store, articles, settings, cache_dir)
    assert gone[:2] == reference(store, articles, settings)
    assert gone[0]["one"][0] == after[0]["one"][0] - 2
    assert "Someone Else" not in gone[1]

    # Added to a summarized folder.
    write(store, comment(40, "three"))
    added = counted(store, articles, settings, cache_dir)
    assert added[:2] == reference(store, articles, settings)
    assert added[0]["three"][0] == gone[0]["three"][0] + 1


def test_answers_and_aliases_changed_with_no_file_changed_apply_to_the_summaries(tmp_path):
    store, articles, settings = site(tmp_path)
    cache_dir = tmp_path / "cache"
    counted(store, articles, settings, cache_dir)
    # Now "two" answers a comment of "one", and "old-one" is an article of its own.
    articles = {**articles, "two": article("two", "c00000000004"), "old-one": article("old-one")}
    again = counted(store, articles, settings, cache_dir)
    assert again[:2] == reference(store, articles, settings)
    assert again[0]["two"][2] and again[0]["old-one"][0] == 1


def test_a_folder_with_a_file_that_does_not_parse_is_read_and_reported_every_build(
    tmp_path, caplog
):
    store, articles, settings = site(tmp_path)
    cache_dir = tmp_path / "cache"
    (store.root / "published" / "three" / "c00000000099.md").write_text("no header\n", "utf-8")
    for _ in range(2):
        caplog.clear()
        # Each build is its own process; in this one, Pelican's logging (once any test
        # imported it) drops a warning it has already given, so forget those first.
        LimitFilter._raised_messages.clear()
        with caplog.at_level(logging.WARNING):
            assert counted(store, articles, settings, cache_dir)[:2] == reference(
                store, articles, settings
            )
        assert "c00000000099.md" in caplog.text
    assert "three" not in [os.path.basename(k) for k in rows(cache_dir, KIND)]
