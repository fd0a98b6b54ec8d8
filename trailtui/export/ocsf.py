"""CloudTrail events as OCSF API Activity (class 6003, schema 1.1.0), one JSON
object per line, the shape Security Lake and OCSF-aware SIEMs ingest.

Only fields CloudTrail actually has are mapped; the whole raw record travels in
`unmapped`, so nothing is lost in translation.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from typing import IO, Any

from trailtui.events import EPOCH, Event
from trailtui.record_json import dumps_record

CLASS_UID = 6003
CATEGORY_UID = 6
OCSF_VERSION = "1.1.0"

ACTIVITY_NAMES = {1: "Create", 2: "Read", 3: "Update", 4: "Delete", 99: "Other"}

# The operation's leading verb decides the activity.  Verbs not listed are
# "Other" (99): StopLogging, ConsoleLogin, AssumeRole, InvokeModel...
_VERBS = {
    "Create": 1, "Allocate": 1, "Import": 1,
    "Get": 2, "Describe": 2, "List": 2, "Lookup": 2, "Head": 2, "Search": 2, "Select": 2, "Query": 2, "Scan": 2,
    "Read": 2, "Download": 2,
    "Update": 3, "Put": 3, "Modify": 3, "Set": 3, "Change": 3, "Replace": 3, "Reset": 3, "Attach": 3, "Detach": 3,
    "Associate": 3, "Disassociate": 3, "Enable": 3, "Disable": 3, "Tag": 3, "Untag": 3, "Add": 3,
    "Delete": 4, "Remove": 4, "Terminate": 4, "Deregister": 4,
}
_LEADING_WORD = re.compile(r"^[A-Z][a-z]+")


def activity_id(operation: str) -> int:
    """Create=1, Read=2, Update=3, Delete=4, else 99, from the leading verb of
    the event name (`UpdateFunctionCode20150331v2` -> Update, `BatchGetSecretValue`
    -> Get)."""
    name = operation[len("Batch"):] if operation.startswith("Batch") and len(operation) > 5 else operation
    match = _LEADING_WORD.match(name)
    return _VERBS.get(match.group(0), 99) if match else 99


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _object(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty one (fields may hold any JSON type)."""
    return value if isinstance(value, dict) else {}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None


def _actor(raw: dict[str, Any], event: Event) -> dict[str, Any]:
    found = raw.get("userIdentity")
    identity: dict[str, Any] = found if isinstance(found, dict) else {}
    user: dict[str, Any] = {"name": _text(identity.get("userName")) or event.principal}
    kind = _text(identity.get("type"))
    if kind:
        user["type"] = kind
    arn, principal_id = _text(identity.get("arn")), _text(identity.get("principalId"))
    if arn or principal_id:
        user["uid"] = arn or principal_id
    if arn and principal_id:
        user["uid_alt"] = principal_id
    account = _text(identity.get("accountId"))
    if account:
        user["account"] = {"uid": account, "type": "AWS Account", "type_id": 10}
    if event.access_key:
        user["credential_uid"] = event.access_key
    actor: dict[str, Any] = {"user": user}
    invoked_by = _text(identity.get("invokedBy"))
    if invoked_by:
        actor["invoked_by"] = invoked_by
    context = _object(identity.get("sessionContext"))
    attributes = _object(context.get("attributes"))
    issuer = _object(context.get("sessionIssuer"))
    session: dict[str, Any] = {}
    if attributes.get("mfaAuthenticated") in ("true", "false"):
        session["is_mfa"] = attributes["mfaAuthenticated"] == "true"
    if _text(attributes.get("creationDate")):
        session["created_time_dt"] = attributes["creationDate"]
    if _text(issuer.get("arn")):
        session["issuer"] = issuer["arn"]
    if session:
        actor["session"] = session
    return actor


def ocsf_record(event: Event) -> dict[str, Any]:
    """One CloudTrail event -> one OCSF API Activity object."""
    raw = event.raw
    operation = _text(raw.get("eventName")) or ""
    activity = activity_id(operation)
    error = _text(raw.get("errorCode"))
    record: dict[str, Any] = {
        "class_uid": CLASS_UID,
        "class_name": "API Activity",
        "category_uid": CATEGORY_UID,
        "category_name": "Application Activity",
        "activity_id": activity,
        "activity_name": ACTIVITY_NAMES[activity],
        "type_uid": CLASS_UID * 100 + activity,
        "type_name": f"API Activity: {ACTIVITY_NAMES[activity]}",
        "severity_id": 1,
        "severity": "Informational",
        "time": int(event.time.timestamp() * 1000),
        "status_id": 2 if error else 1,
        "status": "Failure" if error else "Success",
        "actor": _actor(raw, event),
        "api": {"operation": operation, "service": {"name": _text(raw.get("eventSource")) or ""}},
        "cloud": {"provider": "AWS"},
        "metadata": {
            "version": OCSF_VERSION,
            "product": {"name": "CloudTrail", "vendor_name": "AWS"},
            "profiles": ["cloud"],
        },
        "unmapped": raw,
    }
    if event.time == EPOCH:  # no readable eventTime: better absent than 1970
        del record["time"]
    if error:
        record["status_code"] = error
        if _text(raw.get("errorMessage")):
            record["status_detail"] = raw["errorMessage"]
    request_id = _text(raw.get("requestID"))
    if request_id:
        record["api"]["request"] = {"uid": request_id}
    if _text(raw.get("eventVersion")):
        record["metadata"]["product"]["version"] = raw["eventVersion"]
    if _text(raw.get("eventID")):
        record["metadata"]["uid"] = raw["eventID"]
    if _text(raw.get("eventType")):
        record["metadata"]["event_code"] = raw["eventType"]
    source = _text(raw.get("sourceIPAddress"))
    endpoint: dict[str, Any] = {}
    if source:
        endpoint["ip" if _is_ip(source) else "domain"] = source
    if _text(raw.get("vpcEndpointId")):
        endpoint["svc_name"] = raw["vpcEndpointId"]
    if endpoint:
        record["src_endpoint"] = endpoint
    agent = _text(raw.get("userAgent"))
    if agent:
        record["http_request"] = {"user_agent": agent}
    region = _text(raw.get("awsRegion"))
    if region:
        record["cloud"]["region"] = region
    account = _text(raw.get("recipientAccountId"))
    if account:
        record["cloud"]["account"] = {"uid": account, "type": "AWS Account", "type_id": 10}
    return record


class OcsfWriter:
    """Streams one OCSF object per line."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream

    def write(self, events: Iterable[Event]) -> None:
        # dumps_record: an integer beyond 64 bits (orjson refuses it) in the raw record is written exactly
        self._stream.write("".join(dumps_record(ocsf_record(e)).decode() + "\n" for e in events))

    def close(self) -> None:
        self._stream.flush()
