"""Benchmark of `backchannel send`: first run, repeat run, and planning over a big record.

Runs the real sender (discovery over HTTP, Webmention POSTs) against a loopback
server whose N target pages advertise an endpoint by Link header. Writes a
Markdown section to bench/results/sender.md.

    python bench/bench_sender.py           # 200 targets, 5 repetitions; 500 x 10 plan
    python bench/bench_sender.py --quick   # 20 targets, 3 repetitions; 50 x 10 plan
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))

from backchannel.build.articles import ArticleInfo  # noqa: E402
from backchannel.outbound.fetch import Fetcher  # noqa: E402
from backchannel.sender.plan import make_plan  # noqa: E402
from backchannel.sender.record import Entry, SentRecord, Status  # noqa: E402
from backchannel.sender.run import Sender  # noqa: E402
from backchannel.settings import resolve  # noqa: E402
from common import machine  # noqa: E402
from sender_helpers import Server  # noqa: E402 — after the path set-up above

SITE = "https://me.example"
NOW = datetime(2026, 9, 1, tzinfo=UTC)
PLAN_BUDGET_S = 1.0  # our own budget: planning a repeat run over 5,000 pairs


def article(n: int, links: list[str]) -> ArticleInfo:
    """A synthetic published article linking to some targets."""
    html = "<p>" + " ".join(f'<a href="{u}">link</a>' for u in links) + "</p>"
    return ArticleInfo(
        id=f"post-{n}",
        slug=f"post-{n}",
        title=f"Post {n}",
        url=f"post-{n}.html",
        date=NOW,
        status="published",
        source_path=f"post-{n}.md",
        html=html,
        summary="s",
    )


def spread(values: list[float]) -> str:
    """median (min-max) in ms."""
    return (
        f"{statistics.median(values) * 1000:.1f} ms "
        f"({min(values) * 1000:.1f}-{max(values) * 1000:.1f})"
    )


def main() -> int:
    """Run the benchmark and write bench/results/sender.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    args = parser.parse_args()
    targets, reps, plan_articles = (20, 3, 50) if args.quick else (200, 5, 500)

    server = Server()
    web = server.web
    for i in range(targets):
        web.html(f"/t/{i}", f"<p>target {i}</p>", [("Link", f"</wm/{i}>; rel=webmention")])
        web.routes[f"/wm/{i}"] = (202, [("Location", f"/status/{i}")], b"")
    settings = resolve({"BACKCHANNEL_ALLOW_PRIVATE_ADDRESSES": True})
    links = [web.url(f"/t/{i}") for i in range(targets)]
    # Ten links per post, as a link-heavy blog would have.
    articles = [article(n, links[n * 10 : (n + 1) * 10]) for n in range((targets + 9) // 10)]

    first, repeat, repeat_posts = [], [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(reps):
            folder = Path(tmp) / f"r{rep}"
            folder.mkdir()
            record = SentRecord.load(folder)
            start = time.perf_counter()
            plan = make_plan(articles, record, SITE, NOW)
            results = Sender(settings, record, NOW, Fetcher(settings)).run(plan)
            first.append(time.perf_counter() - start)
            assert all(e.status == Status.SENT for _, e in results), results[:1]
            before = len(web.requests)
            start = time.perf_counter()
            record = SentRecord.load(folder)
            plan = make_plan(articles, record, SITE, NOW)
            Sender(settings, record, NOW, Fetcher(settings)).run(plan)
            repeat.append(time.perf_counter() - start)
            repeat_posts += len(web.requests) - before
    server.close()

    # Planning alone over a big record: every pair already sent.
    big_links = [f"https://t{i % 97}.example/p/{i}" for i in range(plan_articles * 10)]
    big = [article(n, big_links[n * 10 : (n + 1) * 10]) for n in range(plan_articles)]
    with tempfile.TemporaryDirectory() as tmp:
        record = SentRecord.load(Path(tmp))
        for task in make_plan(big, record, SITE, NOW).tasks:
            record.put(
                Entry(
                    source=task.source,
                    target=task.target,
                    article=task.article,
                    status=Status.SENT,
                    action=task.action,
                    date=NOW.isoformat(),
                    content_hash=task.content_hash,
                )
            )
        record.save()
        plans = []
        for _ in range(reps):
            start = time.perf_counter()
            loaded = SentRecord.load(Path(tmp))
            plan = make_plan(big, loaded, SITE, NOW)
            plans.append(time.perf_counter() - start)
            assert not plan.tasks
    pairs = plan_articles * 10
    plan_ok = statistics.median(plans) * (5000 / pairs) < PLAN_BUDGET_S

    size = "quick" if args.quick else "full"
    lines = [
        f"## sender ({size} size)",
        "",
        f"- date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- machine: {machine()}; shared with other jobs while measuring, so read medians "
        "as indicative",
        f"- repetitions: {reps}; figures are median (min-max)",
        f"- command: `python bench/bench_sender.py{' --quick' if args.quick else ''}`",
        "",
        "| measurement | size | result |",
        "|---|---|---|",
        f"| first run: discover + Webmention POST, loopback | {targets} targets | "
        f"{spread(first)}; {statistics.median(first) / targets * 1000:.1f} ms per target |",
        f"| repeat run (nothing new), incl. reading sent.json | {targets} pairs | "
        f"{spread(repeat)} |",
        f"| planning a repeat run over a big record | {pairs} pairs | {spread(plans)} |",
        "",
        "Targets (issue 8 has no speed figure; the first is its done-when, the second our "
        "own budget):",
        "",
        f"- repeat runs send nothing new: {repeat_posts} requests in {reps} repeat runs — "
        f"**{'PASS' if repeat_posts == 0 else 'FAIL'}**",
        f"- planning a repeat run over 5,000 pairs under {PLAN_BUDGET_S:g} s (scaled from "
        f"{pairs}): **{'PASS' if plan_ok else 'FAIL'}**",
        "",
        "Note: the first run saves sent.json (temp file + fsync + rename) after every send, so",
        "an interrupted run never sends twice; that fsync per target dominates the first run.",
        "All targets are on one loopback server, i.e. one site, which `send` tells one request",
        "at a time (different sites are told up to four at once): this is the sequential case.",
        "",
    ]
    out = ROOT / "bench" / "results" / "sender.md"
    out.write_text("\n".join(lines), "utf-8")
    print("\n".join(lines))
    return 0 if repeat_posts == 0 and plan_ok else 1


if __name__ == "__main__":
    sys.exit(main())
