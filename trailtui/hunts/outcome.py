"""Whether the call behind an event failed.

A failed call on a tampering or persistence hunt is still a finding (it shows
intent), so hits carry this as `attempt`: the outputs say "attempt" instead of
letting a refused StopLogging read like a stopped trail.
"""

from __future__ import annotations

from typing import Any


def is_attempt(raw: dict[str, Any]) -> bool:
    """True when the record says the call did not succeed: any `errorCode`, or a
    console sign-in answered `Failure` (which carries no errorCode)."""
    code = raw.get("errorCode")
    if code not in (None, "", False):
        return True
    response = raw.get("responseElements")
    if isinstance(response, dict):
        for key in ("ConsoleLogin", "SwitchRole", "CheckMfa"):
            if response.get(key) == "Failure":
                return True
    return False
