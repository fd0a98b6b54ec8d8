"""One digest on its own, and what its neighbours say about it.

`DigestExaminer.check(ref)` fetches a digest and checks, in order: strict
gunzip, JSON and required fields, its location (MOVED), the signature
algorithms, the public key, and the RSA signature from its S3 metadata.  A
local copy without metadata leaves the signature open (`status` None) until
the successor's `previousDigestSignature` settles it (`settle`).
`chain_mismatch` compares a digest's record of its predecessor with the
predecessor itself (the reference never does).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

from trailtui.integrity.digest import (
    HASH_ALGORITHM,
    SIGNATURE_ALGORITHM,
    Digest,
    DigestFormatError,
    parse_digest,
    signing_string,
)
from trailtui.integrity.inflate import inflate_strict
from trailtui.integrity.key_source import KeySource, KeySourceError
from trailtui.integrity.keyring import KeyRing
from trailtui.integrity.store import EvidenceStore, Fetched, ObjectRef, StoreError
from trailtui.integrity.verdicts import Status


@dataclass(slots=True)
class DigestCheck:
    """What a digest shows on its own.  `status` None: readable and in place,
    but its signature must come from its successor (no metadata captured)."""

    ref: ObjectRef
    status: Status | None
    detail: str = ""
    digest: Digest | None = None
    sha256: str = ""
    signature: str | None = None
    has_metadata: bool = False
    ring: KeyRing | None = None


@dataclass(frozen=True, slots=True)
class DecodedDigest:
    """A digest object after the CPU-bound part (worker thread): strict gunzip and JSON."""

    problem: tuple[Status, str] | None = None
    digest: Digest | None = None
    sha256: str = ""
    metadata: dict[str, str] | None = None


def decode_digest(fetched: Fetched) -> DecodedDigest:
    inflated = inflate_strict(fetched.data)
    if inflated.problem is not None:
        return DecodedDigest(problem=inflated.problem)
    try:
        digest = parse_digest(inflated.data or b"")
    except DigestFormatError as exc:
        return DecodedDigest(problem=(Status.BAD_FORMAT, str(exc)))
    return DecodedDigest(digest=digest, sha256=inflated.sha256, metadata=fetched.metadata)


@dataclass(frozen=True, slots=True)
class Proof:
    """A successor's word on its predecessor: where it is and its signature."""

    successor: str
    signature: str | None


def metadata_problem(metadata: dict[str, str]) -> str | None:
    """Why the S3 metadata cannot carry a signature we accept, if it cannot."""
    if not metadata.get("signature", "").strip():
        return "no signature in the object's metadata"
    algorithm = metadata.get("signature-algorithm")
    if algorithm != SIGNATURE_ALGORITHM:
        return f"signature-algorithm is {algorithm or 'missing'}, not {SIGNATURE_ALGORITHM}"
    return None


class DigestExaminer:
    """Checks digests on their own, each once (callers bound how many are kept)."""

    def __init__(self, store: EvidenceStore, keys: KeySource) -> None:
        self._store = store
        self._keys = keys
        self._tasks: dict[ObjectRef, asyncio.Task[DigestCheck]] = {}

    def check(self, ref: ObjectRef, region: str) -> asyncio.Task[DigestCheck]:
        """The (possibly already running) check of the digest at `ref`, delivered from `region`."""
        task = self._tasks.get(ref)
        if task is None:
            task = asyncio.create_task(self._examine(ref, region))
            self._tasks[ref] = task
        return task

    def forget(self, ref: ObjectRef) -> None:
        self._tasks.pop(ref, None)

    def cancel(self) -> None:
        for task in self._tasks.values():
            task.cancel()

    async def _examine(self, ref: ObjectRef, region: str) -> DigestCheck:
        try:
            decoded = await self._store.process(ref, decode_digest)
        except StoreError as exc:
            return DigestCheck(ref, Status.UNVERIFIED, f"cannot read: {exc}")
        if decoded is None:
            return DigestCheck(ref, Status.MISSING, "not found")
        if decoded.problem is not None:
            return DigestCheck(ref, *decoded.problem)
        digest, metadata = decoded.digest, decoded.metadata
        assert digest is not None  # noqa: S101 - narrows the type: no problem means a digest
        check = DigestCheck(ref, None, digest=digest, sha256=decoded.sha256, has_metadata=metadata is not None)
        problem = self._own_problem(ref, digest, metadata)
        if problem is not None:
            check.status, check.detail = problem
            return check
        if metadata is not None:
            check.signature = metadata["signature"].strip().lower()
        try:
            check.ring = await self._keys.ring(region, digest.fingerprint, digest.end)
        except KeySourceError as exc:
            check.status, check.detail = Status.KEY_NOT_FOUND, str(exc)
            return check
        if digest.fingerprint not in check.ring:
            rejected = check.ring.rejected.get(digest.fingerprint.lower())
            check.status, check.detail = Status.KEY_NOT_FOUND, (
                f"public key for fingerprint {digest.fingerprint} was refused: {rejected}" if rejected else
                f"public key not found in region {region} for fingerprint {digest.fingerprint}")
        elif check.ring.public_key(digest.fingerprint) is None:
            check.status, check.detail = Status.KEY_NOT_FOUND, (
                f"Unable to load PKCS #1 key with fingerprint {digest.fingerprint}")
        elif check.signature is not None:
            if check.ring.verify(digest.fingerprint, check.signature, signing_string(digest, check.sha256)):
                check.status = Status.VALID
            else:
                check.status, check.detail = Status.BAD_SIGNATURE, "signature verification failed"
        return check

    def _own_problem(self, ref: ObjectRef, digest: Digest,
                     metadata: dict[str, str] | None) -> tuple[Status, str] | None:
        """Location and algorithm problems, before any key is looked up."""
        if not self._store.same_place(ref, digest.bucket, digest.key):
            return Status.MOVED, f"has been moved from its original location s3://{digest.bucket}/{digest.key}"
        if digest.algorithm is not None and digest.algorithm != SIGNATURE_ALGORITHM:
            return Status.BAD_SIGNATURE, f"digestSignatureAlgorithm {digest.algorithm} is not {SIGNATURE_ALGORITHM}"
        if metadata is not None:
            problem = metadata_problem(metadata)
            if problem is not None:
                return Status.BAD_SIGNATURE, problem
        return None


def settle(check: DigestCheck, proof: Proof | None) -> tuple[Status, str]:
    """The final own-status of a digest, using its successor's word when it has no metadata."""
    if check.status is not None:
        return check.status, check.detail
    digest, ring = check.digest, check.ring
    assert digest is not None and ring is not None  # noqa: S101 - narrows the type: no status means both were read
    if proof is None or not proof.signature:
        return Status.UNSIGNED, "no signature metadata and no valid successor to vouch for it"
    if ring.verify(digest.fingerprint, proof.signature, signing_string(digest, check.sha256)):
        return Status.VALID, f"signature taken from previousDigestSignature of {proof.successor}"
    return Status.BAD_SIGNATURE, f"does not match the previousDigestSignature of {proof.successor}"


def chain_mismatch(digest: Digest, previous: DigestCheck, where: str) -> str | None:
    """How `digest`'s record of its predecessor disagrees with the predecessor itself."""
    problems = []
    if previous.digest is not None and previous.digest.end != digest.start:
        problems.append(f"starts at {digest.start_text} but its predecessor ends at {previous.digest.end_text}")
    if digest.previous_hash != previous.sha256:
        problems.append(f"previousDigestHashValue is not the SHA-256 of {where}")
    if digest.previous_hash_algorithm not in (None, HASH_ALGORITHM):
        problems.append(f"previousDigestHashAlgorithm is {digest.previous_hash_algorithm}")
    if previous.signature is not None and digest.previous_signature != previous.signature:
        problems.append(f"previousDigestSignature is not the signature of {where}")
    return "; ".join(problems) or None
