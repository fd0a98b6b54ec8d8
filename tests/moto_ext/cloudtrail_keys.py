"""CloudTrail `ListPublicKeys` for the moto test server (moto raises
NotImplementedError for it).

How tests register keys: put the JSON that `aws cloudtrail list-public-keys`
prints (`{"PublicKeyList": [{"Value": base64 DER, "ValidityStartTime",
"ValidityEndTime", "Fingerprint"}]}`) into the moto bucket `KEYS_BUCKET` under
the key `<region>.json` with any S3 client.  `ListPublicKeys` in that region
then returns the keys whose validity overlaps the requested StartTime/EndTime
(all of them when the request has no times).  Registrations live in moto's own
S3 state, so `/moto-api/reset` clears them with everything else.

`install()` patches moto's `CloudTrailResponse` in the server process only;
clients reach it over HTTP exactly as they would reach AWS.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

KEYS_BUCKET = "moto-ext-cloudtrail-public-keys"


def _when(value: Any) -> datetime | None:
    """Request times arrive as epoch seconds; file times as ISO 8601 text."""
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(float(value), tz=UTC)
    text = str(value)
    try:
        return datetime.fromtimestamp(float(text), tz=UTC)
    except ValueError:
        pass
    parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _registered(account: str, region: str) -> list[dict[str, Any]]:
    from moto.s3.models import s3_backends
    from moto.utilities.utils import get_partition

    backend = s3_backends[account][get_partition(region)]
    try:
        obj = backend.get_object(KEYS_BUCKET, f"{region}.json")
    except Exception:  # no such bucket
        return []
    if obj is None:
        return []
    doc = json.loads(obj.value)
    return list(doc.get("PublicKeyList", []))


def _epoch(value: Any) -> float | None:
    when = _when(value)
    return when.timestamp() if when else None


def list_public_keys(self: Any) -> str:
    start, end = _when(self._get_param("StartTime")), _when(self._get_param("EndTime"))
    out = []
    for entry in _registered(self.current_account, self.region):
        valid_from, valid_to = _when(entry.get("ValidityStartTime")), _when(entry.get("ValidityEndTime"))
        if end is not None and valid_from is not None and valid_from > end:
            continue
        if start is not None and valid_to is not None and valid_to < start:
            continue
        out.append({"Value": entry["Value"], "Fingerprint": entry.get("Fingerprint"),
                    "ValidityStartTime": _epoch(entry.get("ValidityStartTime")),
                    "ValidityEndTime": _epoch(entry.get("ValidityEndTime"))})
    return json.dumps({"PublicKeyList": out})


def install() -> None:
    from moto.cloudtrail.responses import CloudTrailResponse

    CloudTrailResponse.list_public_keys = list_public_keys  # type: ignore[attr-defined]
