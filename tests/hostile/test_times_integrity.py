"""A crafted `digestEndTime`/`digestStartTime`, a mark stamped in year 9999 and
out-of-range health facts: each is one problem, never an OverflowError."""

from __future__ import annotations

import json

import pytest
from hostile_records import run_cli
from integrity_fixtures import HOUR, T0, build_trail, key_list, signing_key, stamp, write_local

from trailtui.export.marks import parse_mark
from trailtui.health.context import parse_time as fact_time


@pytest.mark.parametrize(("field", "value"), [("digestEndTime", "9999-12-31T23:00:00-05:00"),
                                              ("digestStartTime", "0001-01-01T00:00:00+05:00"),
                                              ("digestEndTime", "2024-03-01T23:59:60Z"), ("digestEndTime", 12)])
def test_verify_reports_the_crafted_digest_and_the_rest(tmp_path, capsys, field, value):
    trail = build_trail()
    trail.resign(trail.digests[1], lambda doc: doc.update({field: value}))
    write_local(trail, tmp_path / "trail")
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(key_list(signing_key())))
    code, out, _ = run_cli(capsys, "verify", str(tmp_path / "trail"), "--public-keys", str(keys),
                           "--start", stamp(T0), "--end", stamp(T0 + 4 * HOUR))
    assert code == 1
    assert "3/4 digest files valid, 1/4 digest files INVALID" in out and "BAD_FORMAT 1" in out


@pytest.mark.parametrize("stamp_text", ["9999-12-31T23:00:00-05:00", "2024-03-01T23:59:60Z", "0001-01-01T00:00:00Z"])
def test_a_mark_stamped_out_of_range_is_a_line_problem(stamp_text):
    line = json.dumps({"event": {"eventID": "x"}, "marked_at": stamp_text}).encode()
    with pytest.raises(ValueError, match="marked_at"):
        parse_mark(line)


@pytest.mark.parametrize("value", ["9999-12-31T23:00:00-05:00", 1e300, -1e300, float("nan"), 10 ** 30, True, [1], {}])
def test_health_fact_times_out_of_range_are_unknown(value):
    assert fact_time(value) is None
