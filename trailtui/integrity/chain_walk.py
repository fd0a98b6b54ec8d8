"""Walking one digest chain, newest to oldest.

From the newest listed digest, follow `previousDigestS3Object`; after a chain
restart (null link, a GAP), a missing or an invalid digest, carry on with the
next older digest in the listing.  Stricter than the reference:
* after a missing digest, every hour up to the next digest present is
  reported MISSING (the reference reports one, aws-cli #7054);
* a digest's record of its predecessor (hash, signature, times) must match
  it (CHAIN_MISMATCH);
* listed digests the chain does not pass through are reported, not skipped.
The walk stops once it has checked the digest covering the window's start.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from trailtui.integrity.coverage import MAX_PREDICTED, TAIL_GRACE, Ledger
from trailtui.integrity.digest import HOUR, Digest, DigestName, parse_digest_name, predicted_key
from trailtui.integrity.digest_check import DigestCheck, DigestExaminer, Proof, chain_mismatch, settle
from trailtui.integrity.discovery import Chain
from trailtui.integrity.store import EvidenceStore, ObjectRef
from trailtui.integrity.summary import iso
from trailtui.integrity.verdicts import IntegrityResult, Status

PREFETCH_AHEAD = 16  # older listed digests fetched ahead of the walk


@dataclass(frozen=True, slots=True)
class WalkServices:
    """What a walk uses from the run it belongs to."""

    store: EvidenceStore
    examiner: DigestExaminer
    ledger: Ledger
    start: datetime | None  # the window's start (None: walk to the chain's beginning)
    emit: Callable[[IntegrityResult], None]
    cover: Callable[[Digest, ObjectRef, bool, bool], Awaitable[None]]  # (digest, ref, report, unsigned)
    valid_spans: list[tuple[datetime, datetime]]


@dataclass(slots=True)
class Cursor:
    ref: ObjectRef
    end: datetime  # from the key name (the digest may be missing)
    proof: Proof | None = None  # the successor's word, when reached through its link
    by_pointer: bool = False


@dataclass(slots=True)
class Step:
    """The verdict on the digest under the cursor, before it is reported."""

    check: DigestCheck
    own: Status  # its own verdict (signature and all)
    status: Status  # own, or CHAIN_MISMATCH when its link to the predecessor is wrong
    detail: str
    tolerated: bool
    previous_ref: ObjectRef | None = None
    previous: DigestCheck | None = None


class ChainWalk:
    def __init__(self, chain: Chain, services: WalkServices) -> None:
        self.chain = chain
        self.s = services
        self.region = chain.id.folder.region
        self.report = chain.selected  # False: another trail's chain, walked only to excuse its logs
        self.cadence = not chain.id.backfill  # hourly digests: holes can be measured
        self.visited: set[str] = set()
        self._prefetched = max(0, len(chain.listed) - 3)

    async def run(self) -> None:
        if not self.chain.listed:
            return
        newest = self.chain.listed[-1]
        sample = [self._check(item.obj.ref) for item in self.chain.listed[-3:]]
        copy_has_metadata = any(c.has_metadata for c in await asyncio.gather(*sample))
        cursor: Cursor | None = Cursor(newest.obj.ref, newest.name.end)
        first = True
        while cursor is not None:
            self._prefetch(cursor.end)
            step = await self._step(cursor, first, copy_has_metadata)
            if self.report:
                self._report(cursor, step)
            await self._use_logs(cursor, step)
            first = False
            done = cursor.ref
            cursor = await self._next(cursor, step)
            self.s.examiner.forget(done)  # memory stays bounded on long chains
        if self.report:
            await self._sweep()

    # -- one step ----------------------------------------------------------------------------------

    def _check(self, ref: ObjectRef) -> asyncio.Task[DigestCheck]:
        return self.s.examiner.check(ref, self.region)

    def _loc(self, ref: ObjectRef) -> str:
        return self.s.store.location(ref)

    async def _step(self, cursor: Cursor, first: bool, copy_has_metadata: bool) -> Step:
        check = await self._check(cursor.ref)
        self.visited.add(cursor.ref.key)
        own, detail = settle(check, cursor.proof)
        tolerated = own is Status.UNSIGNED and first and not copy_has_metadata
        if own is Status.UNSIGNED and tolerated:
            detail = "newest digest, no signature metadata in this copy: its content cannot be proven"
        elif own is Status.UNSIGNED and copy_has_metadata:
            detail = "no signature metadata, although other digests of this chain have it"
        step = Step(check, own, own, detail, tolerated)
        digest = check.digest
        if own in (Status.VALID, Status.UNSIGNED) and digest is not None and digest.previous_key:
            step.previous_ref = self.s.store.ref_for(digest.previous_bucket or digest.bucket, digest.previous_key,
                                                     cursor.ref)
            step.previous = await self._check(step.previous_ref)
            problem = self._link_problem(digest, step.previous_ref, step.previous)
            if problem:
                step.status, step.detail, step.tolerated = Status.CHAIN_MISMATCH, problem, False
        return step

    def _link_problem(self, digest: Digest, previous_ref: ObjectRef, previous: DigestCheck) -> str | None:
        """Why `digest`'s link to its predecessor is broken, if it is.  A
        predecessor that is itself missing or invalid is reported on its own."""
        if previous_ref.key in self.visited:
            return "previousDigestS3Object loops back to a newer digest"
        if previous.status not in (Status.VALID, None):
            return None
        return chain_mismatch(digest, previous, self._loc(previous_ref))

    def _report(self, cursor: Cursor, step: Step) -> None:
        detail = step.detail
        if step.status is Status.MISSING:
            self.s.ledger.missing_spans.append((cursor.end - HOUR, cursor.end, self._loc(cursor.ref)))
            if cursor.proof is not None:
                detail = f"not found (previousDigestS3Object of {cursor.proof.successor})"
        self.s.emit(IntegrityResult("digest", self._loc(cursor.ref), step.status, detail, tolerated=step.tolerated,
                                    backfill=self.chain.id.backfill))

    async def _use_logs(self, cursor: Cursor, step: Step) -> None:
        """An authentic digest's list of log files gets checked; an invalid
        one's is remembered to explain why those files are UNVERIFIED."""
        digest = step.check.digest
        if digest is None:
            return
        if step.own is Status.VALID or step.tolerated:
            await self.s.cover(digest, cursor.ref, self.report, step.tolerated)
            if step.own is Status.VALID and self.report:
                self.s.valid_spans.append((digest.start, digest.end))
        elif self.report:
            self._remember_bad(digest, cursor.ref, step.status)

    def _remember_bad(self, digest: Digest, digest_ref: ObjectRef, status: Status) -> None:
        for entry in digest.logs:
            ref = self.s.store.ref_for(entry.bucket, entry.key, digest_ref)
            self.s.ledger.listed_by_bad.setdefault(
                ref, f"listed only by {self._loc(digest_ref)}, which is {status.value}")

    # -- where next --------------------------------------------------------------------------------

    def _needed(self, end: datetime) -> bool:
        return self.s.start is None or end >= self.s.start

    def _older(self, than: datetime) -> Cursor | None:
        for index in self.chain.older_than(than):
            item = self.chain.listed[index]
            if item.obj.ref.key not in self.visited:
                return Cursor(item.obj.ref, item.name.end)
        return None

    def _prefetch(self, than: datetime) -> None:
        """Start checking the next older listed digests, each once."""
        for index in self.chain.older_than(than)[:PREFETCH_AHEAD]:
            if index < self._prefetched:
                self._check(self.chain.listed[index].obj.ref)
                self._prefetched = index

    async def _next(self, cursor: Cursor, step: Step) -> Cursor | None:
        """The predecessor the digest names, or the next older listed digest."""
        digest = step.check.digest
        trusted = step.status in (Status.VALID, Status.UNSIGNED) or (
            step.status is Status.CHAIN_MISMATCH and step.previous_ref is not None
            and step.previous_ref.key not in self.visited)
        if trusted and digest is not None:
            if step.previous_ref is not None:
                return await self._follow_link(cursor, digest, step.previous_ref)
            return self._after_restart(cursor, digest)
        older = self._older(cursor.end)
        if step.check.status is Status.MISSING and cursor.by_pointer and self.report and self.cadence:
            self._predict_missing(cursor, older)
        if older is None or not self._needed(older.end):
            return None
        if digest is not None and digest.previous_key and step.status is not Status.MOVED:
            target = self.s.store.ref_for(digest.previous_bucket or digest.bucket, digest.previous_key, cursor.ref)
            if target == older.ref:  # a signature vouches for itself, whoever carries it
                older.proof = Proof(self._loc(cursor.ref), digest.previous_signature)
        return older

    async def _follow_link(self, cursor: Cursor, digest: Digest, previous_ref: ObjectRef) -> Cursor | None:
        name = parse_digest_name(previous_ref.key.rsplit("/", 1)[-1])
        previous_end = name.end if name else digest.start
        if self.report:
            await self._intruders(previous_end, cursor.end, previous_ref)
        if self.s.start is not None and digest.start < self.s.start:
            return None
        return Cursor(previous_ref, previous_end, Proof(self._loc(cursor.ref), digest.previous_signature),
                      by_pointer=True)

    def _after_restart(self, cursor: Cursor, digest: Digest) -> Cursor | None:
        """A null link: the chain restarted (logging or validation was off)."""
        if self.s.start is not None and digest.start < self.s.start:
            return None
        older = self._older(cursor.end)
        if older is None or not self._needed(older.end):
            return None
        if self.report and self.cadence:
            self.s.ledger.gap_spans.append((older.end, digest.start))
            self.s.emit(IntegrityResult(
                "digest", self._loc(cursor.ref), Status.GAP,
                f"No log files were delivered by CloudTrail between {iso(older.end)} and {digest.start_text}",
                backfill=self.chain.id.backfill))
        return older

    # -- digests that are not where the chain says ------------------------------------------------

    def predicted_ref(self, end: datetime) -> ObjectRef:
        """Where this chain's digest ending at `end` would be."""
        template = self.chain.listed[-1]
        name = DigestName(template.name.account, template.name.region, template.name.trail,
                          template.name.home_region, end, template.name.backfill)
        return self.s.store.ref(predicted_key(template.obj.ref.key, name, end))

    def _predict_missing(self, cursor: Cursor, older: Cursor | None) -> None:
        """After a missing digest, the hours between it and the next older one
        present were missing too: report each (the reference reports one)."""
        if older is None and self.s.start is None:
            return
        when = cursor.end - HOUR
        floor = older.end + TAIL_GRACE if older else None
        count = 0
        while (floor is None or when > floor) and self._needed(when):
            if older is None and count >= MAX_PREDICTED:
                break
            ref = self.predicted_ref(when)
            self.s.ledger.missing_spans.append((when - HOUR, when, self._loc(ref)))
            self.s.emit(IntegrityResult(
                "digest", self._loc(ref), Status.MISSING,
                f"not found: no digest for the hour ending about {iso(when)} (location predicted from the hourly "
                "cadence)", backfill=self.chain.id.backfill))
            when -= HOUR
            count += 1

    async def _intruders(self, low: datetime, high: datetime, target: ObjectRef) -> None:
        """Listed digests between a digest and the predecessor it names."""
        for index in self.chain.between(low, high):
            ref = self.chain.listed[index].obj.ref
            if ref.key not in self.visited and ref != target:
                self.visited.add(ref.key)
                await self._report_outsider(ref, f"not in the chain: its successor names {self._loc(target)}")

    async def _sweep(self) -> None:
        """Listed digests in the window that the walk never reached."""
        for item in self.chain.listed:
            if item.obj.ref.key not in self.visited and self._needed(item.name.end):
                self.visited.add(item.obj.ref.key)
                await self._report_outsider(item.obj.ref, "not reached by following the chain")

    async def _report_outsider(self, ref: ObjectRef, why: str) -> None:
        check = await self._check(ref)
        status, detail = check.status, check.detail
        if status is None or status is Status.VALID:
            status, detail = Status.CHAIN_MISMATCH, why
        self.s.emit(IntegrityResult("digest", self._loc(ref), status, detail, backfill=self.chain.id.backfill))
        if check.digest is not None:
            self._remember_bad(check.digest, ref, status)
