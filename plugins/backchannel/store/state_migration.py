"""The JSON files that held the private state before the state database, moved in once.

An existing site loses nothing: each file is read, its rows inserted (never over newer
ones), and the file renamed `*.migrated`; a file that cannot be read stays where it is.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backchannel.store.state import (
    NOTIFIED,
    NOTIFIED_ANSWER,
    ONE_CLICK_USED,
    SIGN_IN_LINK,
    UNSUBSCRIBED,
    WEBMENTION,
    PrivateState,
)

logger = logging.getLogger(__name__)


def _read_json(path: Path) -> Any:
    return json.loads(path.read_text("utf-8"))


def _retire(path: Path) -> None:
    try:
        path.rename(path.with_name(path.name + ".migrated"))
    except FileNotFoundError:
        pass  # another worker migrated it at the same time
    except OSError as exc:
        logger.warning("backchannel: migrated %s but could not rename it: %s", path, exc)


def _migrations(folder: Path) -> list[tuple[Path, Callable[[Any], dict[str, dict[str, Any]]]]]:
    """(old file, reader of its JSON into {kind: {key: value}}) for every legacy file."""
    root = folder.parent  # the store's root (feedback/)

    def unsubscribed(data: Any) -> dict[str, dict[str, Any]]:
        return {UNSUBSCRIBED: {str(h): True for h in data}}

    def notified(data: Any) -> dict[str, dict[str, Any]]:
        return {NOTIFIED: {str(i): True for i in data["ids"]}}

    def answers(data: Any) -> dict[str, dict[str, Any]]:
        return {
            NOTIFIED_ANSWER: {
                f"{e['comment']} {e['article']}": {"date": e.get("date")} for e in data["sent"]
            }
        }

    def tokens(data: Any) -> dict[str, dict[str, Any]]:
        return {
            SIGN_IN_LINK: {str(k): float(v) for k, v in data.get("links", {}).items()},
            ONE_CLICK_USED: {str(k): float(v) for k, v in data.get("used", {}).items()},
        }

    found: list[tuple[Path, Callable[[Any], dict[str, dict[str, Any]]]]] = [
        (folder / "unsubscribed.json", unsubscribed),
        (root / "moderation" / "notified.json", notified),
        (root / "notified-answers.json", answers),
        (folder / "admin-tokens.json", tokens),
        # Auto-approve now needs the reader's cookie, not this list (derivable from
        # the published items anyway): retired unread.
        (folder / "known-readers.json", lambda data: {}),
    ]
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        names = []
    for name in names:
        if name.startswith("wm") and name.endswith(".json"):
            status_id = name[:-5]

            def webmention(data: Any, status_id: str = status_id) -> dict[str, dict[str, Any]]:
                if not isinstance(data, dict) or "source" not in data:
                    raise ValueError("not a webmention status record")
                return {WEBMENTION: {status_id: data}}

            found.append((folder / name, webmention))
    return found


_EXPIRING = {SIGN_IN_LINK, ONE_CLICK_USED}


def migrate(state: PrivateState) -> int:
    """Move the legacy JSON files' contents into the database; returns how many files."""
    done = 0
    for path, read in _migrations(state.folder):
        if not path.is_file():
            continue
        try:
            tables = read(_read_json(path))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # Kept where it is: nothing is lost, and the next start tries again.
            logger.warning("backchannel: cannot migrate %s (%s); left in place", path, exc)
            continue
        with state.transaction() as db:
            for kind, values in tables.items():
                if kind in _EXPIRING:  # the value was the expiry
                    rows = [(kind, k, "true", expiry) for k, expiry in values.items()]
                else:
                    rows = [(kind, k, json.dumps(v), None) for k, v in values.items()]
                # OR IGNORE: what the database already holds is newer than the file.
                db.executemany("INSERT OR IGNORE INTO entry VALUES (?, ?, ?, ?)", rows)
        _retire(path)
        done += 1
    if done:
        logger.info("backchannel: moved %d state file(s) into %s", done, state.path)
    return done
