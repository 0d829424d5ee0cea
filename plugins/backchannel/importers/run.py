"""Turn records into stored items: map, validate and stage in one pass, then place all or nothing.

One streaming pass maps every record to an article, validates the item it
becomes (the file must be one `backchannel check` accepts) and stages it in a
store batch; only ids, articles and parents are kept in memory, so exports of
hundreds of thousands of comments stay small. Threading is settled after the
pass (a reply whose parent is missing is restaged at the top level); then the
batch is placed. A failure anywhere removes what this run wrote: a failed
import can simply be re-run.

Data minimisation: an imported item keeps only the keyed `Email-Hash` of its
author's address (so `export` and `forget` find that person); the address
itself and the IP are not kept. Old commenters never opted in to mail from
this site, so nothing needs the address, and an IP has no use here at all.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from backchannel.errors import ItemFormatError
from backchannel.importers.matching import ArticleIndex, slug_guess
from backchannel.importers.records import Record
from backchannel.model import Item, Kind, State, dumps, loads
from backchannel.moderation.audit import FORGET_REASON, deleted_ids
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
    staged: int = -1  # the item's number in the batch, -1 when not staged (dry run)


def name_key(name: str | None) -> str:
    """A display name as names are compared: case and spacing folded."""
    return " ".join((name or "").split()).casefold()


def to_item(
    rec: Record,
    item_id: str,
    article: str,
    state: State,
    parent: str | None,
    *,
    email_hash: str | None = None,
    author_names: Collection[str] = (),
) -> Item:
    """The store item for a record.

    A comment signed with one of `author_names` (folded by `name_key`) is the site
    author's own: its `Author-Reply: yes` lets the digest count it as an answer.
    """
    if rec.date is None:
        raise ValueError("no date")
    title = rec.title
    if title is None and state == State.UNMATCHED:
        title = rec.article.title  # so an author can see which old post it was for
    return Item(
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
        author_reply=rec.kind == Kind.COMMENT and name_key(rec.author) in author_names,
        origin_url=rec.article.url
        if rec.article.url and rec.article.url.startswith(("http://", "https://"))
        else None,
        state=state,
    )


def _track(records: Iterable[Record], progress: Any, label: str) -> Iterator[Record]:
    if progress is None:
        yield from records
        return
    task = progress.add_task(label, total=None)
    for rec in records:
        yield rec
        progress.advance(task)


def _skip(summary: Summary, item_id: str, rec: Record, reason: str) -> None:
    """Note a record that is not imported, and why (the --json `skipped` entries)."""
    summary.skipped.append({"id": item_id, "origin_id": rec.origin_id, "reason": reason})


def plan(
    records: Iterable[Record],
    existing: set[str],
    index: ArticleIndex,
    summary: Summary,
    batch: Batch | None = None,
    deleted: Mapping[str, str] | None = None,
    author_names: Collection[str] = (),
) -> dict[str, _Planned]:
    """Map and validate every record; with a batch, stage each item too (nothing placed yet).

    Ids in `deleted` (items deleted here, see audit.deleted_ids) are skipped;
    comments signed with `author_names` become the site author's replies.
    """
    deleted = deleted or {}
    planned: dict[str, _Planned] = {}
    email_hash = batch.store.email_hash if batch is not None else None
    # Records of one post share their ArticleRef: match it once, not per comment.
    last_ref: object = None
    matched: tuple[str, State | None] = ("", None)
    for rec in records:
        item_id = derived_id(rec.origin, rec.origin_id)
        if rec.state is None:
            _skip(summary, item_id, rec, rec.skip_reason or "not imported")
            continue
        if item_id in existing:
            summary.duplicates += 1
            continue
        if item_id in deleted:
            _skip(summary, item_id, rec, _deleted_reason(deleted[item_id]))
            continue
        if item_id in planned:
            _skip(summary, item_id, rec, "appears twice in the source")
            continue
        if rec.article is not last_ref:
            found = index.match(rec.article)
            matched = (found, None) if found else (slug_guess(rec.article), State.UNMATCHED)
            last_ref = rec.article
        article, unmatched = matched
        state = rec.state
        if unmatched is not None and state == State.PUBLISHED:
            state = unmatched
        parent = derived_id(rec.origin, rec.parent_origin_id) if rec.parent_origin_id else None
        try:
            item = to_item(
                rec,
                item_id,
                article,
                state,
                parent,
                email_hash=email_hash(rec.email) if email_hash and rec.email else None,
                author_names=author_names,
            )
            # The file must be one `backchannel check` accepts: refused unless the
            # store's own parser reads it back.
            text = dumps(item)
            loads(text, state=state)
        except (ItemFormatError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, ItemFormatError) else str(exc)
            _skip(summary, item_id, rec, reason)
            continue
        staged = batch.add(item, text) if batch is not None else -1
        planned[item_id] = _Planned(article, state, rec.kind, parent, staged)
        if rec.note:
            summary.warnings.append({"id": item_id, "reason": rec.note})
        if article not in index.ids and len(summary.unmatched) < 10000:
            summary.unmatched.append(
                {
                    "id": item_id,
                    "article": article,
                    "origin_url": rec.article.url,
                    "title": rec.article.title,
                }
            )
    _settle_threads(planned, existing, summary, batch)
    for entry in planned.values():
        summary.imported += 1
        summary.by_kind[entry.kind.value] += 1
        summary.by_state[entry.state.value] += 1
    return planned


def _deleted_reason(logged: str) -> str:
    if logged == FORGET_REASON:
        return "erased here by `backchannel forget`; never imported again"
    return "deleted here (see the audit trail); not imported again without --restore-deleted"


def _settle_threads(
    planned: dict[str, _Planned], existing: set[str], summary: Summary, batch: Batch | None
) -> None:
    """A reply whose parent is missing or on another article becomes a top-level comment."""
    for item_id, entry in planned.items():
        if entry.parent is None:
            continue
        parent = planned.get(entry.parent)
        if parent is None and entry.parent in existing:
            continue  # replies to an item imported earlier
        if parent is None:
            reason = (
                f"parent {entry.parent} is not in the source (deleted, trashed or skipped); "
                "kept as a top-level comment"
            )
        elif parent.article != entry.article:
            reason = (
                f"parent {entry.parent} belongs to another article; kept as a top-level comment"
            )
        else:
            continue
        summary.warnings.append({"id": item_id, "reason": reason})
        entry.parent = None
        if batch is not None:
            batch.amend(entry.staged, parent=None)


def run_import(
    source: RecordSource,
    store: Store,
    index: ArticleIndex,
    dry_run: bool = False,
    progress: Any = None,
    restore_deleted: bool = False,
    deleted_here: Mapping[str, str] | None = None,
    author_names: Collection[str] = (),
) -> Summary:
    """Import every record of a source; all or nothing.

    Items deleted here stay deleted: a source read again does not bring them
    back, unless `restore_deleted` (never those a `forget` request erased).
    `deleted_here` is audit.deleted_ids of the store, read now when not given
    (a caller importing several sources in a row reads it once). Comments signed
    with one of `author_names` (keys of `name_key`) are imported as the author's.
    """
    summary = Summary(dry_run=dry_run)
    existing = store.ids()
    if deleted_here is None:
        deleted_here = deleted_ids(store.root)
    deleted = {
        item_id: reason
        for item_id, reason in deleted_here.items()
        if not restore_deleted or reason == FORGET_REASON
    }
    if dry_run:
        plan(
            _track(source(), progress, "reading"),
            existing,
            index,
            summary,
            deleted=deleted,
            author_names=author_names,
        )
        return summary
    secret_file = store.root / "private" / "secret"
    had_secret = secret_file.exists()
    batch = Batch(store)
    try:
        records = _track(source(), progress, "importing")
        plan(records, existing, index, summary, batch, deleted=deleted, author_names=author_names)
        batch.commit()
    except BaseException:
        batch.rollback()
        if not had_secret:
            secret_file.unlink(missing_ok=True)
        raise
    logger.info(
        "backchannel: %d imported, %d already present, %d skipped",
        summary.imported,
        summary.duplicates,
        len(summary.skipped),
    )
    return summary
