"""Special files and bombs among logs, digests, sidecars, key files and the
config: each is one problem, never a hang, never unbounded memory; a trail under
a dot-folder is found."""

from __future__ import annotations

import gzip
import json
import os

import pytest
from hostile_records import GOOD_IDS, good_records, jsonl_ids, run_cli, write_trail

from trailtui.config import load_config
from trailtui.integrity.keyring import KeyFileError, load_key_file
from trailtui.integrity.local_store import read_sidecar
from trailtui.read_limits import ReadLimits
from trailtui.regular_file import FileTooLarge, NotRegularFile, read_regular
from trailtui.sources.records import decode_log


def _fifo(path):
    os.mkfifo(path)
    return path


def test_fifo_and_dev_zero_among_logs_are_problems(tmp_path, capsys):
    log = write_trail(tmp_path, good_records())
    _fifo(log.with_name(log.name.replace("abcdef", "fifo00")))
    os.symlink("/dev/zero", log.with_name(log.name.replace("abcdef", "zero00")))
    code, out, err = run_cli(capsys, "query", str(tmp_path), "--format", "jsonl")
    assert code == 0 and jsonl_ids(out) == list(reversed(GOOD_IDS))
    assert "a FIFO" in err and "a character device" in err


def test_a_gzip_bomb_is_skipped_with_its_bound(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("TRAILTUI_MAX_INFLATED_MB", "1")
    log = write_trail(tmp_path, good_records())
    log.with_name(log.name.replace("abcdef", "bomb00")).write_bytes(gzip.compress(b" " * (8 << 20)))
    from trailtui.read_limits import current_limits
    current_limits.cache_clear()
    try:
        code, out, err = run_cli(capsys, "query", str(tmp_path), "--format", "jsonl")
    finally:
        current_limits.cache_clear()
    assert code == 0 and jsonl_ids(out) == list(reversed(GOOD_IDS))
    assert "inflates to more than 1 MiB" in err


def test_decode_log_bounds_inflated_size_and_record_size():
    limits = ReadLimits(max_inflated=1 << 20, max_record=4096, max_depth=8)
    assert "inflates to more than" in decode_log(gzip.compress(b"[" + b" " * (2 << 20) + b"]"), limits).problem
    big = {**good_records()[0], "eventID": "BIG", "requestParameters": {"x": "y" * 10_000}}
    doc = b'{"Records":[' + json.dumps(good_records()[1]).encode() + b"," + json.dumps(big).encode() + b',"\\ud800"]}'
    decoded = decode_log(doc, limits)
    assert [r["eventID"] for r in decoded.records] == ["good-2"]
    assert "2 record(s) skipped" in decoded.problem and "record 2: larger than" in decoded.problem


def test_read_regular_refuses_special_files(tmp_path):
    with pytest.raises(NotRegularFile):
        read_regular(_fifo(tmp_path / "fifo"), 100)
    with pytest.raises(NotRegularFile):
        read_regular("/dev/zero", 100)
    (tmp_path / "big").write_bytes(b"x" * 101)
    with pytest.raises(FileTooLarge):
        read_regular(tmp_path / "big", 100)


def test_a_fifo_sidecar_key_file_or_config_does_not_hang(tmp_path):
    log = tmp_path / "log.json.gz"
    log.write_bytes(b"")
    _fifo(tmp_path / "log.json.gz.metadata.json")
    assert read_sidecar(str(log)) == {}
    with pytest.raises(KeyFileError, match="FIFO"):
        load_key_file(str(_fifo(tmp_path / "keys.json")))
    loaded = load_config(_fifo(tmp_path / "config.toml"))
    assert loaded.problem is not None and "FIFO" in loaded.problem


def test_a_trail_under_a_dot_folder_is_found(tmp_path, capsys):
    write_trail(tmp_path / ".org-trail", good_records())
    code, out, _ = run_cli(capsys, "query", str(tmp_path), "--format", "jsonl")
    assert code == 0 and jsonl_ids(out) == list(reversed(GOOD_IDS))
