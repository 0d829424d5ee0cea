"""The moderation commands through the real CLI, on the sample site and on small temp sites."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from backchannel.model import Item, Kind, State
from backchannel.store import Store

T0 = datetime(2026, 10, 1, 12, 0, tzinfo=UTC)


def add(
    store: Store,
    n: int,
    state: State = State.INBOX,
    email: str | None = None,
    article: str = "post",
    **fields,
) -> Item:
    private = {"email": email, "ip": "192.0.2.7", "notify": True} if email else None
    item = Item(
        id=f"c{n:011d}",
        kind=Kind.COMMENT,
        article=article,
        author=f"Reader {n}",
        date=T0,
        origin="receiver",
        body=f"Comment number {n}.",
        state=state,
        email_hash=store.email_hash(email) if email else None,
        **fields,
    )
    return store.add(item, private=private)


def audit(site) -> list[dict]:
    path = site.feedback / "moderation" / "audit.jsonl"
    return [json.loads(line) for line in path.read_text("utf-8").splitlines()]


def test_inbox_to_published_reply_on_the_sample_site(sample_site) -> None:
    site = sample_site
    proc = site.cli("inbox", "--json")
    assert proc.returncode == 0, proc.stderr
    inbox = json.loads(proc.stdout)
    assert {i["id"] for i in inbox} == {"6f1b77eb0748", "9e1d157eac5c"}
    for entry in inbox:
        assert {
            "id",
            "kind",
            "article",
            "author",
            "date",
            "spam_score",
            "reasons",
            "excerpt",
        } <= set(entry)
    spam = next(i for i in inbox if i["id"] == "9e1d157eac5c")
    assert "3 links" in spam["reasons"] and spam["spam_score"] > 0
    table = site.cli("inbox")
    assert "Kai Müller" in table.stdout and "3 links" in table.stdout

    site.build()
    assert site.cli("spam", "9e1d", "--reason", "casino links").returncode == 0
    proc = site.cli("approve", "6f1b")
    assert proc.returncode == 0, proc.stderr
    assert "approved 6f1b77eb0748" in proc.stdout and "updated" in proc.stdout
    proc = site.cli("reply", "6f1b", "--text", "Thanks, Kai: I paste them in by hand.")
    assert proc.returncode == 0, proc.stderr
    reply_id = proc.stdout.split("new comment ")[1].split()[0]
    page = site.page("credit-the-askers")
    assert f'id="comment-{reply_id}"' in page and "badge-author" in page
    reply = Store(site.feedback).find(reply_id)
    assert reply.author_reply and reply.parent == "6f1b77eb0748"
    assert reply.author == "Mara Lindqvist" and reply.origin == "author"
    assert reply.state == State.PUBLISHED
    assert json.loads(site.cli("inbox", "--json").stdout) == []
    actions = [(a["action"], a["id"], a["reason"]) for a in audit(site)]
    assert actions == [
        ("spam", "9e1d157eac5c", "casino links"),
        ("approve", "6f1b77eb0748", ""),
        ("reply", reply_id, "reply to 6f1b77eb0748"),
    ]
    assert site.cli("check").returncode == 0


def test_unknown_and_ambiguous_ids_fail_clearly(site) -> None:
    store = Store(site.feedback)
    add(store, 1)
    add(store, 2)
    for command in ("approve", "reject", "spam", "delete", "show"):
        proc = site.cli(command, "zzzz")
        assert proc.returncode == 1 and "no item with id 'zzzz'" in proc.stderr, command
        proc = site.cli(command, "c0")
        assert proc.returncode == 1 and "ambiguous" in proc.stderr, command
    proc = site.cli("reply", "zzzz", "--text", "hi")
    assert proc.returncode == 1 and "no item" in proc.stderr
    # A good id next to a bad one: the good one is done, the exit still says failure.
    proc = site.cli("approve", "c00000000001", "zzzz")
    assert proc.returncode == 1 and "approved c00000000001" in proc.stdout


def test_approving_a_reply_approves_its_waiting_parent(site) -> None:
    store = Store(site.feedback)
    add(store, 1)
    add(store, 2, parent="c00000000001")
    proc = site.cli("approve", "c00000000002")
    assert proc.returncode == 0
    assert "c00000000001 was still in the inbox: approving it too" in proc.stdout
    assert store.find("c00000000001").state == State.PUBLISHED
    assert store.find("c00000000002").state == State.PUBLISHED


def test_reply_validation(site) -> None:
    store = Store(site.feedback)
    add(store, 1, state=State.SPAM)
    add(store, 2)
    proc = site.cli("reply", "c00000000001", "--text", "hi")
    assert proc.returncode == 1 and "approve it before replying" in proc.stderr
    proc = site.cli("reply", "c00000000002", "--yes", "--text", "   ")
    assert proc.returncode == 1 and "empty" in proc.stderr
    assert store.find("c00000000002").state == State.INBOX
    editor = site.root / "editor.py"
    editor.write_text("import sys\nopen(sys.argv[1], 'w').write('From the editor.')\n")
    proc = site.cli("reply", "c00000000002", "--yes", env={"EDITOR": f"{sys.executable} {editor}"})
    assert proc.returncode == 0, proc.stderr
    replies = [i for i in store.items() if i.author_reply]
    assert [r.body for r in replies] == ["From the editor."]


def test_edit_refuses_invalid_items_and_keeps_the_text(site) -> None:
    store = Store(site.feedback)
    add(store, 1)
    original = store.path_of(store.find("c00000000001")).read_bytes()
    editor = site.root / "editor.py"
    editor.write_text(
        "import sys\np = sys.argv[1]\nt = open(p).read()\n"
        "open(p, 'w').write(t.replace('Date: 2026-10-01T12:00:00+00:00', 'Date: yesterday'))\n"
    )
    # TMPDIR: the refused text is kept in a temp file, here in the test's own folder.
    env = {"EDITOR": f"{sys.executable} {editor}", "TMPDIR": str(site.root)}
    proc = site.cli("edit", "c00000000001", env=env)
    assert proc.returncode == 1
    assert "edit refused" in proc.stderr and "Date" in proc.stderr and ":5:" in proc.stderr
    kept = Path(proc.stderr.split("kept in ")[1].strip())
    assert kept.parent == site.root and "Date: yesterday" in kept.read_text("utf-8")
    assert store.path_of(store.find("c00000000001")).read_bytes() == original
    bad_id = site.root / "bad.md"
    bad_id.write_text(original.decode().replace("c00000000001", "c00000000009"), "utf-8")
    proc = site.cli("edit", "c00000000001", "--file", str(bad_id))
    assert proc.returncode == 1 and "Id cannot change" in proc.stderr
    good = site.root / "good.md"
    good.write_text(original.decode().replace("Comment number 1.", "Edited."), "utf-8")
    proc = site.cli("edit", "c00000000001", "--file", str(good))
    assert proc.returncode == 0 and "edited c00000000001" in proc.stdout
    assert store.find("c00000000001").body == "Edited."
    assert audit(site)[-1]["action"] == "edit"


def test_export_and_forget_a_person(site) -> None:
    store = Store(site.feedback)
    add(store, 1, state=State.PUBLISHED, email="ann@example.org")
    add(store, 2, email="ANN@example.org ")
    add(store, 3, state=State.SPAM, email="ann@example.org")
    add(store, 4, state=State.PUBLISHED, email="bob@example.org")
    assert site.cli("approve", "c00000000002").returncode == 0  # a decision record with its id
    proc = site.cli("export", "ann@example.org")
    assert proc.returncode == 0
    data = json.loads(proc.stdout)
    assert [i["id"] for i in data["items"]] == ["c00000000001", "c00000000002", "c00000000003"]
    assert data["items"][0]["private"]["ip"] == "192.0.2.7"
    assert data["email_hash"] == store.email_hash("ann@example.org")

    proc = site.cli("forget", "ann@example.org")
    assert proc.returncode == 0 and "forgot 3 item(s)" in proc.stdout
    assert store.ids() == {"c00000000004"}
    private = sorted(p.name for p in (site.feedback / "private").glob("c*.json"))
    assert private == ["c00000000004.json"]
    decisions = (site.feedback / "moderation" / "decisions.jsonl").read_text("utf-8")
    assert "c00000000002" not in decisions
    assert json.loads(site.cli("export", "ann@example.org").stdout)["items"] == []
    trail = (site.feedback / "moderation" / "audit.jsonl").read_text("utf-8")
    assert "ann@example.org" not in trail.lower() and "192.0.2.7" not in trail
    assert audit(site)[-1]["action"] == "forget" and audit(site)[-1]["count"] == 3


def test_delete_removes_private_data(site) -> None:
    store = Store(site.feedback)
    add(store, 1, email="cy@example.org")
    proc = site.cli("delete", "c00000000001", "--reason", "asked by the reader")
    assert proc.returncode == 0 and "private data included" in proc.stdout
    assert store.ids() == set() and not (site.feedback / "private" / "c00000000001.json").exists()
    assert audit(site)[-1]["reason"] == "asked by the reader"


def test_corrupt_model_never_blocks_decisions(site) -> None:
    store = Store(site.feedback)
    add(store, 1)
    add(store, 2)
    model = site.feedback / "moderation" / "model.json"
    model.parent.mkdir(parents=True)
    model.write_text("\x00garbage", "utf-8")
    assert site.cli("approve", "c00000000001").returncode == 0
    assert site.cli("spam", "c00000000002").returncode == 0
    assert json.loads(model.read_text("utf-8"))["decisions"] == 2
    proc = site.cli("train")
    assert proc.returncode == 0 and "1 approved, 1 spam" in proc.stdout


def test_show_prints_the_item_and_private_keys(site) -> None:
    store = Store(site.feedback)
    add(store, 1, email="dee@example.org")
    proc = site.cli("show", "c00000000001")
    assert proc.returncode == 0
    assert "Id: c00000000001" in proc.stdout and "private: email, ip, notify" in proc.stdout


def test_inbox_is_one_line_an_item_at_80_columns_and_names_unreadable_files(site) -> None:
    store = Store(site.feedback)
    first = add(store, 1)
    store.update(first.with_changes(body="First line\nsecond line " + "word " * 40))
    add(store, 2, parent="c00000000001")
    # A hand-edited file may hold what the receiver strips at the door.
    path = site.feedback / "inbox" / "c00000000001.md"
    path.write_text(path.read_text("utf-8").replace("Author: ", "Author: \u202eAnn "), "utf-8")
    broken = site.feedback / "inbox" / "c00000000003.md"
    broken.write_text("Id: c00000000003\nKind: nonsense\n\nbody\n", "utf-8")
    proc = site.cli("inbox", env={"COLUMNS": "80"})
    assert proc.returncode == 1  # an unreadable file is never hidden
    assert str(broken) in proc.stderr and "unreadable" in proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 2 and all(len(line) <= 80 for line in lines), lines
    first_line, second = lines
    assert (
        first_line.startswith("c00000000001") and "\u202e" not in first_line and "Ann" in first_line
    )
    assert "second line" in first_line  # line breaks folded, not cut
    assert second.startswith("c00000000002") and "↩ c00000000001" in second


def test_reply_to_an_inbox_comment_asks_first(site) -> None:
    store = Store(site.feedback)
    add(store, 1)
    proc = site.cli("reply", "c00000000001", "--text", "Thanks!", input="")
    assert proc.returncode == 1 and "still in the inbox" in proc.stderr and "--yes" in proc.stderr
    assert store.find("c00000000001").state == State.INBOX
    assert not [i for i in store.items() if i.author_reply]
    proc = site.cli("reply", "c00000000001", "--yes", "--text", "Thanks!", input="")
    assert proc.returncode == 0, proc.stderr
    assert store.find("c00000000001").state == State.PUBLISHED
