"""The one SQLite cache: versioned JSON rows, and a broken file only costs time."""

from __future__ import annotations

from backchannel.store.cache import FILE_NAME, Cache


def test_rows_round_trip_by_kind_and_version(tmp_path):
    with Cache(tmp_path) as cache:
        cache.put_many("items", "v1", {"a": {"x": [1, "é"]}, "b": 2})
        cache.put("other", "v1", "a", "elsewhere")
    with Cache(tmp_path) as cache:
        assert cache.get_many("items", "v1") == {"a": {"x": [1, "é"]}, "b": 2}
        assert cache.get_many("items", "v1", ["b", "zz"]) == {"b": 2}
        assert cache.get("items", "v2", "a") is None  # another version reads as missing
        assert cache.get("other", "v1", "a") == "elsewhere"
        many = [f"k{n}" for n in range(2000)]
        cache.put_many("big", "v1", dict.fromkeys(many, 0))
        assert len(cache.get_many("big", "v1", many[:1500])) == 1500
        cache.keep_only("items", ["b"])
        assert cache.get_many("items", "v1") == {"b": 2}


def test_no_folder_means_no_cache():
    cache = Cache(None)
    cache.put("items", "v1", "a", 1)
    assert cache.get_many("items", "v1") == {}


def test_a_corrupt_file_reads_as_empty_and_is_never_fatal(tmp_path, caplog):
    (tmp_path / FILE_NAME).write_bytes(b"this is not a database" * 100)
    with Cache(tmp_path) as cache:
        assert cache.get_many("items", "v1") == {}
        cache.put("items", "v1", "a", 1)
        assert cache.get("items", "v1", "a") is None
    assert "not used" in caplog.text


def test_text_rows_keep_their_text_as_it_is(tmp_path):
    page = '<p class="x">Ünïcode, "quotes", \\ and \\u00e9 stay text</p>\n'
    with Cache(tmp_path) as cache:
        cache.put_texts("parts", "v1", {"a": page, "b": ""})
    with Cache(tmp_path) as cache:
        assert cache.get_text("parts", "v1", "a") == page
        assert cache.get_text("parts", "v1", "b") == ""  # empty text is not missing
        assert cache.get_text("parts", "v2", "a") is None  # another version reads as missing
        assert cache.get_text("parts", "v1", "zz") is None
    with Cache(None) as cache:
        cache.put_texts("parts", "v1", {"a": page})
        assert cache.get_text("parts", "v1", "a") is None


def test_a_kind_found_empty_is_read_again_once_rows_are_put(tmp_path):
    with Cache(tmp_path) as cache:
        assert cache.get_many("items", "v1", ["a"]) == {}  # learnt: no rows of items v1
        assert cache.get_text("parts", "v1", "a") is None
        cache.put_many("items", "v1", {"a": 1})
        cache.put_texts("parts", "v1", {"a": "text"})
        assert cache.get("items", "v1", "a") == 1  # its own rows are seen at once
        assert cache.get_text("parts", "v1", "a") == "text"
        assert cache.get("items", "v2", "a") is None
    with Cache(tmp_path) as first, Cache(tmp_path) as second:
        assert first.get("other", "v1", "a") is None
        second.put("other", "v1", "a", 2)
    with Cache(tmp_path) as later:
        assert later.get("other", "v1", "a") == 2  # a new run sees them


def test_a_row_someone_wrote_as_a_blob_never_stops_a_run(tmp_path, caplog):
    import sqlite3

    with Cache(tmp_path) as cache:
        cache.put_many("items", "v1", {"a": 1})
        cache.put_texts("parts", "v1", {"a": "text"})
    with sqlite3.connect(tmp_path / FILE_NAME) as db:
        db.execute("UPDATE entry SET value = ?", (b"\x00blob",))
    with Cache(tmp_path) as cache:
        assert cache.get_text("parts", "v1", "a") is None
        assert cache.get_many("items", "v1") == {}
    assert "not used" in caplog.text
