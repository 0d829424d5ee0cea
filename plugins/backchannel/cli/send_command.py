"""`backchannel send`: tell the sites the posts link to (Webmention, Pingback, TrackBack)."""

from __future__ import annotations

import argparse
import json
from collections import Counter
from typing import Any

from backchannel.build.articles import load_articles
from backchannel.outbound.fetch import Fetcher
from backchannel.sender.links import origin_of
from backchannel.sender.plan import Plan, Task, make_plan
from backchannel.sender.record import Entry, SendError, SentRecord, send_lock
from backchannel.sender.run import Sender, utc_now
from backchannel.settings import Resolved


def site_url_of(args: argparse.Namespace, settings: Resolved) -> str:
    """The absolute site URL mentions are sent from: --site-url, else SITEURL."""
    siteurl = (args.site_url or settings.site_url).rstrip("/")
    if not siteurl:
        raise SendError(
            "backchannel: SITEURL is empty, so the posts have no absolute URL to send as the "
            "source; run with -s publishconf.py, set SITEURL, or pass --site-url"
        )
    if origin_of(siteurl) is None:
        raise SendError(f"backchannel: site URL {siteurl!r} is not an absolute http(s) URL")
    return siteurl


def task_json(task: Task, entry: Entry | None) -> dict[str, Any]:
    """One result (or, in a dry run, one planned send) for --json."""
    known = entry or task.entry
    return {
        "article": task.article,
        "source": task.source,
        "target": task.target,
        "action": task.action.value,
        "status": entry.status.value if entry else "planned",
        "protocol": known.protocol.value if known and known.protocol else None,
        "endpoint": known.endpoint if known else None,
        "http_status": entry.http_status if entry else None,
        "location": entry.location if entry else None,
        "reason": entry.reason if entry else "",
        "attempts": entry.attempts if entry else (task.entry.attempts if task.entry else 0),
        "next_retry": entry.next_retry if entry else None,
    }


def _line(item: dict[str, Any]) -> str:
    via = f" via {item['protocol']} {item['endpoint']}" if item["protocol"] else ""
    extra = [str(item["http_status"])] if item["http_status"] else []
    if item["location"]:
        extra.append(f"status {item['location']}")
    if item["reason"] and item["status"] != "sent":
        extra.append(item["reason"])
    if item["next_retry"]:
        extra.append(f"next try {item['next_retry']}")
    tail = f" ({'; '.join(extra)})" if extra else ""
    pair = f"{item['source']} -> {item['target']}"
    return f"{item['status']:<11} {item['action']:<7} {pair}{via}{tail}"


def report(
    plan: Plan, items: list[dict[str, Any]], siteurl: str, dry_run: bool, as_json: bool
) -> None:
    """Print the results as lines and a summary, or as one JSON document."""
    counts = Counter(item["status"] for item in items)
    counts["waiting"] = len(plan.waiting)
    counts["unchanged"] = plan.unchanged
    waiting = [
        {"article": w.article, "source": w.source, "target": w.target, "reason": w.reason}
        for w in plan.waiting
    ]
    if as_json:
        print(
            json.dumps(
                {
                    "dry_run": dry_run,
                    "site_url": siteurl,
                    "results": items,
                    "waiting": waiting,
                    "summary": dict(sorted(counts.items())),
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    for item in items:
        print(_line(item), flush=True)
    for w in waiting:
        print(f"{'waiting':<11} {'retry':<7} {w['source']} -> {w['target']} ({w['reason']})")
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()) if n)
    prefix = "backchannel send (dry run, nothing sent)" if dry_run else "backchannel send"
    print(f"{prefix}: {summary or 'no external links'}")


def cmd_send(args: argparse.Namespace, settings: Resolved) -> int:
    """Send the linkbacks that are due; --dry-run only shows them."""
    if args.if_enabled and not settings["SEND_ON_PUBLISH"]:
        print("backchannel send: BACKCHANNEL_SEND_ON_PUBLISH is off; nothing sent")
        return 0
    siteurl = site_url_of(args, settings)
    feedback = settings.feedback_path
    articles = load_articles(settings)
    record = SentRecord.load(feedback)
    if (
        args.article
        and not any(args.article in (a.slug, a.id) for a in articles)
        and not any(e.article == args.article for e in record.entries.values())
    ):
        raise SendError(
            f"backchannel: no article {args.article!r} (neither published nor in "
            f"{record.path.name})"
        )
    now = utc_now()
    plan = make_plan(articles, record, siteurl, now, args.article)
    if args.dry_run:
        report(plan, [task_json(t, None) for t in plan.tasks], siteurl, True, args.json)
        return 0
    with send_lock(feedback):
        # Read again under the lock: another run may have finished meanwhile.
        record = SentRecord.load(feedback)
        plan = make_plan(articles, record, siteurl, now, args.article)
        sender = Sender(settings, record, now, Fetcher(settings))
        results = sender.run(plan)
    report(plan, [task_json(t, e) for t, e in results], siteurl, False, args.json)
    return 0


def add_commands(subparsers: Any) -> None:
    """Add `send`."""
    p = subparsers.add_parser(
        "send", help="send webmentions, pingbacks and trackbacks for the posts' external links"
    )
    p.add_argument(
        "--dry-run", action="store_true", help="show what would be sent; no network, no writes"
    )
    p.add_argument("--article", metavar="SLUG", help="only this article (its slug or id)")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.add_argument(
        "--site-url",
        metavar="URL",
        help="absolute site URL the posts live under (default: SITEURL)",
    )
    p.add_argument(
        "--if-enabled",
        action="store_true",
        help="do nothing unless BACKCHANNEL_SEND_ON_PUBLISH is true (for make publish)",
    )
    p.set_defaults(func=cmd_send)
