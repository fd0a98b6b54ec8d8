"""Indicators of an incident, gathered from events as they stream past: who
(principals, access keys), from where (source IPs, user agents), what was
created (IAM users, access keys, roles, login profiles) and which accounts
were touched.  Each value keeps its count and first and last time; memory is
bounded per kind (`SeenCounter`), whatever the number of events.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from trailtui.events import EPOCH, Event
from trailtui.record_fields import text_at

SEEN_LIMIT = 20_000  # distinct values kept per kind before the rarest are forgotten


@dataclass(slots=True)
class Seen:
    count: int = 0
    first: datetime | None = None
    last: datetime | None = None


class SeenCounter:
    """Values with count and first/last time.  Past `limit` distinct values it
    forgets the rarer half (and says `approximate`), so a trail with a million
    source IPs cannot exhaust memory; exact while the values stay fewer."""

    def __init__(self, limit: int = SEEN_LIMIT) -> None:
        self.limit = limit
        self.values: dict[str, Seen] = {}
        self.approximate = False

    def add(self, key: str, when: datetime | None) -> None:
        """Count `key` once; `when` is None for an event without a readable time."""
        seen = self.values.get(key)
        if seen is None:
            self.values[key] = Seen(1, when, when)
            if len(self.values) > self.limit:
                self.approximate = True
                keep = sorted(self.values.items(), key=lambda item: -item[1].count)[: self.limit // 2]
                self.values = dict(keep)
            return
        seen.count += 1
        if when is not None:
            if seen.first is None or when < seen.first:
                seen.first = when
            if seen.last is None or when > seen.last:
                seen.last = when

    def top(self, n: int) -> list[tuple[str, Seen]]:
        """Most frequent first; equal counts in order of first appearance."""
        return sorted(self.values.items(), key=lambda item: -item[1].count)[:n]

    def __len__(self) -> int:
        return len(self.values)


# (kind shown in the report, the event that creates it)
CREATED_KINDS = {
    "CreateUser": "user created",
    "CreateAccessKey": "access key created",
    "CreateRole": "role created",
    "CreateLoginProfile": "login profile created",
}


def created_identity(event: Event) -> tuple[str, str] | None:
    """(kind, what) for a successful IAM call that created a user, an access
    key, a role or a console password; None for anything else.  Names come
    from requestParameters, falling back to responseElements."""
    kind = CREATED_KINDS.get(event.event_name)
    if kind is None or event.event_source != "iam.amazonaws.com" or event.error_code:
        return None
    request, response = event.raw.get("requestParameters"), event.raw.get("responseElements")
    if event.event_name == "CreateAccessKey":
        key = text_at(response, "accessKey", "accessKeyId")
        user = text_at(response, "accessKey", "userName") or text_at(request, "userName")
        what = f"{key or '(key id not recorded)'} for user {user}" if user else key or "(key id not recorded)"
        return kind, what
    if event.event_name == "CreateRole":
        role = text_at(request, "roleName") or text_at(response, "role", "roleName")
        return kind, role or text_at(response, "role", "arn")
    if event.event_name == "CreateLoginProfile":
        user = text_at(request, "userName") or text_at(response, "loginProfile", "userName")
        return kind, f"for user {user}" if user else "for the calling user"
    user = text_at(request, "userName") or text_at(response, "user", "userName")
    return kind, user or text_at(response, "user", "arn")


def account_of(event: Event) -> str:
    """The account the event happened in: recipientAccountId, else the caller's."""
    return event.field("recipientAccountId") or text_at(event.raw.get("userIdentity"), "accountId")


KINDS = ("principal", "access key", "source IP", "user agent", "user created", "access key created",
         "role created", "login profile created", "account")


class Indicators:
    """One `SeenCounter` per kind, in the order the report lists them."""

    def __init__(self, limit: int = SEEN_LIMIT) -> None:
        self.kinds: dict[str, SeenCounter] = {kind: SeenCounter(limit) for kind in KINDS}
        self.regions = SeenCounter(limit)

    def add(self, event: Event) -> None:
        when = event.time if event.time != EPOCH else None
        self.kinds["principal"].add(event.principal, when)
        if event.access_key:
            self.kinds["access key"].add(event.access_key, when)
        self.kinds["source IP"].add(event.source_ip or "(none)", when)
        agent = event.field("userAgent")
        if agent:
            self.kinds["user agent"].add(agent, when)
        created = created_identity(event)
        if created is not None:
            self.kinds[created[0]].add(created[1] or "(name not recorded)", when)
        account = account_of(event)
        if account:
            self.kinds["account"].add(account, when)
        if event.region:
            self.regions.add(event.region, when)

    def rows(self, per_kind: int) -> Iterator[tuple[str, str, Seen, bool]]:
        """(kind, value, seen, approximate) for the top `per_kind` of each kind."""
        for kind, counter in self.kinds.items():
            for value, seen in counter.top(per_kind):
                yield kind, value, seen, counter.approximate
