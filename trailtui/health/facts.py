"""What trailtui learned about an account's trails: a plain, serialisable tree.

Facts are kept apart from the checks so that health can be evaluated offline
(`trailtui health --facts FILE`), in tests, and for the demo, without AWS.
Every fact that needed an API call is either the value AWS returned (trimmed to
JSON: datetimes become ISO 8601 text) or an `Unavailable` naming the IAM action
that was missing.  "Not configured" answers (no bucket policy, no lifecycle...)
are `None`, which is a real answer and must never be confused with
`Unavailable`, which is not one.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

FORMAT = "trailtui-health-facts/1"
_MARK = "$unavailable"


@dataclass(frozen=True, slots=True)
class Unavailable:
    """A fact we could not read.  `action` is the IAM action (`s3:GetBucketPolicy`),
    `reason` one line (`access denied`, or the error)."""

    action: str
    reason: str

    @property
    def denied(self) -> bool:
        return self.reason.startswith("access denied")


@dataclass(slots=True)
class TrailFacts:
    """One trail, read in its home region."""

    name: str
    arn: str
    home_region: str
    config: dict[str, Any]                 # the DescribeTrails entry, as returned
    status: Any = None                     # GetTrailStatus output | Unavailable
    event_selectors: Any = None            # GetEventSelectors output | Unavailable
    insight_selectors: Any = None          # {"InsightSelectors": [...]} | Unavailable


@dataclass(slots=True)
class BucketFacts:
    """The trail's S3 bucket.  `None` values mean "not configured"."""

    name: str
    region: str
    missing: bool = False                  # NoSuchBucket: the bucket is gone
    policy: Any = None                     # policy JSON text | None | Unavailable
    policy_status: Any = None              # {"IsPublic": bool} | None | Unavailable
    acl: Any = None                        # {"Owner", "Grants"} | Unavailable
    public_access_block: Any = None        # PublicAccessBlockConfiguration | None | Unavailable
    versioning: Any = None                 # {"Status", "MFADelete"} (may be {}) | Unavailable
    object_lock: Any = None                # ObjectLockConfiguration | None | Unavailable
    lifecycle: Any = None                  # [rules] | None | Unavailable
    logging: Any = None                    # LoggingEnabled | None | Unavailable
    replication: Any = None                # ReplicationConfiguration | None | Unavailable


@dataclass(slots=True)
class KeyFacts:
    """The trail's KMS key (`key_id` as the trail names it, normally the ARN)."""

    key_id: str
    region: str
    metadata: Any = None                   # KeyMetadata | None (not found) | Unavailable
    rotation: Any = None                   # {"KeyRotationEnabled", ...} | None (not supported) | Unavailable
    policy: Any = None                     # key policy JSON text | Unavailable


@dataclass(slots=True)
class LogGroupFacts:
    """The CloudWatch Logs group a trail delivers to."""

    arn: str
    region: str
    group: Any = None                      # DescribeLogGroups entry | None (not found) | Unavailable


@dataclass(slots=True)
class AccountFacts:
    """Everything collected in one run.  `trails` is a list, or `Unavailable`
    when DescribeTrails itself was refused."""

    region: str
    collected_at: str                      # ISO 8601, UTC
    caller_account: Any = None             # account id | Unavailable | None
    trails: Any = field(default_factory=list)
    buckets: dict[str, BucketFacts] = field(default_factory=dict)
    keys: dict[str, KeyFacts] = field(default_factory=dict)
    log_groups: dict[str, LogGroupFacts] = field(default_factory=dict)

    def bucket_for(self, trail: TrailFacts) -> BucketFacts | None:
        return self.buckets.get(str(trail.config.get("S3BucketName") or ""))

    def key_for(self, trail: TrailFacts) -> KeyFacts | None:
        return self.keys.get(str(trail.config.get("KmsKeyId") or ""))

    def log_group_for(self, trail: TrailFacts) -> LogGroupFacts | None:
        return self.log_groups.get(str(trail.config.get("CloudWatchLogsLogGroupArn") or ""))

    def trail_list(self) -> list[TrailFacts]:
        return self.trails if isinstance(self.trails, list) else []


# ------------------------------------------------------------------ JSON


class FactsFormatError(ValueError):
    """A facts file that is not one trailtui wrote (one line, says where)."""


def _encode(value: Any) -> Any:
    if isinstance(value, Unavailable):
        return {_MARK: {"action": value.action, "reason": value.reason}}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {_MARK}:
        inner = value[_MARK]
        if not isinstance(inner, dict):
            raise FactsFormatError(f"bad {_MARK} entry: {inner!r}")
        return Unavailable(action=str(inner.get("action", "")), reason=str(inner.get("reason", "")))
    return value


def _record(obj: Any) -> dict[str, Any]:
    return {f.name: _encode(getattr(obj, f.name)) for f in fields(obj)}


def to_json(facts: AccountFacts) -> dict[str, Any]:
    """A JSON-ready dict (round-trips through `from_json`)."""
    out = _record(facts)
    out["format"] = FORMAT
    trails = facts.trails
    out["trails"] = _encode(trails) if isinstance(trails, Unavailable) else [_record(t) for t in trails]
    out["buckets"] = {name: _record(b) for name, b in facts.buckets.items()}
    out["keys"] = {name: _record(k) for name, k in facts.keys.items()}
    out["log_groups"] = {name: _record(g) for name, g in facts.log_groups.items()}
    return out


_Fact = TypeVar("_Fact", bound="DataclassInstance")


def _build(cls: type[_Fact], data: Any, where: str) -> _Fact:
    if not isinstance(data, dict):
        raise FactsFormatError(f"{where}: expected an object")
    names = {f.name for f in fields(cls)}
    try:
        return cls(**{k: _decode(v) for k, v in data.items() if k in names})
    except TypeError as exc:
        raise FactsFormatError(f"{where}: {exc}") from None


def from_json(data: Any) -> AccountFacts:
    """Rebuild facts written by `to_json`; raises `FactsFormatError` (one line)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FactsFormatError(f"not a trailtui health facts file (expected format {FORMAT!r})")
    raw_trails = _decode(data.get("trails", []))
    if isinstance(raw_trails, Unavailable):
        trails: Any = raw_trails
    elif isinstance(raw_trails, list):
        trails = [_trail(t, f"trails[{i}]") for i, t in enumerate(raw_trails)]
    else:
        raise FactsFormatError("trails: expected a list")
    facts = _build(AccountFacts, {k: v for k, v in data.items() if k not in ("trails", "buckets", "keys",
                                                                          "log_groups", "format")},
                   "account")
    facts.trails = trails
    facts.buckets = {n: _build(BucketFacts, b, f"buckets.{n}") for n, b in _mapping(data, "buckets").items()}
    facts.keys = {n: _build(KeyFacts, k, f"keys.{n}") for n, k in _mapping(data, "keys").items()}
    facts.log_groups = {n: _build(LogGroupFacts, g, f"log_groups.{n}")
                        for n, g in _mapping(data, "log_groups").items()}
    return facts


def _trail(data: Any, where: str) -> TrailFacts:
    trail = _build(TrailFacts, data, where)
    if not isinstance(trail.config, dict) or not all(
            isinstance(v, str) for v in (trail.name, trail.arn, trail.home_region)):
        raise FactsFormatError(f"{where}: name, arn, home_region must be text and config an object")
    return trail


def _mapping(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise FactsFormatError(f"{key}: expected an object")
    return value
