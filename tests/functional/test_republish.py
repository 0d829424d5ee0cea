"""Fast republishing: after approve/reply/reject/edit/delete, output/ equals a full rebuild."""

from __future__ import annotations

import filecmp
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backchannel.model import Item, Kind, State
from backchannel.store import Store

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def comment(
    n: int, article: str, state: State, parent: str | None = None, text: str = "A *reader* comment."
) -> Item:
    return Item(
        id=f"c{n:011d}",
        kind=Kind.COMMENT,
        article=article,
        author=f"Reader {n}",
        date=T0 + timedelta(hours=n),
        origin="receiver",
        body=f"{text} ({n})",
        parent=parent,
        state=state,
    )


def make_site(site) -> Store:
    for n, slug in enumerate(("alpha", "beta", "gamma", "delta")):
        site.article(slug, date=f"2026-09-0{n + 1} 10:00")
    site.article("answer", date="2026-09-09 10:00", extra="Answers: c00000000002")
    store = Store(site.feedback)
    for n in range(1, 4):
        store.add(comment(n, "alpha", State.PUBLISHED))
    store.add(comment(4, "beta", State.PUBLISHED))
    store.add(
        Item(
            id="l00000000001",
            kind=Kind.WEBMENTION,
            article="beta",
            author="Other",
            date=T0,
            origin="receiver",
            source="https://other.example/post",
            title="A reply",
            state=State.PUBLISHED,
        )
    )
    store.add(
        comment(
            10, "alpha", State.INBOX, parent="c00000000001", text="<script>alert(1)</script>new"
        )
    )
    store.add(comment(11, "beta", State.INBOX))
    store.add(comment(12, "gamma", State.INBOX))  # gamma has no feedback yet
    return store


def differences(a: Path, b: Path) -> list[str]:
    """Files that differ or exist on one side only, recursively."""
    out = []

    def walk(cmp: filecmp.dircmp) -> None:
        out.extend(f"{cmp.left}/{n}" for n in cmp.left_only + cmp.right_only)
        _, mismatch, errors = filecmp.cmpfiles(cmp.left, cmp.right, cmp.common_files, shallow=False)
        out.extend(f"{cmp.left}/{n}" for n in mismatch + errors)
        for sub in cmp.subdirs.values():
            walk(sub)

    walk(filecmp.dircmp(a, b))
    return out


def assert_same_as_full_build(site, tmp_path: Path) -> None:
    fast = tmp_path / "fast"
    shutil.copytree(site.output, fast)
    shutil.rmtree(site.output)
    site.build()
    assert differences(fast, site.output) == []


def test_fast_path_is_byte_identical_to_a_full_build(site, tmp_path: Path) -> None:
    make_site(site)
    site.build()
    before = site.page("alpha")
    for args in (
        ("approve", "c00000000010"),
        ("reply", "c00000000004", "--yes", "--text", "Thanks!"),
        ("reject", "c00000000003"),
        ("approve", "c00000000011"),
    ):
        proc = site.cli(*args)
        assert proc.returncode == 0, proc.stderr
        assert "updated" in proc.stdout and "rebuilding" not in proc.stderr, proc.stderr
    page = site.page("alpha")
    assert page != before
    assert 'id="comment-c00000000010"' in page
    assert "<script>alert(1)" not in page  # sanitized through render.py
    assert_same_as_full_build(site, tmp_path)


def test_delete_and_edit_of_published_items(site, tmp_path: Path) -> None:
    make_site(site)
    site.build()
    assert site.cli("delete", "c00000000001").returncode == 0
    edited = tmp_path / "edit.md"
    text = (site.feedback / "published" / "beta" / "c00000000004.md").read_text("utf-8")
    edited.write_text(text.replace("A *reader* comment", "An edited comment"), "utf-8")
    proc = site.cli("edit", "c00000000004", "--file", str(edited))
    assert proc.returncode == 0, proc.stderr
    assert "An edited comment" in site.page("beta")
    assert_same_as_full_build(site, tmp_path)


def test_first_feedback_is_republished_in_place(site, tmp_path: Path) -> None:
    make_site(site)
    site.build()
    proc = site.cli("approve", "c00000000012")
    assert proc.returncode == 0, proc.stderr
    assert "rebuilt" not in proc.stdout and "full" not in proc.stderr, proc.stdout + proc.stderr
    assert 'id="comment-c00000000012"' in site.page("gamma")
    assert_same_as_full_build(site, tmp_path)


def test_answered_comment_falls_back(site, tmp_path: Path) -> None:
    make_site(site)
    site.build()
    proc = site.cli("delete", "c00000000002")
    assert proc.returncode == 0
    assert "Answers: of answer" in proc.stderr
    assert_same_as_full_build(site, tmp_path)


def test_no_republish_leaves_output_alone(site) -> None:
    make_site(site)
    site.build()
    before = site.page("alpha")
    proc = site.cli("approve", "c00000000010", "--no-republish")
    assert proc.returncode == 0 and "updated" not in proc.stdout
    assert site.page("alpha") == before


def test_hand_edited_page_is_detected(site, tmp_path: Path) -> None:
    make_site(site)
    site.build()
    page = site.output / "alpha.html"
    page.write_text(page.read_text("utf-8").replace("comments", "remarks"), "utf-8")
    proc = site.cli("approve", "c00000000010")
    assert proc.returncode == 0
    assert "does not hold the expected" in proc.stderr and "rebuilt" in proc.stdout
    assert_same_as_full_build(site, tmp_path)
