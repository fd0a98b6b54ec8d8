"""What follow mode (`F`) tells the status line: how old the newest event is,
when the source was last polled, a failed poll and the wait before the next,
the running count of hunt hits on arrival, and what each Athena re-query
scanned (approximate cost).  Pure Python, no Textual."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from trailtui.follow.cost import ScanCost
from trailtui.safe import visible


def ago(when: datetime | None, now: datetime) -> str:
    """`12 s ago`, `6 min ago`, `3 h ago`, `2 d ago`; `—` when never."""
    if when is None:
        return "—"
    seconds = max(int((now - when).total_seconds()), 0)
    if seconds < 60:
        return f"{seconds} s ago"
    if seconds < 3600:
        return f"{seconds // 60} min ago"
    if seconds < 2 * 86400:
        return f"{seconds // 3600} h ago"
    return f"{seconds // 86400} d ago"


@dataclass(slots=True)
class FollowState:
    active: bool = False
    waiting: bool = False  # `F` pressed while the scan runs: the follow starts when it ends
    newest: datetime | None = None
    polled_at: datetime | None = None
    error: str = ""
    retry_in: float = 0.0
    arrived: int = 0  # rows added to the list
    hunt_hits: int = 0
    scanned_bytes: int | None = None  # the last poll's query (Athena)

    def hits_text(self, short: bool = False) -> str:
        """`2 hunt hits` (`2 hits` where the line is short), or '' when none."""
        if not self.hunt_hits:
            return ""
        return f"{self.hunt_hits}{'' if short else ' hunt'} hit{'s' if self.hunt_hits != 1 else ''}"

    def variants(self, now: datetime) -> list[str]:
        """The follow part of the status line, longest first (the line takes
        the longest that fits); the hunt hits come first so they are never cut."""
        if not self.active:
            return []
        hits = self.hits_text()
        head = f"{hits} · " if hits else ""
        if self.waiting:
            return [f"{head}follow starts when the scan ends", f"{head}follow waits for the scan"]
        newest = f"newest {ago(self.newest, now)}" if self.newest is not None else "no events yet"
        if self.error:
            failed = f"✗ poll failed: {visible(self.error)} · retry in {self.retry_in:.0f} s"
            return [f"{head}{failed} · {newest}", f"{head}{failed}"]
        polled = f"polled {ago(self.polled_at, now)}" if self.polled_at is not None else "polling…"
        core = f"{head}{newest} · {polled}"
        longer = [f"following · {core}"]
        if self.scanned_bytes is not None:
            cost = f"{ScanCost(self.scanned_bytes).describe()}/poll"
            longer.insert(0, f"following · {core} · {cost}")
            longer.append(f"{core} · {cost}")
        shortest = [f"{self.hits_text(short=True)} · {newest} · {polled}"] if hits else []
        return [*longer, core, *shortest]
