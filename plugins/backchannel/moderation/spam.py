"""Spam scoring that learns from the author: a plain naive Bayes over words.

Why no library: the model is a few dozen lines (word counts per class, Laplace
smoothing, log-odds), it must load in milliseconds inside the receiver, and
its numbers must be explainable in the inbox ("words seen in 14 earlier spam
items"); scikit-learn would add a heavy dependency for none of that.

Data, in `feedback/moderation/`:
    decisions.jsonl  one line per approve (ham) or spam decision: label, time,
                     item id and the item's word set — no e-mail, IP or name
    model.json       word -> (ham docs, spam docs) counts, rebuilt from
                     decisions.jsonl whenever it is missing, corrupt or stale
The model is a derived file: deleting it only costs one retraining.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backchannel.build.render import plain_text
from backchannel.errors import StoreError
from backchannel.model import Item
from backchannel.store.atomic import atomic_write

logger = logging.getLogger(__name__)

FOLDER = "moderation"
DECISIONS = "decisions.jsonl"
MODEL = "model.json"
MODEL_VERSION = 1
HAM, SPAM = "ham", "spam"
# Below this many decisions of either class the classifier abstains: a model
# trained on three examples would be confidently wrong.
MIN_PER_CLASS = 3
MAX_WORDS = 400

_WORD_RE = re.compile(r"[^\W\d_][\w'-]{1,30}", re.UNICODE)
_LINKS_RE = re.compile(r"^\d+ links?\b", re.I)
_URL_HOST_RE = re.compile(r"https?://([^/\s)\]>\"']+)", re.I)

# Weights of the receiver's signals (its `Reasons:`), combined by noisy-OR with
# the classifier: several weak signals add up, one strong signal is enough.
SIGNAL_WEIGHTS: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"^blocklisted", re.I), 0.9),
    (re.compile(r"^duplicate of", re.I), 0.6),
    (re.compile(r"posted .* after page load", re.I), 0.5),
    (re.compile(r"honeypot", re.I), 0.9),
    (re.compile(r"^\d+ links?\b", re.I), 0.35),
    (re.compile(r"without javascript", re.I), 0.05),
)
DEFAULT_SIGNAL_WEIGHT = 0.2
CLASSIFIER_PREFIX = "words "  # reasons this module adds start with this


def features(item: Item) -> list[str]:
    """The sorted set of lower-case words and link hosts of an item (what the model sees)."""
    text = " ".join(filter(None, [item.author, item.title or "", plain_text(item.body)]))
    words = {w.lower() for w in _WORD_RE.findall(text)}
    for url in filter(None, [item.author_url, item.source, *_URL_HOST_RE.findall(item.body)]):
        host = _URL_HOST_RE.match(url) if url.startswith("http") else None
        name = (host.group(1) if host else url).lower().split(":")[0]
        words.add("host:" + name)
        words.update("hostword:" + part for part in re.split(r"[.-]", name) if len(part) > 2)
    return sorted(words)[:MAX_WORDS]


@dataclass
class Model:
    """Per-word document counts for ham and spam."""

    docs: dict[str, int] = field(default_factory=lambda: {HAM: 0, SPAM: 0})
    words: dict[str, list[int]] = field(default_factory=dict)  # word -> [ham, spam]
    decisions: int = 0

    def learn(self, words: Iterable[str], label: str) -> None:
        """Count one labelled document."""
        index = 0 if label == HAM else 1
        self.docs[label] += 1
        self.decisions += 1
        for word in set(words):
            self.words.setdefault(word, [0, 0])[index] += 1

    @property
    def ready(self) -> bool:
        """True once both classes have enough examples to judge by."""
        return min(self.docs[HAM], self.docs[SPAM]) >= MIN_PER_CLASS

    def word_log_odds(self, word: str) -> float:
        """Return the log-odds log P(word|spam)/P(word|ham), Laplace-smoothed."""
        ham, spam = self.words.get(word, (0, 0))
        p_spam = (spam + 1) / (self.docs[SPAM] + 2)
        p_ham = (ham + 1) / (self.docs[HAM] + 2)
        return math.log(p_spam / p_ham)

    def probability(self, words: Iterable[str]) -> float:
        """P(spam | words) under naive Bayes, looking only at words seen in training."""
        prior = math.log((self.docs[SPAM] + 1) / (self.docs[HAM] + 1))
        total = prior + sum(self.word_log_odds(w) for w in set(words) if w in self.words)
        total = max(-50.0, min(50.0, total))
        return 1.0 / (1.0 + math.exp(-total))

    def evidence(self, words: Iterable[str], limit: int = 3) -> tuple[int, list[str]]:
        """The strongest spam words and how many earlier spam items contained them."""
        scored = sorted(
            ((self.word_log_odds(w), w) for w in set(words) if w in self.words),
            reverse=True,
        )
        top = [w for odds, w in scored[:limit] if odds > 0.5]
        seen = max((self.words[w][1] for w in top), default=0)
        return seen, top

    def to_json(self) -> dict[str, Any]:
        """The model as JSON data."""
        return {
            "version": MODEL_VERSION,
            "decisions": self.decisions,
            "docs": self.docs,
            "words": self.words,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Model:
        """Parse model JSON; ValueError if it is not a model of this version."""
        if not isinstance(data, dict) or data.get("version") != MODEL_VERSION:
            raise ValueError("not a version-1 model")
        docs = {HAM: int(data["docs"][HAM]), SPAM: int(data["docs"][SPAM])}
        words = {str(w): [int(c[0]), int(c[1])] for w, c in data["words"].items()}
        return cls(docs=docs, words=words, decisions=int(data["decisions"]))


def _display(word: str) -> str:
    return word.split(":", 1)[1] if ":" in word else word


def _decision(text: str) -> dict[str, Any]:
    """One line of the decisions file; ValueError, KeyError or TypeError if it is broken."""
    data = json.loads(text)
    if data["label"] not in (HAM, SPAM) or not isinstance(data["words"], list):
        raise ValueError("no label or words")
    return data


class Classifier:
    """The model of one store's `moderation/` folder: record decisions, score items."""

    def __init__(self, feedback_root: Path | str) -> None:
        self.folder = Path(feedback_root) / FOLDER
        self.decisions_path = self.folder / DECISIONS
        self.model_path = self.folder / MODEL
        self._model: Model | None = None
        self._model_key: tuple[int, int] | None = None

    # --- decisions ----------------------------------------------------------
    def record(self, item: Item, label: str) -> None:
        """Append one decision (no personal data: the word set and the item id only)."""
        line = {
            "time": datetime.now(UTC).isoformat(timespec="seconds"),
            "label": label,
            "id": item.id,
            "words": features(item),
        }
        model = self.model()  # before appending: a retrain must not count this line twice
        append_line(self.decisions_path, line)
        model.learn(line["words"], label)
        self._save(model)

    def read_decisions(self) -> list[dict[str, Any]]:
        """Every readable decision line; a broken line is logged and skipped."""
        out = []
        try:
            lines = self.decisions_path.read_text("utf-8").splitlines()
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            logger.warning("backchannel: cannot read %s: %s", self.decisions_path, exc)
            return []
        for number, text in enumerate(lines, start=1):
            if not text.strip():
                continue
            try:
                data = _decision(text)
            except (ValueError, KeyError, TypeError) as exc:
                logger.warning(
                    "backchannel: %s:%d: skipping a broken decision (%s)",
                    self.decisions_path,
                    number,
                    exc,
                )
                continue
            out.append(data)
        return out

    def unlink(self, item_ids: set[str]) -> int:
        """Drop the item ids (the link to a person) from decisions; the words stay learned."""
        decisions = self.read_decisions()
        changed = 0
        for data in decisions:
            if data.get("id") in item_ids:
                data["id"] = None
                changed += 1
        if changed:
            text = "".join(
                json.dumps(d, ensure_ascii=False, sort_keys=True) + "\n" for d in decisions
            )
            _write(self.decisions_path, text.encode("utf-8"))
        return changed

    # --- the model ----------------------------------------------------------
    def train(self) -> Model:
        """Rebuild the model from decisions.jsonl and save it."""
        model = Model()
        for data in self.read_decisions():
            model.learn(data["words"], data["label"])
        self._save(model)
        return model

    def model(self) -> Model:
        """The model, loaded once and cached; retrained if missing, corrupt or stale."""
        key = _file_key(self.model_path)
        if self._model is not None and key == self._model_key:
            return self._model
        try:
            model = Model.from_json(json.loads(self.model_path.read_text("utf-8")))
        except FileNotFoundError:
            model = self.train() if self.decisions_path.exists() else Model()
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            logger.warning(
                "backchannel: spam model %s is unreadable (%s); retraining", self.model_path, exc
            )
            model = self.train()
        self._model = model
        self._model_key = _file_key(self.model_path)
        return model

    def _save(self, model: Model) -> None:
        try:
            _write(self.model_path, json.dumps(model.to_json(), sort_keys=True).encode())
        except StoreError as exc:
            # The model is derived data: failing to save it must not stop a decision.
            logger.warning("backchannel: could not save the spam model: %s", exc)
        self._model = model
        self._model_key = _file_key(self.model_path)

    # --- scoring ------------------------------------------------------------
    def score(self, item: Item, max_links: int | None = None) -> tuple[float, tuple[str, ...]]:
        """A spam score in [0, 1] and the reasons behind it (signals plus the classifier's)."""
        signals = [r for r in item.reasons if not r.startswith(CLASSIFIER_PREFIX)]
        links = len(_URL_HOST_RE.findall(item.body))
        # Imported or hand-written items carry no receiver signals: count links here.
        if (
            max_links is not None
            and links > max_links
            and not any(_LINKS_RE.match(r) for r in signals)
        ):
            signals.append(f"{links} links")
        keep_not = 1.0
        for reason in signals:
            keep_not *= 1.0 - signal_weight(reason)
        reasons = list(signals)
        model = self.model()
        if model.ready:
            words = features(item)
            p = model.probability(words)
            keep_not *= 1.0 - p
            seen, top = model.evidence(words)
            if p >= 0.5 and seen:
                shown = ", ".join(_display(w) for w in top)
                reasons.append(
                    f"{CLASSIFIER_PREFIX}that resembled {seen} earlier spam "
                    f"item{'s' if seen != 1 else ''} ({shown})"
                )
            elif p < 0.5:
                reasons.append(f"{CLASSIFIER_PREFIX}like earlier approved comments")
        return round(1.0 - keep_not, 2), tuple(reasons)


def signal_weight(reason: str) -> float:
    """How much one receiver signal counts towards spam."""
    for pattern, weight in SIGNAL_WEIGHTS:
        if pattern.search(reason):
            return weight
    return DEFAULT_SIGNAL_WEIGHT


def _file_key(path: Path) -> tuple[int, int] | None:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _write(path: Path, data: bytes) -> None:
    try:
        atomic_write(path, data, mode=0o644)
    except OSError as exc:
        raise StoreError(f"cannot write {path}: {exc.strerror}") from exc


def append_line(path: Path, data: dict[str, Any]) -> None:
    """Append one JSON line with a single write + fsync (O_APPEND: lines never interleave)."""
    line = (json.dumps(data, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise StoreError(f"cannot append to {path}: {exc.strerror}") from exc
