"""Pivots: "show me everything else this principal / key / IP / session did".

A pivot is a filter clause (or a time window) taken from one event.  Values come
from the event, so they are attacker-controlled: they are embedded in JMESPath
as literals that cannot be escaped out of (a raw string when that is exact, a
JSON literal otherwise).  Pure Python, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from trailtui.chains import key_of_event
from trailtui.events import Event, parse_event_time, principal_label
from trailtui.filters.literal import jmespath_literal
from trailtui.timerange import TimeRange

WINDOW = timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class Pivot:
    """One step of the pivot stack.  `label` is raw text (escape it to show it)."""

    kind: str
    label: str  # for breadcrumbs: "ip 203.0.113.7"
    expression: str | None = None
    time_range: TimeRange | None = None
    value: str = ""  # for the menu: "203.0.113.7"
    access_key: str = ""  # the credential chain pivot opens the chain of this key instead of filtering


CHAIN = "credential chain"


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _identity(raw: dict[str, Any]) -> dict[str, Any]:
    identity = raw.get("userIdentity")
    return identity if isinstance(identity, dict) else {}


def principal_pivot(raw: dict[str, Any]) -> Pivot | None:
    identity = _identity(raw)
    label = principal_label(identity) if identity else None
    for path in ("arn", "principalId", "invokedBy"):
        value = _text(identity.get(path))
        if value:
            shown = label or value
            return Pivot("principal", f"principal {shown}", f"userIdentity.{path} == {jmespath_literal(value)}",
                         value=f"{shown}  ({path} {value})" if shown != value else value)
    return None


def access_key_pivot(raw: dict[str, Any]) -> Pivot | None:
    key = _text(_identity(raw).get("accessKeyId"))
    if not key:
        return None
    return Pivot("access key", f"key {key}", f"userIdentity.accessKeyId == {jmespath_literal(key)}", value=key)


def source_ip_pivot(raw: dict[str, Any]) -> Pivot | None:
    address = _text(raw.get("sourceIPAddress"))
    if not address:
        return None
    return Pivot("source IP", f"ip {address}", f"sourceIPAddress == {jmespath_literal(address)}", value=address)


def event_name_pivot(raw: dict[str, Any]) -> Pivot | None:
    name = _text(raw.get("eventName"))
    if not name:
        return None
    return Pivot("event name", f"event {name}", f"eventName == {jmespath_literal(name)}", value=name)


def session_pivot(raw: dict[str, Any]) -> Pivot | None:
    """One sign-in / role session: the principal id plus the session's creation
    date when CloudTrail records them, else a temporary (ASIA...) access key."""
    identity = _identity(raw)
    context = identity.get("sessionContext")
    attributes = context.get("attributes") if isinstance(context, dict) else None
    created = _text(attributes.get("creationDate")) if isinstance(attributes, dict) else None
    principal_id = _text(identity.get("principalId"))
    label = principal_label(identity)
    if created and principal_id:
        expression = (f"userIdentity.principalId == {jmespath_literal(principal_id)} && "
                      f"userIdentity.sessionContext.attributes.creationDate == {jmespath_literal(created)}")
        return Pivot("session", f"session {label} @ {created}", expression, value=f"{label} created {created}")
    key = _text(identity.get("accessKeyId"))
    if key and key.startswith("ASIA"):
        return Pivot("session", f"session {key}", f"userIdentity.accessKeyId == {jmespath_literal(key)}",
                     value=f"temporary key {key}")
    return None


def window_pivot(raw: dict[str, Any], window: timedelta = WINDOW) -> Pivot | None:
    when = parse_event_time(raw.get("eventTime"))
    if when is None:
        return None
    minutes = int(window.total_seconds() // 60)
    return Pivot("time window", f"±{minutes}m {when:%Y-%m-%d %H:%M:%S}Z", None,
                 TimeRange(when - window, when + window), value=f"±{minutes} minutes around {when:%Y-%m-%d %H:%M:%S}Z")


def chain_pivot(raw: dict[str, Any]) -> Pivot | None:
    """Who is behind the event's key: opens the chain screen (no filter of its own)."""
    key = key_of_event(Event.from_raw(raw))
    if not key:
        return None
    return Pivot(CHAIN, f"chain {key}", None, value=f"origin, sessions and keys of {key}", access_key=key)


PIVOT_BUILDERS = (
    principal_pivot,
    access_key_pivot,
    source_ip_pivot,
    event_name_pivot,
    session_pivot,
    window_pivot,
    chain_pivot,
)


def pivot_options(raw: dict[str, Any]) -> list[Pivot]:
    """Every pivot this event supports, in menu order."""
    found = (build(raw) for build in PIVOT_BUILDERS)
    return [pivot for pivot in found if pivot is not None]
