"""Hash-checking the log files that authentic digests list.

Jobs are queued in batches (one worker hop per batch: for small CloudTrail
files the hop costs more than the hashing) and a bounded number of batches is
in flight, so memory stays flat however long the trail.  Each finished file
becomes one IntegrityResult through `emit`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from trailtui.integrity.inflate import check_log_bytes
from trailtui.integrity.store import EvidenceStore, ObjectRef, StoreError
from trailtui.integrity.verdicts import IntegrityResult, Status

LOG_BATCH = 32


@dataclass(frozen=True, slots=True)
class LogJob:
    ref: ObjectRef
    sha256: str
    digest_location: str  # the digest that lists it, for "not found" details
    note: str = ""  # detail for a VALID verdict (e.g. listed by an unsigned newest digest)


class LogChecker:
    def __init__(self, store: EvidenceStore, emit: Callable[[IntegrityResult], None], in_flight: int) -> None:
        self._store = store
        self._emit = emit
        self._slots = asyncio.Semaphore(in_flight)
        self._batch: list[LogJob] = []
        self._tasks: set[asyncio.Task[None]] = set()

    async def add(self, job: LogJob) -> None:
        """Queue one file; waits while too many batches are in flight."""
        self._batch.append(job)
        if len(self._batch) >= LOG_BATCH:
            await self.flush()

    async def flush(self) -> None:
        if not self._batch:
            return
        batch, self._batch = self._batch, []
        await self._slots.acquire()
        task = asyncio.create_task(self._check(batch))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def drain(self) -> None:
        """Wait until every queued file has its verdict."""
        await self.flush()
        while self._tasks:
            await asyncio.gather(*list(self._tasks))

    def cancel(self) -> None:
        for task in self._tasks:
            task.cancel()

    async def _check(self, batch: list[LogJob]) -> None:
        try:
            outcomes = await self._store.process_many([(job.ref, job.sha256) for job in batch], check_log_bytes)
        finally:
            self._slots.release()
        for job, outcome in zip(batch, outcomes, strict=True):
            if isinstance(outcome, StoreError):
                status, detail = Status.UNVERIFIED, f"cannot read: {outcome}"
            elif outcome is None:
                status, detail = Status.MISSING, f"not found (listed by {job.digest_location})"
            else:
                status, detail = outcome
            self._emit(IntegrityResult("log", self._store.location(job.ref), status, detail or job.note))
