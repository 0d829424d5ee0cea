"""Parse a large source in a helper process, so parsing and writing use two cores.

Reading a 200,000-comment export costs as much CPU as validating and writing
its items; both are pure Python, so threads cannot overlap them. A forked
helper runs the parser and sends the records in batches through a pipe (which
blocks when full, so memory stays bounded); the importer consumes them as if
it had parsed them itself. An error in the helper (a malformed or hostile
file) is raised in the importer with its message and position unchanged, so
the import still stops before anything is placed. Where `fork` is not
available, the records are simply read in this process.

The helper never outlives the importer: it closes its inherited copy of the
pipe's read end at once, so when the importer dies (even by SIGKILL) its next
send fails with a broken pipe instead of blocking forever on a full pipe, and
it checks between batches that its parent is still the importer.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import pickle
from collections.abc import Callable, Iterable, Iterator
from multiprocessing.connection import Connection
from typing import Any

from backchannel.errors import BackchannelError

logger = logging.getLogger(__name__)

BATCH = 1000


def _produce(
    source: Callable[[], Iterable[Any]], out: Connection, unused: Connection, parent: int
) -> None:
    """In the helper: send ("records", [...]) batches, then ("done", None) or ("error", exc)."""
    # Only the importer may hold the read end: with this copy open, a dead
    # importer would leave a reader, and a send into the full pipe would block forever.
    unused.close()
    try:
        batch: list[Any] = []
        for record in source():
            batch.append(record)
            if len(batch) >= BATCH:
                if os.getppid() != parent:
                    return  # the importer is gone (reparented): nobody will read this
                out.send(("records", batch))
                batch = []
        out.send(("records", batch))
        out.send(("done", None))
    except BrokenPipeError:
        pass  # the importer stopped listening (it failed or was interrupted)
    except BaseException as exc:
        try:
            pickle.dumps(exc)
        except Exception:
            exc = BackchannelError(f"backchannel: the source reader failed: {exc!r}")
        with contextlib.suppress(BrokenPipeError):
            out.send(("error", exc))
    finally:
        out.close()


def prefetched(source: Callable[[], Iterable[Any]]) -> Iterator[Any]:
    """The source's records, parsed by a forked helper process (in order, errors included)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        yield from source()
        return
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    helper = context.Process(
        target=_produce, args=(source, send, receive, os.getpid()), daemon=True
    )
    helper.start()
    send.close()  # only the helper writes: EOF here means it died
    try:
        while True:
            try:
                kind, payload = receive.recv()
            except EOFError:
                raise BackchannelError(
                    f"backchannel: the source reader stopped unexpectedly (exit {helper.exitcode})"
                ) from None
            if kind == "records":
                yield from payload
            elif kind == "error":
                raise payload
            else:
                return
    finally:
        receive.close()
        helper.join(timeout=5)
        if helper.is_alive():  # the importer gave up early: the helper has nothing to do
            helper.terminate()
            helper.join(timeout=5)
