"""Build time and peak memory with and without the plugin, cold and warm (issue 17).

Generates a site of N articles with K comments each (threaded, some linkbacks),
then runs the real `pelican` on it: plain (PLUGINS=[]), with the plugin and no
cache, and with the plugin again with its cache and no comment changed, in
alternation. Targets (issue 17): cold ≤ 1.6× plain and warm ≤ 1.3× plain at
1,000 × 20; peak RSS ≤ 2× plain at 5,000 × 20; loading 20,000 items < 1 s.

    python bench/bench_build.py            # 1,000 × 20, 5 rounds; then 5,000 × 20, 2 rounds
    python bench/bench_build.py --quick    # 100 × 20 and 200 × 20, 2 rounds
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from backchannel.model import Item, Kind, MentionType, State, dumps
from backchannel.store import Store
from common import ROOT, WORK, machine, run, summary, write_result

WORDS = [
    "reader",
    "question",
    "answer",
    "expert",
    "discovery",
    "customer",
    "knowledge",
    "feedback",
    "price",
    "team",
    "listen",
    "write",
    "post",
    "learn",
    "share",
    "credit",
    "theme",
    "gap",
    "budget",
    "measure",
    "small",
    "why",
    "how",
]

CONF = """
AUTHOR = "Bench"
SITENAME = "Bench"
SITEURL = ""
PATH = "content"
OUTPUT_PATH = "output"
THEME = {theme!r}
TIMEZONE = "UTC"
PLUGIN_PATHS = [{plugins!r}]
PLUGINS = {plugins_list}
DEFAULT_PAGINATION = 10
CACHE_CONTENT = False
LOAD_CONTENT_CACHE = False
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
"""


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def generate(site: Path, articles: int, per_article: int) -> None:
    """Write N articles and K items each (about 1 in 10 a linkback, 1 in 3 a reply)."""
    rng = random.Random(42)
    content = site / "content"
    content.mkdir(parents=True)
    store = Store(site / "feedback", secret="bench")
    base = datetime(2025, 1, 1, tzinfo=UTC)
    for a in range(articles):
        slug = f"article-{a:05d}"
        body = "\n\n".join(sentence(rng, 40) for _ in range(6))
        (content / f"{slug}.md").write_text(
            f"Title: Article {a}\nDate: {(base + timedelta(hours=a)):%Y-%m-%d %H:%M}\n"
            f"Category: C{a % 5}\nTags: t{a % 7}, t{a % 11}\nSlug: {slug}\n\n{body}\n",
            "utf-8",
        )
        ids: list[str] = []
        folder = store.folder(State.PUBLISHED, slug)
        folder.mkdir(parents=True, exist_ok=True)
        for k in range(per_article):
            item_id = f"{a:06d}{k:06d}"
            date = base + timedelta(hours=a, minutes=k + 1)
            if k % 10 == 9:
                item = Item(
                    id=item_id,
                    kind=Kind.WEBMENTION,
                    article=slug,
                    author="Other site",
                    date=date,
                    origin="bench",
                    source=f"https://other.example/{a}/{k}",
                    title="A post that links here",
                    mention_type=MentionType.MENTION,
                    body=sentence(rng, 20),
                )
            else:
                parent = rng.choice(ids) if ids and k % 3 == 0 else None
                # Most real comments are plain prose; 3 in 10 use Markdown.
                markup = " *Really?* [see](https://x.example/)" if k % 10 < 3 else ""
                item = Item(
                    id=item_id,
                    kind=Kind.COMMENT,
                    article=slug,
                    author=f"Reader {k}",
                    date=date,
                    origin="bench",
                    parent=parent,
                    body=sentence(rng, 25) + markup + "\n\n" + sentence(rng, 10),
                )
                ids.append(item_id)
            # Direct writes: generating 20,000 items through fsync would
            # measure the disk, not the build.
            (folder / f"{item_id}.md").write_text(dumps(item), "utf-8")


# Runs one build as its only child and reports (wall seconds, CPU seconds of every process
# of the build, peak RSS in MB of the largest one).
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
elapsed = time.perf_counter() - start
if proc.returncode != 0:
    sys.exit(proc.stdout + proc.stderr)
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps([elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024]))
"""


def build(site: Path, with_plugin: bool, cold: bool = True) -> list[float]:
    """One real `pelican` run: (wall s, CPU s, peak MB). `cold` removes the cache folder first."""
    conf = site / ("with.py" if with_plugin else "plain.py")
    conf.write_text(
        CONF.format(
            theme=str(ROOT / "theme"),
            plugins=str(ROOT / "plugins"),
            plugins_list='["backchannel"]' if with_plugin else "[]",
        )
    )
    shutil.rmtree(site / "output", ignore_errors=True)
    if cold:
        shutil.rmtree(site / "cache", ignore_errors=True)
    pelican = [sys.executable, "-m", "pelican", "content", "-o", "output", "-s", str(conf), "-q"]
    return json.loads(run([sys.executable, "-c", WRAPPER, *pelican], cwd=site).stdout)


NOTES = """Each round builds three times, in this order: plain Pelican (PLUGINS=[]); with
Backchannel and no cache (CACHE_PATH removed first: *cold*); with Backchannel again, no
comment changed (*warm*: the SQLite cache the cold build left, so no item file is parsed
and the article pages' partials and comment feeds are taken whole from the cache).
Pelican's own content cache is off in all three (CACHE_CONTENT = False), so only
Backchannel's cache differs between cold and warm. The build runs in one
process (no helper processes, no gc freeze: issue 17); the store's parsed items come from
the same SQLite cache file (rows keyed by path and file stamp). The
machine is shared with other sessions' builds and tests: the load average is printed
beside each table; on a loaded machine wall times are longer and noisier than on a quiet
one, and the ratios come from rounds run alternately in the same minutes. CPU time (user +
system, every process of the build) depends much less on the load.
"""


def load_time(site: Path, reps: int) -> list[float]:
    samples = []
    for _ in range(reps):
        start = time.perf_counter()
        items = Store(site / "feedback").items([State.PUBLISHED])
        samples.append(time.perf_counter() - start)
    assert items
    return samples


def ok(passed: bool) -> str:
    return "✅" if passed else "❌"


def load_average() -> str:
    return " / ".join(f"{v:.2f}" for v in os.getloadavg())


def measure(
    articles: int, comments: int, reps: int, warm_up: bool = True, work: Path = WORK
) -> str:
    """Alternating rounds at one size; the markdown table of the results."""
    site = work / f"build-{articles}x{comments}"
    if not (site / "content").is_dir():
        shutil.rmtree(site, ignore_errors=True)
        generate(site, articles, comments)
    before = load_average()
    if warm_up:
        build(site, True)  # warm the OS cache and Python's bytecode
    runs: dict[str, list[list[float]]] = {"plain": [], "cold": [], "warm": []}
    for _ in range(reps):
        runs["plain"].append(build(site, False))
        runs["cold"].append(build(site, True, cold=True))
        runs["warm"].append(build(site, True, cold=False))
    after = load_average()
    secs, cpu, peak = ({k: [r[n] for r in v] for k, v in runs.items()} for n in range(3))

    def ratio(samples: dict[str, list[float]], variant: str) -> float:
        return statistics.median(samples[variant]) / statistics.median(samples["plain"])

    cold, warm = ratio(secs, "cold"), ratio(secs, "warm")
    cpu_cold, cpu_warm = ratio(cpu, "cold"), ratio(cpu, "warm")
    memory = max(ratio(peak, "cold"), ratio(peak, "warm"))
    items = articles * comments
    load_med = statistics.median(loads := load_time(site, 5))
    table = {
        "plain Pelican build (PLUGINS=[])": "plain",
        "with Backchannel, cold (no cache)": "cold",
        "with Backchannel, warm (no comment changed)": "warm",
    }
    rows = "".join(
        f"| {name} | {summary(secs[k])} | {summary(cpu[k])} | {summary(peak[k], 'MB')} | |\n"
        for name, k in table.items()
    )
    return f"""### {articles:,} articles × {comments} items = {items:,} items

Load average (1 / 5 / 15 min) before: {before}; after: {after}. Machine: {machine()}.

| measure | wall time | CPU time (all processes) | peak RSS | target |
|---|---|---|---|---|
{rows}| cold / plain, medians | **{cold:.2f}×** | {cpu_cold:.2f}× | | ≤ 1.6× {ok(cold <= 1.6)} |
| warm / plain, medians | **{warm:.2f}×** | {cpu_warm:.2f}× | | ≤ 1.3× {ok(warm <= 1.3)} |
| peak RSS with / plain, ratio of medians | | | **{memory:.2f}×** | ≤ 2× {ok(memory <= 2)} |
| loading all {items} items from the store | {summary(loads)} | | | < 1 s {ok(load_med < 1)} |
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--articles", type=int, help="time at this size (default 1,000; 0: none)")
    parser.add_argument("--memory-articles", type=int, help="peak RSS at this size (default 5,000)")
    parser.add_argument("--result", default="build", help="name of the bench/results/ file")
    parser.add_argument("--comments", type=int, default=20)
    parser.add_argument("--reps", type=int)
    parser.add_argument(
        "--work",
        type=Path,
        default=WORK,
        help="folder of the generated sites, made if missing (default bench/.work): a copy "
        "of another checkout's build-NxK sites is measured without generating them again",
    )
    args = parser.parse_args()
    articles = args.articles if args.articles is not None else (100 if args.quick else 1000)
    memory = (
        args.memory_articles if args.memory_articles is not None else (200 if args.quick else 5000)
    )
    reps = args.reps or (2 if args.quick else 5)
    sections = [measure(articles, args.comments, reps, work=args.work)] if articles else []
    if memory:
        # Peak RSS varies little between runs: one round at the large size.
        sections.append(measure(memory, args.comments, 1, warm_up=False, work=args.work))
    write_result(
        args.result,
        "## Build with baked threads (bench/bench_build.py)\n\n"
        "Comments with 1 in 3 a reply, 1 in 10 items a webmention, 3 in 10 comments with "
        "Markdown markup, the rest plain prose. Real `pelican` runs, medians of alternating "
        "rounds.\n\n" + "\n".join(sections) + "\n" + NOTES,
    )


if __name__ == "__main__":
    main()
