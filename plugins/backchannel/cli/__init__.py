"""The `backchannel` command: one sub-module per group of sub-commands.

Each module in COMMAND_MODULES has `add_commands(subparsers)`, which adds its
sub-commands with `set_defaults(func=...)`. A func takes (args, settings) and
returns the exit code. Errors are one clear line on stderr and a non-zero exit.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from backchannel.errors import BackchannelError
from backchannel.settings import load

COMMAND_MODULES = (
    "backchannel.cli.store_commands",
    "backchannel.cli.serve_command",
    "backchannel.cli.send_command",
    "backchannel.cli.digest_commands",
    "backchannel.cli.moderation_commands",
    "backchannel.cli.import_commands",
)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every sub-command."""
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
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        importlib.import_module(name).add_commands(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `backchannel` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(levelname)s %(message)s",
    )
    # Pelican warns about feed URLs while reading a development config; that
    # is about the build, not about this command.
    logging.getLogger("pelican.settings").setLevel(logging.ERROR)
    try:
        settings = load(args.settings)
        return int(args.func(args, settings) or 0)
    except BackchannelError as exc:
        message = str(exc)
        if not message.startswith("backchannel"):
            message = f"backchannel: {message}"
        print(message, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("backchannel: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # python -m backchannel.cli
    sys.exit(main())
