"""Load the labelled question set and score an extractor against it (shared by test and bench)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

EVAL_FILE = Path(__file__).parent / "data" / "questions_eval.txt"
_MARK = re.compile(r"\[\[(.+?)\]\]", re.S)


def load_eval(path: Path = EVAL_FILE) -> list[tuple[str, list[str]]]:
    """(comment text without markers, labelled question sentences) per block."""
    lines = [ln for ln in path.read_text("utf-8").splitlines() if not ln.startswith("#")]
    blocks = "\n".join(lines).split("\n%%\n")
    out = []
    for raw in blocks:
        block = raw.strip("\n")
        if block.strip():
            out.append((_MARK.sub(r"\1", block), [m.strip() for m in _MARK.findall(block)]))
    return out


def _norm(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def score(extract: Callable[[str], list[str]], data: list[tuple[str, list[str]]]):
    """(precision, recall, false positives, misses) of an extractor on the set."""
    tp = fp = fn = 0
    false_pos, misses = [], []
    for text, labels in data:
        wanted = [_norm(x) for x in labels]
        for got in extract(text):
            g = _norm(got)
            hit = next((w for w in wanted if w == g or (w and w in g) or (g and g in w)), None)
            if hit is None:
                fp += 1
                false_pos.append(got)
            else:
                tp += 1
                wanted.remove(hit)
        fn += len(wanted)
        misses.extend(wanted)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall, false_pos, misses
