"""Cache writes run in a forked child while the parent goes on with its real work.

Pickling the digest's caches (100,000 parsed items, as many analyses, the
articles) took ~1.3 s of a cold 100,000-comment digest and ~1.2 s of a weekly
one, all on the critical path; composing the digest next is single-threaded, so
a child on the second core writes them meanwhile for free. The child inherits
the data (fork: nothing is copied or pickled to hand it over). Only work whose
failure costs nothing but time belongs here: a failed child is logged, not
retried, and each write is atomic on its own (temp file, then rename).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # multiprocessing itself is imported only when a child starts
    from multiprocessing.process import BaseProcess

logger = logging.getLogger(__name__)


def _run_all(calls: list[tuple[Callable[..., Any], tuple[Any, ...]]]) -> None:
    for func, args in calls:
        func(*args)


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
                    target=_run_all, args=(calls,), daemon=True
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
