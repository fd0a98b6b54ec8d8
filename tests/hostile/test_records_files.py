"""Log files of every accepted shape (gzip or plain; Records, array, JSON Lines)
with undecodable records among good ones: the bad record is skipped and
counted, every other record is kept, the file is never dropped whole."""

from __future__ import annotations

import gzip
import json

import pytest
from hostile_records import GOOD_IDS, good_records, hostile_trail, jsonl_ids, records_text, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from trailtui.read_limits import ReadLimits
from trailtui.sources.records import decode_log

GOOD = good_records()
BAD_BYTES = {
    "lone surrogate": json.dumps({**GOOD[0], "eventID": "BAD"}).replace('"BAD"', '"A\\ud800"').encode(),
    "raw 0xFF": json.dumps({**GOOD[0], "eventID": "BAD"}).encode().replace(b'"BAD"', b'"A\xff"'),
    "1e400": json.dumps({**GOOD[0], "eventID": "BAD"}).encode().replace(b'"BAD"', b'"BAD","n":1e400'),
    "NaN": json.dumps({**GOOD[0], "eventID": "BAD"}).encode().replace(b'"BAD"', b'"BAD","n":NaN'),
    "deep": b'{"eventTime":"2024-03-01T00:00:00Z","eventName":"x","d":' + b"[" * 5000 + b"]" * 5000 + b"}",
    "garbage": b"{not json at all}",
}
SHAPES = ["records", "array", "lines"]


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("compress", [True, False])
@pytest.mark.parametrize("bad", sorted(BAD_BYTES))
def test_one_bad_record_never_drops_the_file(tmp_path, capsys, shape, compress, bad):
    path = hostile_trail(tmp_path, BAD_BYTES[bad], shape=shape, compress=compress)
    code, out, err = run_cli(capsys, "query", str(tmp_path), "--format", "jsonl")
    assert code == 0 and sorted(jsonl_ids(out)) == sorted(GOOD_IDS)
    assert str(path) in err and "1 " in err and "skipped" in err and ("record 2" in err or "line 2" in err)


def test_an_unbalanced_record_is_reported_with_what_was_kept():
    decoded = decode_log(records_text([GOOD[0], b"{not json", GOOD[1]]))
    assert [r["eventID"] for r in decoded.records] == ["good-1"]
    assert "record 2" in decoded.problem and "may be missing; 1 readable record(s) kept" in decoded.problem


def test_a_truncated_file_keeps_the_records_before_the_cut(tmp_path):
    text = records_text(GOOD)
    decoded = decode_log(gzip.compress(text[: len(text) - 40]))
    assert [r["eventID"] for r in decoded.records] == list(GOOD_IDS[:2])
    assert "truncated" in decoded.problem and "2 readable record(s)" in decoded.problem


_BAD = st.sampled_from(sorted(BAD_BYTES))


@settings(max_examples=120, deadline=1000)
@given(st.lists(st.one_of(st.sampled_from(GOOD_IDS), _BAD), max_size=12), st.sampled_from(SHAPES), st.booleans())
def test_every_readable_record_is_kept_and_the_rest_counted(layout, shape, compress):
    by_id = {r["eventID"]: r for r in GOOD}
    items = [by_id[x] if x in by_id else BAD_BYTES[x] for x in layout]
    text = records_text(items, shape)
    decoded = decode_log(gzip.compress(text) if compress else text, ReadLimits())
    kept = [r["eventID"] for r in decoded.records]
    assert kept == [x for x in layout if x in by_id]
    bad = len(layout) - len(kept)
    if bad:
        assert decoded.problem is not None
        assert str(bad) in decoded.problem or not kept  # nothing readable: the file's one problem line


@settings(max_examples=150, deadline=1000)
@given(st.binary(max_size=400))
def test_any_bytes_decode_without_raising(data):
    decoded = decode_log(data)
    assert decoded.records or decoded.problem
    decode_log(gzip.compress(data))


def test_an_event_newer_than_its_files_stamp_is_kept_and_flagged(tmp_path, capsys):
    from datetime import timedelta

    from hostile_records import write_trail
    from trail_builder import T0, event

    newer = [f"newer-{i}" for i in range(40)]  # more files than the first batch: `late` is read after them
    for i, ident in enumerate(newer):
        write_trail(tmp_path, [event(T0 + timedelta(minutes=30 + i), eventID=ident)], minute=40 + i, unique=f"{i:016d}")
    write_trail(tmp_path, [event(T0 + timedelta(hours=5), eventID="late"), *good_records()], minute=15)
    code, out, err = run_cli(capsys, "query", str(tmp_path), "--format", "jsonl")
    assert code == 0 and sorted(jsonl_ids(out)) == sorted([*newer, "late", *GOOD_IDS])
    assert "'late'" in err and "out of order" in err
