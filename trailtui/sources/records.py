"""Decode a CloudTrail log file's bytes into raw records.

One decoder for every source (local, S3, acquire), so bad input is handled the
same everywhere: a problem is reported as one line and never raises.
Accepted: gzip or plain; `{"Records": [...]}`, a JSON array, or JSON Lines.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

import orjson

from trailtui.events import is_cloudtrail_record

try:  # isal inflates ~1.7x faster than zlib on CloudTrail files; zlib is the fallback.
    from isal import isal_zlib as _inflate_lib
except ImportError:  # pragma: no cover - isal is a declared dependency
    _inflate_lib = zlib  # type: ignore[misc]  # same API, other module

GZIP_MAGIC = b"\x1f\x8b"


class DecodeError(ValueError):
    """Bytes that are not a readable CloudTrail file; the message is user-facing."""


@dataclass(slots=True)
class Decoded:
    records: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None


def gunzip(data: bytes) -> bytes:
    """Inflate a whole gzip stream (all members).  Raises DecodeError with a
    readable reason for corrupt or truncated input."""
    try:
        return _inflate_lib.decompress(data, 47)  # 32+15: gzip or zlib header, auto
    except Exception as exc:  # noqa: BLE001 - isal and zlib raise different types
        text = str(exc)
        if "incomplete" in text or "truncated" in text or "end of stream" in text:
            raise DecodeError("truncated gzip data") from None
        raise DecodeError(f"corrupt gzip data ({text})") from None


def maybe_gunzip(data: bytes) -> bytes:
    return gunzip(data) if data[:2] == GZIP_MAGIC else data


def _records_from_document(doc: Any) -> list[dict[str, Any]] | None:
    if isinstance(doc, dict):
        records = doc.get("Records")
        if isinstance(records, list):
            return [r for r in records if isinstance(r, dict)]
        if is_cloudtrail_record(doc):
            return [doc]
        return None
    if isinstance(doc, list):
        return [r for r in doc if isinstance(r, dict)]
    return None


def _json_lines(text: bytes) -> Decoded:
    out = Decoded()
    bad = 0
    first_bad = 0
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            value = orjson.loads(line)
        except orjson.JSONDecodeError:
            bad += 1
            first_bad = first_bad or number
            continue
        found = _records_from_document(value)
        if found:
            out.records.extend(found)
    if bad:
        out.problem = f"{bad} unreadable JSON line(s), first at line {first_bad}"
    return out


def decode_log(data: bytes) -> Decoded:
    """Decode one log file.  Never raises: what cannot be read becomes `problem`,
    and every good record that could be read is still returned."""
    if not data:
        return Decoded(problem="empty file")
    try:
        text = maybe_gunzip(data)
    except DecodeError as exc:
        return Decoded(problem=str(exc))
    if not text.strip():
        return Decoded(problem="empty file")
    try:
        doc = orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        if b"\n" in text.strip():
            lines = _json_lines(text)
            if lines.records:
                return lines
        return Decoded(problem=f"not valid JSON ({_short_json_error(exc)})")
    records = _records_from_document(doc)
    if records is None:
        return Decoded(problem="JSON but not CloudTrail (no Records array)")
    cloudtrail = [r for r in records if is_cloudtrail_record(r)]
    if records and not cloudtrail:
        return Decoded(problem="JSON but not CloudTrail (records lack eventTime/eventName)")
    skipped = len(records) - len(cloudtrail)
    return Decoded(cloudtrail, f"{skipped} record(s) that are not CloudTrail events skipped" if skipped else None)


def _short_json_error(exc: orjson.JSONDecodeError) -> str:
    message = str(exc)
    return message.split(":", 1)[0] if len(message) > 80 else message
