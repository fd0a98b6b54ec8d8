"""The time ranges offered by `t`: presets and an absolute range.

Relative presets count back from an anchor.  For a live source the anchor is
now.  For offline evidence (a local trail, the demo, or any source whose newest
event is more than an hour old) the anchor is the newest event seen, so
"last 1h" shows the last hour of the evidence rather than an empty screen, and
the label says so.  Pure Python, no Textual.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from trailtui.timerange import TimeRange, parse_time, utcnow
from trailtui.ui.browse_state import RangeChoice

PRESETS: tuple[tuple[str, timedelta | None], ...] = (
    ("15m", timedelta(minutes=15)),
    ("1h", timedelta(hours=1)),
    ("24h", timedelta(hours=24)),
    ("7d", timedelta(days=7)),
    ("30d", timedelta(days=30)),
    ("all", None),
)


def preset_choice(name: str, anchor: datetime | None = None, anchored_to_trail: bool = False) -> RangeChoice:
    """`last 1h` etc.; `all` is unbounded.  Raises KeyError for an unknown preset."""
    delta = dict(PRESETS)[name]
    if delta is None:
        return RangeChoice(TimeRange(), "all")
    anchor = anchor or utcnow()
    if anchored_to_trail:
        return RangeChoice(TimeRange(anchor - delta, anchor), f"last {name} to newest event", relative=True)
    return RangeChoice(TimeRange(anchor - delta, None), f"last {name}", relative=True)


def absolute_choice(since: str, until: str, now: datetime | None = None) -> RangeChoice:
    """A range typed by the user (ISO 8601, `-2h`, `now`; either side may be
    empty).  Raises `TimeParseError` with a one-line reason."""
    time_range = TimeRange.parse(since.strip() or None, until.strip() or None, now, names=("since", "until"))
    return RangeChoice(time_range, range_label(time_range))


def range_label(time_range: TimeRange) -> str:
    """Compact and unambiguous: `2024-03-01 12:29→12:31Z`, `since 2024-03-01 12:29Z`."""
    since, until = time_range.since, time_range.until
    if since is None and until is None:
        return "all"
    if until is None:
        return f"since {since:%Y-%m-%d %H:%M}Z"
    if since is None:
        return f"until {until:%Y-%m-%d %H:%M}Z"
    if since.date() == until.date():
        tail = "%H:%M"
    else:
        tail = "%m-%d %H:%M" if since.year == until.year else "%Y-%m-%d %H:%M"
    return f"{since:%Y-%m-%d %H:%M}→{until.strftime(tail)}Z"


def anchor_time(text: str | None) -> datetime | None:
    """An anchor read from demo metadata; None when absent or unreadable."""
    if not text:
        return None
    try:
        return parse_time(text)
    except ValueError:
        return None
