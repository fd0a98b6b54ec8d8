"""Fault injection and a call log for the test server.

`POST /moto-api/trailtui/faults` with `{"service", "operation", "code",
"message", "status", "times", "match"}` makes the next `times` matching calls
fail with that AWS error (JSON services: cloudtrail, athena; S3 GetObject and
ListObjectsV2 with an XML error; `match` is a substring of the object key or
listing prefix).  `{"service": "athena", "operation": "QueryFails", "message"}`
makes the next started Athena query end FAILED with that reason.
`{"service": "athena", "operation": "DataScanned", "bytes": N, "times": k}`
makes the next `k` started queries report `Statistics.DataScannedInBytes` = N
in GetQueryExecution (moto reports 0 for every query).
`GET /moto-api/trailtui/calls` returns every JSON-protocol call the server saw
(service, operation, time, parameters, the account it acted in) and every S3 GetObject/ListObjectsV2
(with the path or prefix as `subject`), so tests can check what a client sent:
cancellations, paging, request spacing, which prefixes were listed.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from tests.moto_ext._routes import add_route, on_reset, request_json

_lock = threading.Lock()
_faults: list[dict[str, Any]] = []
_calls: list[dict[str, Any]] = []
_failing_queries: dict[str, str] = {}
_pending_failures: list[str] = []
_scanned_queries: dict[str, int] = {}
_pending_scanned: list[int] = []


def _take_fault(service: str, operation: str, subject: str = "") -> dict[str, Any] | None:
    with _lock:
        for fault in _faults:
            if fault["service"] == service and fault["operation"] == operation and fault.get("times", 1) > 0:
                if fault.get("match") and fault["match"] not in subject:
                    continue
                fault["times"] = fault.get("times", 1) - 1
                return dict(fault)
    return None


def _set_fault(body: dict[str, Any]) -> dict[str, Any]:
    with _lock:
        if body.get("operation") == "QueryFails":
            _pending_failures.extend([body.get("message", "query failed")] * int(body.get("times", 1)))
        elif body.get("operation") == "DataScanned":
            _pending_scanned.extend([int(body["bytes"])] * int(body.get("times", 1)))
        else:
            _faults.append(dict(body))
    return {"ok": True}


def _list_calls(_: dict[str, Any]) -> list[dict[str, Any]]:
    with _lock:
        return list(_calls)


def _reset() -> None:
    with _lock:
        _faults.clear()
        _calls.clear()
        _failing_queries.clear()
        _pending_failures.clear()
        _scanned_queries.clear()
        _pending_scanned.clear()


def _patch_json_services() -> None:
    from moto.core.exceptions import JsonRESTError
    from moto.core.responses import BaseResponse

    original = BaseResponse.call_action

    def call_action(self: Any) -> Any:
        service = getattr(self, "service_name", "") or ""
        operation = self._get_action() if service in ("cloudtrail", "athena") else ""
        if operation:
            with _lock:
                _calls.append({"service": service, "operation": operation, "time": time.time(),
                               "params": request_json(self), "account": self.current_account})
            fault = _take_fault(service, operation)
            if fault is not None:
                error = JsonRESTError(fault["code"], fault.get("message", fault["code"]))
                error.code = int(fault.get("status", 400))
                body = error.get_body()
                return error.code, {"Content-Type": "application/x-amz-json-1.1"}, body
        return original(self)

    BaseResponse.call_action = call_action  # type: ignore[method-assign]


def _s3_error(fault: dict[str, Any]) -> tuple[int, dict[str, str], str]:
    body = (f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{fault["code"]}</Code>'
            f'<Message>{fault.get("message", fault["code"])}</Message></Error>')
    return int(fault.get("status", 403)), {"Content-Type": "application/xml"}, body


def _patch_s3() -> None:
    from moto.s3.responses import S3Response

    get_object = S3Response.get_object
    list_v2 = S3Response.list_objects_v2

    def log(operation: str, subject: str) -> None:
        with _lock:
            _calls.append({"service": "s3", "operation": operation, "time": time.time(),
                           "params": {"subject": subject}})

    def patched_get(self: Any) -> Any:
        log("GetObject", self.path)
        fault = _take_fault("s3", "GetObject", self.path)
        return _s3_error(fault) if fault else get_object(self)

    def patched_list(self: Any) -> Any:
        prefix = (self.querystring.get("prefix") or [""])[0]
        log("ListObjectsV2", prefix)
        fault = _take_fault("s3", "ListObjectsV2", prefix)
        return _s3_error(fault) if fault else list_v2(self)

    S3Response.get_object = patched_get  # type: ignore[method-assign]
    S3Response.list_objects_v2 = patched_list  # type: ignore[method-assign]


def _patch_athena() -> None:
    """Queries marked to fail end FAILED with a reason (moto's always succeed);
    queries marked with a size report it as the data they scanned."""
    import json

    from moto.athena.models import AthenaBackend
    from moto.athena.responses import AthenaResponse

    start = AthenaBackend.start_query_execution
    describe = AthenaResponse.get_query_execution

    def patched_start(self: Any, *args: Any, **kwargs: Any) -> str:
        execution_id = start(self, *args, **kwargs)
        with _lock:
            if _pending_failures:
                _failing_queries[execution_id] = _pending_failures.pop(0)
            if _pending_scanned:
                _scanned_queries[execution_id] = _pending_scanned.pop(0)
        return execution_id

    def patched_describe(self: Any) -> str:
        result = json.loads(describe(self))
        execution = result["QueryExecution"]
        reason = _failing_queries.get(execution["QueryExecutionId"])
        if reason and execution["Status"]["State"] != "CANCELLED":
            execution["Status"]["State"] = "FAILED"
            execution["Status"]["StateChangeReason"] = reason
        scanned = _scanned_queries.get(execution["QueryExecutionId"])
        if scanned is not None:
            execution.setdefault("Statistics", {})["DataScannedInBytes"] = scanned
        return json.dumps(result)

    AthenaBackend.start_query_execution = patched_start  # type: ignore[method-assign]
    AthenaResponse.get_query_execution = patched_describe  # type: ignore[method-assign]


def install() -> None:
    _patch_json_services()
    _patch_s3()
    _patch_athena()
    add_route("faults", _set_fault)
    add_route("calls", _list_calls)
    on_reset(_reset)
