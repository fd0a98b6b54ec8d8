"""Builders for the hostile-input suite (tests/hostile/): trails holding crafted
records next to good ones, and a CLI runner that fails on any traceback."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any

from trail_builder import T0, event, log_path

from trailtui.cli import main

ACCOUNT = "111122223333"
GOOD_IDS = ("good-1", "good-2", "good-3")


def good_records() -> list[dict[str, Any]]:
    """Three ordinary records, one minute apart, from T0."""
    return [event(T0 + timedelta(minutes=i), eventID=ident) for i, ident in enumerate(GOOD_IDS)]


def record_with(**fields: Any) -> dict[str, Any]:
    """A good record with some fields replaced (eventID 'BAD' unless given)."""
    return {**event(T0 + timedelta(minutes=5)), "eventID": "BAD", **fields}


def records_text(items: Iterable[dict[str, Any] | bytes], shape: str = "records") -> bytes:
    """A log document: `records` ({"Records": [...]}), `array` ([...]) or `lines`
    (JSON Lines).  An item given as bytes is written verbatim (undecodable JSON)."""
    parts = [item if isinstance(item, bytes) else json.dumps(item).encode() for item in items]
    if shape == "lines":
        return b"\n".join(parts) + b"\n"
    body = b"[" + b",".join(parts) + b"]"
    return b'{"Records":' + body + b"}" if shape == "records" else body


def write_trail(root: Path, items: Iterable[dict[str, Any] | bytes], shape: str = "records",
                compress: bool = True, minute: int = 15, unique: str = "abcdef0123456789") -> Path:
    """One log file in CloudTrail's layout under `root` holding `items`."""
    path = log_path(root, ACCOUNT, "us-east-1", T0 + timedelta(minutes=minute), unique=unique)
    if not compress:
        path = path.with_name(path.name.removesuffix(".gz"))
    path.parent.mkdir(parents=True, exist_ok=True)
    text = records_text(items, shape)
    path.write_bytes(gzip.compress(text, mtime=0) if compress else text)
    return path


def hostile_trail(root: Path, bad: dict[str, Any] | bytes, shape: str = "records", compress: bool = True) -> Path:
    """The three good records with `bad` in second place."""
    good = good_records()
    return write_trail(root, [good[0], bad, good[1], good[2]], shape, compress)


def run_cli(capsys: Any, *argv: str) -> tuple[int, str, str]:
    """Run `trailtui ARGV` in-process; a traceback anywhere fails the test."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "Traceback" not in out, err
    return code, out, err


def jsonl_ids(out: str) -> list[str]:
    return [json.loads(line).get("eventID") for line in out.splitlines() if line.strip()]
