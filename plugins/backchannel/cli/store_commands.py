"""`backchannel list` and `backchannel check`: read the store, report on it."""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from typing import Any

from backchannel.cli.output import cell, rich_console
from backchannel.errors import ItemFormatError
from backchannel.model import Item, State, public_json
from backchannel.settings import Resolved
from backchannel.store import Store, open_store


def store_of(settings: Resolved) -> Store:
    """The store the settings point at, cleared of what an interrupted run left in `.tmp/`.

    A killed import can leave hundreds of thousands of staged files; every
    command that uses the store (and the receiver at its start) removes those
    of writers that are no longer running, so `check` need not fail over them.
    """
    store = open_store(settings)
    removed = store.sweep_temps()
    if removed:
        print(
            f"backchannel: removed {len(removed)} leftover temporary "
            f"{'entry' if len(removed) == 1 else 'entries'} of an interrupted run "
            f"from {store.root / '.tmp'}",
            file=sys.stderr,
        )
    return store


def first_line(text: str, limit: int = 60) -> str:
    """The first line of a body, shortened for a table."""
    line = next((part for part in text.splitlines() if part.strip()), "")
    return line if len(line) <= limit else line[: limit - 1] + "…"


def cmd_list(args: argparse.Namespace, settings: Resolved) -> int:
    """List items, optionally of one article or state."""
    states = [State(args.state)] if args.state else list(State)
    items = store_of(settings).items(states)
    if args.article:
        items = [i for i in items if i.article == args.article]
    items.sort(key=lambda i: (i.date, i.id))
    if args.json:
        print(json.dumps([public_json(i) for i in items], ensure_ascii=False, indent=2))
        return 0
    # rich is imported here, not at the top: only table output needs it, and
    # every other command starts faster without it.
    from rich.table import Table

    table = Table(show_edge=False, pad_edge=False)
    for column in ("id", "state", "kind", "article", "author", "date", "text"):
        table.add_column(column, overflow="fold")
    for i in items:
        # Text cells, never markup: a name like "[/bold]" is a name, not a tag.
        table.add_row(
            *map(
                cell,
                (
                    i.id,
                    i.state.value,
                    i.kind.value,
                    i.article,
                    i.author,
                    i.date.strftime("%Y-%m-%d %H:%M"),
                    first_line(i.body or (i.title or "")),
                ),
            )
        )
    rich_console().print(table)
    print(f"{len(items)} item(s)", file=sys.stderr)
    return 0


def problems_of(store: Store) -> list[ItemFormatError]:
    """Every problem `check` reports: unreadable files, clashes, dangling parents."""
    result = store.load()
    problems = list(result.problems)
    seen: dict[str, Item] = {}
    for item in result.items:
        if item.id in seen:
            problems.append(
                ItemFormatError(
                    f"duplicate Id {item.id} (also in {store.path_of(seen[item.id])})",
                    store.path_of(item),
                    1,
                )
            )
        seen.setdefault(item.id, item)
    for item in result.items:
        if item.parent and item.parent not in seen:
            problems.append(
                ItemFormatError(f"Parent {item.parent} does not exist", store.path_of(item), 1)
            )
        elif item.parent and seen[item.parent].article != item.article:
            problems.append(
                ItemFormatError(
                    f"Parent {item.parent} belongs to another article", store.path_of(item), 1
                )
            )
    # Temps of a running writer are work in progress; only a dead writer's are leftovers.
    for leftover in store.stale_temps():
        problems.append(
            ItemFormatError("leftover temporary file of an interrupted write", leftover, 0)
        )
    return problems


def cmd_check(args: argparse.Namespace, settings: Resolved) -> int:
    """Validate every file in the store; print path:line: problem for each."""
    store = store_of(settings)
    problems = problems_of(store)
    for problem in problems:
        print(problem)
    counts = Counter(i.state.value for i in store.items())
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no items"
    verdict = f"{len(problems)} problem(s)" if problems else "all valid"
    print(f"backchannel check: {summary}; {verdict}", flush=True)
    return 1 if problems else 0


def add_commands(subparsers: Any) -> None:
    """Add `list` and `check`."""
    p = subparsers.add_parser("list", help="list feedback items")
    p.add_argument("--article", help="only this article's items (its slug or id)")
    p.add_argument("--state", choices=[s.value for s in State], help="only items in this state")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=cmd_list)
    p = subparsers.add_parser("check", help="validate every file in the store")
    p.set_defaults(func=cmd_check)
