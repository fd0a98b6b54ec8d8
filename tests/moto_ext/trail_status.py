"""Test-server extension for trail health: delivery fields, MFA Delete, and
AccessDenied for an "analyst" that may not read S3 or KMS.

moto models CloudTrail's configuration well but not its delivery health, and
its IAM emulation neither names real actions nor returns AWS's error shapes.
Health checks must be tested over real HTTP anyway, so this module adds three
small, test-only capabilities to the moto *server process* (production code
still only speaks HTTP to it through `endpoint_url`):

1. GetTrailStatus delivery fields.
   `POST /_trailtui/trail-status` with a JSON body
       {"trail": "<name or ARN>", "fields": {"LatestDeliveryTime": "2026-01-01T00:00:00Z",
                                             "LatestDeliveryError": "AccessDenied", ...}}
   merges the fields into every later GetTrailStatus answer for that trail.
   Accepted fields: the GetTrailStatus output members listed in
   `STATUS_FIELDS`.  Time fields take ISO 8601 text or epoch seconds; `null`
   removes a field (e.g. a trail that never delivered).  moto's own
   "LatestDeliveryTime is always now while logging" is overridden by a value
   set here.  Answers 200 with the stored fields, 404 for an unknown trail, 400
   for a bad body.  The overrides live on moto's trail object, so
   `/moto-api/reset` clears them.

2. MFA Delete.  moto drops `MfaDelete` from PutBucketVersioning; here it is
   kept on the bucket and returned as `MFADelete` by GetBucketVersioning.

3. A deny list, to play a read-only analyst role.
   `POST /_trailtui/deny` with {"operations": ["s3:*", "kms:GetKeyPolicy"],
   "access_key": "ANALYST"} denies every matching request.  Names are
   `service:Operation` API operation names as botocore spells them
   (`s3:GetPublicAccessBlock`, not the IAM action), with fnmatch wildcards.
   `access_key` (optional) limits the rule to requests signed with that access
   key id, so test setup with other credentials is unaffected.
   `DELETE /_trailtui/deny` (or `/moto-api/reset`) clears the list.
   A denied request gets AWS's real error shape: S3 HTTP 403 XML `AccessDenied`;
   JSON-protocol services (CloudTrail, KMS, Logs) HTTP 400
   `{"__type": "AccessDeniedException"}`; query-protocol services (STS, SNS)
   HTTP 403 XML `AccessDenied`.

4. Latency, for benchmarks only: with `TRAILTUI_TEST_LATENCY_MS=N` in the
   server's environment every AWS request waits N ms first (the server is
   threaded, so concurrent clients overlap, as they do against AWS).

Tests use the client helpers at the bottom (`set_trail_status`, `deny`).
"""

from __future__ import annotations

import fnmatch
import io
import json
import os
import re
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

STATUS_ROUTE = "/_trailtui/trail-status"
DENY_ROUTE = "/_trailtui/deny"
RESET_ROUTE = "/moto-api/reset"

STATUS_FIELDS = frozenset({
    "IsLogging", "LatestDeliveryError", "LatestNotificationError", "LatestDeliveryTime",
    "LatestNotificationTime", "StartLoggingTime", "StopLoggingTime", "LatestCloudWatchLogsDeliveryError",
    "LatestCloudWatchLogsDeliveryTime", "LatestDigestDeliveryTime", "LatestDigestDeliveryError",
})

# GET sub-resources of a bucket -> the API operation botocore calls.
S3_BUCKET_GET = {
    "policy": "GetBucketPolicy", "policyStatus": "GetBucketPolicyStatus", "acl": "GetBucketAcl",
    "publicAccessBlock": "GetPublicAccessBlock", "versioning": "GetBucketVersioning",
    "object-lock": "GetObjectLockConfiguration", "lifecycle": "GetBucketLifecycleConfiguration",
    "logging": "GetBucketLogging", "replication": "GetBucketReplication", "encryption": "GetBucketEncryption",
    "location": "GetBucketLocation", "notification": "GetBucketNotificationConfiguration",
    "tagging": "GetBucketTagging", "ownershipControls": "GetBucketOwnershipControls",
}

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/[^/]+/([^/]+)/([^/]+)/aws4_request")


@dataclass(frozen=True)
class DenyRule:
    pattern: str
    access_key: str | None

    def matches(self, operation: str, access_key: str | None) -> bool:
        if self.access_key is not None and self.access_key != access_key:
            return False
        return fnmatch.fnmatchcase(operation, self.pattern)


@dataclass(frozen=True)
class RequestIdentity:
    service: str
    operation: str
    access_key: str | None
    protocol: str  # "rest-xml", "json" or "query"


# ---------------------------------------------------------------- server side


class ControlRoutes:
    """Wraps moto's WSGI dispatcher: answers the test-only routes, refuses
    denied operations, and passes everything else through untouched."""

    def __init__(self, inner: Callable[..., Any], latency: float = 0.0) -> None:
        self._inner = inner
        self._latency = latency
        self._lock = threading.Lock()
        self._rules: list[DenyRule] = []

    def __call__(self, dispatcher: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == RESET_ROUTE:
            with self._lock:
                self._rules.clear()
        elif path == STATUS_ROUTE:
            return self._set_status(environ, start_response)
        elif path == DENY_ROUTE:
            return self._deny(method, environ, start_response)
        elif not path.startswith("/moto-api"):
            if self._latency:
                time.sleep(self._latency)
            identity = identify(environ)
            if identity is not None and self._is_denied(identity):
                return _denied_response(identity, start_response)
        return self._inner(dispatcher, environ, start_response)

    def _is_denied(self, identity: RequestIdentity) -> bool:
        name = f"{identity.service}:{identity.operation}"
        with self._lock:
            return any(rule.matches(name, identity.access_key) for rule in self._rules)

    def _deny(self, method: str, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if method == "DELETE":
            with self._lock:
                self._rules.clear()
            return _json(start_response, 200, {"operations": []})
        try:
            body = json.loads(_read_body(environ) or b"{}")
            operations = [str(op) for op in body["operations"]]
            access_key = body.get("access_key")
        except (ValueError, KeyError, TypeError) as exc:
            return _json(start_response, 400, {"error": f"bad deny body: {exc}"})
        with self._lock:
            self._rules.extend(DenyRule(op, access_key) for op in operations)
            listed = [rule.pattern for rule in self._rules]
        return _json(start_response, 200, {"operations": listed})

    def _set_status(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        try:
            body = json.loads(_read_body(environ) or b"{}")
            name = str(body["trail"])
            fields = {key: _status_value(key, value) for key, value in dict(body["fields"]).items()}
        except (ValueError, KeyError, TypeError) as exc:
            return _json(start_response, 400, {"error": f"bad trail-status body: {exc}"})
        unknown = sorted(set(fields) - STATUS_FIELDS)
        if unknown:
            return _json(start_response, 400, {"error": f"not GetTrailStatus fields: {unknown}"})
        trail = _find_trail(name)
        if trail is None:
            return _json(start_response, 404, {"error": f"no trail {name}"})
        overrides = getattr(trail.status, "trailtui_overrides", {})
        overrides.update(fields)
        trail.status.trailtui_overrides = overrides
        return _json(start_response, 200, {"trail": trail.arn, "fields": overrides})


def _status_value(key: str, value: Any) -> Any:
    """Time fields go on the wire as epoch seconds, as AWS's JSON protocol sends them."""
    if value is None or not key.endswith("Time") or isinstance(value, (int, float)):
        return value
    return datetime.fromisoformat(str(value)).timestamp()


def _find_trail(name_or_arn: str) -> Any:
    from moto.cloudtrail.models import cloudtrail_backends

    for regions in list(cloudtrail_backends.values()):
        for backend in list(regions.values()):
            for trail in list(backend.trails.values()):
                if name_or_arn in (trail.trail_name, trail.arn):
                    return trail
    return None


def identify(environ: dict[str, Any]) -> RequestIdentity | None:
    """Which API operation a request is, from its SigV4 scope, X-Amz-Target,
    S3 path/sub-resource, or query-protocol `Action`."""
    match = _CREDENTIAL.search(environ.get("HTTP_AUTHORIZATION", ""))
    if not match:
        return None
    access_key, service = match.group(1), match.group(3)
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    if target:
        return RequestIdentity(service, target.rsplit(".", 1)[-1], access_key, "json")
    if service == "s3":
        return RequestIdentity(service, _s3_operation(environ), access_key, "rest-xml")
    body = _read_body(environ)
    action = parse_qs(body.decode("utf-8", "replace")).get("Action", [""])[0]
    action = action or parse_qs(environ.get("QUERY_STRING", "")).get("Action", [""])[0]
    return RequestIdentity(service, action, access_key, "query") if action else None


def _s3_operation(environ: dict[str, Any]) -> str:
    method = environ.get("REQUEST_METHOD", "GET")
    parts = [p for p in environ.get("PATH_INFO", "/").split("/") if p]
    query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
    if not parts:
        return "ListBuckets"
    if len(parts) == 1:
        if method == "GET":
            for sub, operation in S3_BUCKET_GET.items():
                if sub in query:
                    return operation
            return "ListObjectsV2" if query.get("list-type") == ["2"] else "ListObjects"
        return {"HEAD": "HeadBucket", "PUT": "CreateBucket", "DELETE": "DeleteBucket"}.get(method, method)
    return {"GET": "GetObject", "HEAD": "HeadObject", "PUT": "PutObject", "DELETE": "DeleteObject"}.get(method, method)


def _read_body(environ: dict[str, Any]) -> bytes:
    """Read the request body and put it back, so moto still sees it."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    body = environ["wsgi.input"].read(length) if length > 0 else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _denied_response(identity: RequestIdentity, start_response: Callable[..., Any]) -> Iterable[bytes]:
    who = f"arn:aws:sts::123456789012:assumed-role/analyst/{identity.access_key}"
    message = (f"User: {who} is not authorized to perform: {identity.service}:{identity.operation} "
               f"because no identity-based policy allows the {identity.service}:{identity.operation} action")
    if identity.protocol == "json":
        return _json(start_response, 400, {"__type": "AccessDeniedException", "message": message},
                     content_type="application/x-amz-json-1.1")
    if identity.protocol == "rest-xml":
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
               "<Message>Access Denied</Message><RequestId>TRAILTUI0DENIED</RequestId></Error>")
    else:
        xml = ('<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>'
               f"<Message>{message}</Message></Error><RequestId>TRAILTUI0DENIED</RequestId></ErrorResponse>")
    data = xml.encode()
    start_response("403 Forbidden", [("Content-Type", "application/xml"), ("Content-Length", str(len(data)))])
    return [data]


def _json(start_response: Callable[..., Any], code: int, payload: Any,
          content_type: str = "application/json") -> Iterable[bytes]:
    reasons = {200: "OK", 400: "Bad Request", 404: "Not Found"}
    data = json.dumps(payload).encode()
    start_response(f"{code} {reasons.get(code, 'Status')}",
                   [("Content-Type", content_type), ("Content-Length", str(len(data)))])
    return [data]


def _patch_trail_status() -> None:
    from moto.cloudtrail.models import TrailStatus

    original = TrailStatus.description

    def description(self: Any) -> dict[str, Any]:
        desc = original(self)
        for key, value in getattr(self, "trailtui_overrides", {}).items():
            if value is None:
                desc.pop(key, None)
            else:
                desc[key] = value
        return desc

    TrailStatus.description = description


_MFA = re.compile(r"<MfaDelete>\s*(Enabled|Disabled)\s*</MfaDelete>")


def _patch_mfa_delete() -> None:
    from moto.core.responses import ActionResult
    from moto.s3.responses import S3Response

    original_put = S3Response._bucket_response_put

    def bucket_response_put(self: Any, request: Any, bucket_name: str, querystring: dict[str, Any]) -> Any:
        response = original_put(self, request, bucket_name, querystring)
        if "versioning" in querystring:
            body = self.body.decode("utf-8") if isinstance(self.body, bytes) else str(self.body or "")
            found = _MFA.search(body)
            if found:
                self.backend.get_bucket(bucket_name).trailtui_mfa_delete = found.group(1)
        return response

    def get_bucket_versioning(self: Any) -> Any:
        bucket = self.backend.get_bucket(self.bucket_name)
        result = {"Status": bucket.versioning_status}
        mfa = getattr(bucket, "trailtui_mfa_delete", None)
        if mfa:
            result["MFADelete"] = mfa
        self.data["Action"] = "GetBucketVersioning"
        return self.serialized(ActionResult(result))

    S3Response._bucket_response_put = bucket_response_put
    S3Response.get_bucket_versioning = get_bucket_versioning


def install() -> None:
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    latency = float(os.environ.get("TRAILTUI_TEST_LATENCY_MS") or 0) / 1000
    control = ControlRoutes(DomainDispatcherApplication.__call__, latency)

    def dispatch(self: Any, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        return control(self, environ, start_response)

    DomainDispatcherApplication.__call__ = dispatch
    _patch_trail_status()
    _patch_mfa_delete()


# ---------------------------------------------------------------- test side


def _post(url: str, payload: Any, method: str = "POST") -> Any:
    data = json.dumps(payload).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read() or b"null")


def set_trail_status(endpoint: str, trail: str, **fields: Any) -> dict[str, Any]:
    """Make GetTrailStatus for `trail` report these fields (datetimes allowed)."""
    wire = {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in fields.items()}
    return _post(f"{endpoint}{STATUS_ROUTE}", {"trail": trail, "fields": wire})


def deny(endpoint: str, operations: list[str], access_key: str | None = None) -> list[str]:
    """Deny these `service:Operation` patterns (for one access key, or everyone)."""
    payload: dict[str, Any] = {"operations": operations}
    if access_key is not None:
        payload["access_key"] = access_key
    return _post(f"{endpoint}{DENY_ROUTE}", payload)["operations"]


def clear_denies(endpoint: str) -> None:
    _post(f"{endpoint}{DENY_ROUTE}", {}, method="DELETE")
