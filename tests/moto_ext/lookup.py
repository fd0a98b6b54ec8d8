"""CloudTrail LookupEvents (Event history) for the test server; moto has none.

Tests seed a region's event history over HTTP:
`POST /moto-api/trailtui/lookup-events {"region", "account_id"?, "events": [raw...]}`.
`LookupEvents` then behaves like AWS's: management and insight events only, the
last 90 days, newest first, at most one lookup attribute (8 keys), inclusive
StartTime/EndTime, MaxResults 1..50 (default 50), an opaque NextToken bound to
the request's parameters, and AWS's validation errors.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.moto_ext._routes import add_route, on_reset, request_json

DEFAULT_ACCOUNT = "123456789012"
KEYS = ("EventId", "EventName", "ReadOnly", "Username", "ResourceType", "ResourceName", "EventSource", "AccessKeyId")
HISTORY = timedelta(days=90)

_lock = threading.Lock()
_history: dict[tuple[str, str], list[dict[str, Any]]] = {}


def _seed(body: dict[str, Any]) -> dict[str, Any]:
    key = (body.get("account_id", DEFAULT_ACCOUNT), body["region"])
    with _lock:
        _history.setdefault(key, []).extend(body.get("events", []))
        count = len(_history[key])
    return {"events": count}


def _reset() -> None:
    with _lock:
        _history.clear()


def _when(raw: dict[str, Any]) -> datetime | None:
    text = raw.get("eventTime")
    if not isinstance(text, str):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return None


def _username(identity: Any) -> str | None:
    """Event history's user name: the IAM/Identity Center user name, else the
    session name of an assumed role, else the principal id."""
    if not isinstance(identity, dict):
        return None
    if isinstance(identity.get("userName"), str):
        return identity["userName"]
    arn = identity.get("arn")
    if isinstance(arn, str) and ":assumed-role/" in arn:
        return arn.rsplit("/", 1)[-1]
    pid = identity.get("principalId")
    return pid.split(":", 1)[-1] if isinstance(pid, str) else None


def _resources(raw: dict[str, Any]) -> list[dict[str, str]]:
    out = []
    for item in raw.get("resources") or []:
        if isinstance(item, dict):
            out.append({"ResourceType": str(item.get("type", "")), "ResourceName": str(item.get("ARN", ""))})
    return out


def _attribute_values(raw: dict[str, Any], key: str) -> list[str]:
    identity = raw.get("userIdentity") if isinstance(raw.get("userIdentity"), dict) else {}
    if key == "EventId":
        return [raw.get("eventID")]
    if key == "EventName":
        return [raw.get("eventName")]
    if key == "EventSource":
        return [raw.get("eventSource")]
    if key == "ReadOnly":
        return [str(raw.get("readOnly")).lower()]
    if key == "Username":
        return [_username(identity)]
    if key == "AccessKeyId":
        return [identity.get("accessKeyId")]
    if key == "ResourceType":
        return [r["ResourceType"] for r in _resources(raw)]
    return [r["ResourceName"] for r in _resources(raw)]


def _is_management_or_insight(raw: dict[str, Any]) -> bool:
    if raw.get("eventCategory") == "Data" or raw.get("managementEvent") in (False, "false"):
        return False
    return True


def _event(raw: dict[str, Any], when: datetime) -> dict[str, Any]:
    identity = raw.get("userIdentity") if isinstance(raw.get("userIdentity"), dict) else {}
    event = {
        "EventId": raw.get("eventID"), "EventName": raw.get("eventName"),
        "ReadOnly": str(raw.get("readOnly")).lower(), "EventTime": when.timestamp(),
        "EventSource": raw.get("eventSource"), "Resources": _resources(raw),
        "CloudTrailEvent": json.dumps(raw),
    }
    if identity.get("accessKeyId"):
        event["AccessKeyId"] = identity["accessKeyId"]
    name = _username(identity)
    if name:
        event["Username"] = name
    return event


def _error(code: str, message: str) -> Exception:
    from moto.core.exceptions import JsonRESTError

    return JsonRESTError(code, message)


def _token(offset: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset, "f": fingerprint}).encode()).decode()


def _offset(token: str, fingerprint: str) -> int:
    try:
        decoded = json.loads(base64.urlsafe_b64decode(token.encode()))
        offset = int(decoded["o"])
    except (ValueError, KeyError, TypeError):
        raise _error("InvalidNextTokenException", "Invalid NextToken.") from None
    if decoded.get("f") != fingerprint:
        raise _error("InvalidNextTokenException",
                     "NextToken must be passed with the same parameters as the original call.")
    return offset


def lookup_events(self: Any) -> str:
    """The `LookupEvents` action, added to moto's CloudTrailResponse."""
    params = request_json(self)
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise _error("InvalidLookupAttributesException", "You cannot lookup more than one attribute at a time.")
    for attribute in attributes:
        if attribute.get("AttributeKey") not in KEYS:
            raise _error("InvalidLookupAttributesException", f"Invalid attribute key: {attribute.get('AttributeKey')}")
        if not 1 <= len(str(attribute.get("AttributeValue", ""))) <= 2000:
            raise _error("InvalidLookupAttributesException", "AttributeValue must be 1 to 2000 characters.")
    category = params.get("EventCategory")
    if category not in (None, "insight"):
        raise _error("InvalidEventCategoryException", "EventCategory must be insight.")
    limit = params.get("MaxResults", 50)
    if not isinstance(limit, int) or not 1 <= limit <= 50:
        raise _error("InvalidMaxResultsException", "MaxResults must be between 1 and 50.")
    now = datetime.now(UTC)
    start = datetime.fromtimestamp(params["StartTime"], UTC) if "StartTime" in params else now - HISTORY
    end = datetime.fromtimestamp(params["EndTime"], UTC) if "EndTime" in params else now
    if start > end:
        raise _error("InvalidTimeRangeException", "StartTime must be before EndTime.")
    fingerprint = hashlib.sha256(json.dumps([attributes, params.get("StartTime"), params.get("EndTime"),
                                             category], sort_keys=True).encode()).hexdigest()[:16]
    offset = _offset(params["NextToken"], fingerprint) if params.get("NextToken") else 0
    with _lock:
        history = list(_history.get((self.current_account, self.region), []))
    matching = []
    for raw in history:
        when = _when(raw)
        if when is None or when < now - HISTORY or not start <= when <= end:
            continue
        if not _is_management_or_insight(raw):
            continue
        if category == "insight" and raw.get("eventType") != "AwsCloudTrailInsight":
            continue
        if attributes and attributes[0]["AttributeValue"] not in _attribute_values(raw, attributes[0]["AttributeKey"]):
            continue
        matching.append((when, raw))
    matching.sort(key=lambda item: (item[0], str(item[1].get("eventID"))), reverse=True)
    page = matching[offset:offset + limit]
    result: dict[str, Any] = {"Events": [_event(raw, when) for when, raw in page]}
    if offset + limit < len(matching):
        result["NextToken"] = _token(offset + limit, fingerprint)
    return json.dumps(result)


def install() -> None:
    from moto.cloudtrail.responses import CloudTrailResponse

    CloudTrailResponse.lookup_events = lookup_events  # type: ignore[attr-defined]
    add_route("lookup-events", _seed)
    on_reset(_reset)
