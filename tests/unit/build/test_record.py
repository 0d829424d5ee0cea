"""The build record is rewritten only when a build's settings differ from the last one's."""

from __future__ import annotations

from pathlib import Path

from backchannel.build.record import BuildRecord, read, write
from backchannel.store import Store


def _record_file(store: Store) -> Path:
    (only,) = (store.root / "private").glob("build-*.json")
    return only


def test_the_same_settings_leave_the_record_file_untouched(tmp_path: Path) -> None:
    store = Store(tmp_path / "feedback")
    output = tmp_path / "output"
    write(store, output, BuildRecord("/site/pelicanconf.py", {"SITEURL": "https://a.example"}))
    first = _record_file(store).stat()

    write(store, output, BuildRecord("/site/pelicanconf.py", {"SITEURL": "https://a.example"}))
    again = _record_file(store).stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)

    write(store, output, BuildRecord("/site/publishconf.py", {}))
    assert _record_file(store).stat().st_ino != first.st_ino
    assert read(store, output) == BuildRecord("/site/publishconf.py", {})
