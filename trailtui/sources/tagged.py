"""Rows of a statement that selects whole events plus one text column: what
compiled hunts (`trailtui.hunts.sql`) get back from Athena and CloudTrail Lake.

Each row is the CloudTrail record (rebuilt from Athena's columns, or Lake's
`eventjson`) and the text of the extra column.  The last part carries the
bytes the server scanned (Athena's DataScannedInBytes, Lake's BytesScanned),
which is what a query is billed on.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trailtui.sources.base import Problem


@dataclass(slots=True)
class TaggedRows:
    """One batch: (record or None when unreadable, tag) per row; `status` for
    the status line while the query runs; `scanned_bytes` once it is known."""

    rows: list[tuple[dict[str, Any] | None, str]] = field(default_factory=list)
    location: str = ""
    problems: list[Problem] = field(default_factory=list)
    status: str = ""
    scanned_bytes: int | None = None
