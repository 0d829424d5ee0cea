"""`backchannel digest`, `backchannel draft` and `backchannel notify-answers`."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backchannel.cli.store_commands import store_of
from backchannel.digest.files import DigestError, digest_files, last_until, read_json
from backchannel.settings import Resolved


def _zone(settings: Resolved) -> Any:
    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def parse_when(value: str, settings: Resolved, flag: str, end: bool = False) -> datetime:
    """YYYY-MM-DD (in the site's TIMEZONE; --until includes that day) or ISO 8601."""
    try:
        if len(value) == 10:
            day = datetime.strptime(value, "%Y-%m-%d").date()
            if end:
                day += timedelta(days=1)
            return datetime.combine(day, time(), tzinfo=_zone(settings))
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise DigestError(
            f"backchannel: {flag} {value!r} is not a date (YYYY-MM-DD) or an ISO 8601 time"
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=_zone(settings))


def cmd_digest(args: argparse.Namespace, settings: Resolved) -> int:
    """Write the digest files and print where they went."""
    from backchannel.digest.build import build_digest
    from backchannel.digest.write import digests_folder, write_digest

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    until = parse_when(args.until, settings, "--until", end=True) if args.until else None
    since = parse_when(args.since, settings, "--since") if args.since else None
    if args.last_digest:
        since = last_until(digests_folder(settings))
        if since is None:
            print("backchannel digest: no earlier digest; covering all feedback")
    if since and until and since >= until:
        raise DigestError(
            f"backchannel: --since {since.date()} is not before --until "
            f"{(until - timedelta(days=1)).date()}"
        )
    digest = build_digest(settings, since, until)
    written = write_digest(settings, digest, formats, Path(args.out) if args.out else None)
    t = digest.totals
    from backchannel.digest.render_md import plural

    print(
        f"backchannel digest: {plural(t['comments'], 'new comment')}, "
        f"{plural(t['linkbacks'], 'linkback')}, {plural(t['open_questions'], 'open question')}, "
        f"{plural(len(digest.suggestions), 'suggestion')}"
    )
    for path in written:
        print(f"  wrote {path}")
    return 0


def cmd_draft(args: argparse.Namespace, settings: Resolved) -> int:
    """Write content/drafts/<slug>.md from one suggestion, or for the comments --answers names."""
    from pelican.utils import slugify

    from backchannel.build.articles import load_articles
    from backchannel.digest.draft import draft_text, plain_title, write_draft

    if args.answers:
        suggestion, questions = _answering(settings, args.answers)
    else:
        suggestion, questions = _suggested(settings, args)
    title = plain_title(args.title or suggestion["title"])
    if not title:
        raise DigestError("backchannel: --title is empty")
    pelican = settings.pelican
    slug = slugify(title, regex_subs=pelican.get("SLUG_REGEX_SUBSTITUTIONS", []))[:80].strip("-")
    everything = load_articles(settings, include_drafts=True)
    text = draft_text(
        title,
        slug,
        suggestion,
        questions,
        articles={a.id: a for a in everything},
        now=datetime.now(_zone(settings)),
    )
    content = Path(pelican.get("PATH") or settings.base_dir / "content")
    path = write_draft(content, slug, text, {a.slug for a in everything})
    from backchannel.digest.render_md import plural

    print(
        f"backchannel draft: wrote {path} answering "
        f"{plural(len(suggestion['questions']), 'comment')} from "
        f"{', '.join(suggestion.get('readers', []))}"
    )
    print("  set 'Status: published' in it when the answer is written")
    return 0


def _suggested(settings: Resolved, args: argparse.Namespace) -> tuple[dict, list[dict]]:
    """The --suggestion N of a fresh digest (or the newest one), and the digest's questions."""
    from backchannel.digest.build import build_digest
    from backchannel.digest.write import digests_folder

    if args.from_digest:
        files = digest_files(digests_folder(settings))
        if not files:
            raise DigestError(
                "backchannel: no digest in feedback/digests/ yet; "
                "run `backchannel digest` first (or drop --from-digest)"
            )
        data = read_json(files[-1])
    else:
        data = build_digest(settings, None).to_json()
    suggestions = data.get("suggestions") or []
    if not suggestions:
        raise DigestError("backchannel: the digest has no suggested posts to draft")
    if not 1 <= args.suggestion <= len(suggestions):
        raise DigestError(
            f"backchannel: --suggestion {args.suggestion} is out of range (1-{len(suggestions)})"
        )
    return suggestions[args.suggestion - 1], data.get("questions", [])


def _answering(settings: Resolved, ids: list[str]) -> tuple[dict, list[dict]]:
    """A suggestion for exactly these published readers' comments (--answers)."""
    from backchannel.digest.draft import for_comments
    from backchannel.digest.suggestions import working_title
    from backchannel.errors import StoreError
    from backchannel.model import Kind, State

    store = store_of(settings)
    comments = []
    for wanted in dict.fromkeys(ids):
        try:
            item = store.find(wanted, [State.PUBLISHED])
        except StoreError as error:
            raise DigestError(f"backchannel: --answers {wanted}: {error}") from None
        if item.kind != Kind.COMMENT or item.author_reply:
            raise DigestError(
                f"backchannel: --answers {wanted}: not a reader's comment "
                "(a linkback, or your own reply)"
            )
        comments.append(item)
    suggestion, questions = for_comments(comments)
    readers = suggestion["readers"]
    fallback = "Answering " + (", ".join(readers[:3]) + (" and others" if len(readers) > 3 else ""))
    suggestion["title"] = working_title(questions[0]["text"], fallback) if questions else fallback
    return suggestion, questions


def cmd_notify_answers(args: argparse.Namespace, settings: Resolved) -> int:
    """Mail opted-in readers whose questions a published post answers."""
    from backchannel.digest.notify import notify_answers

    report = notify_answers(settings, store_of(settings), dry_run=args.dry_run)
    skipped = ", ".join(f"{n} {why}" for why, n in sorted(report.skipped.items())) or "none"
    if report.would_send and not settings["SMTP_HOST"]:
        print(
            f"backchannel notify-answers: mail is off (BACKCHANNEL_SMTP_HOST unset); "
            f"{report.would_send} message(s) waiting; skipped: {skipped}"
        )
    elif args.dry_run:
        print(f"backchannel notify-answers: would send {report.would_send}; skipped: {skipped}")
    else:
        print(f"backchannel notify-answers: sent {report.sent}; skipped: {skipped}")
    return 0


def add_commands(subparsers: Any) -> None:
    """Add `digest`, `draft` and `notify-answers`."""
    p = subparsers.add_parser("digest", help="write the feedback digest into feedback/digests/")
    when = p.add_mutually_exclusive_group()
    when.add_argument("--since", metavar="DATE", help="start of the period (YYYY-MM-DD)")
    when.add_argument(
        "--last-digest", action="store_true", help="start where the newest earlier digest ended"
    )
    p.add_argument("--until", metavar="DATE", help="last day of the period (default: now)")
    p.add_argument(
        "--format",
        default="md,html,json",
        help="comma-separated formats: md, html, json (default: all three)",
    )
    p.add_argument("--out", metavar="DIR", help="folder to write to (default: feedback/digests)")
    p.set_defaults(func=cmd_digest)
    p = subparsers.add_parser("draft", help="start a post from a digest suggestion")
    p.add_argument(
        "--from-digest",
        action="store_true",
        help="use the newest digest in feedback/digests/ instead of a fresh one",
    )
    p.add_argument(
        "--suggestion",
        type=int,
        default=1,
        metavar="N",
        help="which suggested post (1 = the first; default 1)",
    )
    p.add_argument(
        "--answers",
        nargs="+",
        metavar="ID",
        help="start a post answering these comments (ids as in the digest), "
        "whatever the suggestions hold",
    )
    p.add_argument("--title", help="the post's title (default: the suggestion's working title)")
    p.set_defaults(func=cmd_draft)
    p = subparsers.add_parser(
        "notify-answers", help="e-mail readers whose questions a published post answers"
    )
    p.add_argument("--dry-run", action="store_true", help="count, send nothing")
    p.set_defaults(func=cmd_notify_answers)
