"""The four-line summary above an event's JSON: who, from where, what, result.
Values are raw strings from the event; the widget escapes them.  Pure Python."""

from __future__ import annotations

from typing import Any

from trailtui.events import principal_label


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def summarize(raw: dict[str, Any]) -> list[tuple[str, str]]:
    found = raw.get("userIdentity")
    identity: dict[str, Any] = found if isinstance(found, dict) else {}
    who = principal_label(identity)
    kind = _text(identity.get("type"))
    key = _text(identity.get("accessKeyId"))
    account = _text(identity.get("accountId") or raw.get("recipientAccountId"))
    who_parts = [who] + [p for p in (f"({kind})" if kind else "", f"key {key}" if key else "",
                                     f"account {account}" if account else "") if p]
    source_ip = _text(raw.get("sourceIPAddress")) or "?"
    agent = _text(raw.get("userAgent"))
    where = f"{source_ip} in {_text(raw.get('awsRegion')) or '?'}" + (f" via {agent}" if agent else "")
    service = _text(raw.get("eventSource")).removesuffix(".amazonaws.com")
    what = f"{service}:{_text(raw.get('eventName'))} at {_text(raw.get('eventTime'))}"
    error = _text(raw.get("errorCode"))
    if error:
        message = _text(raw.get("errorMessage"))
        result = f"FAILED {error}" + (f": {message}" if message else "")
    else:
        outcome = raw.get("responseElements")
        login = outcome.get("ConsoleLogin") if isinstance(outcome, dict) else None
        result = f"ConsoleLogin {login}" if isinstance(login, str) else "succeeded"
    return [("who", " ".join(who_parts)), ("from", where), ("what", what), ("result", result)]
