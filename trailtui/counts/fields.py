"""Short names for the fields analysts count by most (`--by ip`, `--by principal`).

A short name stands for a JMESPath expression; anything that is not a short
name is taken as an expression itself.  To count a field whose name is also a
short name, write it as `@.name`.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GroupField:
    """A named field: `names` as typed on the command line, `label` as shown in
    the console's menu, `expression` the JMESPath it counts by."""

    names: tuple[str, ...]
    label: str
    expression: str


# The order is the console's menu order.  `principal` follows the pivot's
# choice of identity field: the ARN, else the principal id, else the service.
FIELDS: tuple[GroupField, ...] = (
    GroupField(("principal",), "principal",
               "userIdentity.arn || userIdentity.principalId || userIdentity.invokedBy"),
    GroupField(("key", "access-key"), "access key", "userIdentity.accessKeyId"),
    GroupField(("ip", "source-ip"), "source IP", "sourceIPAddress"),
    GroupField(("event", "event-name"), "event name", "eventName"),
    GroupField(("source", "service", "event-source"), "event source", "eventSource"),
    GroupField(("account",), "account", "recipientAccountId"),
    GroupField(("region",), "region", "awsRegion"),
    GroupField(("error", "error-code"), "error code", "errorCode"),
    GroupField(("agent", "user-agent"), "user agent", "userAgent"),
    GroupField(("type", "identity-type"), "identity type", "userIdentity.type"),
    GroupField(("user",), "user name", "userIdentity.userName"),
    GroupField(("role",), "role (session issuer)", "userIdentity.sessionContext.sessionIssuer.arn"),
)

_BY_NAME = {name: field for field in FIELDS for name in field.names}


def resolve_field(text: str) -> GroupField:
    """The short name's field, or an ad-hoc field for an expression."""
    stripped = text.strip()
    known = _BY_NAME.get(stripped.lower())
    if known is not None:
        return known
    return GroupField((stripped,), stripped, stripped)


def field_by_label(label: str) -> GroupField | None:
    for field in FIELDS:
        if field.label == label:
            return field
    return None
