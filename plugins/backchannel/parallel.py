"""Two cores for one batch of work: half here, half in a forked helper process.

The store's parsing and the digest's per-comment analysis are pure-Python loops
over independent items; on a 2-core machine a forked helper halves their wall
time. Below a size where the fork and the pickling of results cost more than
they save, on one core, or where no process can be forked, everything runs
here: slower, never different.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from typing import TypeVar

logger = logging.getLogger(__name__)

T = TypeVar("T")
R = TypeVar("R")


def in_two(
    func: Callable[[Sequence[T]], list[R]], work: Sequence[T], minimum: int, here: float = 0.5
) -> list[R]:
    """func(work), computed as func(first part) here and func(the rest) in a helper.

    `here` is the share done in this process (more than half when another child
    already keeps the second core partly busy). `func` must be picklable (module
    level, or a functools.partial of one), and so must the items of `work` and of its result.
    """
    if len(work) < minimum or (os.cpu_count() or 1) < 2:
        return func(work)
    # Imported here: every CLI command imports the store, few load this much.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    half = round(len(work) * here)
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
            second = pool.submit(func, work[half:])
            first = func(work[:half])
            return first + second.result()
    except (OSError, BrokenProcessPool) as exc:
        logger.debug("backchannel: working in one process (%s)", exc)
        return func(work)
