"""Benchmark: `backchannel digest` over 10k/50k/100k comments on 1,000 articles.

    python bench/bench_digest.py            # 10k, 50k, 100k (target: 100k < 10 s, < 500 MB)
    python bench/bench_digest.py --quick    # 1k, 5k

Each size is a real site under bench/.work/ (generated once, then reused):
1,000 Markdown articles and N comment files whose bodies are drawn from the
labelled evaluation comments. Every run is a fresh process doing what the
command does (read the store and content/, analyse, render Markdown, HTML and
JSON, write them); wall time and peak RSS are measured around it.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "plugins"), str(ROOT / "tests")]

from backchannel.model import Item, Kind, dumps  # noqa: E402
from digest_eval import load_eval  # noqa: E402

WORK = ROOT / "bench" / ".work"
RESULTS = ROOT / "bench" / "results" / "digest.md"
ARTICLES = 1000
TARGET_SECONDS = 10.0
TARGET_MB = 500

CONF = """AUTHOR = "Bench Author"
SITENAME = "Bench"
SITEURL = ""
PATH = "content"
OUTPUT_PATH = "output"
TIMEZONE = "UTC"
PLUGIN_PATHS = [{plugins!r}]
PLUGINS = ["backchannel"]
THEME = {theme!r}
"""

RUN = """
import sys, time, resource
sys.path.insert(0, {plugins!r})
start = time.perf_counter()
from backchannel.settings import load
from backchannel.digest.build import build_digest
from backchannel.digest.write import write_digest
settings = load("pelicanconf.py")
digest = build_digest(settings, None)
write_digest(settings, digest, out=__import__("pathlib").Path("digests-out"))
elapsed = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(elapsed, peak, len(digest.questions), len(digest.themes))
"""


def generate(n: int) -> Path:
    """A site with ARTICLES articles and n comments (reused when already there)."""
    site = WORK / f"site-{n}"
    done = site / ".complete"
    if done.exists():
        return site
    rng = random.Random(n)
    content = site / "content"
    content.mkdir(parents=True, exist_ok=True)
    (site / "pelicanconf.py").write_text(
        CONF.format(plugins=str(ROOT / "plugins"), theme=str(ROOT / "theme")), "utf-8"
    )
    texts = [t for t, _ in load_eval()]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    for a in range(ARTICLES):
        words = " ".join(rng.choice(texts) for _ in range(6))
        (content / f"a{a:04d}.md").write_text(
            f"Title: Article {a}\nDate: {(start + timedelta(hours=a * 9)).date()}\n"
            f"Slug: a{a:04d}\n\n{words}\n",
            "utf-8",
        )
    readers = [f"Reader {i}" for i in range(5000)]
    folders: dict[str, Path] = {}
    for i in range(n):
        art = f"a{rng.randrange(ARTICLES):04d}"
        body = " ".join(rng.choice(texts) for _ in range(rng.choice((1, 1, 2, 3))))
        item = Item(
            id=f"{i:012x}",
            kind=Kind.COMMENT,
            article=art,
            author=rng.choice(readers),
            date=start + timedelta(minutes=i * 7),
            origin="bench",
            body=body,
        )
        folder = folders.get(art)
        if folder is None:
            folder = folders[art] = site / "feedback" / "published" / art
            folder.mkdir(parents=True, exist_ok=True)
        # Fixture generation only: plain writes, not the store's fsync per file.
        (folder / f"{item.id}.md").write_text(dumps(item), "utf-8")
    done.write_text("ok")
    return site


def run_once(site: Path) -> tuple[float, float]:
    """(seconds, peak MB) of one digest in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-c", RUN.format(plugins=str(ROOT / "plugins"))],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    seconds, peak, *_ = proc.stdout.split()
    return float(seconds), float(peak)


def machine() -> str:
    """nproc, CPU model, RAM."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = "RAM unknown"
    return f"{os.cpu_count()} CPUs ({cpu}), {ram}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes (1k, 5k)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    sizes = (1_000, 5_000) if args.quick else (10_000, 50_000, 100_000)
    rows = []
    for n in sizes:
        t0 = time.perf_counter()
        site = generate(n)
        print(f"{n}: site ready in {time.perf_counter() - t0:.1f}s", flush=True)
        runs = [run_once(site) for _ in range(args.repeat)]
        secs = [r[0] for r in runs]
        mbs = [r[1] for r in runs]
        rows.append((n, statistics.median(secs), min(secs), max(secs), max(mbs)))
        print(f"{n}: median {statistics.median(secs):.2f}s, peak {max(mbs):.0f} MB", flush=True)
    lines = [
        "## Digest",
        "",
        f"`python bench/bench_digest.py{' --quick' if args.quick else ''}`, "
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {machine()}.",
        "The machine is shared with other engineers' jobs, so times are noisy.",
        f"Each size: {args.repeat} runs, each a fresh process reading the store and "
        f"{ARTICLES} articles, analysing, and writing Markdown, HTML and JSON.",
        "",
        "| comments | median s | min s | max s | peak MB |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {n:,} | {med:.2f} | {lo:.2f} | {hi:.2f} | {mb:.0f} |" for n, med, lo, hi, mb in rows
    ]
    big = [r for r in rows if r[0] == 100_000]
    if big:
        n, med, _, _, mb = big[0]
        verdict = "PASS" if med < TARGET_SECONDS and mb < TARGET_MB else "FAIL"
        lines += [
            "",
            f"Target (issue 7): 100,000 comments under {TARGET_SECONDS:.0f} s and "
            f"{TARGET_MB} MB: median {med:.2f} s, peak {mb:.0f} MB: **{verdict}**.",
        ]
    else:
        lines += ["", "Quick run: the 100,000-comment target is checked by the full run."]
    RESULTS.write_text("\n".join(lines) + "\n", "utf-8")
    print(RESULTS.read_text("utf-8"))


if __name__ == "__main__":
    main()
