"""A client-side token bucket: how trailtui stays under per-account API rates.

LookupEvents allows two requests per second per account and region; going
over means throttling errors and retries that slow everything down.  Waiting
for a token before each call keeps a search (or several at once: a hunt runs
many) at the allowed rate instead.  Not a retry mechanism: botocore's adaptive
retries still handle the throttling that happens anyway.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field


@dataclass(slots=True)
class TokenBucket:
    """`rate` tokens a second, at most `burst` saved up.  `reserve()` takes a
    token now and says how long to wait before using it, so callers queue up
    fairly without a lock (one event loop thread)."""

    rate: float
    burst: float = 1.0
    clock: Callable[[], float] = time.monotonic
    _tokens: float = field(init=False)
    _stamp: float = field(init=False)

    def __post_init__(self) -> None:
        self._tokens = self.burst
        self._stamp = self.clock()

    def reserve(self) -> float:
        """Take one token; return the seconds to wait before it may be spent."""
        now = self.clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def acquire(self) -> None:
        delay = self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)


class RateLimits:
    """One bucket per key (e.g. account and region), made on first use."""

    def __init__(self, rate: float, burst: float = 1.0) -> None:
        self.rate = rate
        self.burst = burst
        self._buckets: dict[Hashable, TokenBucket] = {}

    def bucket(self, key: Hashable) -> TokenBucket:
        found = self._buckets.get(key)
        if found is None:
            found = self._buckets[key] = TokenBucket(self.rate, self.burst)
        return found


# LookupEvents: "limited to two per second, per account, per Region".  Shared by
# every LookupSource in the process because the limit is the account's, not a
# search's: two searches at once must share the two requests a second.
LOOKUP_LIMITS = RateLimits(rate=2.0, burst=2.0)
