"""Carrying out a plan: discover, send, record each outcome as it happens.

The record is saved after every send, so a run that is interrupted never sends
the same mention twice. Discovery results are shared within a run: several
posts linking to one page fetch it once.

Several sites are told at once (each try can take BACKCHANNEL_FETCH_TIMEOUT per
request, so one slow or dead site used to hold up every other), but each site
gets its linkbacks one after another: never two requests from us at a time.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import signal
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from backchannel.outbound.fetch import Fetcher, FetchError
from backchannel.sender.discovery import DiscoveryError, Endpoint, discover
from backchannel.sender.plan import Plan, Task
from backchannel.sender.protocols import (
    Outcome,
    send_pingback,
    send_trackback,
    send_webmention,
)
from backchannel.sender.record import Action, Entry, Protocol, SentRecord, Status, backoff
from backchannel.settings import Resolved

logger = logging.getLogger(__name__)

# Only 410 tells a Webmention receiver to delete (spec 3.2.2; webmention.rocks'
# delete test): a 404 might be a typo or a moved page, so the notice waits.
GONE_STATUSES = frozenset({410})
# Sites told at once. Sending is waiting on other servers, not work: threads suffice.
PARALLEL_SITES = 4
# (index in the plan, its new entry), or (-1, the exception a sending thread raised),
# or (-1, None) when a site's thread is done.
Arrivals = queue.SimpleQueue[tuple[int, Entry | BaseException | None]]


def site_of(url: str) -> str:
    """The site a target lives on (scheme, host and port): the unit of one-at-a-time."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    return f"{parts.scheme}://{parts.netloc}".lower()


@dataclass
class Sender:
    """Sends the tasks of a plan and keeps the record up to date."""

    settings: Resolved
    record: SentRecord
    now: datetime
    fetcher: Fetcher

    def __post_init__(self) -> None:
        # Shared by the sending threads; a target is only ever looked up by the
        # thread telling its site, so no two threads touch one key.
        self._endpoints: dict[str, Endpoint | DiscoveryError | None] = {}

    def _discover(self, target: str) -> Endpoint | None:
        if target not in self._endpoints:
            try:
                self._endpoints[target] = discover(self.fetcher, target)
            except DiscoveryError as exc:
                self._endpoints[target] = exc
        found = self._endpoints[target]
        if isinstance(found, DiscoveryError):
            raise found
        return found

    def _base(self, task: Task) -> Entry:
        attempts = task.entry.attempts if (task.entry and task.retry) else 0
        if task.entry is not None:
            return task.entry.with_changes(
                action=task.action,
                attempts=attempts,
                content_hash=task.content_hash,
                location=None,
                http_status=None,
            )
        return Entry(
            source=task.source,
            target=task.target,
            article=task.article,
            status=Status.FAILED,
            action=task.action,
            date="",
            content_hash=task.content_hash,
        )

    def _failure(self, entry: Entry, reason: str, http_status: int | None, retry: bool) -> Entry:
        if not retry:
            return entry.with_changes(
                status=Status.REJECTED, reason=reason, http_status=http_status, next_retry=None
            )
        attempts = entry.attempts + 1
        if attempts >= self.settings["SEND_MAX_ATTEMPTS"]:
            return entry.with_changes(
                status=Status.GAVE_UP,
                attempts=attempts,
                reason=f"gave up after {attempts} attempts: {reason}",
                http_status=http_status,
                next_retry=None,
            )
        when = self.now + backoff(attempts, self.settings["SEND_RETRY_BASE"])
        return entry.with_changes(
            status=Status.FAILED,
            attempts=attempts,
            reason=reason,
            http_status=http_status,
            next_retry=when.isoformat(timespec="seconds"),
        )

    def _source_gone(self, task: Task) -> str | None:
        """None when the post's URL answers 410 Gone, else why the notice must wait."""
        try:
            response = self.fetcher.get(task.source)
        except FetchError as exc:
            return f"cannot check that the post is gone: {exc.reason}"
        if response.status in GONE_STATUSES:
            return None
        if response.status == 404:
            return (
                f"the post answers 404 at {task.source}, and receivers delete only on "
                "410 Gone: serve the build's tombstones (`backchannel serve` does; see "
                "the `deleted` list in backchannel-articles.json for a static host)"
            )
        return (
            f"the post still answers HTTP {response.status} at {task.source}: build "
            "(and deploy) the site first so it answers 410 Gone"
        )

    def _send(self, endpoint: Endpoint, task: Task) -> Outcome:
        if endpoint.protocol == Protocol.WEBMENTION:
            return send_webmention(self.fetcher, endpoint.url, task.source, task.target)
        if endpoint.protocol == Protocol.PINGBACK:
            return send_pingback(self.fetcher, endpoint.url, task.source, task.target)
        info = task.info
        title = info.title if info else task.source
        excerpt = (info.summary or info.text) if info else ""
        blog_name = self.settings.site_name
        return send_trackback(
            self.fetcher,
            endpoint.url,
            task.source,
            title=title,
            excerpt=excerpt,
            blog_name=blog_name,
        )

    def _undiscovered(self, entry: Entry, exc: DiscoveryError, deleting: bool) -> Entry:
        """The entry when discovery failed: a deletion with a target gone for good is done."""
        if deleting and exc.permanent:
            return entry.with_changes(
                status=Status.DELETED,
                reason=f"{exc.reason}; nothing to tell",
                http_status=exc.http_status,
                next_retry=None,
            )
        return self._failure(entry, exc.reason, exc.http_status, retry=not exc.permanent)

    def execute(self, task: Task) -> Entry:
        """Send one task and return its new record entry (not yet saved)."""
        entry = self._base(task).with_changes(date=self.now.isoformat(timespec="seconds"))
        deleting = task.action in (Action.DELETE, Action.REMOVED)
        if task.action == Action.DELETE:
            waiting = self._source_gone(task)
            if waiting:
                return self._failure(entry, waiting, None, retry=True)
        try:
            endpoint = self._discover(task.target)
        except DiscoveryError as exc:
            return self._undiscovered(entry, exc, deleting)
        if endpoint is None or (deleting and endpoint.protocol != Protocol.WEBMENTION):
            return _no_endpoint(entry, deleting)
        entry = entry.with_changes(protocol=endpoint.protocol, endpoint=endpoint.url)
        outcome = self._send(endpoint, task)
        if not outcome.ok:
            return self._failure(entry, outcome.reason, outcome.http_status, outcome.retry)
        delivered = entry.delivered or (endpoint.protocol == Protocol.WEBMENTION and not deleting)
        return entry.with_changes(
            status=Status.DELETED if deleting else Status.SENT,
            reason=outcome.reason,
            http_status=outcome.http_status,
            location=outcome.location,
            attempts=0,
            next_retry=None,
            delivered=delivered,
        )

    def run(self, plan: Plan) -> list[tuple[Task, Entry]]:
        """Send every task; the record is saved after each, and after the bookkeeping.

        The results come back in the plan's order, whatever order the sites answered in.
        """
        for entry in plan.bookkeeping:
            self.record.put(entry)
        if plan.bookkeeping:
            self.record.save()
        tasks = plan.tasks
        by_site: dict[str, list[int]] = {}
        for index, task in enumerate(tasks):
            by_site.setdefault(site_of(task.target), []).append(index)
        # Threads send; only this one touches the record, as each outcome arrives.
        arrived: Arrivals = queue.SimpleQueue()
        stop = threading.Event()

        def tell(indexes: list[int]) -> None:
            try:
                for index in indexes:
                    if stop.is_set():
                        return
                    arrived.put((index, self.execute(tasks[index])))
            except BaseException as exc:  # noqa: BLE001  re-raised by run, after the other sites stop
                arrived.put((-1, exc))
            finally:
                arrived.put((-1, None))  # this site is done

        workers = max(1, min(PARALLEL_SITES, len(by_site)))
        with (
            _interrupt_sets(stop) as interrupted,
            ThreadPoolExecutor(
                workers, thread_name_prefix="backchannel-send", initializer=_ignore_interrupts
            ) as pool,
        ):
            for indexes in by_site.values():
                pool.submit(tell, indexes)
            try:
                results, failure = self._record_arrivals(tasks, arrived, len(by_site), stop)
            finally:
                stop.set()  # whatever ended the recording, no new sends start
        if failure is None and interrupted.is_set():
            failure = KeyboardInterrupt()
        if failure is not None:
            raise failure
        return [(tasks[index], results[index]) for index in sorted(results)]

    def _record_arrivals(
        self, tasks: list[Task], arrived: Arrivals, sites: int, stop: threading.Event
    ) -> tuple[dict[int, Entry], BaseException | None]:
        """Save each outcome as it arrives until all `sites` are done; the first failure."""
        results: dict[int, Entry] = {}
        failure: BaseException | None = None
        while sites:
            # Ctrl-C only sets `stop` (see _interrupt_sets): the sends under way finish
            # (within the fetch timeout) and are recorded here, never sent twice.
            index, outcome = arrived.get()
            if not isinstance(outcome, Entry):  # a site is done, or its thread failed
                if outcome is None:
                    sites -= 1
                else:
                    failure = failure or outcome
                    stop.set()
                continue
            task = tasks[index]
            logger.info(
                "backchannel: %s %s -> %s: %s",
                task.action,
                task.source,
                task.target,
                outcome.status,
            )
            self.record.put(outcome)
            self.record.save()
            results[index] = outcome
        return results, failure


def _ignore_interrupts() -> None:
    """In a sending thread: leave Ctrl-C to the main thread.

    The kernel hands a process's SIGINT to any thread that does not block it; one
    taken by a sending thread would leave the main thread asleep until the next
    outcome arrived, and meanwhile the other sites would start new sends.
    """
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})


@contextlib.contextmanager
def _interrupt_sets(stop: threading.Event) -> Iterator[threading.Event]:
    """While sending, Ctrl-C sets `stop` (and the event yielded) instead of raising.

    An exception raised between taking an outcome and saving it would lose the
    record of a send already made; a flag cannot. Only the main thread may set a
    handler: elsewhere Ctrl-C keeps its default meaning.
    """
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return

    def on_interrupt(signum: int, frame: object) -> None:
        interrupted.set()
        stop.set()

    previous = signal.signal(signal.SIGINT, on_interrupt)
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def utc_now() -> datetime:
    """Now, in UTC, to the second (the record's clock)."""
    return datetime.now(UTC).replace(microsecond=0)


def _no_endpoint(entry: Entry, deleting: bool) -> Entry:
    """The entry when the target offers no endpoint to tell (a deletion: none for Webmention)."""
    if deleting:
        return entry.with_changes(
            status=Status.DELETED,
            next_retry=None,
            reason="the target no longer advertises a Webmention endpoint; nothing to tell",
        )
    return entry.with_changes(
        status=Status.NO_ENDPOINT,
        protocol=None,
        endpoint=None,
        reason="the target advertises no Webmention, Pingback or TrackBack endpoint",
        next_retry=None,
    )
