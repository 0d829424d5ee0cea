"""list_files: every item file of a state's folders, sorted, with the paths os.path.join gives."""

from __future__ import annotations

import os

from backchannel.model import State
from backchannel.store.files import list_files


def _layout(root) -> None:
    for folder, names in {
        "inbox": ["b2.md", "a1.md", ".hidden.md", "notes.txt", "a1.md~"],
        "published/post-b": ["z9.md", "c3.md"],
        "published/post-a": ["d4.md", ".x.md"],
        "spam": [],
    }.items():
        os.makedirs(root / folder, exist_ok=True)
        for name in names:
            (root / folder / name).write_text("x", encoding="utf-8")


def test_listing_is_sorted_skips_hidden_and_other_files_and_joins_paths(tmp_path):
    _layout(tmp_path)
    states = [State.INBOX, State.PUBLISHED, State.SPAM, State.REJECTED]
    root = str(tmp_path)
    assert list(list_files(root, states)) == [
        (os.path.join(root, "inbox", "a1.md"), State.INBOX),
        (os.path.join(root, "inbox", "b2.md"), State.INBOX),
        (os.path.join(root, "published", "post-a", "d4.md"), State.PUBLISHED),
        (os.path.join(root, "published", "post-b", "c3.md"), State.PUBLISHED),
        (os.path.join(root, "published", "post-b", "z9.md"), State.PUBLISHED),
    ]
    # A root given with a trailing separator, and a name prefix.
    assert list(list_files(root + os.sep, [State.INBOX], prefix="b")) == [
        (os.path.join(root + os.sep, "inbox", "b2.md"), State.INBOX)
    ]
