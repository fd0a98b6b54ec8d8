"""Strict gunzip + SHA-256, the CPU-bound core of verification.

CloudTrail hashes the *decompressed* bytes of logs and digests.  Exactly one
gzip member is allowed: bytes after the end of the first member are tampering
(Python's `gzip.decompress` would silently concatenate members, `zlib` stops at
the first and leaves the rest in `unused_data`; we report it).  These functions
are pure and thread-safe: callers run them in worker threads (zlib, isal and
hashlib release the GIL on large buffers, so two threads use two cores).
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass

from trailtui.integrity.verdicts import Status
from trailtui.read_limits import current_limits, megabytes

try:  # isal inflates ~1.3-1.7x faster than zlib with the same API (eof, unused_data)
    from isal import isal_zlib as _inflate_lib
except ImportError:  # pragma: no cover - isal is a declared dependency
    _inflate_lib = zlib  # type: ignore[misc]  # same API, other module

GZIP_MAGIC = b"\x1f\x8b"
_GZIP_ONLY = 31  # 16 + MAX_WBITS: a gzip wrapper and nothing else
_CHUNK = 1 << 20  # compressed bytes fed per step
_OUT_CHUNK = 4 << 20  # inflated bytes produced per step: one step of a bomb stays small


@dataclass(frozen=True, slots=True)
class Inflated:
    """Outcome of strictly inflating one object.  `problem` is None when the
    bytes are exactly one complete gzip member; else (status, detail)."""

    sha256: str = ""
    data: bytes | None = None
    problem: tuple[Status, str] | None = None


def _problem(status: Status, detail: str) -> Inflated:
    return Inflated(problem=(status, detail))


def inflate_strict(data: bytes, keep: bool = True, limit: int | None = None) -> Inflated:
    """Inflate one gzip member and hash the result.

    keep=False hashes while streaming and does not keep the inflated bytes
    (log files can be large; only their hash matters).  At most `limit` bytes
    (TRAILTUI_MAX_INFLATED_MB by default) are inflated, `_OUT_CHUNK` at a time,
    so a gzip bomb posing as a log or a digest costs bounded memory and time."""
    if data[:2] != GZIP_MAGIC:
        what = "empty file" if not data else "not gzip (stored uncompressed?)"
        return _problem(Status.BAD_FORMAT, what)
    cap = current_limits().max_inflated if limit is None else limit
    inflater = _inflate_lib.decompressobj(_GZIP_ONLY)
    digest = hashlib.sha256()
    parts: list[bytes] = []
    total = 0
    offset = 0
    try:
        for offset in range(0, len(data), _CHUNK):
            pending = data[offset:offset + _CHUNK]
            while pending and not inflater.eof:
                out = inflater.decompress(pending, _OUT_CHUNK)
                total += len(out)
                if total > cap:
                    return _problem(Status.BAD_FORMAT,
                                    f"inflates to more than {megabytes(cap)} (TRAILTUI_MAX_INFLATED_MB): not read")
                digest.update(out)
                if keep:
                    parts.append(out)
                pending = inflater.unconsumed_tail
            if inflater.eof:
                break
        tail = inflater.flush()
    except Exception as exc:  # noqa: BLE001 - zlib.error / isal's IsalError: corrupt stream
        return _problem(Status.BAD_FORMAT, f"corrupt gzip data ({exc})")
    if tail:
        digest.update(tail)
        if keep:
            parts.append(tail)
    if not inflater.eof:
        return _problem(Status.BAD_FORMAT, "truncated gzip data")
    never_fed = max(0, len(data) - (offset + _CHUNK))  # input after the chunk where the member ended
    trailing = len(inflater.unused_data) + never_fed
    if trailing:
        return _problem(Status.TRAILING_DATA, f"{trailing} byte(s) after the end of the gzip member")
    return Inflated(sha256=digest.hexdigest(), data=b"".join(parts) if keep else None)


def check_log_bytes(data: bytes | None, expected_sha256: str) -> tuple[Status, str]:
    """The verdict on one log file's bytes against the hash its digest lists."""
    if data is None:
        return Status.MISSING, "not found"
    inflated = inflate_strict(data, keep=False)
    if inflated.problem is not None:
        return inflated.problem
    if inflated.sha256 != expected_sha256.strip().lower():
        return Status.HASH_MISMATCH, f"SHA-256 {inflated.sha256} != {expected_sha256} listed in its digest"
    return Status.VALID, ""
