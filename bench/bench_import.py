"""Benchmark `backchannel import wordpress` on a generated WXR export.

Full size: 10,000 posts and 200,000 comments (target: < 60 s, peak RSS < 300 MB).
`--quick`: 500 posts and 10,000 comments. Each repetition imports into a fresh
store in a fresh process; wall time, items/s and the peak RSS (the importer's
plus that of any child process, counted together) are recorded, and a Markdown
section is written to bench/results/import.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / ".work" / "import"
RESULTS = ROOT / "bench" / "results" / "import.md"
TARGET_SECONDS = 60
TARGET_MB = 300

RUNNER = """
import resource, sys, time
sys.argv = ["backchannel"] + sys.argv[1:]
from backchannel.cli import main
t = time.perf_counter()
code = main()
sys.stderr.write("BENCH %f %d %d\\n" % (time.perf_counter() - t,
                 resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                 resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss))
sys.exit(code)
"""


def generate(path: Path, posts: int, comments: int) -> None:
    """A WXR 1.2 file: comments spread over posts, one in five a reply, some pings."""
    per_post = comments // posts
    with path.open("w", encoding="utf-8") as out:
        out.write(
            '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" '
            'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" '
            'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
            "<title>Bench</title><link>https://bench.example</link>\n"
        )
        cid = 0
        for p in range(1, posts + 1):
            out.write(
                f"<item><title>Post {p}</title>"
                f"<link>https://bench.example/{p}/post-{p}/</link>"
                f"<wp:post_id>{p}</wp:post_id><wp:post_name>post-{p}</wp:post_name>"
                "<wp:post_type>post</wp:post_type><wp:status>publish</wp:status>\n"
            )
            first = cid + 1
            for n in range(per_post):
                cid += 1
                parent = cid - 1 if n % 5 == 4 else 0
                # Counted by comment id, not position: posts are shorter than 40.
                kind = "pingback" if cid % 50 == 0 and not parent else ""
                approved = "0" if cid % 40 == 0 else "1"
                out.write(
                    f"<wp:comment><wp:comment_id>{cid}</wp:comment_id>"
                    f"<wp:comment_author><![CDATA[Rëader {cid} &laquo; x]]></wp:comment_author>"
                    f"<wp:comment_author_email>r{cid}@example.org</wp:comment_author_email>"
                    f"<wp:comment_author_url>https://r{cid}.example/</wp:comment_author_url>"
                    f"<wp:comment_author_IP>192.0.2.{cid % 250}</wp:comment_author_IP>"
                    "<wp:comment_date_gmt>2020-01-02 03:04:05</wp:comment_date_gmt>"
                    f"<wp:comment_content><![CDATA[Comment {cid}: a <b>thoughtful</b> "
                    "remark about listening to readers, with some length to it.\n"
                    "Second line.]]></wp:comment_content>"
                    f"<wp:comment_approved>{approved}</wp:comment_approved>"
                    f"<wp:comment_type>{kind}</wp:comment_type>"
                    f"<wp:comment_parent>{parent if parent >= first else 0}</wp:comment_parent>"
                    "</wp:comment>\n"
                )
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def site(root: Path) -> Path:
    """A minimal site with three articles (most imported items stay unmatched)."""
    (root / "content").mkdir(parents=True)
    for n in (1, 2, 3):
        (root / "content" / f"post-{n}.md").write_text(
            f"Title: Post {n}\nDate: 2020-01-0{n}\nSlug: post-{n}\n\nText.\n", "utf-8"
        )
    conf = root / "pelicanconf.py"
    conf.write_text(
        'AUTHOR = "B"\nSITENAME = "Bench"\nPATH = "content"\nTIMEZONE = "UTC"\n'
        'BACKCHANNEL_SECRET = "bench"\n',
        "utf-8",
    )
    return conf


def one_run(wxr: Path, run_dir: Path) -> tuple[float, float, dict]:
    """Import into a fresh site; (seconds, peak MB of importer + any child, summary)."""
    conf = site(run_dir)
    env = dict(os.environ, PYTHONPATH=str(ROOT / "plugins"))
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, "-s", str(conf), "import", "wordpress", str(wxr), "--json"],
        capture_output=True,
        check=False,
        text=True,
        env=env,
        cwd=run_dir,
        timeout=1800,
    )
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    line = next(x for x in proc.stderr.splitlines() if x.startswith("BENCH "))
    _, seconds, rss_kb, helper_kb = line.split()
    # A child process would run alongside the importer: count both peaks together.
    return float(seconds), (int(rss_kb) + int(helper_kb)) / 1024, json.loads(proc.stdout)


def machine() -> str:
    """nproc, CPU model and RAM of this machine."""
    cpu = next(
        (
            x.split(":", 1)[1].strip()
            for x in Path("/proc/cpuinfo").read_text().splitlines()
            if x.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(x.split()[1])
        for x in Path("/proc/meminfo").read_text().splitlines()
        if x.startswith("MemTotal")
    )
    ram = f"{mem / 1024 / 1024:.1f} GiB RAM"
    return f"{os.cpu_count()} CPUs ({cpu}), {ram}, Python {platform.python_version()}"


def main() -> None:
    """Generate, import `--repeat` times, write the results section."""
    args = argparse.ArgumentParser(description=__doc__)
    args.add_argument("--quick", action="store_true", help="500 posts, 10,000 comments")
    args.add_argument("--repeat", type=int, default=3)
    opts = args.parse_args()
    posts, comments = (500, 10_000) if opts.quick else (10_000, 200_000)
    WORK.mkdir(parents=True, exist_ok=True)
    wxr = WORK / f"bench-v2-{posts}-{comments}.xml"
    if not wxr.exists():
        generate(wxr, posts, comments)
    load = "{:.2f}, {:.2f}, {:.2f}".format(*os.getloadavg())
    runs = []
    stamp = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
    for n in range(opts.repeat):
        # A fresh folder per run, all removed only after the last: on ext4
        # without a journal, inodes freed minutes ago slow down creating new
        # ones nearby, so deleting run n's 200,000 files would tax run n + 1.
        seconds, mb, summary = one_run(wxr, WORK / f"site-{stamp}-{n}")
        print(
            f"run {n + 1}: {seconds:.1f} s, {summary['imported']} items, "
            f"{summary['imported'] / seconds:.0f} items/s, peak {mb:.0f} MB",
            flush=True,
        )
        runs.append((seconds, mb, summary["imported"]))
    for n in range(opts.repeat):
        shutil.rmtree(WORK / f"site-{stamp}-{n}", ignore_errors=True)
    times = [r[0] for r in runs]
    peaks = [r[1] for r in runs]
    items = runs[0][2]
    median = statistics.median(times)
    mid_mb = statistics.median(peaks)
    ok = median < TARGET_SECONDS and max(peaks) < TARGET_MB
    size = "quick" if opts.quick else "full"
    flag = " --quick" if opts.quick else ""
    note = " (quick size; the target is for the full size)" if opts.quick else ""
    section = f"""## Import benchmark ({size} size)

`python bench/bench_import.py{flag}` on {datetime.now(UTC):%Y-%m-%d %H:%M UTC}.
Generated WXR 1.2: {posts:,} posts, {comments:,} comments ({wxr.stat().st_size / 1e6:.0f} MB),
with replies, pingbacks, pending comments, e-mails and IPs; {items:,} items imported per run
into a fresh store (most unmatched: the site has 3 articles).

| figure | median | min | max |
|---|---|---|---|
| wall time (s) | {median:.1f} | {min(times):.1f} | {max(times):.1f} |
| items/s | {items / median:,.0f} | {items / max(times):,.0f} | {items / min(times):,.0f} |
| peak RSS, importer + children (MB) | {mid_mb:.0f} | {min(peaks):.0f} | {max(peaks):.0f} |

Repetitions: {len(runs)}, each a cold start into a fresh folder. Machine: {machine()};
shared with other engineers' work while measured (load average before the runs: {load}),
so times are pessimistic. Target (issue 6, full size): < {TARGET_SECONDS} s
and < {TARGET_MB} MB peak RSS: **{"pass" if ok else "FAIL"}**{note}.
"""
    old = RESULTS.read_text("utf-8") if RESULTS.exists() else "# Import benchmark results\n"
    marker = f"## Import benchmark ({size} size)"
    if marker in old:
        head, _, rest = old.partition(marker)
        tail = rest.partition("\n## ")[2]
        old = head + ("## " + tail if tail else "")
    RESULTS.write_text(old.rstrip("\n") + "\n\n" + section, "utf-8")
    print(section)


if __name__ == "__main__":
    main()
