"""Moderation decisions: approve, reject, spam, reply, edit, delete — and the receiver's hook.

Each decision is one store operation (an atomic rename or write), then a line
in the audit trail, then (for approve/spam) a training example for the
classifier. An interrupted command therefore leaves every item wholly in its
old state or wholly in its new one. The classifier is never allowed to stop a
decision: a broken model is retrained or reported, and the decision stands.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from backchannel.build.republish import Change
from backchannel.errors import BackchannelError, ItemFormatError, StoreError
from backchannel.model import Item, Kind, State, dumps, loads
from backchannel.moderation.audit import FORGET_REASON, log_decision
from backchannel.moderation.spam import CLASSIFIER_PREFIX, HAM, SPAM, Classifier
from backchannel.settings import Resolved
from backchannel.store import SUFFIX, Store, new_id

logger = logging.getLogger(__name__)

_CLASSIFIERS: dict[Path, Classifier] = {}


class ModerationError(BackchannelError):
    """A decision cannot be taken as asked (wrong state, invalid edit)."""


@dataclass
class Result:
    """What a command did: lines to print, and what changed for republishing and mail."""

    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    change: Change = field(default_factory=Change)  # what the site must show differently
    replies: list[Item] = field(default_factory=list)  # published replies (mail their parent)

    def published(self, item: Item, previous: Item | None) -> None:
        """Note that `item` (formerly `previous`, None if it was not on the site) changed."""
        self.change.before.setdefault(item.id, previous)
        self.change.articles.add(item.article)
        if previous is not None:
            self.change.articles.add(previous.article)


def classifier_for(store: Store) -> Classifier:
    """One cached classifier per store, so the model file is read once per process."""
    # Looked up by the store's root as given first: resolve() is an lstat per
    # path component, on every comment the receiver scores.
    classifier = _CLASSIFIERS.get(store.root)
    if classifier is None:
        root = store.root.resolve()
        classifier = _CLASSIFIERS.get(root) or Classifier(root)
        _CLASSIFIERS[root] = _CLASSIFIERS[store.root] = classifier
    return classifier


def age(date: datetime, now: datetime | None = None) -> str:
    """How long ago `date` was, in its largest whole unit ("3 d", "5 min", "12 s")."""
    seconds = max(0, int(((now or datetime.now(UTC)) - date).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit}"
    return f"{seconds} s"


def scored(store: Store, item: Item, settings: Resolved) -> Item:
    """The item with a score (computed now, not saved, if the receiver gave none)."""
    if item.spam_score is not None and any(r.startswith(CLASSIFIER_PREFIX) for r in item.reasons):
        return item
    try:
        score, reasons = classifier_for(store).score(item, settings["MAX_LINKS"])
    except (BackchannelError, OSError):
        return item
    return item.with_changes(spam_score=score, reasons=reasons)


def _train(store: Store, item: Item, label: str, result: Result) -> None:
    try:
        classifier_for(store).record(item, label)
    except (BackchannelError, OSError) as exc:
        result.warnings.append(f"the decision stands, but the spam model was not updated: {exc}")


def email_hash_of(store: Store, item: Item) -> str | None:
    """The item's e-mail hash: from its header, else from its private e-mail."""
    if item.email_hash:
        return item.email_hash
    email = store.read_private(item.id).get("email")
    return store.email_hash(email) if email else None


# --- auto-approve: a returning reader, proven by more than an address ------------
# A link in the text (Markdown, HTML or bare) always waits for the moderator.
LINK_RE = re.compile(r"(?i)\bhttps?://|\bwww\.|<a\s|\]\(|^\s*\[[^\]]+\]:", re.MULTILINE)


def vouching_comment(store: Store, item: Item, earlier: Iterable[tuple[str, str]]) -> Item | None:
    """The approved comment this browser sent before with the e-mail of `item`, or None.

    `earlier` holds the (article, id) pairs the browser sent before.
    """
    email_hash = email_hash_of(store, item)
    if not email_hash:
        return None
    for article, item_id in earlier:
        try:
            path = store.folder(State.PUBLISHED, article) / f"{item_id}{SUFFIX}"
            before = store.read(path, State.PUBLISHED)
        except (BackchannelError, OSError):
            continue  # since deleted, rejected or never approved
        if (
            before.id == item_id
            and before.kind == Kind.COMMENT
            and not before.author_reply
            and email_hash_of(store, before) == email_hash
        ):
            return before
    return None


def may_auto_approve(store: Store, item: Item, earlier: Iterable[tuple[str, str]]) -> bool:
    """A comment with no link, from a browser that sent an approved one with this e-mail.

    The approved one must have the same homepage too, if it gives one.
    """
    if item.kind != Kind.COMMENT or LINK_RE.search(item.body):
        return False
    before = vouching_comment(store, item, earlier)
    return before is not None and item.author_url in (None, "", before.author_url)


# --- the receiver's hook ------------------------------------------------------
@dataclass(frozen=True)
class Assessment:
    """What moderation makes of a new item before it is stored."""

    item: Item  # with its spam score, reasons and the state it is to be stored in
    action: str | None = None  # "auto-spam" or "auto-approve" for the audit trail
    reason: str = ""


def assess(
    store: Store, item: Item, settings: Resolved, earlier: Iterable[tuple[str, str]] = ()
) -> Assessment:
    """Score a new item and decide its state (inbox, spam, or published); writes nothing.

    The receiver calls this *before* storing, so an item is written once, in
    its final folder, with its score: one write and its fsyncs, not two.
    `earlier` is what the sender's reader cookie proves it sent before
    (see `receiver/reader_cookie.py`); only with it can a comment be auto-approved.
    """
    try:
        score, reasons = classifier_for(store).score(item, settings["MAX_LINKS"])
    except (BackchannelError, OSError) as exc:
        logger.warning("backchannel: could not score %s: %s", item.id, exc)
        return Assessment(item)
    scored = item.with_changes(spam_score=score, reasons=reasons)
    threshold = settings["SPAM_THRESHOLD"]
    if threshold is not None and score >= threshold:
        return Assessment(
            scored.with_changes(state=State.SPAM), "auto-spam", f"score {score:.2f} >= {threshold}"
        )
    if settings["AUTO_APPROVE_KNOWN"] and score < 0.5 and may_auto_approve(store, item, earlier):
        return Assessment(
            scored.with_changes(state=State.PUBLISHED),
            "auto-approve",
            "same browser and e-mail as an earlier approved comment",
        )
    return Assessment(scored)


def record_assessment(store: Store, assessment: Assessment) -> None:
    """Log an automatic decision in the audit trail once its item is stored."""
    if assessment.action:
        log_decision(store.root, assessment.action, assessment.item, assessment.reason)


def after_receive(
    store: Store, item: Item, settings: Resolved, earlier: Iterable[tuple[str, str]] = ()
) -> Item:
    """Assess an item that is already stored, and move or rewrite it accordingly.

    For a tool of the author's own (docs/moderation.md); the receiver assesses
    before it stores (`assess`), so an item is written once.
    """
    assessment = assess(store, item, settings, earlier)
    new = assessment.item
    if new.state != item.state:
        moved = store.move(item, new.state, spam_score=new.spam_score, reasons=new.reasons)
    else:
        moved = store.update(new)
    record_assessment(store, assessment)
    return moved


# --- decisions ------------------------------------------------------------------
class Moderator:
    """Takes the author's decisions on one store."""

    def __init__(self, settings: Resolved, store: Store) -> None:
        self.settings = settings
        self.store = store

    def approve(self, prefix: str, result: Result, reason: str = "") -> Item:
        """Publish an item; a reply whose parent waits in the inbox publishes the parent too."""
        item = self.store.find(prefix)
        if item.state == State.PUBLISHED:
            result.lines.append(f"{item.id} is already published")
            return item
        if item.parent:
            self._approve_parent(item, result)
        published = self.store.move(item, State.PUBLISHED)
        log_decision(self.store.root, "approve", item, reason)
        _train(self.store, item, HAM, result)
        result.lines.append(f"approved {item.id} ({item.kind} by {item.author} on {item.article})")
        result.published(published, None)
        if published.parent:
            result.replies.append(published)
        return published

    def _approve_parent(self, item: Item, result: Result) -> None:
        try:
            parent = self.store.find(item.parent or "")
        except StoreError:
            result.warnings.append(
                f"{item.id} replies to {item.parent}, which no longer exists; "
                "it will show as a top-level comment"
            )
            return
        if parent.state == State.INBOX:
            result.lines.append(
                f"{parent.id} was still in the inbox: approving it too, "
                f"since {item.id} replies to it"
            )
            self.approve(parent.id, result, reason=f"parent of approved reply {item.id}")
        elif parent.state != State.PUBLISHED:
            result.warnings.append(
                f"{item.id} replies to {parent.id}, which is in {parent.state}; "
                "the reply will show as a top-level comment"
            )

    def set_aside(self, prefix: str, state: State, result: Result, reason: str = "") -> Item:
        """Reject or mark as spam (spam also trains the classifier)."""
        item = self.store.find(prefix)
        action = "spam" if state == State.SPAM else "reject"
        if item.state == state:
            result.lines.append(f"{item.id} is already in {state}")
            return item
        moved = self.store.move(item, state)
        log_decision(self.store.root, action, item, reason)
        if state == State.SPAM:
            _train(self.store, item, SPAM, result)
        if item.state == State.PUBLISHED:
            result.published(item, item)
        verb = "marked as spam" if state == State.SPAM else "rejected"
        result.lines.append(f"{verb} {item.id} ({item.kind} by {item.author} on {item.article})")
        return moved

    def reply(self, prefix: str, text: str, result: Result) -> Item:
        """Publish the author's reply to a comment (approving the comment if it waits)."""
        parent = self.store.find(prefix)
        if parent.kind != Kind.COMMENT:
            raise ModerationError(f"{parent.id} is a {parent.kind}; only comments take replies")
        if parent.state in (State.SPAM, State.REJECTED):
            raise ModerationError(f"{parent.id} is in {parent.state}; approve it before replying")
        if parent.state == State.INBOX:
            result.lines.append(f"{parent.id} was in the inbox: approving it with your reply")
            parent = self.approve(parent.id, result, reason="replied to")
        reply = Item(
            id=self._fresh_id(),
            kind=Kind.COMMENT,
            article=parent.article,
            author=self.settings.site_author,
            date=datetime.now(UTC).replace(microsecond=0),
            origin="author",
            body=text.strip("\n"),
            author_reply=True,
            parent=parent.id,
            state=State.PUBLISHED,
        )
        try:
            reply = loads(dumps(reply), state=State.PUBLISHED)  # the same checks as a file
        except ItemFormatError as exc:
            raise ModerationError(f"reply refused: {exc.reason}") from None
        self.store.add(reply)
        log_decision(self.store.root, "reply", reply, f"reply to {parent.id}")
        result.lines.append(f"replied to {parent.id} as {reply.author}: new comment {reply.id}")
        result.change.created.add(reply.id)
        result.published(reply, None)
        result.replies.append(reply)
        return reply

    def _fresh_id(self) -> str:
        ids = self.store.ids()
        for _ in range(100):
            candidate = new_id()
            if candidate not in ids:
                return candidate
        raise StoreError("could not find a free id")  # pragma: no cover - 2^48 ids

    def edit(self, prefix: str, text: str, result: Result, source: object = None) -> Item:
        """Replace an item by edited text, refusing anything `check` would refuse."""
        item = self.store.find(prefix)
        try:
            edited = loads(text, source or self.store.path_of(item), item.state)
        except ItemFormatError as exc:
            raise ModerationError(f"edit refused: {exc}") from None
        if edited.id != item.id:
            raise ModerationError(f"edit refused: the Id cannot change ({item.id} -> {edited.id})")
        if edited.parent:
            try:
                parent = self.store.find(edited.parent)
            except StoreError:
                raise ModerationError(
                    f"edit refused: Parent {edited.parent} does not exist"
                ) from None
            if parent.article != edited.article:
                raise ModerationError(
                    f"edit refused: Parent {edited.parent} belongs to another article"
                )
        if dumps(edited) == dumps(item):
            result.lines.append(f"{item.id}: no changes")
            return item
        if edited.article != item.article and item.state == State.PUBLISHED:
            changes = {
                name: getattr(edited, name)
                for name in edited.__dataclass_fields__
                if name != "state"
            }
            saved = self.store.move(item, item.state, **changes)
        else:
            saved = self.store.update(edited)
        log_decision(self.store.root, "edit", item)
        result.lines.append(f"edited {item.id}")
        if item.state == State.PUBLISHED:
            result.published(saved, item)
        return saved

    def delete(self, prefix: str, result: Result, reason: str = "") -> Item:
        """Remove an item everywhere: its file, its private data, its link in the classifier."""
        item = self.store.find(prefix)
        self.store.delete(item)
        try:
            classifier_for(self.store).unlink({item.id})
        except (BackchannelError, OSError) as exc:
            result.warnings.append(f"could not unlink {item.id} from the spam model: {exc}")
        log_decision(self.store.root, "delete", item, reason)
        result.lines.append(
            f"deleted {item.id} ({item.kind} by {item.author} on {item.article}),"
            " private data included"
        )
        if item.state == State.PUBLISHED:
            result.published(item, item)
        return item

    def forget(self, email: str, result: Result) -> int:
        """Erase everything one person submitted; returns how many items went."""
        from backchannel.moderation.mail import resubscribe
        from backchannel.moderation.privacy import items_of

        email_hash = self.store.email_hash(email)
        found = items_of(self.store, email)
        for item, _ in found:
            self.delete(item.id, result, reason=FORGET_REASON)
        resubscribe(self.store, email_hash)
        log_decision(
            self.store.root, "forget", None, f"{len(found)} item(s) erased", count=len(found)
        )
        result.lines.append(f"forgot {len(found)} item(s) of that person, private data included")
        return len(found)
