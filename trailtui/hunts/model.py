"""What a hunt is: a named JMESPath predicate, optionally counted per principal
(threshold), chained to a second predicate (sequence), checked for access
granted outside the known accounts (outside) or compared with a baseline of
what each principal did before (first_seen).

Hunts are values.  The same `filter` text a hunt runs is what the event browser
applies when the analyst opens the hunt, so a hunt never sees events the browser
would hide, and the other way round.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from trailtui.filters import EventFilter

SEVERITIES = ("low", "medium", "high", "critical")
SEVERITY_RANK = {name: rank for rank, name in enumerate(SEVERITIES)}

# Built-in ways to group events for thresholds and sequences; anything else is
# read as a JMESPath expression over the raw event.
GROUP_KEYS = ("principal", "access_key", "source_ip", "account")

_WINDOW = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_window(text: str) -> timedelta:
    """`30s`, `10m`, `1h`, `2d` -> timedelta.  Raises ValueError with the
    accepted forms, so a catalogue typo says what to write instead."""
    match = _WINDOW.match(text) if isinstance(text, str) else None
    if not match or int(match.group(1)) <= 0:
        raise ValueError(f"window {text!r} is not a positive duration like 30s, 10m, 1h or 2d")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def describe_window(window: timedelta) -> str:
    seconds = int(window.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


@dataclass(frozen=True, slots=True)
class Threshold:
    """Fire when one group (by default one principal) has at least `count`
    matching events -- or `count` distinct values of `distinct` -- inside any
    `window`-long stretch of time."""

    count: int
    window: timedelta
    by: str = "principal"
    distinct: EventFilter | None = None

    def describe(self) -> str:
        what = f"distinct {self.distinct.text}" if self.distinct is not None else "events"
        return f">= {self.count} {what} per {self.by} within {describe_window(self.window)}"


@dataclass(frozen=True, slots=True)
class Sequence:
    """Fire when an event matching the hunt's filter (A) is followed, by the same
    group, by an event matching `then` (B) no later than `window` after A."""

    then: EventFilter
    window: timedelta
    by: str = "principal"

    def describe(self) -> str:
        return f"then {self.then.text} by the same {self.by} within {describe_window(self.window)}"


@dataclass(frozen=True, slots=True)
class RuleOrigin:
    """Where a hunt that is not built in came from (a Sigma rule): kept so every
    hit can name the rule's own id, author and references."""

    kind: str
    rule_id: str
    author: str
    path: str
    references: tuple[str, ...] = ()

    def as_json(self) -> dict[str, object]:
        return {"kind": self.kind, "id": self.rule_id, "author": self.author, "path": self.path,
                "references": list(self.references)}


@dataclass(frozen=True, slots=True)
class Outside:
    """Fire when the policy or principals that `policy` selects from the record
    let in everyone ('*' with no narrowing condition) or an account outside the
    known ones (see accounts.py and policies.py)."""

    policy: EventFilter

    def describe(self) -> str:
        return f"{self.policy.text} grants access outside the known accounts"


# What a first-seen hunt compares with the baseline: built-in names, or a JMESPath expression.
NOVELTY_KINDS = ("api", "network", "region", "user_agent")


@dataclass(frozen=True, slots=True)
class FirstSeen:
    """Fire once per (group, value) seen in the recent part of the range but
    never in the baseline, for groups active in the baseline.  The baseline is
    everything older than `recent` before the newest event, or an explicit
    range given at run time."""

    of: str
    recent: timedelta
    by: str = "principal"

    def describe(self) -> str:
        return f"first {self.of} per {self.by} in the last {describe_window(self.recent)} not seen in the baseline"


# What a chain hunt checks once the credential chains of the range are known.
CHAIN_CHECKS = {
    "instance-credentials-off-instance": "credentials EC2 issued to an instance used from an address the "
                                         "instance's own calls never used",
    "role-outside-organisation": "a credential chain reaching a role in an account outside the known accounts",
}


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """A hunt over credential chains (trailtui.chains): judged at the end of the
    scan, when every issuing event and every use of a key in the range is known."""

    check: str

    def describe(self) -> str:
        return CHAIN_CHECKS.get(self.check, self.check)


@dataclass(frozen=True, slots=True)
class Hunt:
    id: str
    title: str
    severity: str
    technique: str
    why: str
    filter: EventFilter
    threshold: Threshold | None = None
    sequence: Sequence | None = None
    origin: RuleOrigin | None = None
    outside: Outside | None = None
    first_seen: FirstSeen | None = None
    chain: ChainCheck | None = None

    @property
    def kind(self) -> str:
        if self.threshold is not None:
            return "threshold"
        if self.sequence is not None:
            return "sequence"
        if self.outside is not None:
            return "outside"
        if self.first_seen is not None:
            return "first-seen"
        if self.chain is not None:
            return "chain"
        return "predicate"

    @property
    def browser_filter(self) -> str:
        """The filter the event browser applies when the analyst opens this hunt:
        the predicate, plus the second step of a sequence so both are visible."""
        if self.sequence is None:
            return self.filter.text
        return f"({self.filter.text}) || ({self.sequence.then.text})"

    @property
    def rule(self) -> str:
        """One line saying when the hunt fires, beyond its predicate."""
        if self.threshold is not None:
            return self.threshold.describe()
        if self.sequence is not None:
            return self.sequence.describe()
        if self.outside is not None:
            return self.outside.describe()
        if self.first_seen is not None:
            return self.first_seen.describe()
        if self.chain is not None:
            return self.chain.describe()
        return "every matching event"

    @property
    def rank(self) -> int:
        """Higher is more severe; for sorting."""
        return SEVERITY_RANK.get(self.severity, 0)
