"""Cost of issue 20's item policy: the control-character scan in `loads`, and
`Item.__post_init__` (cleaning, length caps, URL policy) for every item made in code.

Prints medians (and ranges) of per-call microseconds for a typical ~900-byte
comment: `loads` of a clean file, the scan alone, and `Item(...)`. Run it on
a quiet machine; compare with the same script at the commit before the policy.
"""

from __future__ import annotations

import statistics
import timeit
from datetime import UTC, datetime

from common import machine  # puts plugins/ on sys.path, so it comes first


def fields() -> dict[str, object]:
    """A typical comment's fields."""
    from backchannel.model import Kind

    return {
        "id": "0123456789ab",
        "kind": Kind.COMMENT,
        "article": "a-post",
        "author": "Ada Reader",
        "date": datetime(2026, 9, 1, tzinfo=UTC),
        "origin": "receiver",
        "body": ("How does this work with feeds? " * 25).strip(),
        "author_url": "https://ada.example/",
    }


def per_call(stmt: object, number: int = 20000, runs: int = 7) -> tuple[float, float, float]:
    """(median, min, max) of microseconds per call over `runs` timings."""
    times = [
        min(timeit.repeat(stmt, number=number, repeat=3)) / number * 1e6  # type: ignore[arg-type]
        for _ in range(runs)
    ]
    return statistics.median(times), min(times), max(times)


def main() -> None:
    from backchannel.field_policy import UNWANTED
    from backchannel.model import Item, dumps, loads

    values = fields()
    text = dumps(Item(**values))
    print(machine())
    print(f"file of {len(text.encode())} bytes")
    for name, stmt in (
        ("loads (clean file)", lambda: loads(text)),
        ("scan alone", lambda: UNWANTED.search(text)),
        ("Item(...)", lambda: Item(**values)),
    ):
        median, low, high = per_call(stmt)
        print(f"{name:20} median {median:7.2f} us  range {low:.2f}-{high:.2f}")


if __name__ == "__main__":
    main()
