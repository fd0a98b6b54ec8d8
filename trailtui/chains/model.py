"""A resolved credential chain as values: its origin, the links from the
origin down to the key asked about and on below it, and how each key was used.

`as_json` is the interface of `trailtui chain --format json`; its keys are fixed.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

ORIGIN_KINDS = ("long-term-key", "console-sign-in", "saml", "web-identity", "aws-service", "unknown")


def iso(when: datetime | None) -> str | None:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ") if when is not None else None


@dataclass(frozen=True, slots=True)
class Origin:
    """Where a chain starts.  `note` says why when the kind is `unknown`."""

    kind: str
    principal: str = ""
    access_key: str = ""
    source_ip: str = ""
    event_id: str = ""
    time: datetime | None = None
    note: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "principal": self.principal, "access_key": self.access_key,
                "source_ip": self.source_ip, "event_id": self.event_id, "time": iso(self.time)}


@dataclass(frozen=True, slots=True)
class Link:
    """One key and the event that issued it.  `issuer_key` is the key the
    issuing call was made with ('' when the origin issued it without one)."""

    access_key: str
    issued_by_event_id: str
    issued_at: datetime
    issuer_principal: str
    issuer_source_ip: str
    role_arn: str
    session_name: str
    source_identity: str = ""
    issuer_key: str = ""
    event_name: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"access_key": self.access_key, "issued_by_event_id": self.issued_by_event_id,
                "issued_at": iso(self.issued_at), "issuer_principal": self.issuer_principal,
                "issuer_source_ip": self.issuer_source_ip, "role_arn": self.role_arn,
                "session_name": self.session_name}


@dataclass(frozen=True, slots=True)
class KeySummary:
    events: int
    first: datetime | None
    last: datetime | None
    source_ips: tuple[str, ...]
    principal: str = ""

    def as_json(self) -> dict[str, Any]:
        return {"events": self.events, "first": iso(self.first), "last": iso(self.last),
                "source_ips": list(self.source_ips)}


@dataclass(frozen=True, slots=True)
class Chain:
    """`path` runs from the origin to `start_key` (oldest first); `forward` holds
    every key issued below `start_key`, breadth first, each after its issuer."""

    start_key: str
    origin: Origin
    path: tuple[Link, ...] = ()
    forward: tuple[Link, ...] = ()
    keys: dict[str, KeySummary] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    @property
    def links(self) -> tuple[Link, ...]:
        return self.path + self.forward

    def children(self, issuer_key: str) -> Iterator[Link]:
        """Links issued by calls made with `issuer_key` ('' for the origin's own issues)."""
        for link in self.links:
            if link.issuer_key == issuer_key:
                yield link

    def roots(self) -> list[Link]:
        """The links directly under the origin."""
        if self.origin.access_key:
            return list(self.children(self.origin.access_key))
        return list(self.path[:1])

    def keys_below(self, key: str) -> list[str]:
        """`key` and every key issued under it within this chain."""
        out = [key]
        seen = {key}
        for current in out:
            for link in self.children(current):
                if link.access_key not in seen:
                    seen.add(link.access_key)
                    out.append(link.access_key)
        return out

    def as_json(self) -> dict[str, Any]:
        return {"origin": self.origin.as_json(), "links": [link.as_json() for link in self.links],
                "keys": {key: summary.as_json() for key, summary in self.keys.items()}}
