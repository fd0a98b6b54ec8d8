"""What verification concludes: one `IntegrityResult` per digest and per log
file, and the status words of the `trailtui verify` interface.

The status words are an interface (CLI text, JSON, the TUI pane): never rename
them.  `GAP` is information (CloudTrail delivered nothing for a while); every
other non-VALID status makes the run fail, except an UNSIGNED newest digest in
a copy that never had signature metadata (see `IntegrityResult.tolerated`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

Kind = Literal["digest", "log"]


class Status(StrEnum):
    VALID = "VALID"
    MISSING = "MISSING"
    BAD_FORMAT = "BAD_FORMAT"
    BAD_SIGNATURE = "BAD_SIGNATURE"
    MOVED = "MOVED"
    KEY_NOT_FOUND = "KEY_NOT_FOUND"
    HASH_MISMATCH = "HASH_MISMATCH"
    TRAILING_DATA = "TRAILING_DATA"
    CHAIN_MISMATCH = "CHAIN_MISMATCH"
    UNVERIFIED = "UNVERIFIED"
    TAIL_MISSING = "TAIL_MISSING"
    UNSIGNED = "UNSIGNED"
    GAP = "GAP"


@dataclass(frozen=True, slots=True)
class IntegrityResult:
    """The verdict on one object.

    `location` is `s3://bucket/key` for S3 sources and the file path for local
    ones.  `tolerated` marks the one non-VALID verdict that does not fail a
    run: the newest digest of a chain left UNSIGNED because the copy carries no
    signature metadata at all (nothing newer can vouch for it)."""

    kind: Kind
    location: str
    status: Status
    detail: str = ""
    tolerated: bool = False
    backfill: bool = False

    @property
    def failed(self) -> bool:
        """True when this verdict makes `trailtui verify` exit 1."""
        return self.status not in (Status.VALID, Status.GAP) and not self.tolerated

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "location": self.location, "status": self.status.value, "detail": self.detail}
