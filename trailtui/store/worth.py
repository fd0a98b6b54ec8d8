"""When a search is worth asking the store, and how much of the store it may read.

Imported by the commands before anything heavier: a search the store would not
answer (the first page of an unfiltered query) loads none of the store's
modules, its engine or its compressor."""

from __future__ import annotations

from trailtui.sources.base import Query

# A search without a limit whose SQL selects more than this share of the held
# rows (and more than `MIN_ROWS_CHECKED`) is a plain scan: re-checking that
# many raw events on one core costs more than the plain scan's parallel typed
# pass (the hunts' candidate SQL selects nearly every demo event).
MAX_STORE_SHARE = 0.2
MIN_ROWS_CHECKED = 20_000


def candidate_bound(events: int, share: float = MAX_STORE_SHARE, minimum: int = MIN_ROWS_CHECKED) -> int:
    """The most candidate rows a search without a limit reads from a store holding `events`."""
    return max(minimum, int(share * events))


def store_pays(query: Query) -> bool:
    """False when a plain scan answers faster.  A LIMIT query whose filter
    gives SQL nothing to select on: the plain scan reads only the newest
    files until it has the page, while the store would stat every file and
    start its engine first.  A query without a limit, time range or pushed
    filter: the store would only re-read every event, which the plain scan
    does in parallel on typed fields (the hunts' candidate filter is
    handled by `candidate_bound`)."""
    if query.filter.ast is None:  # no filter: nothing for SQL to select on
        pushed = False
    else:
        from trailtui.store.dialect import store_where

        pushed = store_where(query.filter).pushed
    if query.limit is not None:
        return pushed
    return pushed or not query.time_range.unbounded
