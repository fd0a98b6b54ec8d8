"""Decode a CloudTrail log file's bytes into raw records.

One decoder for every source (local, S3, acquire), so bad input is handled the
same everywhere: a problem is reported as one line and never raises.
Accepted: gzip or plain; `{"Records": [...]}`, a JSON array, or JSON Lines.

Bounds (`trailtui.read_limits`): a file inflating past the size bound is
skipped with a problem.  A record that cannot be decoded (a lone surrogate, a
raw 0xFF byte, `1e400`, nesting deeper than the decoder allows) or that is
larger than the record bound is skipped on its own: the file's other records
are kept and the problem line counts what was skipped and names the first.

Records are decoded with msgspec, which keeps integers beyond 64 bits exact
(orjson would turn them into floats), so "exactly as recorded" outputs are.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from typing import Any

from trailtui.events import is_cloudtrail_record
from trailtui.read_limits import ReadLimits, current_limits, megabytes
from trailtui.record_json import JSON_ERRORS, loads_record
from trailtui.sources.record_split import split_records

try:  # isal inflates ~1.7x faster than zlib on CloudTrail files; zlib is the fallback.
    from isal import isal_zlib as _inflate_lib
except ImportError:  # pragma: no cover - isal is a declared dependency
    _inflate_lib = zlib  # type: ignore[misc]  # same API, other module

GZIP_MAGIC = b"\x1f\x8b"
_UNDECODABLE = JSON_ERRORS


class DecodeError(ValueError):
    """Bytes that are not a readable CloudTrail file; the message is user-facing."""


@dataclass(slots=True)
class Decoded:
    records: list[dict[str, Any]] = field(default_factory=list)
    problem: str | None = None
    size: int = 0  # inflated bytes: a file no larger than the record bound cannot hold an oversized record


loads = loads_record


def gunzip(data: bytes, limit: int | None = None) -> bytes:
    """Inflate the first gzip (or zlib) member, at most `limit` bytes (the
    inflated-size bound by default).  Raises DecodeError with a readable
    reason for corrupt, truncated or too large input."""
    limit = current_limits().max_inflated if limit is None else limit
    inflater = _inflate_lib.decompressobj(47)  # 32+15: gzip or zlib header, auto
    try:
        out = inflater.decompress(data, limit + 1)
    except Exception as exc:  # noqa: BLE001 - isal and zlib raise different types
        text = str(exc)
        if "incomplete" in text or "truncated" in text or "end of stream" in text:
            raise DecodeError("truncated gzip data") from None
        raise DecodeError(f"corrupt gzip data ({text})") from None
    if len(out) > limit:
        raise DecodeError(f"inflates to more than {megabytes(limit)} (TRAILTUI_MAX_INFLATED_MB): skipped")
    if not inflater.eof:
        raise DecodeError("truncated gzip data")
    return out


def maybe_gunzip(data: bytes, limit: int | None = None) -> bytes:
    return gunzip(data, limit) if data[:2] == GZIP_MAGIC else data


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


class _Skipped:
    """Counts records skipped on their own and remembers the first, for one line."""

    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.count = 0
        self.first = ""

    def add(self, number: int, reason: str) -> None:
        self.count += 1
        if not self.first:
            self.first = f"{self.unit} {number}: {reason}"

    def line(self) -> str | None:
        if not self.count:
            return None
        return (f"{self.count} {self.unit}(s) skipped (not valid JSON, or beyond the read limits), "
                f"the others kept; first {self.first}")


def _json_error(exc: BaseException) -> str:
    if isinstance(exc, RecursionError):
        return "nested too deep to decode"
    message = str(exc) or type(exc).__name__
    return message if len(message) <= 80 else message[:77] + "..."


def _json_lines(text: bytes, limits: ReadLimits) -> Decoded:
    out = Decoded()
    skipped = _Skipped("line")
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        if len(line) > limits.max_record:
            skipped.add(number, f"larger than {megabytes(limits.max_record)} (TRAILTUI_MAX_RECORD_MB)")
            continue
        try:
            value = loads(line)
        except _UNDECODABLE as exc:
            skipped.add(number, _json_error(exc))
            continue
        found = _records_from_document(value)
        if found:
            out.records.extend(found)
    out.problem = skipped.line()
    return out


def _record_by_record(text: bytes, limits: ReadLimits) -> Decoded | None:
    """The records of a document that does not decode as a whole, each decoded
    on its own; None when `text` is not one `{"Records": [...]}` or `[...]`."""
    split = split_records(text)
    if not split.found or not split.whole:
        return None
    out = Decoded()
    skipped = _Skipped("record")
    for number, (start, end) in enumerate(split.spans, 1):
        if end - start > limits.max_record:
            skipped.add(number, f"larger than {megabytes(limits.max_record)} (TRAILTUI_MAX_RECORD_MB)")
            continue
        try:
            value = loads(text[start:end])
        except _UNDECODABLE as exc:
            skipped.add(number, _json_error(exc))
            continue
        if is_cloudtrail_record(value):
            out.records.append(value)
        else:
            skipped.add(number, "not a CloudTrail event")
    problems = [line for line in (skipped.line(),) if line]
    if split.truncated:
        problems.append(f"not valid JSON: the file ends inside record {len(split.spans) + 1} (truncated); "
                        f"the {len(out.records)} readable record(s) before it were kept")
    if split.unbalanced:
        problems.append("not valid JSON: its brackets do not balance, so records after the first unreadable one "
                        f"may be missing; {len(out.records)} readable record(s) kept")
    out.problem = "; ".join(problems) or None
    return out


def decode_log(data: bytes, limits: ReadLimits | None = None) -> Decoded:
    """Decode one log file.  Never raises: what cannot be read becomes `problem`,
    and every good record that could be read is still returned."""
    limits = limits or current_limits()
    if not data:
        return Decoded(problem="empty file")
    try:
        text = maybe_gunzip(data, limits.max_inflated)
    except DecodeError as exc:
        return Decoded(problem=str(exc))
    if len(text) > limits.max_inflated:
        return Decoded(problem=f"larger than {megabytes(limits.max_inflated)} (TRAILTUI_MAX_INFLATED_MB): skipped")
    if not text.strip():
        return Decoded(problem="empty file")
    try:
        doc = loads(text)
    except _UNDECODABLE as exc:
        salvaged = _salvage(text, exc, limits)
        salvaged.size = len(text)
        return salvaged
    records = _records_from_document(doc)
    if records is None:
        return Decoded(problem="JSON but not CloudTrail (no Records array)")
    cloudtrail = [r for r in records if is_cloudtrail_record(r)]
    if records and not cloudtrail:
        return Decoded(problem="JSON but not CloudTrail (records lack eventTime/eventName)")
    skipped = len(records) - len(cloudtrail)
    return Decoded(cloudtrail, f"{skipped} record(s) that are not CloudTrail events skipped" if skipped else None,
                   len(text))


def _salvage(text: bytes, exc: BaseException, limits: ReadLimits) -> Decoded:
    """What can still be read from a file that does not decode as a whole."""
    if text.lstrip()[:1] in (b"{", b"["):
        one_by_one = _record_by_record(text, limits)
        if one_by_one is not None and (one_by_one.records or one_by_one.problem):
            return one_by_one
    if b"\n" in text.strip():
        lines = _json_lines(text, limits)
        if lines.records:
            return lines
    return Decoded(problem=f"not valid JSON ({_json_error(exc)})")
