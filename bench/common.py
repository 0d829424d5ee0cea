"""Shared helpers for the benchmarks: machine description, stats, result files."""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULTS = BENCH / "results"
WORK = BENCH / ".work"
PLUGINS = ROOT / "plugins"
sys.path.insert(0, str(PLUGINS))


def machine() -> str:
    """One line: CPU model, cores, memory, Python, date."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB RAM"
    except (OSError, ValueError, IndexError):
        pass
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (
        f"{cpu}, {os.cpu_count()} cores{mem}, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; run {now}"
    )


def summary(samples: list[float], unit: str = "s") -> str:
    """'median (min–max, n=N)'."""
    med = statistics.median(samples)
    return f"{med:.3f} {unit} (min {min(samples):.3f}, max {max(samples):.3f}, n={len(samples)})"


# In a results file, what follows this line was written by hand (readings of runs,
# held-out figures): a new run rewrites the part above it only.
BY_HAND = "<!-- written by hand below: a bench run keeps it -->"


def write_result(name: str, markdown: str) -> Path:
    """Write one benchmark's section for bench/RESULTS.md (keeping the part BY_HAND)."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.md"
    old = path.read_text("utf-8") if path.exists() else ""
    kept = old[old.index(BY_HAND) :] if BY_HAND in old else ""
    path.write_text(markdown.rstrip() + "\n" + ("\n" + kept if kept else ""), "utf-8")
    print(markdown)
    return path


def env_with_plugins() -> dict[str, str]:
    """Environment in which subprocesses import this checkout's package."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(PLUGINS) + os.pathsep + env.get("PYTHONPATH", "")
    # As in a default Python setup, where our modules' bytecode is cached after
    # the first run. Some sandboxes set PYTHONDONTWRITEBYTECODE=1, which makes
    # every command and build recompile ~30 of our modules (~0.1 s each time);
    # Pelican's own modules keep the bytecode pip wrote either way.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command, failing loudly."""
    proc = subprocess.run(
        cmd, cwd=cwd, env=env_with_plugins(), capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc
