"""Turn records into stored items: map, validate everything, then write all or nothing.

Two passes over the source (parsers are streaming and deterministic): the
first maps and validates every record and keeps only ids and threading, so
memory stays small on exports of hundreds of thousands of comments; the
second builds the items again and writes them as one store batch. A failure
while writing removes what this run wrote: a failed import can be re-run.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from backchannel.errors import BackchannelError, ItemFormatError
from backchannel.importers.matching import ArticleIndex, slug_guess
from backchannel.importers.records import Record
from backchannel.model import Item, Kind, State, dumps, loads
from backchannel.store import Batch, Store, derived_id

logger = logging.getLogger(__name__)

RecordSource = Callable[[], Iterable[Record]]


@dataclass
class Summary:
    """What an import did (or, with --dry-run, would do)."""

    imported: int = 0
    duplicates: int = 0
    skipped: list[dict[str, str]] = field(default_factory=list)
    by_kind: Counter[str] = field(default_factory=Counter)
    by_state: Counter[str] = field(default_factory=Counter)
    unmatched: list[dict[str, str | None]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    dry_run: bool = False

    def as_json(self) -> dict[str, Any]:
        """The summary as the `--json` object."""
        return {
            "imported": self.imported,
            "duplicates": self.duplicates,
            "skipped": self.skipped,
            "by_kind": dict(sorted(self.by_kind.items())),
            "by_state": dict(sorted(self.by_state.items())),
            "unmatched": self.unmatched,
            "warnings": self.warnings,
            "dry_run": self.dry_run,
        }

    def merge(self, other: Summary) -> None:
        """Add another run's figures to this one (for `collect`)."""
        self.imported += other.imported
        self.duplicates += other.duplicates
        self.skipped += other.skipped
        self.by_kind.update(other.by_kind)
        self.by_state.update(other.by_state)
        self.unmatched += other.unmatched
        self.warnings += other.warnings


@dataclass(slots=True)
class _Planned:
    article: str
    state: State
    kind: Kind
    parent: str | None


def to_item(
    rec: Record,
    item_id: str,
    article: str,
    state: State,
    parent: str | None,
    *,
    email_hash: str | None = None,
    check: bool = True,
) -> Item:
    """The store item for a record (validated by the model's own parser)."""
    if rec.date is None:
        raise ValueError("no date")
    title = rec.title
    if title is None and state == State.UNMATCHED:
        title = rec.article.title  # so an author can see which old post it was for
    item = Item(
        id=item_id,
        kind=rec.kind,
        article=article,
        author=rec.author or "Anonymous",
        date=rec.date,
        origin=rec.origin,
        body=rec.body,
        author_url=rec.author_url,
        email_hash=email_hash,
        parent=parent,
        source=rec.source,
        title=title,
        mention_type=rec.mention_type if rec.kind == Kind.WEBMENTION else None,
        origin_id=rec.origin_id,
        origin_url=rec.article.url
        if rec.article.url and rec.article.url.startswith(("http://", "https://"))
        else None,
        state=state,
    )
    # The file must be one `backchannel check` accepts: round-trip it while planning
    # (the write pass builds the same item again and need not re-check it).
    return loads(dumps(item), state=state) if check else item


def _track(
    records: Iterable[Record], progress: Any, label: str, total: int | None
) -> Iterator[Record]:
    if progress is None:
        yield from records
        return
    task = progress.add_task(label, total=total)
    for rec in records:
        yield rec
        progress.advance(task)
    progress.update(task, completed=total if total is not None else None)


def plan(
    records: Iterable[Record], existing: set[str], index: ArticleIndex, summary: Summary
) -> dict[str, _Planned]:
    """Pass one: map and validate every record; nothing is written."""
    planned: dict[str, _Planned] = {}
    for rec in records:
        item_id = derived_id(rec.origin, rec.origin_id)
        if rec.state is None:
            summary.skipped.append(
                {
                    "id": item_id,
                    "origin_id": rec.origin_id,
                    "reason": rec.skip_reason or "not imported",
                }
            )
            continue
        if item_id in existing:
            summary.duplicates += 1
            continue
        if item_id in planned:
            summary.skipped.append(
                {"id": item_id, "origin_id": rec.origin_id, "reason": "appears twice in the source"}
            )
            continue
        article = index.match(rec.article)
        state = rec.state
        if article is None:
            article = slug_guess(rec.article)
            if state == State.PUBLISHED:
                state = State.UNMATCHED
        try:
            to_item(rec, item_id, article, state, None)
        except (ItemFormatError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, ItemFormatError) else str(exc)
            summary.skipped.append({"id": item_id, "origin_id": rec.origin_id, "reason": reason})
            continue
        parent = derived_id(rec.origin, rec.parent_origin_id) if rec.parent_origin_id else None
        planned[item_id] = _Planned(article, state, rec.kind, parent)
        if article not in index.ids and len(summary.unmatched) < 10000:
            summary.unmatched.append(
                {
                    "id": item_id,
                    "article": article,
                    "origin_url": rec.article.url,
                    "title": rec.article.title,
                }
            )
    for item_id, entry in planned.items():
        if entry.parent is None:
            continue
        parent = planned.get(entry.parent)
        if parent is None and entry.parent in existing:
            continue  # replies to an item imported earlier
        if parent is None:
            summary.warnings.append(
                {
                    "id": item_id,
                    "reason": (
                        f"parent {entry.parent} is not in the source "
                        "(deleted, trashed or skipped); "
                        "kept as a top-level comment"
                    ),
                }
            )
            entry.parent = None
        elif parent.article != entry.article:
            summary.warnings.append(
                {
                    "id": item_id,
                    "reason": (
                        f"parent {entry.parent} belongs to another article; "
                        "kept as a top-level comment"
                    ),
                }
            )
            entry.parent = None
    for entry in planned.values():
        summary.imported += 1
        summary.by_kind[entry.kind.value] += 1
        summary.by_state[entry.state.value] += 1
    return planned


def write(records: Iterable[Record], planned: dict[str, _Planned], store: Store) -> int:
    """Pass two: build every planned item again and write them as one batch."""
    secret_file = store.root / "private" / "secret"
    had_secret = secret_file.exists()
    batch = Batch(store)
    try:
        written: set[str] = set()
        for rec in records:
            item_id = derived_id(rec.origin, rec.origin_id)
            entry = planned.get(item_id)
            if entry is None or item_id in written:
                continue
            private = {k: v for k, v in (("email", rec.email), ("ip", rec.ip)) if v}
            email_hash = store.email_hash(rec.email) if rec.email else None
            item = to_item(
                rec,
                item_id,
                entry.article,
                entry.state,
                entry.parent,
                email_hash=email_hash,
                check=False,
            )
            batch.add(item, {**private, "origin": rec.origin} if private else None)
            written.add(item_id)
        if len(written) != len(planned):
            raise BackchannelError(
                "backchannel: the source changed while it was being imported; nothing written"
            )
        batch.commit()
    except BaseException:
        batch.rollback()
        if not had_secret:
            secret_file.unlink(missing_ok=True)
        raise
    return len(written)


def run_import(
    source: RecordSource,
    store: Store,
    index: ArticleIndex,
    dry_run: bool = False,
    progress: Any = None,
) -> Summary:
    """Import every record of a source; all or nothing."""
    summary = Summary(dry_run=dry_run)
    planned = plan(_track(source(), progress, "reading", None), store.ids(), index, summary)
    if planned and not dry_run:
        write(_track(source(), progress, "writing", None), planned, store)
    logger.info(
        "backchannel: %d imported, %d already present, %d skipped",
        summary.imported,
        summary.duplicates,
        len(summary.skipped),
    )
    return summary
