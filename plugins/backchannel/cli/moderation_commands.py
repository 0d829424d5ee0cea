"""Moderation commands.

inbox, show, approve, reject, spam, reply, edit, delete, forget, export, notify, train.

State-changing commands print one line per thing they did, then update output/
in place when it exists (`--no-republish` skips), then mail readers who asked
to hear about replies.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from backchannel.cli.output import terminal_text
from backchannel.cli.store_commands import first_line, store_of
from backchannel.errors import BackchannelError
from backchannel.model import Item, Kind, State, dumps
from backchannel.moderation.decisions import (
    ModerationError,
    Moderator,
    Result,
    age,
    classifier_for,
    scored,
)
from backchannel.moderation.follow_up import follow_up
from backchannel.settings import Resolved


def inbox_json(item: Item) -> dict[str, Any]:
    """The `inbox --json` form of an item."""
    return {
        "id": item.id,
        "kind": item.kind.value,
        "article": item.article,
        "author": item.author,
        "date": item.date.isoformat(timespec="seconds"),
        "spam_score": item.spam_score,
        "reasons": list(item.reasons),
        "excerpt": first_line(item.body or item.title or "", 160),
        "parent": item.parent,
        "source": item.source,
    }


SHORT_KIND = {Kind.COMMENT: "cmt", Kind.TRACKBACK: "tb", Kind.PINGBACK: "pb", Kind.WEBMENTION: "wm"}


def inbox_line(item: Item, width: int) -> str:
    """One item as one line of at most `width` characters (details: `show ID`)."""
    score = f"{item.spam_score:.2f}" if item.spam_score is not None else "   -"
    head = f"{item.id:<12}  {SHORT_KIND[item.kind]:<3} {score:>4} {age(item.date):>5}  "
    who = item.author or "(no name)"
    if item.parent:
        who += f" ↩ {item.parent}"
    why = f"[{'; '.join(item.reasons)}] " if item.reasons else ""
    tail = terminal_text(f"{item.article} · {who}: {why}{item.body or item.title or ''}")
    line = head + " ".join(tail.split())
    return line if len(line) <= width else line[: width - 1] + "…"


def cmd_inbox(args: argparse.Namespace, settings: Resolved) -> int:
    """List the inbox, one line an item: what waits, what it answers, how spammy and why."""
    store = store_of(settings)
    loaded = store.load([State.INBOX])
    # Each with a score (computed now, not saved, where the receiver gave none).
    items = sorted((scored(store, i, settings) for i in loaded.items), key=lambda i: (i.date, i.id))
    for problem in loaded.problems:  # never hidden: `check` is not the only one to say so
        print(f"backchannel: unreadable: {terminal_text(str(problem))}", file=sys.stderr)
    if args.json:
        print(json.dumps([inbox_json(i) for i in items], ensure_ascii=False, indent=2))
    else:
        width = max(80, shutil.get_terminal_size((80, 24)).columns)
        for item in items:
            print(inbox_line(item, width))
        print(
            f"{len(items)} item(s) in the inbox"
            + (f", {len(loaded.problems)} unreadable" if loaded.problems else ""),
            file=sys.stderr,
        )
    return 1 if loaded.problems else 0


def cmd_show(args: argparse.Namespace, settings: Resolved) -> int:
    """Print one item as its file, with its state and what private data exists."""
    store = store_of(settings)
    item = scored(store, store.find(args.id), settings)
    print(f"# {store.path_of(item)} ({item.state})")
    if item.spam_score is not None:
        print(f"# spam score {item.spam_score:.2f}: {'; '.join(item.reasons) or 'no signals'}")
    private = store.read_private(item.id)
    if private:
        print(f"# private: {', '.join(sorted(private))} (never published)")
    print(dumps(item), end="")
    return 0


def _finish(
    args: argparse.Namespace, settings: Resolved, moderator: Moderator, result: Result
) -> int:
    """Print what happened, update output/, mail readers (the moderation page does the same)."""
    done = follow_up(settings, moderator.store, result, update_output=not args.no_republish)
    for line in done.said:
        print(line)
    for problem in done.problems:
        print(problem, file=sys.stderr)
    return done.status


def _each(args: argparse.Namespace, settings: Resolved, action: Any) -> int:
    """Apply an action to every id; go on after a bad id, exit 1 if any failed."""
    moderator = Moderator(settings, store_of(settings))
    result = Result()
    failed = 0
    for prefix in args.ids:
        try:
            action(moderator, prefix, result)
        except BackchannelError as exc:
            print(f"backchannel: {exc}", file=sys.stderr)
            failed += 1
    status = _finish(args, settings, moderator, result)
    return 1 if failed else status


def cmd_approve(args: argparse.Namespace, settings: Resolved) -> int:
    """Publish items."""
    return _each(args, settings, lambda m, p, r: m.approve(p, r, args.reason))


def cmd_reject(args: argparse.Namespace, settings: Resolved) -> int:
    """Reject items (kept in rejected/, off the site)."""
    return _each(args, settings, lambda m, p, r: m.set_aside(p, State.REJECTED, r, args.reason))


def cmd_spam(args: argparse.Namespace, settings: Resolved) -> int:
    """Mark items as spam and learn from them."""
    return _each(args, settings, lambda m, p, r: m.set_aside(p, State.SPAM, r, args.reason))


def cmd_delete(args: argparse.Namespace, settings: Resolved) -> int:
    """Delete items and every trace of them."""
    return _each(args, settings, lambda m, p, r: m.delete(p, r, args.reason))


def _editor(initial: str, suffix: str = ".md") -> tuple[str, Path]:
    """Let the author edit text in $VISUAL/$EDITOR; returns the text and the file kept it."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    fd, name = tempfile.mkstemp(prefix="backchannel-", suffix=suffix)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(initial)
    try:
        proc = subprocess.run([*shlex.split(editor), name], check=False)
    except OSError as exc:
        raise ModerationError(f"cannot run the editor {editor!r}: {exc.strerror}") from None
    if proc.returncode != 0:
        raise ModerationError(
            f"the editor {editor!r} failed (exit {proc.returncode}); "
            f"nothing changed, your text is in {name}"
        )
    return Path(name).read_text("utf-8"), Path(name)


def _text_of(args: argparse.Namespace) -> tuple[str, Path | None]:
    if args.text is not None:
        return args.text, None
    if args.file:
        return _read(args.file), None
    return _editor("")


def _read(path: str) -> str:
    try:
        return Path(path).read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ModerationError(f"cannot read {path}: {exc}") from None


def _confirm_approval(parent: Item) -> None:
    """Ask before a reply publishes a comment still waiting in the inbox (--yes skips)."""
    what = f"{parent.id} ({terminal_text(parent.author or 'no name')}) is still in the inbox"
    if not sys.stdin.isatty():
        raise ModerationError(f"{what}: replying approves it; approve it first, or pass --yes")
    answer = input(f"{what}: replying approves and publishes it. Reply? [y/N] ")
    if answer.strip().lower() not in ("y", "yes"):
        raise ModerationError(f"not replied: {parent.id} stays in the inbox")


def cmd_reply(args: argparse.Namespace, settings: Resolved) -> int:
    """Publish a reply as the site's author."""
    moderator = Moderator(settings, store_of(settings))
    parent = moderator.store.find(args.id)
    if parent.state == State.INBOX and not args.yes:
        _confirm_approval(parent)
    text, kept = _text_of(args)
    if not text.strip():
        raise ModerationError("reply refused: the text is empty")
    result = Result()
    moderator.reply(args.id, text, result)
    if kept:
        kept.unlink(missing_ok=True)
    return _finish(args, settings, moderator, result)


def cmd_edit(args: argparse.Namespace, settings: Resolved) -> int:
    """Edit an item's file; refuse anything that would not validate."""
    moderator = Moderator(settings, store_of(settings))
    item = moderator.store.find(args.id)
    kept = None
    if args.file:
        text = _read(args.file)
    else:
        text, kept = _editor(dumps(item))
    result = Result()
    try:
        moderator.edit(item.id, text, result, source=kept or args.file)
    except ModerationError as exc:
        where = f"; your edited text is kept in {kept}" if kept else ""
        raise ModerationError(f"{exc}{where}") from None
    if kept:
        kept.unlink(missing_ok=True)
    return _finish(args, settings, moderator, result)


def cmd_forget(args: argparse.Namespace, settings: Resolved) -> int:
    """Erase everything one person submitted."""
    moderator = Moderator(settings, store_of(settings))
    result = Result()
    moderator.forget(args.email, result)
    return _finish(args, settings, moderator, result)


def cmd_export(args: argparse.Namespace, settings: Resolved) -> int:
    """Print everything held about one person as JSON."""
    from backchannel.moderation.privacy import export

    print(json.dumps(export(store_of(settings), args.email), ensure_ascii=False, indent=2))
    return 0


def cmd_notify(args: argparse.Namespace, settings: Resolved) -> int:
    """Mail the author what arrived in the inbox since the last run (for cron)."""
    from backchannel.moderation.notify import notify_author

    fresh = notify_author(settings, store_of(settings))
    if fresh:
        print(f"mailed {settings['AUTHOR_EMAIL']} about {len(fresh)} new item(s)")
    else:
        print("nothing new in the inbox")
    return 0


def cmd_train(args: argparse.Namespace, settings: Resolved) -> int:
    """Retrain the spam model from the recorded decisions and report on it."""
    model = classifier_for(store_of(settings)).train()
    state = "ready" if model.ready else "not ready (needs 3 approvals and 3 spam decisions)"
    print(
        f"spam model: {model.docs['ham']} approved, {model.docs['spam']} spam, "
        f"{len(model.words)} words; {state}"
    )
    return 0


def add_commands(subparsers: Any) -> None:
    """Add the moderation commands."""
    p = subparsers.add_parser("inbox", help="list items awaiting moderation")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=cmd_inbox)
    p = subparsers.add_parser("show", help="print one item")
    p.add_argument("id", help="item id or unique prefix")
    p.set_defaults(func=cmd_show)

    def changing(name: str, help: str, func: Any, many: bool = True) -> argparse.ArgumentParser:
        p = subparsers.add_parser(name, help=help)
        if many:
            p.add_argument("ids", nargs="+", metavar="ID", help="item ids or unique prefixes")
            p.add_argument("--reason", default="", help="why (kept in the audit trail)")
        p.add_argument(
            "--no-republish",
            action="store_true",
            help="do not update output/ (run `make html` later)",
        )
        p.set_defaults(func=func)
        return p

    changing("approve", "publish items", cmd_approve)
    changing("reject", "reject items", cmd_reject)
    changing("spam", "mark items as spam (trains the classifier)", cmd_spam)
    changing("delete", "delete items and their private data", cmd_delete)
    p = changing("reply", "reply as the site author", cmd_reply, many=False)
    p.add_argument("id", help="id of the comment to reply to")
    source = p.add_mutually_exclusive_group()
    source.add_argument("--text", help="the reply (Markdown)")
    source.add_argument("--file", help="read the reply from this file")
    p.add_argument(
        "-y", "--yes", action="store_true", help="reply to a comment in the inbox without asking"
    )
    p = changing("edit", "edit an item in $EDITOR", cmd_edit, many=False)
    p.add_argument("id", help="item id or unique prefix")
    p.add_argument("--file", help="take the item's new text from this file instead")
    p = changing("forget", "erase everything one person submitted", cmd_forget, many=False)
    p.add_argument("email", help="the person's e-mail address")
    p = subparsers.add_parser("export", help="print everything held about one person (JSON)")
    p.add_argument("email", help="the person's e-mail address")
    p.set_defaults(func=cmd_export)
    p = subparsers.add_parser("notify", help="mail the author about new inbox items (cron)")
    p.set_defaults(func=cmd_notify)
    p = subparsers.add_parser("train", help="retrain the spam model and report on it")
    p.set_defaults(func=cmd_train)
