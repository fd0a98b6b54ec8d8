"""Records of any JSON shape in any field: every reader tolerates them (labels,
table, JSON Lines, CSV, OCSF, hunts, the detail summary and pivots)."""

from __future__ import annotations

import io
import json

import pytest
from hostile_records import GOOD_IDS, hostile_trail, jsonl_ids, record_with, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trailtui.events import Event, principal_label
from trailtui.export.csvrows import CsvWriter
from trailtui.export.ocsf import ocsf_record
from trailtui.hunts.catalogue import load_catalogue
from trailtui.hunts.engine import HuntEngine
from trailtui.record_json import dumps_record, loads_record

ODD_VALUES = ["x", "", 0, -1, 10 ** 30, 1.5, True, False, None, [], ["x", 1], {}, {"a": {"b": [1, "c"]}}]
FIELDS = ["userIdentity", "eventName", "eventSource", "sourceIPAddress", "userAgent", "awsRegion", "errorCode",
          "errorMessage", "requestParameters", "responseElements", "resources", "recipientAccountId", "eventID",
          "requestID", "eventType", "readOnly", "vpcEndpointId", "tlsDetails"]
IDENTITY_SHAPES = [
    {"type": "AssumedRole", "sessionContext": "a string"},
    {"type": "AssumedRole", "sessionContext": ["a", "list"]},
    {"type": "AssumedRole", "sessionContext": {"sessionIssuer": "x", "attributes": 5}},
    {"type": "FederatedUser", "sessionContext": ["x"], "arn": 5},
    {"type": "FederatedUser", "arn": {"federated-user": 1}, "sessionContext": {"sessionIssuer": {"userName": 7}}},
    {"type": "IdentityCenterUser", "onBehalfOf": "x"},
    {"type": "SAMLUser", "identityProvider": ["x"], "userName": {"a": 1}},
    {"type": ["Root"], "accountId": {"x": 1}},
    {"type": "Root", "accountId": 123},
    {"type": None, "invokedBy": [1], "principalId": {"a": 1}},
    "just a string", 17, [],
]


@pytest.mark.parametrize("identity", IDENTITY_SHAPES, ids=repr)
def test_query_hunt_and_export_keep_every_record(tmp_path, capsys, identity):
    hostile_trail(tmp_path / "t", record_with(userIdentity=identity))
    code, out, _ = run_cli(capsys, "query", str(tmp_path / "t"), "--format", "jsonl")
    assert code == 0 and set(jsonl_ids(out)) == {*GOOD_IDS, "BAD"}
    code, _, _ = run_cli(capsys, "hunt", str(tmp_path / "t"))
    assert code in (0, 1)
    for fmt in ("csv", "ocsf", "jsonl"):
        code, out, _ = run_cli(capsys, "export", str(tmp_path / "t"), "--format", fmt)
        assert code == 0 and "good-1" in out


def test_a_table_row_for_every_odd_field(tmp_path, capsys):
    record = record_with(**{name: {"nested": [1, 2]} for name in FIELDS if name != "eventID"})
    hostile_trail(tmp_path, record)
    code, out, _ = run_cli(capsys, "query", str(tmp_path))
    assert code == 0 and len(out.splitlines()) == 5


def test_integers_beyond_64_bits_keep_their_digits(tmp_path, capsys):
    hostile_trail(tmp_path, record_with(requestParameters={"n": 123456789012345678901234567890, "m": -(2 ** 70)}))
    code, out, _ = run_cli(capsys, "query", str(tmp_path), "--format", "jsonl")
    line = next(line for line in out.splitlines() if '"BAD"' in line)
    assert code == 0 and "123456789012345678901234567890" in line and str(-(2 ** 70)) in line


_JSON = st.recursive(st.none() | st.booleans() | st.integers(min_value=-(10 ** 25), max_value=10 ** 25)
                     | st.floats(allow_nan=False, allow_infinity=False) | st.text(max_size=20),
                     lambda inner: (st.lists(inner, max_size=4)
                                    | st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                     max_leaves=20)


@settings(max_examples=150, deadline=500, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(FIELDS), _JSON, max_size=len(FIELDS)))
def test_every_reader_tolerates_any_shape(fields):
    raw = {"eventTime": "2024-03-01T00:00:00Z", "eventName": "GetObject", **fields}
    event = Event.from_raw(raw, "here")
    assert isinstance(principal_label(raw.get("userIdentity")), str)
    for name in ("event_id", "event_source", "event_name", "source_ip", "region", "error_code", "short_source"):
        assert isinstance(getattr(event, name), str)
    assert loads_record(dumps_record(raw)) == raw
    json.dumps(ocsf_record(event))
    CsvWriter(io.StringIO()).write([event])
    HuntEngine(load_catalogue(None).hunts).feed(event)
