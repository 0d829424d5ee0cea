"""Render the theme's backchannel partials in a helper process while Pelican writes pages.

At 1,000 articles × 20 comments, Jinja spent ~1.4 s of the main process on the
`backchannel/*.html` partials (the thread alone ~0.5 s; the counts partial ~7,000
times over article and listing pages ~0.55 s), measured with time.process_time
over every article after a build. Every input they read is known once all
generators have finished, so a child forked then renders each article's
partials in Pelican's writing order and streams them through a pipe; the main
process only blocks if it gets ahead. The child has the very environment
(theme loader, filters, tests) and context the pages get, so the strings are
the bytes an `{% include %}` would have produced. Should the child fail, what
it did not send is rendered here, the same way.

A template reads them as `thread.html.<name>` (None when nothing was
pre-rendered, and then includes the partial as before).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from backchannel.thread import Thread

logger = logging.getLogger(__name__)

Order = list[tuple[str, Any, "Thread"]]  # (thread id, article, thread) in writing order

# (name, template, counts_show_empty) in the order article.html needs them.
PAGE_PARTIALS = (
    ("discovery", "backchannel/discovery.html", False),
    ("counts", "backchannel/counts.html", True),
    ("thread", "backchannel/thread.html", False),
    ("form", "backchannel/form.html", False),
    ("linkbacks", "backchannel/linkbacks.html", False),
)
LISTING = ("listing_counts", "backchannel/counts.html", False)
# A helper that sends nothing for this long is taken as stuck.
TIMEOUT = 60.0
# Niceness of the helper (see _serve).
NICE = 5
# What the helper sends after its last article.
DONE = ("", ())
# The pipe's size (Linux; at most /proc/sys/fs/pipe-max-size, 1 MiB by default).
# With the default 64 KiB the helper could not get more than an article or two
# ahead (an article's partials are tens of KB), so any pause left the main
# process rendering from the tail: ~40% of the articles at 1,000 x 20 on a
# 2-core Xeon, ~0-20% with 1 MiB (bench/results/build.md has the A/B).
PIPE_BYTES = 1 << 20


class Renderer:
    """Renders one article's partials with the context its pages give them."""

    def __init__(self, env: Any, context: dict[str, Any], settings: dict[str, Any]) -> None:
        self.env = env
        self.context = context
        self.relative = bool(settings.get("RELATIVE_URLS"))

    def _render(self, template: str, context: dict[str, Any]) -> str:
        return self.env.get_template(template).render(context)

    def render(self, article: Any, thread: Thread) -> tuple[str | None, ...]:
        """Every partial of one article, named as in PAGE_PARTIALS then LISTING."""
        # As Pelican's Writer.write_file and ArticlesGenerator.generate_articles
        # build an article page's context.
        page = dict(self.context, localsiteurl=self.context.get("localsiteurl"))
        if self.relative:
            from pelican.utils import get_relative_path, path_to_url

            page["SITEURL"] = page["localsiteurl"] = path_to_url(get_relative_path(article.save_as))
        page.update(
            output_file=article.save_as,
            article=article,
            category=getattr(article, "category", None),
            url=article.url,
            blog=True,
            thread=thread,
        )
        out: list[str | None] = []
        for _, template, show_empty in PAGE_PARTIALS:
            page["counts_show_empty"] = show_empty
            out.append(self._render(template, page))
        # Listing pages sit at other depths: with relative URLs each has its own
        # SITEURL, so there they include the partial themselves.
        listing = None
        if not self.relative:
            listing = self._render(
                LISTING[1],
                dict(self.context, article=article, thread=thread, counts_show_empty=False),
            )
        out.append(listing)
        return tuple(out)


NAMES = (*(name for name, _, _ in PAGE_PARTIALS), LISTING[0])


def _serve(conn: Connection, renderer: Renderer, order: Order, limit: Any) -> None:
    """The helper: send (thread id, partials) for each article, in writing order.

    It stops where the main process has started rendering from the other end
    (`limit`), then sends DONE.
    """
    # Below the main process in priority: with the feed writer there are three
    # busy processes on two cores here, and the build waits on the main one.
    with contextlib.suppress(OSError):
        os.nice(NICE)
    for index, (tid, article, thread) in enumerate(order):
        if index >= limit.value:
            break
        conn.send((tid, renderer.render(article, thread)))
    conn.send(DONE)
    conn.close()


def _enlarge(conn: Connection) -> None:
    """Make the pipe behind `conn` PIPE_BYTES large, where the system allows it."""
    import fcntl

    setsize = getattr(fcntl, "F_SETPIPE_SZ", None)  # Linux only
    if setsize is None:
        return
    try:
        with open("/proc/sys/fs/pipe-max-size", encoding="ascii") as limit:
            size = min(PIPE_BYTES, int(limit.read()))
        fcntl.fcntl(conn.fileno(), setsize, size)
    except (OSError, ValueError) as exc:  # a smaller pipe is only slower
        logger.debug("backchannel: partials pipe keeps its size (%s)", exc)


def _fork(renderer: Renderer, order: Order) -> tuple[Connection, Any, Any]:
    """Start the helper; the main process keeps the pipe's reading end and the limit."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    conn, child = context.Pipe(duplex=False)
    _enlarge(conn)
    # Articles from `limit` on are the main process's to render (see Stream.get).
    limit = context.Value("i", len(order), lock=False)
    process = context.Process(target=_serve, args=(child, renderer, order, limit), daemon=True)
    process.start()
    child.close()
    return conn, process, limit


class Stream:
    """The main process's end: partials by thread id, from the helper or rendered here.

    The helper renders from the front of the writing order; whenever the page
    Pelican writes next is not ready, this process renders the last article
    nobody has taken yet instead of waiting (the helper stops where the two
    meet). The helper alone was the slower of the two: ~2 ms an article
    against ~1.5 ms for the rest of an article page, so the main process waited
    ~0.8 s of a 1,000-article build; now it spends that time on the tail.
    """

    def __init__(self, renderer: Renderer, order: Order) -> None:
        self.renderer = renderer
        self.order = order
        self.ready: dict[str, tuple[str | None, ...]] = {}
        self.conn: Connection | None = None
        self.process: BaseProcess | None = None
        self.limit: Any = None
        try:
            self.conn, self.process, self.limit = _fork(renderer, order)
        except (OSError, ValueError) as exc:
            logger.debug("backchannel: rendering partials in-process (%s)", exc)

    def get(self, tid: str, article: Any, thread: Thread) -> tuple[str | None, ...]:
        """The partials of one article: received, or rendered here."""
        hit = self.ready.get(tid)
        while hit is None and self.conn is not None:
            try:
                if not self.conn.poll(0) and self._render_tail():
                    hit = self.ready.get(tid)
                    continue
                if not self.conn.poll(TIMEOUT):
                    raise TimeoutError(f"nothing for {TIMEOUT:.0f} s")
                key, partials = self.conn.recv()
            except (EOFError, OSError, TimeoutError) as exc:
                self.fail(exc)
                break
            if (key, partials) == DONE:
                self.close()
                break
            self.ready[key] = partials
            if key == tid:
                hit = partials
        if hit is None:
            hit = self.ready[tid] = self.renderer.render(article, thread)
        return hit

    def _render_tail(self) -> bool:
        """Render the last article not yet taken; False when none is left to take."""
        index = self.limit.value - 1
        if index < 0:
            return False
        tid, article, thread = self.order[index]
        if tid in self.ready:  # the helper got there first
            return False
        # Taken before rendering: the helper checks the limit before each article,
        # so at most the one it is rendering now is done twice (harmlessly).
        self.limit.value = index
        self.ready[tid] = self.renderer.render(article, thread)
        return True

    def fail(self, exc: BaseException) -> None:
        """Give up on the helper: the rest is rendered in-process."""
        logger.warning("backchannel: partials helper failed (%s); rendering in-process", exc)
        self.close(failed=True)

    def close(self, failed: bool = False) -> None:
        """Stop the helper if it still runs and release the pipe."""
        if self.process is not None:
            if self.process.is_alive():
                self.process.terminate()  # this process rendered what was left
            self.process.join()
            code = self.process.exitcode
            if not failed and code not in (0, -signal.SIGTERM):  # not our terminate()
                # Its work was covered here; still worth knowing it crashed.
                logger.warning("backchannel: partials helper failed (exit %s)", code)
        if self.conn is not None:
            self.conn.close()
        self.conn = self.process = None


class Partials:
    """`thread.html`: one article's pre-rendered partials, fetched on first use."""

    # Private names: the public attributes are the partials' names (one is "thread").
    __slots__ = ("_article", "_stream", "_thread", "_tid")

    def __init__(self, stream: Stream, tid: str, article: Any, thread: Thread) -> None:
        self._stream, self._tid, self._article, self._thread = stream, tid, article, thread

    def __getattr__(self, name: str) -> Markup | None:
        if name not in NAMES:
            raise AttributeError(name)
        text = self._stream.get(self._tid, self._article, self._thread)[NAMES.index(name)]
        # Markup: the strings are finished HTML, also under Jinja autoescape.
        return None if text is None else Markup(text)


def start(env: Any, context: dict[str, Any], settings: dict[str, Any], order: Order) -> Stream:
    """Fork the helper and give every thread in `order` its `html`."""
    stream = Stream(Renderer(env, context, settings), order)
    for tid, article, thread in order:
        thread.html = Partials(stream, tid, article, thread)
    return stream
