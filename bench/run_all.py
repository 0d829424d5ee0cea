"""`make bench`: run every bench/bench_*.py, then rewrite bench/RESULTS.md.

Each benchmark writes its own section to bench/results/<name>.md; this script
runs them one after another (never in parallel: they measure the machine) and
joins the sections under one header. `--quick` passes --quick to each;
`python bench/run_all.py build digest` runs only those; `--assemble` just
rewrites RESULTS.md from the sections already in bench/results/.
"""

from __future__ import annotations

import subprocess
import sys
import time

from common import BENCH, RESULTS, env_with_plugins, machine


def main() -> int:
    args = sys.argv[1:]
    quick = "--quick" in args
    # `--only build receiver` runs just those; `--assemble` only rewrites RESULTS.md.
    only = [a for a in args if not a.startswith("--")]
    scripts = sorted(BENCH.glob("bench_*.py"))
    if "--assemble" in args:
        scripts = []
    elif only:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in only]
    failures = []
    for script in scripts:
        print(f"== {script.name}", flush=True)
        start = time.perf_counter()
        cmd = [sys.executable, str(script)] + (["--quick"] if quick else [])
        proc = subprocess.run(cmd, env=env_with_plugins(), cwd=BENCH.parent, check=False)
        print(f"== {script.name}: exit {proc.returncode} in {time.perf_counter() - start:.0f} s")
        if proc.returncode != 0:
            failures.append(script.name)
    sections = [p.read_text("utf-8").strip() for p in sorted(RESULTS.glob("*.md"))]
    header = (
        "# Benchmark results\n\n"
        "Written by `make bench` (bench/run_all.py), which runs every bench/bench_*.py in turn;\n"
        "each section below says how it was measured. Medians with min/max over repetitions.\n"
        f"Assembled on: {machine()}; each section gives the date and machine of its own run.\n"
    )
    (BENCH / "RESULTS.md").write_text(header + "\n" + "\n\n".join(sections) + "\n", "utf-8")
    if failures:
        print("failed: " + ", ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
