"""Spare the end of a build the interpreter's collection of everything the build allocated.

When `pelican` exits, Python's shutdown collects and frees every reference
cycle the build left: Pelican's articles, contexts and templates, and the
threads baked into them. At 1,000 articles x 20 comments that was ~0.3-0.5 s
after the last page was written (bench/results/build.md), spent on memory the
operating system takes back at exit anyway. Freezing the cycle collector once
the build has finished moves every live object out of its reach.

A process that builds again (`pelican --autoreload`, tests) thaws them at the
next build's start, so nothing stays out of the collector's reach for longer
than the pause between two builds.
"""

from __future__ import annotations

import gc
from typing import Any

# Set when this module froze the collector: only then does the next build thaw
# it (gc.unfreeze thaws everything frozen, whoever froze it).
_state = {"frozen": False}


def freeze_after_build(_pelican: Any) -> None:
    """Pelican's `finalized`: the build is over; its objects need no more collecting."""
    gc.freeze()
    _state["frozen"] = True


def thaw_before_build(_generator: Any) -> None:
    """`article_generator_init`: a new build in this process; the last one's objects may go."""
    if _state["frozen"]:
        gc.unfreeze()
        _state["frozen"] = False
