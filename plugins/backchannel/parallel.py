"""Two cores for one batch of work: this process and a forked helper share it.

The store's parsing and the digest's per-comment analysis are pure-Python loops
over independent items; on a 2-core machine a forked helper halves their wall
time. Below a size where the fork and the pickling of results cost more than
they save, on one core, or where no process can be forked, everything runs
here: slower, never different.

The batch is cut into chunks; this process takes them from the front and the
helper from the back until the two meet. A fixed split cannot be right: on a
first digest a third process (the articles' reader) shares the cores while the
store is parsed, this process also unpickles what the helper sends, and a busy
machine slows either side. A fixed 65/35 split left this process working alone
for ~1.5 s of a 100,000-comment digest.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")

# Chunks per batch: the two sides finish within about one chunk of each other.
CHUNKS = 64
# Bytes the pipe from the helper holds: one chunk's results at 100,000 comments.
PIPE_SIZE = 1 << 20
# How long this process waits for the helper's next chunk before doing the rest
# itself (a chunk takes well under a second).
TIMEOUT = 120.0


def _claim(ends: Any, front: bool) -> int | None:
    """The index of the next chunk nobody has taken, from the front or the back."""
    with ends.get_lock():
        first, end = ends[0], ends[1]
        if first >= end:
            return None
        if front:
            ends[0] = first + 1
            return first
        ends[1] = end - 1
        return end - 1


def _serve_back(
    conn: Any, func: Callable[[Sequence[T]], list[R]], work: Sequence[T], bounds: Any, ends: Any
) -> None:
    """The helper: send (chunk index, results) for chunks taken from the back, then None."""
    try:
        while (n := _claim(ends, front=False)) is not None:
            start, stop = bounds[n]
            conn.send((n, func(work[start:stop])))
        conn.send(None)
    except Exception as exc:  # the parent sees the pipe close and does the rest itself
        logger.debug("backchannel: helper process failed: %r", exc)
    conn.close()


def _widen(conn: Any) -> None:
    """Let the pipe hold a whole chunk of results (Linux; elsewhere nothing changes).

    With the default 64 KiB the helper waits at each chunk until the receiving
    thread here has taken the GIL for every 64 KiB read (up to 5 ms each).
    """
    try:
        import fcntl

        with open("/proc/sys/fs/pipe-max-size") as limit:
            size = min(int(limit.read()), PIPE_SIZE)
        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, size)
    except (ImportError, AttributeError, OSError, ValueError):
        pass


def _receive_all(conn: Any, parts: list[list[R] | None]) -> None:
    """Store each chunk the helper sends, until it is done or gone (a thread's loop).

    A thread, so the helper never waits for this process to read: one chunk's
    results are far more than a pipe holds, and unpickling them interleaves
    with this process's own chunks.
    """
    while True:
        try:
            if not conn.poll(TIMEOUT):
                raise TimeoutError(f"nothing for {TIMEOUT:.0f} s")
            message = conn.recv()
        except (EOFError, OSError, TimeoutError) as exc:
            logger.debug("backchannel: helper process gone (%r); finishing here", exc)
            return
        if message is None:
            return
        n, results = message
        parts[n] = results


def in_two(func: Callable[[Sequence[T]], list[R]], work: Sequence[T], minimum: int) -> list[R]:
    """func(work), its chunks computed partly here and partly in a forked helper.

    `func` must map a slice of `work` to one result per item, in order; its
    results must be picklable. The helper inherits `func` and `work` (fork).
    """
    if len(work) < minimum or (os.cpu_count() or 1) < 2:
        return func(work)
    # Imported here: every CLI command imports the store, few load this much.
    import multiprocessing

    size = -(-len(work) // CHUNKS)
    bounds = [(start, min(start + size, len(work))) for start in range(0, len(work), size)]
    try:
        context = multiprocessing.get_context("fork")
        ends = context.Array("i", [0, len(bounds)])  # [next from the front, end of the back]
        conn, child = context.Pipe(duplex=False)
        _widen(child)
        process = context.Process(
            target=_serve_back, args=(child, func, work, bounds, ends), daemon=True
        )
        process.start()
        child.close()
    except (OSError, ValueError) as exc:
        logger.debug("backchannel: working in one process (%s)", exc)
        return func(work)
    parts: list[list[R] | None] = [None] * len(bounds)
    receiver = threading.Thread(target=_receive_all, args=(conn, parts), daemon=True)
    receiver.start()
    try:
        while (n := _claim(ends, front=True)) is not None:
            start, stop = bounds[n]
            parts[n] = func(work[start:stop])
        receiver.join()
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
        conn.close()
    # Chunks a failed helper had taken but not sent are done here.
    out: list[R] = []
    for (start, stop), part in zip(bounds, parts, strict=True):
        out.extend(func(work[start:stop]) if part is None else part)
    return out
