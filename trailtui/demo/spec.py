"""What a demo trail is: the organisation, its trail, and the parameters that
make one demo different from another (seed, size, days).

Everything the generator writes is a pure function of a `DemoSpec`, so the
same spec always gives byte-identical files.  The period ends at a fixed time
derived from the seed, never at the wall clock.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

GENERATOR_VERSION = 2  # bump when the output for a given spec changes (a stale demo is then rebuilt)

ORG_ID = "o-k3x9q2m7vd"
BUCKET = "acme-org-cloudtrail-logs"
TRAIL_NAME = "acme-org-trail"
HOME_REGION = "us-east-1"
# Global services (IAM, STS' global endpoint, sign-in, Organizations, Route 53,
# CloudFront) are recorded in us-east-1, as CloudTrail does.
GLOBAL_REGION = "us-east-1"

DEFAULT_SEED = 1
DEFAULT_EVENTS = 30_000
DEFAULT_DAYS = 7
MIN_EVENTS = 500
# About 20 GB of logs at the top: a bound that still lets benchmarks build
# trees of tens of millions of events, and refuses a typo's 10**20 at once.
MAX_EVENTS = 100_000_000
MAX_WORKERS = 64
# The newest demo day; the seed moves the end by up to a day so that different
# seeds do not line up minute for minute.
BASE_END = datetime(2026, 11, 20, 0, 0, tzinfo=UTC)


REGION_NAMES: tuple[str, ...] = ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2")


@dataclass(frozen=True, slots=True)
class DemoAccount:
    """One member account of the demo organisation."""

    id: str
    alias: str
    share: float                                  # fraction of the organisation's activity
    regions: tuple[tuple[str, float], ...]        # (region, share of this account's activity)


# us-east-1 also carries the global services of every account.
MANAGEMENT = DemoAccount("829471036582", "acme-management", 0.15,
                         (("us-east-1", 0.70), ("eu-west-1", 0.20), ("us-west-2", 0.05), ("ap-southeast-2", 0.05)))
PROD = DemoAccount("437190265814", "acme-prod", 0.55,
                   (("us-east-1", 0.55), ("eu-west-1", 0.30), ("us-west-2", 0.10), ("ap-southeast-2", 0.05)))
DEV = DemoAccount("561028374910", "acme-dev", 0.30,
                  (("us-east-1", 0.35), ("eu-west-1", 0.15), ("us-west-2", 0.45), ("ap-southeast-2", 0.05)))
ACCOUNTS: tuple[DemoAccount, ...] = (MANAGEMENT, PROD, DEV)

TRAIL_ARN = f"arn:aws:cloudtrail:{HOME_REGION}:{MANAGEMENT.id}:trail/{TRAIL_NAME}"


@dataclass(frozen=True, slots=True)
class DemoSpec:
    """The parameters of one demo trail."""

    seed: int = DEFAULT_SEED
    events: int = DEFAULT_EVENTS
    days: int = DEFAULT_DAYS

    def __post_init__(self) -> None:
        if self.events < MIN_EVENTS:
            raise ValueError(f"--events must be at least {MIN_EVENTS} (the planted incident alone has ~70)")
        if self.events > MAX_EVENTS:
            raise ValueError(f"--events must be at most {MAX_EVENTS:,}")
        if not 0 <= self.seed < 2**63:
            raise ValueError("--seed must be between 0 and 2**63-1")
        if not 1 <= self.days <= 366:
            raise ValueError("--days must be between 1 and 366")

    @property
    def end(self) -> datetime:
        """Newest moment of activity: BASE_END plus a seed-derived offset (whole minutes)."""
        digest = hashlib.sha256(f"trailtui-demo-end:{self.seed}".encode()).digest()
        return BASE_END + timedelta(minutes=int.from_bytes(digest[:4], "big") % (24 * 60))

    @property
    def start(self) -> datetime:
        return self.end - timedelta(days=self.days)

    def calendar_days(self) -> list[date]:
        """UTC days touched by [start, end), oldest first."""
        first, last = self.start.date(), (self.end - timedelta(seconds=1)).date()
        return [first + timedelta(days=i) for i in range((last - first).days + 1)]

    def day_window(self, day: date) -> tuple[datetime, datetime]:
        """The part of `day` inside the demo period."""
        midnight = datetime(day.year, day.month, day.day, tzinfo=UTC)
        return max(midnight, self.start), min(midnight + timedelta(days=1), self.end)

    def parameters(self) -> dict[str, int]:
        """What decides the output (compared to reuse an existing demo)."""
        return {"seed": self.seed, "events": self.events, "days": self.days,
                "generator_version": GENERATOR_VERSION}


def chunk_seed(seed: int, *parts: object) -> int:
    """A 64-bit seed for one piece of work, independent of which process runs it
    and of PYTHONHASHSEED."""
    text = ":".join(str(p) for p in (seed, *parts))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
