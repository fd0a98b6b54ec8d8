"""Pausing Python's cyclic garbage collector over short, bounded work.

A CLI answer from the store allocates its objects in bursts: the imports (a
few hundred modules' functions, classes and dicts, which live until the
process ends) and one answer's events (plain dicts and lists, no cycles).
With the default thresholds the collector ran 31-72 times over those and
cost 11-24 ms of a 0.25 s answer, finding nothing to free.  Only bounded
work is paused; anything that runs for long (a plain scan, follow mode, the
console) runs with the collector on.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused_collection() -> Iterator[None]:
    """No cyclic collection inside; the collector's previous state after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def keep_loaded() -> None:
    """Move everything alive now (the imported modules) out of the
    collector's sight: they live until exit, and every later full
    collection would otherwise walk them again."""
    gc.freeze()
