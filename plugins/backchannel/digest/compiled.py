"""The compiled twins of the digest's hottest loops (_speedups.pyx), where this install has them.

setup.py builds _speedups when the package is installed with a C compiler at
hand. Without one, or with BACKCHANNEL_PURE_PYTHON=1 in the environment (the
tests and the digest benchmark run both), `speedups` is None and the pure
Python originals run: slower, never different.
"""

from __future__ import annotations

import os
from types import ModuleType

speedups: ModuleType | None = None
if not os.environ.get("BACKCHANNEL_PURE_PYTHON"):
    try:
        from backchannel.digest import _speedups as speedups
    except ImportError:  # not compiled here
        speedups = None
