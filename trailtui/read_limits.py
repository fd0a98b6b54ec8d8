"""How much trailtui reads from any one file or record: the bounds on hostile input.

A 2 MB gzip bomb inflates to gigabytes; a record can be nested a thousand deep
(deeper than the JSON encoders recurse) or hold one field of a hundred
megabytes.  Each bound is reported and the file or record skipped, never a
crash.  The defaults suit CloudTrail (its files are a few MB, its records a few
KB, nested a dozen deep); each can be changed through the environment, which
the scanning worker processes inherit:

    TRAILTUI_MAX_INFLATED_MB   largest file after gunzip (also the largest file read), default 256
    TRAILTUI_MAX_RECORD_MB     largest single record, default 4
    TRAILTUI_MAX_DEPTH         deepest nesting of objects and lists in a record, default 64 (at most 200)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

MIB = 1 << 20
DEPTH_CEILING = 200  # the JSON encoders used for output recurse at most ~255 deep


@dataclass(frozen=True, slots=True)
class ReadLimits:
    max_inflated: int = 256 * MIB
    max_record: int = 4 * MIB
    max_depth: int = 64

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> ReadLimits:
        """The limits, with any `TRAILTUI_MAX_*` variable applied (an unreadable
        or non-positive value keeps the default)."""
        env = os.environ if environ is None else environ
        base = cls()
        return cls(
            max_inflated=_positive(env.get("TRAILTUI_MAX_INFLATED_MB"), base.max_inflated // MIB) * MIB,
            max_record=_positive(env.get("TRAILTUI_MAX_RECORD_MB"), base.max_record // MIB) * MIB,
            max_depth=min(DEPTH_CEILING, _positive(env.get("TRAILTUI_MAX_DEPTH"), base.max_depth)),
        )


def _positive(text: str | None, default: int) -> int:
    try:
        value = int(text) if text is not None else default
    except ValueError:
        return default
    return value if value > 0 else default


@lru_cache(maxsize=1)
def current_limits() -> ReadLimits:
    """The limits for this process, read once from its environment."""
    return ReadLimits.from_environment()


def megabytes(size: int) -> str:
    return f"{size / MIB:.0f} MiB" if size >= MIB else f"{size} bytes"


def record_bounds_problem(record: Any, limits: ReadLimits) -> str | None:
    """Why a decoded record exceeds the nesting or size bound, or None.

    Size counts the text of keys and strings plus a few bytes per other value:
    close to the record's JSON size, without encoding it.  Stops at the first
    bound crossed, so a huge record costs no more than the bound."""
    budget = [limits.max_record]
    if _exceeds(record, limits.max_depth, budget):
        if budget[0] < 0:
            return f"record larger than {megabytes(limits.max_record)} (TRAILTUI_MAX_RECORD_MB)"
        return f"record nested deeper than {limits.max_depth} levels (TRAILTUI_MAX_DEPTH)"
    return None


def _exceeds(value: Any, depth_left: int, budget: list[int]) -> bool:
    if depth_left <= 0:
        return True
    items = value.items() if type(value) is dict else enumerate(value)
    for key, item in items:
        kind = type(item)
        cost = (len(key) if type(key) is str else 0) + (len(item) if kind is str else 8)
        budget[0] -= cost
        if budget[0] < 0:
            return True
        if (kind is dict or kind is list) and item and _exceeds(item, depth_left - 1, budget):
            return True
    return False
