"""Export formats, one at a time, on real and on hostile records."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import UTC, datetime

import orjson
import pytest
from stratus import stratus_records
from test_report import markdown_tables

from trailtui.events import Event
from trailtui.export.csvrows import CSV_COLUMNS, CsvWriter
from trailtui.export.integrity import IntegrityFileError, integrity_from_json
from trailtui.export.jsonl import JsonlWriter
from trailtui.export.marks import Mark
from trailtui.export.mdtext import md_code_block, md_escape
from trailtui.export.ocsf import activity_id, ocsf_record
from trailtui.export.report import ReportContext, ReportWriter, TopCounter
from trailtui.hunts import load_catalogue
from trailtui.timerange import TimeRange

HOSTILE = {
    "eventVersion": "1.08",
    "eventTime": "2024-05-01T12:00:00Z",
    "eventSource": "iam.amazonaws.com",
    "eventName": "CreateUser|`x`[a](http://evil)<img src=x onerror=alert(1)>",
    "awsRegion": "us-east-1",
    "sourceIPAddress": "=HYPERLINK(\"http://evil\",\"x\")",
    "userAgent": "+cmd|' /C calc'!A0\nsecond line \x1b[2J\x07 *bold* _it_",
    "errorCode": "@SUM(1+1)",
    "errorMessage": "\tleading tab",
    "requestID": "-1+1",
    "eventID": "\rcarriage",
    "recipientAccountId": "111122223333",
    "userIdentity": {"type": "IAMUser", "userName": "[red]alice[/red] | ~~gone~~ & co", "accessKeyId": "AKIAX"},
}


def stratus(name: str) -> list[Event]:
    return [Event.from_raw(r) for r in stratus_records(name)]


def test_csv_columns_quoting_and_formula_neutralising():
    out = io.StringIO()
    writer = CsvWriter(out)
    writer.write([Event.from_raw(HOSTILE)])
    writer.close()
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert rows[0] == list(CSV_COLUMNS)
    row = dict(zip(rows[0], rows[1], strict=True))
    assert len(rows) == 2, "the newline inside the user agent stayed inside its quoted cell"
    assert row["source_ip"].startswith("'=")
    assert row["user_agent"].startswith("'+cmd") and "\nsecond line" in row["user_agent"]
    assert row["error_code"] == "'@SUM(1+1)"
    assert row["error_message"] == "'\tleading tab"
    assert row["request_id"] == "'-1+1"
    assert row["event_id"] == "'\rcarriage"
    assert row["principal"] == "user/[red]alice[/red] | ~~gone~~ & co"


def test_jsonl_is_the_raw_event_exactly():
    events = stratus("defense-evasion.cloudtrail-stop") + [Event.from_raw(HOSTILE)]
    out = io.StringIO()
    JsonlWriter(out).write(events)
    lines = out.getvalue().splitlines()
    assert [json.loads(line) for line in lines] == [e.raw for e in events]


def test_integers_beyond_64_bits_are_written_exactly_in_ocsf_and_hunt_lines():
    """orjson refuses them; a crafted record holding one used to stop the export and `hunt --format jsonl`."""
    from trailtui.commands.hunt import hit_line
    from trailtui.export.ocsf import OcsfWriter
    from trailtui.hunts.engine import Hit

    raw = dict(HOSTILE, requestParameters={"count": 10**30, "negative": -(2**64)})
    event = Event.from_raw(raw)
    out = io.StringIO()
    OcsfWriter(out).write([event])
    assert json.loads(out.getvalue())["unmapped"]["requestParameters"] == {"count": 10**30, "negative": -(2**64)}
    line = hit_line(Hit(load_catalogue().hunts[0], event))
    assert json.loads(line)["event"] == raw and line.endswith(b"\n") and line.count(b"\n") == 1


@pytest.mark.parametrize("name,expected", [
    ("CreateUser", 1), ("CreateAccessKey", 1), ("GetSecretValue", 2), ("DescribeInstances", 2), ("ListBuckets", 2),
    ("BatchGetSecretValue", 2), ("UpdateTrail", 3), ("PutBucketPolicy", 3), ("ModifySnapshotAttribute", 3),
    ("UpdateFunctionCode20150331v2", 3), ("DeleteTrail", 4), ("DeleteBucketPolicy", 4), ("StopLogging", 99),
    ("ConsoleLogin", 99), ("AssumeRole", 99), ("", 99), ("lowercase", 99),
])
def test_ocsf_activity_from_verb(name, expected):
    assert activity_id(name) == expected


def test_ocsf_record_maps_cloudtrail_fields():
    event = stratus("defense-evasion.organizations-leave")
    leave = next(e for e in event if e.event_name == "LeaveOrganization")
    record = ocsf_record(leave)
    assert record["class_uid"] == 6003 and record["category_uid"] == 6
    assert record["activity_id"] == 99 and record["type_uid"] == 600399
    assert record["time"] == int(datetime(2024, 8, 2, 8, 30, tzinfo=UTC).timestamp() * 1000)
    assert record["status"] == "Failure" and record["status_id"] == 2 and record["status_code"] == "AccessDenied"
    assert record["api"]["operation"] == "LeaveOrganization"
    assert record["api"]["service"]["name"] == "organizations.amazonaws.com"
    assert record["src_endpoint"] == {"ip": "252.5.222.230"}
    assert record["cloud"]["region"] == leave.region
    assert record["cloud"]["account"]["uid"] == leave.raw["recipientAccountId"]
    assert record["actor"]["user"]["type"] == "AssumedRole"
    assert record["actor"]["user"]["uid"] == leave.raw["userIdentity"]["arn"]
    assert record["metadata"]["product"] == {"name": "CloudTrail", "vendor_name": "AWS",
                                             "version": leave.raw["eventVersion"]}
    assert record["metadata"]["version"] == "1.1.0"
    assert record["unmapped"] == leave.raw

    create = ocsf_record(stratus("persistence.iam-create-admin-user")[0])
    assert create["status"] == "Success" and "status_code" not in create
    service_call = dict(leave.raw, sourceIPAddress="ec2.amazonaws.com", eventTime="garbage")
    mapped = ocsf_record(Event.from_raw(service_call))
    assert mapped["src_endpoint"] == {"domain": "ec2.amazonaws.com"} and "time" not in mapped
    orjson.dumps(ocsf_record(Event.from_raw(HOSTILE)))  # always serialisable


def test_md_escape_neutralises_structure():
    text = md_escape(HOSTILE["eventName"] + HOSTILE["userAgent"])
    for raw in ("|", "`", "[", "]", "<", ">", "*", "_", "\n", "\x1b", "\x07"):
        stripped = text.replace("\\" + raw, "") if raw not in "\n\x1b\x07" else text
        assert raw not in stripped, raw
    assert "\\<img" in text and "\\x0a" in text and "\\x1b" in text
    assert "&lt;" not in text and "&amp;" not in md_escape("a & b")  # no HTML entities in the Markdown
    block = md_code_block("a ```` b")
    assert block.startswith("`````") and block.endswith("`````")


def _report(events, **context) -> str:
    out = io.StringIO()
    writer = ReportWriter(out, ReportContext(source="./trail", **context), load_catalogue().hunts)
    writer.write(sorted(events, key=lambda e: e.time, reverse=True))
    writer.scanned = 1000
    writer.close()
    return out.getvalue()


def test_markdown_report_sections():
    events = stratus("persistence.iam-create-admin-user") + stratus("defense-evasion.cloudtrail-stop")
    marks = [Mark(event=events[0].raw, note="backdoor user | created by [attacker]", marked_at=datetime(2024, 8, 2,
                                                                                                        tzinfo=UTC))]
    text = _report(events, filter_text="eventSource == 'iam.amazonaws.com' || `true`",
                   time_range=TimeRange(datetime(2024, 7, 1, tzinfo=UTC), None), marks=marks)
    assert text.startswith("# trailtui incident report\n\n## Summary\n")
    assert "Source ./trail;" in text
    assert "4 events of 1,000 scanned" in text
    assert "since 2024-07-01 00:00Z" in text
    assert "eventSource == 'iam.amazonaws.com' \\|\\| \\`true\\`" in text
    assert "- **Who:** user/christophe (4)" in text
    assert "most frequent: iam:" in text and "iam:CreateUser (1)" in text
    assert "### Timeline (events per" in text and "█" in text
    assert "| principal | user/christophe | 4 |" in text
    assert "| user created | malicious-iam-user | 1 |" in text
    assert "| access key created | AKIAXAFZN8JEPF6L682H for user malicious-iam-user | 1 |" in text
    assert "## Hunts that fired" in text
    for hunt_id in ("cloudtrail-stopped", "admin-policy-attached", "access-key-for-other-user",
                    "new-user-granted-access"):
        assert f"| {hunt_id.replace('_', chr(92) + '_')} |" in text
    assert "## Marked events (1, oldest first)" in text
    assert "backdoor user \\| created by \\[attacker\\]" in text
    assert "## Appendix: raw marked events" in text
    assert "```json" in text and '"eventName": "' in text
    assert "not verified" in text


def test_markdown_timeline_bins_fit_the_span():
    events = stratus("credential-access.secretsmanager-retrieve-secrets")  # a few minutes of activity
    text = _report(events)
    assert "### Timeline (events per minute, UTC)" in text
    assert "2024-07-31 12:36" in text


def test_markdown_escapes_every_event_string():
    text = _report([Event.from_raw(HOSTILE)], marks=[Mark(event=HOSTILE, note="<b>note</b>\nline")])
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    # Outside fenced code (which renders literally), no live HTML, links or markup.
    prose = re.sub(r"(?ms)^(`{3,})(json)?\n.*?^\1$", "", text)
    assert "```" not in prose, "every code block is closed by its own fence"
    live = prose.replace("\\<", "")  # a backslash-escaped < renders as text, never as a tag
    assert "<img" not in live and "<b>" not in live
    assert "[red]" not in prose.replace("\\[red\\]", "")
    assert "](" not in prose.replace("\\](", "")
    assert "\\<b\\>note\\</b\\>\\\\x0aline" in prose, "rendered: <b>note</b>\\x0aline, inert"
    assert "&lt;" not in text and "&gt;" not in text
    tables = markdown_tables(text)
    assert len(tables) >= 2  # indicators, marked events
    for table in tables:
        widths = {len(re.findall(r"(?<!\\)\|", row)) for row in table}
        assert len(widths) == 1, table


def test_markdown_integrity_line():
    status = integrity_from_json({
        "summary": {"ok": False, "statuses": {"VALID": 10, "HASH_MISMATCH": 1, "GAP": 2},
                    "found": {"start": "2024-05-01T00:00:00Z", "end": "2024-05-02T00:00:00Z"},
                    "digests": {"total": 5, "valid": 5}, "logs": {"total": 6, "valid": 5}},
        "results": [{"kind": "log", "location": "s3://b/AWSLogs/x|y.json.gz", "status": "HASH_MISMATCH",
                     "detail": "hash value doesn't match"}],
    }, "verify.json")
    assert status.ok is False and status.problem_count == 1
    text = _report(stratus("defense-evasion.cloudtrail-stop"), integrity=status)
    assert "FAILED: 1 problem(s) found, 2024-05-01T00:00:00Z to 2024-05-02T00:00:00Z" in text
    assert "**HASH\\_MISMATCH** s3://b/AWSLogs/x\\|y.json.gz" in text
    good = integrity_from_json({"summary": {"ok": True, "statuses": {"VALID": 3}}, "results": []})
    assert "VERIFIED" in _report(stratus("defense-evasion.cloudtrail-stop"), integrity=good)
    with pytest.raises(IntegrityFileError):
        integrity_from_json({"results": []})


def test_top_counter_stays_bounded():
    counter = TopCounter(limit=100)
    for i in range(10_000):
        counter.add("hot" if i % 2 else f"cold-{i}")
    assert len(counter.counts) <= 100 and counter.approximate
    assert counter.top(1)[0][0] == "hot"


def test_json_document_keeps_raw_events_exact_with_provenance_and_verdict():
    from trailtui.export.jsondoc import DocumentContext, JsonDocumentWriter

    verdict = integrity_from_json({"summary": {"ok": True, "statuses": {"VALID": 3}}, "results": []}, "verify.json")
    out = io.StringIO()
    writer = JsonDocumentWriter(out, DocumentContext(source="./trail\x1b", filter_text="eventName == 'x'",
                                                     integrity=verdict, marks=[Mark(HOSTILE, note="n\x1b[2J|`")]))
    writer.write([Event.from_raw(HOSTILE)])
    writer.write([Event.from_raw(HOSTILE)])
    writer.close()
    text = out.getvalue()
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text  # JSON escapes every control
    document = json.loads(text)
    assert document["events"] == [HOSTILE, HOSTILE] and document["count"] == 2
    assert document["integrity"]["verdict"].startswith("VERIFIED") and document["integrity"]["origin"] == "verify.json"
    assert document["marks"][0]["note"] == "n\x1b[2J|`" and document["filter"] == "eventName == 'x'"
    empty = io.StringIO()
    JsonDocumentWriter(empty, DocumentContext(source="s")).close()
    assert json.loads(empty.getvalue())["events"] == [] and json.loads(empty.getvalue())["integrity"] is None


def test_a_hit_given_back_as_text_prints_the_bytes_a_decoded_one_prints():
    """Kept findings print their events' text as it is; when the hunt's own
    fields need the stdlib encoder (a lone surrogate in a Sigma title), the
    line is written whole that way, as for a decoded event."""
    import dataclasses

    from trailtui.commands.hunt import hit_line
    from trailtui.events import TextEvent
    from trailtui.hunts.engine import Hit

    raw = dict(HOSTILE, requestParameters={"name": "caf\u00e9 \u2603"})
    event = Event.from_raw(raw)
    kept = TextEvent(orjson.dumps(raw), event.location, event.time, event.principal, event.access_key)
    hunt = load_catalogue().hunts[0]
    for chosen in (hunt, dataclasses.replace(hunt, title="odd \ud800 title")):
        assert hit_line(Hit(chosen, kept, True, "why")) == hit_line(Hit(chosen, event, True, "why"))
