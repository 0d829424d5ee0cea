"""The audit trail: one JSON line per moderation decision in `feedback/moderation/audit.jsonl`.

Reviewable and countable (the digest can read it), and free of personal data:
time, action, item id, article, kind, the state it left, a short reason.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backchannel.model import Item
from backchannel.moderation.spam import FOLDER, append_line

logger = logging.getLogger(__name__)

AUDIT = "audit.jsonl"


def audit_path(feedback_root: Path | str) -> Path:
    """Where the audit trail lives."""
    return Path(feedback_root) / FOLDER / AUDIT


def log_decision(
    feedback_root: Path | str,
    action: str,
    item: Item | None = None,
    reason: str = "",
    **extra: Any,
) -> dict[str, Any]:
    """Append one decision to the audit trail and return the record."""
    record: dict[str, Any] = {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "action": action,
        "id": item.id if item else None,
        "article": item.article if item else None,
        "kind": item.kind.value if item else None,
        "from": item.state.value if item else None,
        "reason": reason,
    }
    if item is not None and item.spam_score is not None:
        record["spam_score"] = item.spam_score
    record.update(extra)
    append_line(audit_path(feedback_root), record)
    return record


def read_audit(feedback_root: Path | str) -> list[dict[str, Any]]:
    """Every readable line of the audit trail, oldest first."""
    path = audit_path(feedback_root)
    try:
        lines = path.read_text("utf-8").splitlines()
    except FileNotFoundError:
        return []
    out = []
    for number, line in enumerate(lines, start=1):
        try:
            out.append(json.loads(line))
        except ValueError:
            logger.warning("backchannel: %s:%d: unreadable audit line", path, number)
    return out


# The reason `Moderator.forget` gives each delete it makes.
FORGET_REASON = "forget request"


def deleted_ids(feedback_root: Path | str) -> dict[str, str]:
    """Ids of items deleted here (by `delete`, or by `forget` through it), with the reason logged.

    Imports and `collect` consult this so a deleted item stays deleted when its
    source is read again; the audit trail is already the record of every delete.
    """
    deleted: dict[str, str] = {}
    for record in read_audit(feedback_root):
        if record.get("action") == "delete" and isinstance(record.get("id"), str):
            deleted[record["id"]] = str(record.get("reason") or "")
    return deleted
