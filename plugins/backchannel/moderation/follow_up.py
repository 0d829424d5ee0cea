"""What follows a moderation decision, wherever it was taken: update output/, mail readers.

The `backchannel` CLI and the receiver's moderation page both call `follow_up`
after a `Moderator` filled a `Result`, so a decision from a phone republishes
and mails exactly as one from a shell does. It prints nothing: it returns what
it said and what went wrong, for the caller to print or to show.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from backchannel.build.record import BuildRecord
from backchannel.build.republish import RepublishError, read_manifest, republish
from backchannel.moderation.decisions import Result
from backchannel.settings import Resolved
from backchannel.store import Store

logger = logging.getLogger(__name__)


@dataclass
class FollowUp:
    """What a decision and its follow-up said: lines for stdout, problems for stderr."""

    said: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # each starts with "backchannel:"
    status: int = 0


def follow_up(
    settings: Resolved, store: Store, result: Result, *, update_output: bool = True
) -> FollowUp:
    """The decision's lines and warnings, then output/ updated in place, then readers mailed."""
    done = FollowUp(said=list(result.lines))
    done.problems += [f"backchannel: warning: {w}" for w in result.warnings]
    output = None
    if result.change.articles and update_output and settings["REPUBLISH"]:
        output = settings.output_path
        if output.is_dir():
            done.status = _republish(settings, store, result, output, done)
        else:
            output = None
    if result.replies:
        done.status = _mail_readers(settings, store, result, output, done) or done.status
    return done


def _republish(
    settings: Resolved, store: Store, result: Result, output: Path, done: FollowUp
) -> int:
    try:
        written = republish(settings, settings.pelican, store, output, result.change)
    except RepublishError as exc:
        done.problems.append(f"backchannel: {exc}; rebuilding the whole site instead")
    else:
        done.said.append(f"updated {len(written)} file(s) in {output}")
        return 0
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pelican",
            str(settings.content_path),
            "-o",
            str(output),
            # The settings that built output/ (see build_record), not only -s.
            *BuildRecord(
                str(settings.settings_file) if settings.settings_file else None,
                settings.overrides,
            ).pelican_arguments(),
        ],
        capture_output=True,
        text=True,
        timeout=3600,
        check=False,
    )
    if proc.returncode != 0:
        done.problems.append(
            f"backchannel: the rebuild failed; run `make html`:\n{proc.stderr[-2000:]}"
        )
        return 1
    done.said.append(f"rebuilt {output}")
    return 0


def _mail_readers(
    settings: Resolved, store: Store, result: Result, output: Path | None, done: FollowUp
) -> int:
    # Imported here: an approve without replies need not load the e-mail modules.
    from backchannel.moderation.mail import MailError, send
    from backchannel.moderation.notify import reply_messages

    try:
        articles = read_manifest(output) if output else {}
    except RepublishError:
        articles = {}
    messages = reply_messages(settings, store, result.replies, articles)
    if not messages:
        return 0
    if not settings["SMTP_HOST"]:
        done.problems.append(
            f"backchannel: warning: {len(messages)} reader notification(s) not sent: "
            "BACKCHANNEL_SMTP_HOST is not set"
        )
        return 0
    try:
        sent = send(settings, messages)
    except MailError as exc:
        done.problems.append(f"backchannel: warning: {exc}")
        return 1
    done.said.append(f"mailed {sent} reader(s) about a reply to their comment")
    return 0
