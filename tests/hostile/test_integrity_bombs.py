"""Gzip bombs posing as a log file or a digest: verification inflates at most
TRAILTUI_MAX_INFLATED_MB, a step at a time, and says so; memory stays small."""

from __future__ import annotations

import gzip
import tracemalloc
import zlib

import pytest

from trailtui.integrity.inflate import check_log_bytes, inflate_strict
from trailtui.integrity.verdicts import Status
from trailtui.read_limits import MIB, current_limits


def _bomb(inflated_mib: int) -> bytes:
    """A gzip member of `inflated_mib` MiB of zeros (about 1/1000 of that compressed)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = bytes(MIB)
    return b"".join(packer.compress(block) for _ in range(inflated_mib)) + packer.flush()


@pytest.mark.parametrize("keep", [True, False], ids=["digest", "log"])
def test_a_bomb_is_refused_with_bounded_memory(keep):
    bomb = _bomb(64)
    tracemalloc.start()
    try:
        result = inflate_strict(bomb, keep=keep, limit=8 * MIB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert result.problem is not None
    status, detail = result.problem
    assert status is Status.BAD_FORMAT and "TRAILTUI_MAX_INFLATED_MB" in detail
    assert peak < 24 * MIB, f"peak {peak / MIB:.1f} MiB"


def test_the_limit_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv("TRAILTUI_MAX_INFLATED_MB", "2")
    current_limits.cache_clear()  # the limits are read once per process
    try:
        status, detail = check_log_bytes(_bomb(4), "0" * 64)
    finally:
        monkeypatch.delenv("TRAILTUI_MAX_INFLATED_MB")
        current_limits.cache_clear()
    assert status is Status.BAD_FORMAT and "more than 2" in detail


def test_files_under_the_limit_still_verify():
    data = gzip.compress(b'{"Records":[]}' * 1000)
    result = inflate_strict(data, limit=MIB)
    assert result.problem is None and result.data == b'{"Records":[]}' * 1000
