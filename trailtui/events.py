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

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_event_time(value: Any) -> datetime | None:
    """Parse CloudTrail's `eventTime` (`2024-03-01T00:13:07Z`, optionally with
    fractional seconds or an explicit offset) to an aware UTC datetime.

    Returns None for anything unparseable so one odd record never stops a scan.
    """
    if not isinstance(value, str) or len(value) < 19:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _last_segment(arn: str) -> str:
    return arn.split(":", 5)[-1] if arn.count(":") >= 5 else arn


def _assumed_role_label(identity: dict[str, Any]) -> str | None:
    """`role/session` from an AssumedRole ARN (`arn:aws:sts::1:assumed-role/R/S`)
    or, failing that, from sessionContext.sessionIssuer."""
    arn = identity.get("arn")
    if isinstance(arn, str) and ":assumed-role/" in arn:
        rest = arn.split(":assumed-role/", 1)[1]
        role, _, session = rest.partition("/")
        return f"{role}/{session}" if session else role
    issuer = (identity.get("sessionContext") or {}).get("sessionIssuer") or {}
    name = issuer.get("userName") if isinstance(issuer, dict) else None
    if isinstance(name, str) and name:
        session = identity.get("principalId", "")
        session = session.split(":", 1)[1] if isinstance(session, str) and ":" in session else ""
        return f"{name}/{session}" if session else name
    return None


def principal_label(identity: Any) -> str:
    """A short, stable label for who acted, for every `userIdentity.type`.

    Stable means: the same principal always gets the same label, so pivots and
    group-bys work on it.  Every branch falls back to something present in the
    record rather than to an empty string.
    """
    if not isinstance(identity, dict):
        return "unknown"
    kind = identity.get("type")
    found_arn, found_user = identity.get("arn"), identity.get("userName")
    arn = found_arn if isinstance(found_arn, str) else None
    user = found_user if isinstance(found_user, str) else None
    if kind == "Root":
        return "root" if not identity.get("accountId") else f"root@{identity['accountId']}"
    if kind == "IAMUser":
        if user:
            return f"user/{user}"
        if arn:
            return _last_segment(arn)
        pid = identity.get("principalId")
        return f"user/{pid}" if pid else "iam-user"
    if kind == "AssumedRole":
        label = _assumed_role_label(identity)
        if label:
            return f"role/{label}"
    if kind == "FederatedUser":
        if arn and ":federated-user/" in arn:
            return "federated/" + arn.split(":federated-user/", 1)[1]
        issuer = ((identity.get("sessionContext") or {}).get("sessionIssuer") or {})
        if isinstance(issuer, dict) and issuer.get("userName"):
            return f"federated/{issuer['userName']}"
    if kind == "AWSService":
        invoked = identity.get("invokedBy")
        return str(invoked) if invoked else "aws-service"
    if kind == "AWSAccount":
        account = identity.get("accountId") or identity.get("principalId") or "?"
        return f"account/{account}"
    if kind == "IdentityCenterUser":
        ctx = identity.get("onBehalfOf") or {}
        uid = ctx.get("userId") if isinstance(ctx, dict) else None
        return f"sso/{user or uid or identity.get('principalId') or '?'}"
    if kind in ("SAMLUser", "WebIdentityUser"):
        prefix = "saml" if kind == "SAMLUser" else "web"
        name = user or identity.get("principalId") or "?"
        provider = identity.get("identityProvider")
        return f"{prefix}/{name}" if not provider else f"{prefix}/{name}@{_short_provider(provider)}"
    if arn:
        return _last_segment(arn)
    if user:
        return user
    invoked = identity.get("invokedBy")
    if invoked:
        return str(invoked)
    pid = identity.get("principalId")
    if pid:
        return str(pid)
    return str(kind).lower() if kind else "unknown"


def _short_provider(provider: Any) -> str:
    text = str(provider)
    return text.rsplit("/", 1)[-1] if "/" in text else text


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
    def from_raw(cls, raw: dict[str, Any], location: str = "") -> Event:
        identity = raw.get("userIdentity")
        key = identity.get("accessKeyId") if isinstance(identity, dict) else None
        return cls(
            raw=raw,
            location=location,
            time=parse_event_time(raw.get("eventTime")) or EPOCH,
            principal=principal_label(identity),
            access_key=key if isinstance(key, str) else "",
        )

    def field(self, name: str) -> str:
        """A top-level string field, or '' when it is missing or not a string."""
        value = self.raw.get(name)
        return value if isinstance(value, str) else ("" if value is None else str(value))

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


def is_cloudtrail_record(value: Any) -> bool:
    """True for something shaped like a CloudTrail record (not a digest, not an
    arbitrary JSON object): it must name an event and when it happened."""
    return isinstance(value, dict) and "eventTime" in value and ("eventName" in value or "eventSource" in value)
