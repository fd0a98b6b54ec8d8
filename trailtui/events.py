"""The CloudTrail event model.

An `Event` wraps the raw record exactly as it was recorded (a dict decoded from the
log file, never rewritten) and derives the few labels every face of trailtui needs:
the event time, a short principal label, the access key.  The raw record is the
truth; the labels are conveniences computed from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson

from trailtui.instant import BadTime, instant_or_none, read_instant, shown
from trailtui.record_fields import as_text, string_at, text_at

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_event_time(value: Any) -> datetime | None:
    """Parse CloudTrail's `eventTime` (`2024-03-01T00:13:07Z`, optionally with
    fractional seconds or an explicit offset) to an aware UTC datetime.

    Returns None for anything unreadable or outside the years trailtui holds
    (`trailtui.instant`), so one odd record never stops a scan.
    """
    return instant_or_none(value)


def event_time_problem(value: Any) -> str:
    """Why `eventTime` cannot be read, in a few words (for a skipped record's line)."""
    try:
        read_instant(value)
    except BadTime as exc:
        return f"eventTime {exc}"
    return "eventTime is readable"


def record_label(raw: dict[str, Any], number: int | None = None) -> str:
    """`record 3 (eventID 'abc')`: which record of its file or response, for
    one-line problems (`number` counts from 1; None when unknown)."""
    event_id = raw.get("eventID")
    where = "record" if number is None else f"record {number}"
    return f"{where} (eventID {shown(event_id)})" if isinstance(event_id, str) else where


def _last_segment(arn: str) -> str:
    return arn.split(":", 5)[-1] if arn.count(":") >= 5 else arn


def _assumed_role_label(identity: Any) -> str | None:
    """`role/session` from an AssumedRole ARN (`arn:aws:sts::1:assumed-role/R/S`)
    or, failing that, from sessionContext.sessionIssuer."""
    arn = string_at(identity, "arn")
    if arn and ":assumed-role/" in arn:
        rest = arn.split(":assumed-role/", 1)[1]
        role, _, session = rest.partition("/")
        return f"{role}/{session}" if session else role
    name = string_at(identity, "sessionContext", "sessionIssuer", "userName")
    if name:
        principal = string_at(identity, "principalId") or ""
        session = principal.split(":", 1)[1] if ":" in principal else ""
        return f"{name}/{session}" if session else name
    return None


def principal_label(identity: Any) -> str:
    """A short, stable label for who acted, for every `userIdentity.type`.

    Stable means: the same principal always gets the same label, so pivots and
    group-bys work on it.  Every branch falls back to something present in the
    record rather than to an empty string; any field may hold any JSON type
    (read through `trailtui.record_fields`, so no shape raises).
    """
    if not isinstance(identity, dict):
        return "unknown"
    kind = identity.get("type")
    arn = string_at(identity, "arn")
    user = string_at(identity, "userName")
    principal = text_at(identity, "principalId")
    account = text_at(identity, "accountId")
    if kind == "Root":
        return f"root@{account}" if account else "root"
    if kind == "IAMUser":
        if user:
            return f"user/{user}"
        if arn:
            return _last_segment(arn)
        return f"user/{principal}" if principal else "iam-user"
    if kind == "AssumedRole":
        label = _assumed_role_label(identity)
        if label:
            return f"role/{label}"
    if kind == "FederatedUser":
        if arn and ":federated-user/" in arn:
            return "federated/" + arn.split(":federated-user/", 1)[1]
        issuer = string_at(identity, "sessionContext", "sessionIssuer", "userName")
        if issuer:
            return f"federated/{issuer}"
    if kind == "AWSService":
        return text_at(identity, "invokedBy") or "aws-service"
    if kind == "AWSAccount":
        return f"account/{account or principal or '?'}"
    if kind == "IdentityCenterUser":
        return f"sso/{user or text_at(identity, 'onBehalfOf', 'userId') or principal or '?'}"
    if kind in ("SAMLUser", "WebIdentityUser"):
        prefix = "saml" if kind == "SAMLUser" else "web"
        name = user or principal or "?"
        provider = text_at(identity, "identityProvider")
        return f"{prefix}/{name}" if not provider else f"{prefix}/{name}@{_short_provider(provider)}"
    if arn:
        return _last_segment(arn)
    if user:
        return user
    invoked = text_at(identity, "invokedBy")
    if invoked:
        return invoked
    if principal:
        return principal
    return as_text(kind).lower() or "unknown"


def _short_provider(provider: str) -> str:
    return provider.rsplit("/", 1)[-1] if "/" in provider else provider


@dataclass(slots=True)
class Event:
    """One CloudTrail record plus derived labels.

    `raw` is never modified.  `location` says where the record came from (a file
    path, an S3 URL, a query id) so problems and details can point back to it.
    """

    raw: dict[str, Any]
    location: str = ""
    time: datetime = field(default=EPOCH)
    principal: str = ""
    access_key: str = ""

    @classmethod
    def from_raw(cls, raw: dict[str, Any], location: str = "", time: datetime | None = None) -> Event:
        """The event for a decoded record; `time` when the caller already parsed
        `eventTime` (EPOCH stands for a time that cannot be read)."""
        identity = raw.get("userIdentity")
        return cls(
            raw=raw,
            location=location,
            time=time or parse_event_time(raw.get("eventTime")) or EPOCH,
            principal=principal_label(identity),
            access_key=string_at(identity, "accessKeyId") or "",
        )

    def field(self, name: str) -> str:
        """A top-level field as text: a string as is, a number or boolean as its
        JSON text, '' when it is missing, null, an object or a list."""
        return as_text(self.raw.get(name))

    @property
    def event_id(self) -> str:
        return self.field("eventID")

    @property
    def event_source(self) -> str:
        return self.field("eventSource")

    @property
    def event_name(self) -> str:
        return self.field("eventName")

    @property
    def source_ip(self) -> str:
        return self.field("sourceIPAddress")

    @property
    def region(self) -> str:
        return self.field("awsRegion")

    @property
    def error_code(self) -> str:
        return self.field("errorCode")

    @property
    def short_source(self) -> str:
        """`iam` for `iam.amazonaws.com`: what fits in a narrow column."""
        return self.event_source.removesuffix(".amazonaws.com")


_RAW = Event.__dict__["raw"]  # the slot behind Event.raw


class TextEvent(Event):
    """An event given back as the JSON text it was kept as (compact, exactly as
    orjson wrote the record) with its labels already known: the record is
    decoded on first use.  An answer that prints records as they are (`hunt
    --format jsonl`, from kept findings) never builds tens of thousands of
    them; anything that reads `raw` gets the same record as ever."""

    __slots__ = ("text",)

    def __init__(self, text: bytes | memoryview, location: str, time: datetime, principal: str,
                 access_key: str) -> None:
        self.text = text
        self.location = location
        self.time = time
        self.principal = principal
        self.access_key = access_key

    @property  # a field of Event, computed here
    def raw(self) -> dict[str, Any]:
        try:
            found: dict[str, Any] = _RAW.__get__(self, TextEvent)
        except AttributeError:
            decoded = orjson.loads(self.text)
            if type(decoded) is not dict:
                raise ValueError("kept event text is not a record") from None
            _RAW.__set__(self, decoded)
            found = decoded
        return found

    @raw.setter
    def raw(self, value: dict[str, Any]) -> None:
        _RAW.__set__(self, value)


def event_text(event: Event) -> bytes | memoryview | None:
    """The record's compact JSON as orjson writes it, when the event was given
    back as text (`TextEvent`); None otherwise."""
    return event.text if isinstance(event, TextEvent) else None


def is_cloudtrail_record(value: Any) -> bool:
    """True for something shaped like a CloudTrail record (not a digest, not an
    arbitrary JSON object): it must name an event and when it happened."""
    return isinstance(value, dict) and "eventTime" in value and ("eventName" in value or "eventSource" in value)
