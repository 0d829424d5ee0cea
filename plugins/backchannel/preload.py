"""Read and render the store in a helper process while Pelican reads the articles.

Pelican reads and converts every article on one core; loading 20,000 item files
and rendering their Markdown is another few seconds of work that needs nothing
from Pelican. Started when the article generator is created, it runs on the
second core and is collected in `article_generator_finalized`, so a build with
threads costs little more than one without. Where a helper process cannot be
started, the same function runs in-process: slower, never different.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from backchannel.model import Item, State
from backchannel.render import prime, render_markdown
from backchannel.store import Store

logger = logging.getLogger(__name__)

STATES = (State.PUBLISHED, State.UNMATCHED)


@dataclass(frozen=True)
class Preloaded:
    """What the build needs from the store: items, problems, every id, rendered bodies."""

    items: list[Item]
    problems: list[str]  # "path:line: reason", ready to log
    ids: set[str]
    bodies: list[tuple[str, str]]  # (body, safe HTML)


def preload(root: str, secret: str | None, cache_dir: str | None) -> Preloaded:
    """Load the published and unmatched items and render their bodies."""
    store = Store(root, secret, cache_dir)
    result = store.load(STATES)
    bodies = []
    seen: set[str] = set()
    for item in result.items:
        if item.body and item.body not in seen:
            seen.add(item.body)
            bodies.append((item.body, str(render_markdown(item.body))))
    return Preloaded(
        items=result.items,
        problems=[str(p) for p in result.problems],
        ids=store.ids(),
        bodies=bodies,
    )


def start(root: Path, secret: str | None, cache_dir: Path | None) -> Future[Preloaded] | None:
    """Begin preloading in a helper process; None if no process can be started."""
    try:
        executor = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("fork")
        )
        future = executor.submit(preload, str(root), secret, str(cache_dir) if cache_dir else None)
        executor.shutdown(wait=False)  # the worker exits once its one job is done
        return future
    except (OSError, ValueError, RuntimeError) as exc:
        logger.debug("backchannel: no helper process (%s); loading in-process", exc)
        return None


def collect(
    future: Future[Preloaded] | None, root: Path, secret: str | None, cache_dir: Path | None
) -> Preloaded:
    """The preloaded store; computed here if the helper was not started or failed."""
    result = None
    if future is not None:
        try:
            result = future.result()
        except Exception as exc:
            logger.warning("backchannel: helper process failed (%s); loading in-process", exc)
    if result is None:
        result = preload(str(root), secret, str(cache_dir) if cache_dir else None)
    prime(result.bodies)
    return result
