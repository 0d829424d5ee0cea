"""F2: the CLI never hands a stranger's text to the terminal as markup or control sequences."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from backchannel.model import Item, Kind, State
from backchannel.store import Store
from conftest import Site

# Rich markup that used to stop `list` (MarkupError), and terminal escapes: OSC retitle,
# screen clear, OSC 8 hyperlink, a C1 CSI, a bell, a NUL and a carriage return.
HOSTILE_NAMES = ["[/]", "[/bold]", "Eve\x1b]0;owned\x07\x1b[2J", "[link=http://evil.example]x"]
HOSTILE_BODY = (
    "Why does \x1b]8;;http://evil.example\x07this link\x1b]8;;\x07 work? "
    "\x9b31mred\x9b0m \x00nul\x07 \rback [bold]markup[/bold] [/]"
)
# ESC, the C1 range (CSI \x9b, OSC \x9d, ST \x9c), BEL, NUL, CR, other C0 but tab and newline.
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def hostile_store(site: Site) -> list[Item]:
    site.article("post", title="A post")
    store = Store(site.feedback)
    items = []
    for n, name in enumerate(HOSTILE_NAMES, 1):
        item = Item(
            id=f"c{n:011d}",
            kind=Kind.COMMENT,
            article="post",
            author=name,
            date=datetime(2026, 10, n, tzinfo=UTC),
            origin="receiver",
            body=HOSTILE_BODY,
            reasons=("held: [/] \x1b[5m",),
            state=State.INBOX,
        )
        items.append(store.add(item))
    published = items[0].with_changes(id="c00000000009", state=State.PUBLISHED)
    store.add(published)
    return items


def clean(proc) -> None:
    for stream in (proc.stdout, proc.stderr):
        assert not CONTROL.search(stream), repr(stream)
    assert "Traceback" not in proc.stderr and "MarkupError" not in proc.stderr


def test_hostile_names_and_bodies_print_no_markup_error_and_no_control(site: Site) -> None:
    items = hostile_store(site)
    inbox = site.cli("inbox")
    assert inbox.returncode == 0, inbox.stderr
    clean(inbox)
    assert len(inbox.stdout.splitlines()) == 4 and "[/bold]" in inbox.stdout

    listed = site.cli("list")
    assert listed.returncode == 0, listed.stderr
    clean(listed)
    assert "[/bold]" in listed.stdout and "[/]" in listed.stdout  # shown as written

    shown = site.cli("show", items[2].id)
    assert shown.returncode == 0, shown.stderr
    clean(shown)
    assert "Eve]0;owned" in shown.stdout and "this link" in shown.stdout

    approved = site.cli("approve", "--no-republish", *(i.id for i in items))
    assert approved.returncode == 0, approved.stderr
    clean(approved)
    assert approved.stdout.count("approved ") == 4 and "[/bold]" in approved.stdout

    drafted = site.cli("draft", "--answers", items[2].id, items[1].id, "--title", "Answers")
    assert drafted.returncode == 0, drafted.stderr
    clean(drafted)
    assert "Eve" in drafted.stdout


def test_the_filter_keeps_text_tabs_and_newlines() -> None:
    from backchannel.cli.output import ControlFilter, without_controls

    assert without_controls("a\tb\nc\x1b[2Jd\x9be\x00f\r\n") == "a\tb\nc[2Jdef\n"
    assert without_controls("Zoë → 東京 \u00a0ok") == "Zoë → 東京 \u00a0ok"

    class Sink:
        text = ""

        def write(self, value: str) -> int:
            self.text += value
            return len(value)

    sink = Sink()
    print("x\x1b]0;t\x07y", file=ControlFilter(sink))  # type: ignore[arg-type]
    assert sink.text == "x]0;ty\n"


@pytest.mark.parametrize("command", ["inbox", "list"])
def test_json_output_stays_exact_for_scripts(site: Site, command: str) -> None:
    """--json is data: markup-like names come back exactly; controls never got in."""
    hostile_store(site)
    proc = site.cli(command, "--json")
    assert proc.returncode == 0, proc.stderr
    # The item policy (model.Item) removed the escapes when the items were made.
    assert '"[/bold]"' in proc.stdout and '"Eve]0;owned[2J"' in proc.stdout
    assert "\\u001b" not in proc.stdout and not CONTROL.search(proc.stdout)
