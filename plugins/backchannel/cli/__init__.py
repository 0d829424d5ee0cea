"""The `backchannel` command: one sub-module per group of sub-commands.

Each module in COMMAND_MODULES has `add_commands(subparsers)`, which adds its
sub-commands with `set_defaults(func=...)`. A func takes (args, settings) and
returns the exit code. Errors are one clear line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from collections.abc import Sequence

from backchannel.build.record import settings_of_output
from backchannel.cli.output import filtered_output
from backchannel.errors import BackchannelError
from backchannel.settings import load

# Sub-command -> the module that defines it. Only that module is imported to
# run a command (the moderation and sending modules pull in Pelican and more;
# `approve` should not pay for `send`). tests/test_cli_store.py checks this
# table against what the modules really define.
_REVIEW = ("inbox", "show", "approve", "reject", "spam", "reply", "edit", "delete")
_COMMANDS_BY_MODULE = {
    "store_commands": ("list", "check"),
    "serve_command": ("serve",),
    "send_command": ("send",),
    "digest_commands": ("digest", "draft", "notify-answers"),
    "moderation_commands": (*_REVIEW, "forget", "export", "notify", "train"),
    "import_commands": ("import", "collect"),
    "admin_commands": ("admin-password", "admin-link"),
}
COMMANDS: dict[str, str] = {
    name: f"backchannel.cli.{module}"
    for module, names in _COMMANDS_BY_MODULE.items()
    for name in names
}
COMMAND_MODULES = tuple(dict.fromkeys(COMMANDS.values()))


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser: every sub-command, or just the one about to run."""
    parser = argparse.ArgumentParser(
        prog="backchannel",
        description="Moderate, import, digest and serve a Pelican site's feedback.",
    )
    parser.add_argument(
        "-s",
        "--settings",
        default="pelicanconf.py",
        help="Pelican settings file (default: pelicanconf.py)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    modules = [COMMANDS[command]] if command in COMMANDS else COMMAND_MODULES
    for name in modules:
        importlib.import_module(name).add_commands(subparsers)
    return parser


def _command_in(argv: list[str]) -> str | None:
    """The sub-command named in argv (skipping -s FILE and flags), if any."""
    words = iter(argv)
    for word in words:
        if word in ("-s", "--settings"):
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `backchannel` console script."""
    # Every command prints strangers' names and text: none of it may reach the
    # terminal as a control sequence (see cli/output.py).
    with filtered_output():
        return _main(argv)


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(_command_in(argv))
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(message)s",
    )
    # Pelican warns about feed URLs while reading a development config; that
    # is about the build, not about this command.
    logging.getLogger("pelican.settings").setLevel(logging.ERROR)
    try:
        settings = settings_of_output(load(args.settings))
        code = int(args.func(args, settings) or 0)
        sys.stdout.flush()  # a closed pipe shows here, inside the handler below
    except BackchannelError as exc:
        message = str(exc)
        if not message.startswith("backchannel"):
            message = f"backchannel: {message}"
        print(message, file=sys.stderr)
        if getattr(args, "json", False):
            print(json.dumps(error_json(exc, message), ensure_ascii=False, indent=2))
        return 1
    except KeyboardInterrupt:
        print("backchannel: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`list --json | head`): not an error worth a traceback.
        # Point stdout at /dev/null so the interpreter's final flush fails silently too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 141  # what a shell reports for a process ended by SIGPIPE
    return code


def error_json(exc: BackchannelError, message: str) -> dict[str, object]:
    """The `--json` form of a refusal: the message, and the file position when known."""
    result: dict[str, object] = {"error": message}
    for key in ("source", "line", "column"):
        value = getattr(exc, key, None)
        if value:
            result[key] = value
    return result


def run() -> None:
    """Entry point of the `backchannel` script and `python -m backchannel.cli`."""
    sys.exit(main())
