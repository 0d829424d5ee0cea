"""Benchmark: approve -> article page updated, against a full Pelican rebuild.

Builds a site of N articles x M published comments in bench/.work/, times a full
`pelican` build, then times R approvals two ways, each of one inbox comment on a
different article, checking the page shows it:

- the real CLI (`python -m backchannel.cli approve ID`, process start included);
- the moderation page: `backchannel serve` running (real uvicorn on loopback), the
  author signed in, the Approve button's POST until its answer (the page is
  updated before the answer is sent).

Beside them, in the same run, the time to start Python and import Pelican, which
every CLI command pays before it reads the settings. Writes bench/results/republish.md.

    python bench/bench_republish.py            # 1,000 articles x 20 comments
    python bench/bench_republish.py --quick    # 100 articles x 5 comments
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "plugins"))

from backchannel.model import Item, Kind, State, dumps  # noqa: E402
from backchannel.moderation.admin_tokens import hash_password  # noqa: E402
from backchannel.store import Store  # noqa: E402
from common import env_with_plugins  # noqa: E402

WORK = ROOT / "bench" / ".work" / "republish"
RESULTS = ROOT / "bench" / "results" / "republish.md"
TARGET_SECONDS = 1.0
TARGET_SPEEDUP = 20.0
TARGET_PAGE_SECONDS = 0.3  # issue 17: approve -> page live
PASSWORD = "bench moderation password"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')

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
BACKCHANNEL_ADMIN_PASSWORD_HASH = {hash_password(PASSWORD)!r}
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
    for r in range(2 * runs):  # the CLI's runs, then the moderation page's
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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving() -> Iterator[str]:
    """`backchannel serve` on a free loopback port until the block ends; its base URL."""
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "backchannel.cli",
            "-s",
            "pelicanconf.py",
            "serve",
            "--port",
            str(port),
        ],
        cwd=WORK,
        env=env_with_plugins(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{base}/backchannel/admin/signin", timeout=5)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("backchannel serve did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def csrf_in(html: str) -> str:
    found = CSRF.search(html)
    if not found:
        raise SystemExit("no CSRF token on the moderation page")
    return found.group(1)


def approve_from_page(first: int, runs: int, articles: int) -> list[float]:
    """Approve inbox items first..first+runs-1 with the moderation page's button."""
    times = []
    with serving() as base, httpx.Client(timeout=60) as http:
        admin = f"{base}/backchannel/admin"
        form = http.get(f"{admin}/signin")
        signed = http.post(
            f"{admin}/signin", data={"csrf": csrf_in(form.text), "password": PASSWORD}
        )
        if signed.status_code != 303:
            raise SystemExit(f"sign-in refused: {signed.status_code}")
        for run in range(first, first + runs):
            token = csrf_in(http.get(admin).text)  # the inbox as the author sees it
            start = time.perf_counter()
            answer = http.post(
                f"{admin}/items/i{run:011d}", data={"csrf": token, "action": "approve"}
            )
            times.append(time.perf_counter() - start)
            if answer.status_code != 303:
                raise SystemExit(f"approve refused: {answer.status_code}")
            page = (WORK / "output" / f"post-{(run * 97) % articles:04d}.html").read_text()
            if f'id="comment-i{run:011d}"' not in page:
                raise SystemExit("the moderation page's approve did not update the page")
    return times


def pelican_import() -> float:
    """Start Python and import Pelican, as every CLI command does first."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import pelican.settings"], check=True)
    return time.perf_counter() - start


def row(name: str, times: list[float]) -> str:
    return (
        f"| {name} | {statistics.median(times):.3f} s | {min(times):.3f} s "
        f"| {max(times):.3f} s | {len(times)} |"
    )


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
    approve_times, import_times = [], []
    for r in range(runs):  # alternating, so both see the same load
        import_times.append(pelican_import())
        approve_times.append(approve(r, articles))
    page_times = approve_from_page(runs, runs, articles)

    build_median = statistics.median(build_times)
    approve_median = statistics.median(approve_times)
    page_median = statistics.median(page_times)
    speedup = build_median / approve_median
    ok_time = approve_median <= TARGET_SECONDS
    ok_speed = speedup >= TARGET_SPEEDUP
    ok_page = page_median <= TARGET_PAGE_SECONDS
    size = f"{articles:,} articles x {comments} comments"
    section = f"""## Fast republishing ({size}{", --quick" if args.quick else ""})

Approve one inbox comment until the article page, its comment feed, the site comment
feed and the listing pages' counts are updated: with the real CLI (`approve ID`, process
start included) and with the moderation page's Approve button (`backchannel serve`
running, the POST until its answer, which is sent once the pages are written), against a
full `pelican` build of the same site in the same run. Script: `python bench/bench_republish.py`
{"`--quick`" if args.quick else ""}.

| measure | median | min | max | repetitions |
|---|---|---|---|---|
{row("approve -> page updated, moderation page", page_times)}
{row("approve -> page updated, CLI", approve_times)}
{row("of which: start Python and import Pelican", import_times)}
{row("full rebuild", build_times)}

- speed-up of the CLI: {speedup:.1f}x
- target (issue 17): approve -> page live <= {TARGET_PAGE_SECONDS} s from the moderation \
page: **{"pass" if ok_page else "FAIL"}**
- target: CLI approve <= {TARGET_SECONDS:.0f} s: **{"pass" if ok_time else "FAIL"}**; \
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
