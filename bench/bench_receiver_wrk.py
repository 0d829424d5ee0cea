"""The receiver against Isso again, driven by wrk (a C load generator) instead of Python.

bench_receiver.py's load generator is itself Python on the same 2 cores; on
reads it saturates long before the servers do. This script runs the same
servers, sites and comment shapes under `wrk` (Debian package `wrk`; skipped
with a note if missing): fixed 16 connections, fixed duration, loopback only,
POSTs with unique bodies (bench/wrk/post_comments.lua), then reads of a 50-comment thread.

    python bench/bench_receiver_wrk.py [--quick]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from bench_receiver import (
    ARTICLE,
    READ_ARTICLE,
    free_port,
    isso_running,
    prepare_receiver_site,
    wait_up,
)
from common import BENCH, WORK, machine, write_result

WRK_DIR = BENCH / "wrk"


WARM_UP_SECONDS = 2.0


POST_SCRIPT = WRK_DIR / "post_comments.lua"


def wrk(url: str, seconds: float, script_args: tuple[str, ...] = ()) -> dict:
    """One wrk run (comment POSTs when given the post script's arguments, else GETs).

    Returns requests/s, p50/p99 ms, completed and non-2xx counts.
    """
    cmd = ["wrk", "-c16", "-t2", f"-d{seconds:g}s", "--latency", url]
    if script_args:
        cmd[1:1] = ["-s", str(POST_SCRIPT)]
        cmd += ["--", *script_args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=seconds + 60)
    text = out.stdout

    def ms(label: str) -> float:
        m = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", text, re.M)
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    done = int(re.search(r"(\d+) requests in", text).group(1))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)),
        "p50": ms("50"),
        "p99": ms("99"),
        "done": done,
        "errors": int(bad.group(1)) if bad else 0,
    }


def measured_posts(base: str, seconds: float, server: str) -> dict:
    """POSTs for `seconds` after a short warm-up of the same (first requests load code)."""
    warm = wrk(base, WARM_UP_SECONDS, (server, "warm-up"))
    posts = wrk(base, seconds, (server, ""))
    # Every acknowledged comment must be found, warm-up ones included.
    posts["acked"] = posts["done"] - posts["errors"] + warm["done"] - warm["errors"]
    return posts


def run_ours(seconds: float, work: Path) -> tuple[dict, dict, int]:
    site = work / "receiver-site"
    prepare_receiver_site(site)
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, str(BENCH / "bench_receiver.py"), "--serve-receiver", str(site), str(port)]
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(f"{base}/backchannel/token?article={ARTICLE}", proc)
        posts = measured_posts(base, seconds, "backchannel")
        reads = wrk(f"{base}/backchannel/comments?article={READ_ARTICLE}", seconds)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    found = len(list((site / "feedback" / "inbox").glob("*.md")))
    return posts, reads, found


def run_isso(seconds: float, work: Path) -> tuple[dict, dict, int]:
    with isso_running(work) as (base, _):
        posts = measured_posts(base, seconds, "isso")
        reads = wrk(f"{base}/?uri=%2Fread%2F", seconds)
        found = httpx.get(f"{base}/", params={"uri": "/post/", "limit": 0}).json()["total_replies"]
    return posts, reads, found


def table_rows(rep: int, ours: tuple, theirs: tuple) -> list[str]:
    """The results table's rows for one repetition of both servers."""
    rows = []
    for name, (posts, reads, found) in (("backchannel", ours), ("isso", theirs)):
        lost = max(0, posts["acked"] - found)
        rows.append(
            f"| {name} #{rep} | posts | {posts['rps']:.0f} | {posts['p50']:.1f} | "
            f"{posts['p99']:.1f} | {posts['errors']} | {lost} |"
        )
        rows.append(
            f"| {name} #{rep} | reads | {reads['rps']:.0f} | {reads['p50']:.1f} | "
            f"{reads['p99']:.1f} | {reads['errors']} | – |"
        )
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install wrk); skipping", file=sys.stderr)
        return 0
    seconds, reps = (3.0, 1) if args.quick else (10.0, 3)
    rows, ours_runs, isso_runs = [], [], []
    # Every run gets a fresh folder and all are deleted only after the last run:
    # on ext4 without a journal, creating files next to thousands just deleted
    # costs up to 10x the kernel time (see the import notes in RESULTS.md), and
    # deleting one run's store right before the next would charge that to the
    # next run's comments.
    WORK.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="receiver-wrk-", dir=WORK))
    try:
        for rep in range(1, reps + 1):
            for name in (f"ours-{rep}", f"isso-{rep}"):
                (root / name).mkdir()
            ours = run_ours(seconds, root / f"ours-{rep}")
            theirs = run_isso(seconds, root / f"isso-{rep}")
            ours_runs.append(ours)
            isso_runs.append(theirs)
            rows.extend(table_rows(rep, ours, theirs))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    our_rps = statistics.median(r[0]["rps"] for r in ours_runs)
    isso_rps = statistics.median(r[0]["rps"] for r in isso_runs)
    our_p99 = statistics.median(r[0]["p99"] for r in ours_runs)
    errors = sum(r[0]["errors"] for r in ours_runs)
    lost = sum(max(0, r[0]["acked"] - r[2]) for r in ours_runs)
    ok = our_rps >= 2 * isso_rps and our_p99 < 50 and errors == 0 and lost == 0
    write_result(
        "receiver-wrk",
        f"""## Receiver vs Isso under wrk (bench/bench_receiver_wrk.py)

wrk (C load generator), 16 connections, 2 threads, {seconds:g} s per phase,
{reps} repetition(s), loopback only, one server process each; unique JSON comments
with an e-mail address (bench/wrk/post_comments.lua) after a {WARM_UP_SECONDS:g} s warm-up of
the same (not measured; its comments are counted in "lost"), then reads of a 50-comment
thread as JSON.
Each repetition's stores are fresh folders under bench/.work/, deleted after the last run.
Every acknowledged Backchannel POST is fsynced (item, private data, their folders) before its 202.

| server | phase | requests/s | p50 ms | p99 ms | non-2xx | lost |
|---|---|---|---|---|---|---|
{chr(10).join(rows)}

Medians: Backchannel {our_rps:.0f} POST/s, Isso {isso_rps:.0f} POST/s
→ **{our_rps / isso_rps:.2f}×**;
Backchannel POST p99 **{our_p99:.1f} ms**. Target (issue 4): ≥ 2× Isso, p99 < 50 ms at
concurrency 16, no errors, nothing lost → **{"PASS" if ok else "FAIL"}**.

Machine: {machine()}.
""",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
