"""Commands for the moderation page: admin-password, admin-link.

`admin-password` asks for a password twice (or reads one line from standard
input when it is not a terminal) and prints the settings line holding its hash.
`admin-link` prints a sign-in URL that works once, within 15 minutes, as the
last line of its output (so `backchannel admin-link | tail -1` is the URL).
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any

from backchannel.cli.store_commands import store_of
from backchannel.errors import BackchannelError
from backchannel.moderation.admin_tokens import (
    ENV_PASSWORD_HASH,
    SIGN_IN_LINK_SECONDS,
    hash_password,
    new_sign_in_link,
)
from backchannel.settings import Resolved

MIN_PASSWORD_CHARS = 8


def _read_password() -> str:
    """The new password: asked twice on a terminal, else the first line of stdin."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("New password for the moderation page: ")
    second = getpass.getpass("Once more: ")
    if first != second:
        raise BackchannelError("the two passwords differ; nothing changed")
    return first


def cmd_admin_password(args: argparse.Namespace, settings: Resolved) -> int:
    """Print the settings line with the hash of a new moderation-page password."""
    password = _read_password()
    if len(password) < MIN_PASSWORD_CHARS:
        raise BackchannelError(
            f"a password needs at least {MIN_PASSWORD_CHARS} characters; nothing changed"
        )
    hashed = hash_password(password)
    print(
        "Put this line in pelicanconf.py (or publishconf.py), or set the environment "
        f"variable {ENV_PASSWORD_HASH} to the quoted value; restart the receiver:",
        file=sys.stderr,
    )
    print(f'{ENV_PASSWORD_HASH} = "{hashed}"')
    return 0


def cmd_admin_link(args: argparse.Namespace, settings: Resolved) -> int:
    """Print a one-time sign-in URL for the moderation page (its last line of output)."""
    url = new_sign_in_link(settings, store_of(settings))
    print(
        f"Sign in to the moderation page within {SIGN_IN_LINK_SECONDS // 60} minutes; "
        "the link works once:"
    )
    print(url)
    return 0


def add_commands(subparsers: Any) -> None:
    """Add the moderation page's commands."""
    p = subparsers.add_parser(
        "admin-password", help="print the settings line for a moderation-page password"
    )
    p.set_defaults(func=cmd_admin_password)
    p = subparsers.add_parser(
        "admin-link", help="print a one-time sign-in URL for the moderation page (15 min)"
    )
    p.set_defaults(func=cmd_admin_link)
