"""Benchmark: `backchannel approve` -> article page updated, against a full Pelican rebuild.

Builds a site of N articles x M published comments in bench/.work/, times a full
`pelican` build, then times R runs of the real CLI (`python -m backchannel.cli approve ID`,
process start included) that each approve one inbox comment on a different article
and check the page shows it. Writes bench/results/republish.md.

    python bench/bench_republish.py            # 1,000 articles x 20 comments
    python bench/bench_republish.py --quick    # 100 articles x 5 comments
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from backchannel.model import Item, Kind, State, dumps  # noqa: E402
from backchannel.store import Store  # noqa: E402
from common import env_with_plugins  # noqa: E402

WORK = ROOT / "bench" / ".work" / "republish"
RESULTS = ROOT / "bench" / "results" / "republish.md"
TARGET_SECONDS = 1.0
TARGET_SPEEDUP = 20.0

CONF = f"""
AUTHOR = "Bench Author"
SITENAME = "Bench"
SITEURL = ""
PATH = "content"
OUTPUT_PATH = "output"
THEME = {str(ROOT / "theme")!r}
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
PLUGIN_PATHS = [{str(ROOT / "plugins")!r}]
PLUGINS = ["backchannel"]
DEFAULT_PAGINATION = 10
FEED_ALL_ATOM = "feeds/all.atom.xml"
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
"""

PARAGRAPH = (
    "Listening to readers is a skill. This paragraph stands in for an article of "
    "ordinary length, with *emphasis*, a [link](https://example.org/) and a list:\n\n"
    "- one point\n- another point\n\n"
)


def make_site(articles: int, comments: int, runs: int) -> Store:
    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "content").mkdir(parents=True)
    (WORK / "pelicanconf.py").write_text(CONF, "utf-8")
    t0 = datetime(2020, 1, 1, tzinfo=UTC)
    store = Store(WORK / "feedback")
    for a in range(articles):
        slug = f"post-{a:04d}"
        date = t0 + timedelta(days=a)
        (WORK / "content" / f"{slug}.md").write_text(
            f"Title: Post {a}\nDate: {date:%Y-%m-%d %H:%M}\nCategory: C{a % 5}\n"
            f"Tags: t{a % 7}, t{a % 11}\nSlug: {slug}\n\n" + PARAGRAPH * 6,
            "utf-8",
        )
        folder = store.folder(State.PUBLISHED, slug)
        folder.mkdir(parents=True)
        for c in range(comments):
            # Setup data, not what is measured: written without the store's
            # per-file fsyncs, which would make generating 20,000 files slow.
            item = Item(
                id=f"p{a:04d}{c:07d}",
                kind=Kind.COMMENT,
                article=slug,
                author=f"Reader {c}",
                date=date + timedelta(hours=c + 1),
                origin="receiver",
                body=f"Comment {c} on post {a}. " * 5,
                state=State.PUBLISHED,
            )
            (folder / f"{item.id}.md").write_text(dumps(item), "utf-8")
    for r in range(runs):
        a = (r * 97) % articles
        store.add(
            Item(
                id=f"i{r:011d}",
                kind=Kind.COMMENT,
                article=f"post-{a:04d}",
                author="New Reader",
                date=t0 + timedelta(days=articles, hours=r),
                origin="receiver",
                body=f"A fresh comment number {r}.",
            )
        )
    return store


def full_build() -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"],
        cwd=WORK,
        env=env_with_plugins(),
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def approve(run: int, articles: int) -> float:
    start = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "backchannel.cli",
            "-s",
            "pelicanconf.py",
            "approve",
            f"i{run:011d}",
        ],
        cwd=WORK,
        env=env_with_plugins(),
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - start
    if proc.returncode != 0 or "updated" not in proc.stdout or "rebuild" in proc.stderr:
        raise SystemExit(f"approve did not take the fast path:\n{proc.stdout}\n{proc.stderr}")
    page = (WORK / "output" / f"post-{(run * 97) % articles:04d}.html").read_text("utf-8")
    if f'id="comment-i{run:011d}"' not in page:
        raise SystemExit("the page does not show the approved comment")
    return elapsed


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = int(
            next(
                row
                for row in Path("/proc/meminfo").read_text().splitlines()
                if row.startswith("MemTotal")
            ).split()[1]
        )
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        ram = "unknown"
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (
        f"load average at the end {load}; nproc {os.cpu_count()}, {cpu}, RAM {ram}, "
        f"Python {platform.python_version()}; "
        "the machine is shared with other engineers' work, so figures vary"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 articles x 5 comments")
    parser.add_argument("--runs", type=int, default=None, help="approvals to time")
    args = parser.parse_args()
    articles, comments = (100, 5) if args.quick else (1000, 20)
    runs = args.runs or (5 if args.quick else 9)
    builds = 2

    started = time.perf_counter()
    make_site(articles, comments, runs)
    setup = time.perf_counter() - started
    build_times = [full_build() for _ in range(builds)]
    approve_times = [approve(r, articles) for r in range(runs)]

    build_median = statistics.median(build_times)
    approve_median = statistics.median(approve_times)
    speedup = build_median / approve_median
    ok_time = approve_median <= TARGET_SECONDS
    ok_speed = speedup >= TARGET_SPEEDUP
    size = f"{articles:,} articles x {comments} comments"
    section = f"""## Fast republishing ({size}{", --quick" if args.quick else ""})

`approve ID` (the real CLI, process start included) until the article page, its comment
feed, the site comment feed and the listing pages' counts are updated, against a full
`pelican` build of the same site in the same run. Script: `python bench/bench_republish.py`
{"`--quick`" if args.quick else ""}.

| measure | median | min | max | repetitions |
|---|---|---|---|---|
| approve -> page updated | {approve_median:.3f} s | {min(approve_times):.3f} s \
| {max(approve_times):.3f} s | {runs} |
| full rebuild | {build_median:.2f} s | {min(build_times):.2f} s \
| {max(build_times):.2f} s | {builds} |

- speed-up: {speedup:.1f}x
- target: approve <= {TARGET_SECONDS:.0f} s: **{"pass" if ok_time else "FAIL"}**; \
>= {TARGET_SPEEDUP:.0f}x faster than a full rebuild: **{"pass" if ok_speed else "FAIL"}**
- site generation (not timed as part of either): {setup:.1f} s
- machine: {machine()}
- date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC
"""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("# Benchmark results: republish\n\n" + section, "utf-8")
    print(section)


if __name__ == "__main__":
    main()
