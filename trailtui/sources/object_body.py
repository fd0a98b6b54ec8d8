"""Reading an S3 object's body within the read limits: a huge object (or one
that lies about its size) is refused before it fills memory."""

from __future__ import annotations

from typing import Any

from trailtui.read_limits import current_limits, megabytes


class ObjectTooLarge(ValueError):
    """An object over TRAILTUI_MAX_INFLATED_MB; the message says so in one line."""


async def read_body(response: Any, limit: int | None = None) -> bytes:
    """The bytes of a GetObject response, at most `limit` (a log is never
    larger gzipped than inflated, so the inflated bound serves)."""
    cap = current_limits().max_inflated if limit is None else limit
    length = response.get("ContentLength")
    if isinstance(length, int) and length > cap:
        raise ObjectTooLarge(f"object is {megabytes(length)}, more than {megabytes(cap)} "
                             "(TRAILTUI_MAX_INFLATED_MB): skipped")
    async with response["Body"] as body:
        data: bytes = await body.read(cap + 1)
    if len(data) > cap:
        raise ObjectTooLarge(f"object is more than {megabytes(cap)} (TRAILTUI_MAX_INFLATED_MB): skipped")
    return data
