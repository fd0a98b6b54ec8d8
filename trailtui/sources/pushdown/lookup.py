"""JMESPath filter -> the one LookupAttribute LookupEvents accepts.

LookupEvents takes at most one attribute per call.  Only a top-level `&&`
operand of the form `path == 'value'` implies an attribute (anything under
`||` or `!` does not), and the most selective one wins.  The full filter is
still applied to every event that comes back.
"""

from __future__ import annotations

from dataclasses import dataclass

from trailtui.filters import EventFilter
from trailtui.sources.pushdown.tree import conjuncts, path_and_literal

# Most selective first.  Username: for the principals that carry
# `userIdentity.userName` (IAM users, Identity Center users) Event history's
# user name is that same value.
_ATTRIBUTES: tuple[tuple[tuple[str, ...], str], ...] = (
    (("eventID",), "EventId"),
    (("userIdentity", "accessKeyId"), "AccessKeyId"),
    (("userIdentity", "userName"), "Username"),
    (("eventName",), "EventName"),
    (("eventSource",), "EventSource"),
    (("readOnly",), "ReadOnly"),
)
_RANK = {key: rank for rank, (_, key) in enumerate(_ATTRIBUTES)}
_BY_PATH = dict(_ATTRIBUTES)
MAX_VALUE_CHARS = 2000


@dataclass(frozen=True, slots=True)
class LookupAttribute:
    key: str
    value: str

    def as_request(self) -> dict[str, str]:
        return {"AttributeKey": self.key, "AttributeValue": self.value}


def choose_lookup_attribute(flt: EventFilter) -> LookupAttribute | None:
    """The most selective attribute the filter implies, or None."""
    best: LookupAttribute | None = None
    for node in conjuncts(flt.ast):
        if node.get("type") != "comparator" or node.get("value") != "eq":
            continue
        found = path_and_literal(node)
        if found is None:
            continue
        path, value, _ = found
        key = _BY_PATH.get(path)
        if key is None:
            continue
        if key == "ReadOnly":
            if not isinstance(value, bool):
                continue
            value = "true" if value else "false"
        if not isinstance(value, str) or not 1 <= len(value) <= MAX_VALUE_CHARS:
            continue
        candidate = LookupAttribute(key, value)
        if best is None or _RANK[key] < _RANK[best.key]:
            best = candidate
    return best
