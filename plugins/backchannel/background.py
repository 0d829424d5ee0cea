"""Work handed to a forked child while the parent goes on: cache writes, and one-off jobs.

Deferred: pickling the digest's caches (100,000 parsed items, as many analyses,
the articles) cost ~1.7 s of a weekly 100,000-comment digest (bench/RESULTS.md,
before this module), all on the critical path; composing the digest next runs
on one core, so a child on the second core writes them meanwhile. Only work
whose failure costs nothing but time belongs there: a failed child is logged,
not retried, and each write is atomic on its own (temp file, then rename).

Forked: one computation whose result the parent needs later (the articles, read
while the store is parsed; themes and engagement, mined while the questions are
found; the JSON file, written while Markdown and HTML are rendered). Either way
the child inherits its inputs (fork: nothing is pickled to hand them over).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:  # multiprocessing itself is imported only when a child starts
    from multiprocessing.process import BaseProcess

logger = logging.getLogger(__name__)

R = TypeVar("R")

# The niceness of the child that writes Deferred calls.
NICE = 19


def _run_all(calls: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> None:
    for func, args in calls:
        func(*args)


def _run_all_niced(calls: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> None:
    # Lowest priority: the caches are for the next run, so they take the core
    # time this run's processes leave idle (and the parent waits at its very end).
    with contextlib.suppress(OSError):
        os.nice(NICE)
    _run_all(calls)


class Deferred:
    """Calls queued now, run together in one forked child (or here, where none can start)."""

    def __init__(self) -> None:
        self._calls: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []
        self._process: BaseProcess | None = None

    def add(self, func: Callable[..., Any], *args: Any) -> None:
        """Queue func(*args) for start()."""
        self._calls.append((func, args))

    def start(self) -> None:
        """Run the queued calls in a forked child; here and now if none can be started."""
        calls, self._calls = self._calls, []
        if not calls:
            return
        if (os.cpu_count() or 1) >= 2:
            # Imported here: every CLI command imports the digest, few write caches.
            import multiprocessing

            try:
                process = multiprocessing.get_context("fork").Process(
                    target=_run_all_niced, args=(calls,), daemon=True
                )
                process.start()
            except (OSError, ValueError) as exc:
                logger.debug("backchannel: writing caches in-process (%s)", exc)
            else:
                self._process = process
                return
        _run_all(calls)

    def wait(self) -> None:
        """Wait for the child started by start(), if any."""
        if self._process is None:
            return
        self._process.join()
        if self._process.exitcode != 0:
            logger.warning(
                "backchannel: writing the caches failed (exit %s); the next run rebuilds them",
                self._process.exitcode,
            )
        self._process = None


def _send_result(conn: Any, func: Callable[..., R], args: tuple[Any, ...]) -> None:
    try:
        outcome: tuple[bool, Any] = (True, func(*args))
    except Exception as exc:  # handed to the parent, which raises it there
        outcome = (False, exc)
    # A parent that discarded the job has closed its end: nothing to report to.
    with contextlib.suppress(BrokenPipeError):
        conn.send(outcome)
    conn.close()


class Forked(Generic[R]):
    """func(*args) computed in a forked child: inputs inherited, the result pickled back.

    Where no child can be started, or the child dies, result() computes it here:
    slower, never different. An exception func raises in the child is raised by result().
    """

    def __init__(self, func: Callable[..., R], *args: Any, worth_it: bool = True) -> None:
        """Start the child; with `worth_it=False` (small jobs) result() computes it here."""
        self._func, self._args = func, args
        self._conn: Any = None
        self._process: BaseProcess | None = None
        if not worth_it or (os.cpu_count() or 1) < 2:
            return
        import multiprocessing

        try:
            context = multiprocessing.get_context("fork")
            receive, send = context.Pipe(duplex=False)
            process = context.Process(target=_send_result, args=(send, func, args), daemon=True)
            process.start()
        except (OSError, ValueError) as exc:
            logger.debug("backchannel: computing in-process (%s)", exc)
            return
        send.close()
        self._conn, self._process = receive, process

    def result(self) -> R:
        """The value of func(*args) (waits for the child)."""
        if self._process is not None:
            process, self._process = self._process, None
            try:
                ok, value = self._conn.recv()
            except (EOFError, OSError) as exc:
                logger.warning("backchannel: a helper process failed (%r); working in-process", exc)
            else:
                if not ok:
                    raise value
                return value
            finally:
                self._conn.close()
                process.join()
        return self._func(*self._args)

    def discard(self) -> None:
        """Wait for the child, if any, and drop its result (nothing is computed here)."""
        if self._process is not None:
            process, self._process = self._process, None
            self._conn.close()
            process.join()
