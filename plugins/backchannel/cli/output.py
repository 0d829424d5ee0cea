"""What the CLI prints, made safe: strangers' text never reaches the terminal as control.

Names, bodies and titles come from strangers. Printed raw, an ESC or C1 byte
starts a terminal escape sequence (retitle the window, clear the screen, forge
a hyperlink), and `[/bold]` in a name is rich markup that stops a table with
MarkupError. So every command runs with stdout and stderr behind
`ControlFilter`, which drops C0 and C1 control characters (tab and newline
kept) from everything written, whatever printed it; and text handed to rich
goes in as `Text` objects, never parsed as markup, on the unfiltered stream
(rich's own styling is the only escape sequence that may reach the terminal).
"""

from __future__ import annotations

import contextlib
import io
import re
import sys
from collections.abc import Iterator
from typing import Any, TextIO

# C0 controls but tab and newline, DEL, and the C1 controls (U+0080-U+009F).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def without_controls(text: str) -> str:
    """`text` with every control character but tab and newline removed."""
    return _CONTROLS.sub("", text)


def terminal_text(text: str) -> str:
    """A stranger's text for one line: no control, bidi, line-break or other unprintable."""
    return "".join(ch if ch.isprintable() else " " for ch in text)


class ControlFilter(io.TextIOBase):
    """A text stream that writes to `raw` what it is given, less control characters."""

    def __init__(self, raw: TextIO) -> None:
        self.raw = raw

    def write(self, text: str) -> int:
        """Write `text` less its control characters; its full length, as if all written."""
        self.raw.write(without_controls(text))
        return len(text)

    def flush(self) -> None:
        """Flush the underlying stream."""
        self.raw.flush()

    def writable(self) -> bool:
        """Always writable."""
        return True

    def isatty(self) -> bool:
        """Whether the underlying stream is a terminal."""
        return self.raw.isatty()

    def fileno(self) -> int:
        """The underlying stream's file descriptor."""
        return self.raw.fileno()

    @property
    def encoding(self) -> str:  # type: ignore[override]
        """The underlying stream's encoding (UTF-8 if it names none)."""
        return getattr(self.raw, "encoding", "utf-8")

    @property
    def errors(self) -> str | None:  # type: ignore[override]
        """The underlying stream's error handler."""
        return getattr(self.raw, "errors", None)


def unfiltered(stream: Any) -> Any:
    """The stream under a ControlFilter (for rich, which is given only Text objects)."""
    return stream.raw if isinstance(stream, ControlFilter) else stream


@contextlib.contextmanager
def filtered_output() -> Iterator[None]:
    """Run a command with sys.stdout and sys.stderr behind ControlFilter."""
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = ControlFilter(sys.stdout), ControlFilter(sys.stderr)
    try:
        yield
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
        sys.stdout, sys.stderr = saved


def rich_console(stderr: bool = False) -> Any:
    """A rich Console on the real stream, for Text objects made with `cell`."""
    from rich.console import Console

    return Console(file=unfiltered(sys.stderr if stderr else sys.stdout))


def cell(text: str | None) -> Any:
    """A stranger's text as a rich Text: shown as written, never parsed as markup."""
    from rich.text import Text

    return Text(without_controls(text or ""))
