"""Thread.comment_rows: the comment tree as the one loop of thread.html walks it.

The theme draws nested lists from the rows (a comment with replies opens its list of replies,
one without closes `closes` lists), so the rows must give back exactly the tree: each comment
once, in display order, under its own parent, every list opened closed again.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime

from backchannel.build.thread import CommentNode, Endpoints, Thread

WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def node(n: int, parent: CommentNode | None) -> CommentNode:
    return CommentNode(
        id=f"c{n}",
        author=f"Reader {n}",
        author_url=None,
        date=WHEN,
        date_format="%Y",
        is_author=False,
        parent=parent.id if parent else None,
    )


def random_thread(rng: random.Random, size: int) -> tuple[Thread, dict[str, str | None]]:
    """A thread of `size` comments, each a reply to a random earlier one or top-level."""
    thread = Thread(id="t", endpoints=Endpoints(*"abcdefg"))
    nodes: list[CommentNode] = []
    parent_of: dict[str, str | None] = {}
    for n in range(size):
        parent = rng.choice(nodes) if nodes and rng.random() < 0.6 else None
        child = node(n, parent)
        (parent.children if parent else thread.comments).append(child)
        parent_of[child.id] = parent.id if parent else None
        nodes.append(child)
    return thread, parent_of


def rebuilt(thread: Thread) -> dict[str, str | None]:
    """Each comment's parent as a reader of the rows would nest them, checking the lists."""
    parent_of: dict[str, str | None] = {}
    open_items: list[str] = []  # the comments whose list of replies is open, innermost last
    for comment, _, closes in thread.comment_rows():
        parent_of[comment.id] = open_items[-1] if open_items else None
        if comment.children:
            assert closes == 0
            open_items.append(comment.id)
        else:
            assert 0 <= closes <= len(open_items)
            del open_items[len(open_items) - closes :]
    assert open_items == []  # every list of replies opened was closed
    return parent_of


def test_rows_give_back_the_tree_in_display_order():
    rng = random.Random(17)
    for size in [0, 1, 2, 3, 5, 8, 13, 40, 200]:
        for _ in range(20):
            thread, parent_of = random_thread(rng, size)
            rows = thread.comment_rows()
            assert [r.comment for r in rows] == thread.all_comments()
            assert rebuilt(thread) == parent_of


def test_a_reply_is_given_its_parents_author_and_a_top_level_comment_none():
    thread = Thread(id="t", endpoints=Endpoints(*"abcdefg"))
    first = node(1, None)
    reply = node(2, first)
    deeper = node(3, reply)
    first.children.append(reply)
    reply.children.append(deeper)
    # Shown at the top level although it replies to a comment not shown.
    stray = node(4, first)
    stray.parent = "c-unpublished"
    thread.comments += [first, stray]
    assert [(r.comment.id, r.parent_name, r.closes) for r in thread.comment_rows()] == [
        ("c1", None, 0),
        ("c2", "Reader 1", 0),
        ("c3", "Reader 2", 2),
        ("c4", None, 0),
    ]
