"""Load bench: Backchannel's receiver against Isso, same machine, same run, loopback only.

    python bench/bench_receiver.py [--quick] [--duration S] [--concurrency N]

Both servers run as their own process on 127.0.0.1 (one worker each). A
bounded load generator (fixed concurrency, fixed duration) posts comments as
JSON, then reads a 50-comment thread as JSON. Afterwards the stored comments
are counted: every acknowledged POST must be there (lost = 0). Isso is
pip-installed by this script into bench/.work/isso-venv (PyPI through the
configured index) and run with a temporary config (guard and moderation off,
as our receiver runs with rate limit and timing check off for the bench).
Figures go to bench/results/receiver.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / ".work"
ISSO_VENV = WORK / "isso-venv"
RESULTS = HERE / "results" / "receiver.md"
ARTICLE = "bench-article"
READ_ARTICLE = "read-article"
READ_COMMENTS = 50
TARGET_RATIO = 2.0
TARGET_P99_MS = 50.0
sys.path.insert(0, str(ROOT / "plugins"))


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, timeout: float = 30) -> None:
    """Poll a URL until the server answers (bounded)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited early with {proc.returncode}")
        try:
            httpx.get(url, timeout=1)
        except httpx.HTTPError:
            time.sleep(0.1)
        else:
            return
    raise SystemExit(f"server at {url} did not come up")


# --- our receiver -------------------------------------------------------------------
def receiver_settings(site: Path, port: int):
    """Settings for a bench site: defences that need a human (rate, timing) off."""
    from backchannel.settings import resolve

    return resolve(
        {
            "PATH": str(site / "content"),
            "OUTPUT_PATH": str(site / "output"),
            "SITEURL": "",
            "BACKCHANNEL_RECEIVER_URL": f"http://127.0.0.1:{port}/backchannel",
            "BACKCHANNEL_RATE_LIMIT": None,
            "BACKCHANNEL_MIN_SECONDS_TO_POST": 0,
        },
        base_dir=site,
    )


def prepare_receiver_site(site: Path) -> None:
    """A manifest (what a build writes) and a published thread to read."""
    from backchannel.model import Item, Kind, State
    from backchannel.store import Store, new_id

    (site / "content").mkdir(parents=True)
    (site / "output").mkdir()
    manifest = {
        "siteurl": "",
        "articles": [
            {
                "id": a,
                "url": f"{a}.html",
                "title": a,
                "date": "2026-01-01T00:00:00+00:00",
                "source_path": f"{a}.md",
                "aliases": [],
            }
            for a in (ARTICLE, READ_ARTICLE)
        ],
    }
    (site / "output" / "backchannel-articles.json").write_text(json.dumps(manifest))
    store = Store(site / "feedback")
    for n in range(READ_COMMENTS):
        store.add(
            Item(
                id=new_id(),
                kind=Kind.COMMENT,
                article=READ_ARTICLE,
                author=f"R{n}",
                date=datetime(2026, 1, 1, tzinfo=UTC),
                origin="bench",
                body=f"Comment **{n}** with a [link](https://example.org/{n}).",
                state=State.PUBLISHED,
            )
        )


def serve_receiver(site: Path, port: int) -> None:
    """Child process: uvicorn with the site + receiver app."""
    import logging

    import uvicorn
    from backchannel.receiver.server import create_app

    logging.disable(logging.INFO)
    app = create_app(receiver_settings(site, port), site / "output")
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


# --- Isso -----------------------------------------------------------------------------
def ensure_isso() -> Path:
    """Isso in its own venv (installed from PyPI once)."""
    isso = ISSO_VENV / "bin" / "isso"
    if not isso.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(ISSO_VENV)], check=True)
        subprocess.run(
            [str(ISSO_VENV / "bin" / "pip"), "install", "-q", "isso"], check=True, timeout=900
        )
    return isso


def isso_config(folder: Path, port: int) -> Path:
    """A temporary Isso config: SQLite in `folder`, guard and moderation off."""
    conf = folder / "isso.cfg"
    conf.write_text(f"""[general]
dbpath = {folder / "comments.db"}
host = http://127.0.0.1:{port}/
notify = stdout
log-file = {folder / "isso.log"}
[moderation]
enabled = false
[server]
listen = http://127.0.0.1:{port}/
[guard]
enabled = false
require-author = false
require-email = false
""")
    return conf


# --- the load generator -------------------------------------------------------------
@dataclass
class Run:
    """Latencies and outcomes of one timed phase."""

    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    ok: int = 0
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.ok / self.seconds if self.seconds else 0.0

    def pct(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        data = sorted(self.latencies)
        return data[min(len(data) - 1, int(q * len(data)))] * 1000


async def load(make_request, concurrency: int, duration: float) -> Run:
    """`concurrency` workers send requests back to back until `duration` is up."""
    run = Run()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=30) as client:
        stop = time.monotonic() + duration
        counter = iter(range(10**9))

        async def worker() -> None:
            while time.monotonic() < stop:
                n = next(counter)
                start = time.perf_counter()
                try:
                    resp = await make_request(client, n)
                    good = 200 <= resp.status_code < 300
                except httpx.HTTPError:
                    good = False
                run.latencies.append(time.perf_counter() - start)
                if good:
                    run.ok += 1
                else:
                    run.errors += 1

        began = time.monotonic()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        run.seconds = time.monotonic() - began
    return run


def bench_receiver(concurrency: int, duration: float, work: Path) -> dict:
    """POST and read against our receiver; count what landed in the inbox."""
    site = work / "receiver-site"
    prepare_receiver_site(site)
    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve-receiver", str(site), str(port)])
    try:
        base = f"http://127.0.0.1:{port}/backchannel"
        wait_up(f"{base}/token?article={ARTICLE}", proc)

        async def post(client: httpx.AsyncClient, n: int) -> httpx.Response:
            return await client.post(
                f"{base}/comments",
                json={
                    "article": ARTICLE,
                    "author": f"Bench {n}",
                    "body": f"Comment number {n}.",
                    "email": f"r{n}@example.org",
                    "token": "",
                    "homepage": "",
                },
            )

        async def read(client: httpx.AsyncClient, n: int) -> httpx.Response:
            return await client.get(f"{base}/comments", params={"article": READ_ARTICLE})

        posts = asyncio.run(load(post, concurrency, duration))
        reads = asyncio.run(load(read, concurrency, duration))
        check = httpx.get(f"{base}/comments", params={"article": READ_ARTICLE}).json()
        assert len(check["comments"]) == READ_COMMENTS
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    found = len(list((site / "feedback" / "inbox").glob("*.md")))
    return {"posts": posts, "reads": reads, "found": found}


@contextlib.contextmanager
def isso_running(work: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """Isso on a free loopback port with a 50-comment thread at /read/; yields (base, headers)."""
    isso = ensure_isso()
    folder = work / "isso"
    folder.mkdir()
    port = free_port()
    conf = isso_config(folder, port)
    proc = subprocess.Popen(
        [str(isso), "-c", str(conf), "run"],
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(f"{base}/info", proc)
        headers = {"Origin": base, "Referer": base + "/"}
        with httpx.Client() as client:
            for n in range(READ_COMMENTS):
                r = client.post(
                    f"{base}/new",
                    params={"uri": "/read/"},
                    headers=headers,
                    json=isso_comment(n, "/read/"),
                )
                r.raise_for_status()
        yield base, headers
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def isso_comment(n: int, uri: str) -> dict:
    """The comment shape posted to Isso (with an e-mail, as ours)."""
    return {
        "text": f"Comment number {n}.",
        "author": f"Bench {n}",
        "email": f"r{n}@example.org",
        "website": None,
        "title": uri,
    }


def bench_isso(concurrency: int, duration: float, work: Path) -> dict:
    """The same against Isso: POST /new?uri=, GET /?uri=."""
    with isso_running(work) as (base, headers):

        async def post(client: httpx.AsyncClient, n: int) -> httpx.Response:
            return await client.post(
                f"{base}/new",
                params={"uri": "/post/"},
                headers=headers,
                json=isso_comment(n, "/post/"),
            )

        async def read(client: httpx.AsyncClient, n: int) -> httpx.Response:
            return await client.get(f"{base}/", params={"uri": "/read/"}, headers=headers)

        posts = asyncio.run(load(post, concurrency, duration))
        reads = asyncio.run(load(read, concurrency, duration))
        data = httpx.get(f"{base}/", params={"uri": "/post/", "limit": 0}).json()
        found = data.get("total_replies", 0)
    return {"posts": posts, "reads": reads, "found": found}


# --- report --------------------------------------------------------------------------------
def machine() -> str:
    """nproc, CPU model, RAM, Python."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        ram = f"{mem_kb / 1024 / 1024:.1f} GiB RAM"
    except (OSError, StopIteration, ValueError):
        ram = "RAM unknown"
    return f"{os.cpu_count()} CPUs (nproc), {cpu}, {ram}, Python {platform.python_version()}"


def summarize(name: str, result: dict, phase: str) -> str:
    run: Run = result[phase]
    spread = ""
    if len(run.latencies) > 1:
        spread = f"{statistics.stdev(run.latencies) * 1000:.1f}"
    lost = f"{result['posts'].ok - result['found']}" if phase == "posts" else "–"
    return (
        f"| {name} | {phase} | {run.ok + run.errors} | {run.rate:.0f} | {run.pct(0.5):.1f} | "
        f"{run.pct(0.99):.1f} | {spread} | {run.errors} | {lost} |"
    )


def report(args: argparse.Namespace, ours: list[dict], isso: list[dict]) -> str:
    """The Markdown section for bench/results/receiver.md."""
    lines = [
        "## Receiver load: Backchannel vs Isso",
        "",
        f"- Date: {datetime.now(UTC).isoformat(timespec='seconds')}",
        f"- Machine: {machine()} — **shared** with other engineers' jobs during the run, "
        "so absolute figures are noisy; both servers ran in the same run, back to back.",
        f"- Load: concurrency {args.concurrency}, {args.duration:g} s per phase, "
        f"{args.repeat} repetition(s) each, loopback only, one server process each "
        "(uvicorn / Isso's own `isso run`); JSON comment POSTs, then GET of a "
        f"{READ_COMMENTS}-comment thread as JSON.",
        "- Command: `python bench/bench_receiver.py" + (" --quick" if args.quick else "") + "`",
        "",
        "| server | phase | requests | per second | p50 ms | p99 ms | stdev ms | errors | lost |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for n, (o, i) in enumerate(zip(ours, isso, strict=True), start=1):
        tag = f" #{n}" if len(ours) > 1 else ""
        for phase in ("posts", "reads"):
            lines.append(summarize("backchannel" + tag, o, phase))
            lines.append(summarize("isso" + tag, i, phase))
    our_rate = statistics.median(o["posts"].rate for o in ours)
    isso_rate = statistics.median(i["posts"].rate for i in isso)
    our_p99 = statistics.median(o["posts"].pct(0.99) for o in ours)
    lost = sum(o["posts"].ok - o["found"] for o in ours)
    errors = sum(o["posts"].errors for o in ours)
    ratio = our_rate / isso_rate if isso_rate else float("inf")
    passed = ratio >= TARGET_RATIO and our_p99 < TARGET_P99_MS and lost == 0 and errors == 0
    lines += [
        "",
        f"Medians over repetitions: Backchannel {our_rate:.0f} POST/s, Isso {isso_rate:.0f} POST/s "
        f"→ ratio **{ratio:.2f}×**; Backchannel POST p99 **{our_p99:.1f} ms**; lost {lost}, "
        f"errors {errors}.",
        "",
        f"Target (issue 4): ≥ {TARGET_RATIO:g}× Isso's POST throughput with no errors, p99 < "
        f"{TARGET_P99_MS:g} ms at concurrency 16, lost = 0 → under this load generator "
        f"**{'PASS' if passed else 'FAIL'}**. This generator is Python on the same two cores "
        "as the server and saturates first (the server reaches ~3× this rate under wrk), so "
        "its latencies are mostly its own queueing: the target is judged on "
        "bench_receiver_wrk.py's figures, which use wrk (C) as the load generator.",
        "",
        "Every acknowledged Backchannel POST is fsynced before its 202 (item file, private "
        "data file, their folders); Isso commits each comment to SQLite.",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    """Run the bench and write the results section."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="3 s phases, one repetition")
    parser.add_argument("--duration", type=float, default=None, help="seconds per phase")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=None)
    parser.add_argument(
        "--serve-receiver", nargs=2, metavar=("SITE", "PORT"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve_receiver:
        serve_receiver(Path(args.serve_receiver[0]), int(args.serve_receiver[1]))
        return 0
    args.duration = args.duration or (3.0 if args.quick else 10.0)
    args.repeat = args.repeat or (1 if args.quick else 3)
    ours, isso = [], []
    for _ in range(args.repeat):
        work = Path(tempfile.mkdtemp(prefix="bench-receiver-"))
        try:
            ours.append(bench_receiver(args.concurrency, args.duration, work))
            isso.append(bench_isso(args.concurrency, args.duration, work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    text = report(args, ours, isso)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text("# Receiver benchmark\n\n" + text, "utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
