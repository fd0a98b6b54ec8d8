"""The Markdown report reads like one: summary, indicators, the marked events
in time order with their notes, the hunts over the whole source and range,
the integrity verdict, the raw events last; every attacker-written string is
inert in every table cell.  Driven through the real CLI (`trailtui export`)."""

from __future__ import annotations

import copy
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from stratus import stratus_records, stratus_trail

from trailtui.cli import main
from trailtui.export.marks import Mark, write_marks

SECTIONS = ("# trailtui incident report", "## Summary", "### Timeline (events per", "## Indicators",
            "## Marked events", "## Hunts that fired", "## Integrity", "## Appendix: raw marked events")


@pytest.fixture
def incident(tmp_path: Path) -> Path:
    """Stratus Red Team detonations: CloudTrail stopped, an admin user with an access key created, secrets read."""
    return stratus_trail(tmp_path / "trail", ("defense-evasion.cloudtrail-stop", "persistence.iam-create-admin-user",
                                              "credential-access.secretsmanager-retrieve-secrets"))


def _positions(text: str) -> list[int]:
    found = [text.find("\n" + title) if not title.startswith("# ") else text.find(title) for title in SECTIONS]
    assert all(at >= 0 for at in found), dict(zip(SECTIONS, found, strict=True))
    return found


def test_report_of_an_incident_reads_in_order(incident: Path, tmp_path: Path, capsys) -> None:
    created = next(r for r in stratus_records("persistence.iam-create-admin-user") if r["eventName"] == "CreateUser")
    stopped = stratus_records("defense-evasion.cloudtrail-stop")[0]
    marks = tmp_path / "marks.jsonl"
    # marked newest first: the report lists them oldest first
    write_marks(marks, [Mark(created, "backdoor admin user", datetime(2024, 8, 2, tzinfo=UTC)),
                        Mark(stopped, "trail stopped first", datetime(2024, 8, 2, tzinfo=UTC))])
    verify = tmp_path / "verify.json"
    verify.write_text(json.dumps({"summary": {"ok": True, "statuses": {"VALID": 4}}, "results": []}))
    report = tmp_path / "incident.md"
    code = main(["export", str(incident), "--format", "markdown", "--filter", "eventSource == 'iam.amazonaws.com'",
                 "--marked", str(marks), "--verify-result", str(verify), "-o", str(report)])
    assert code == 0, capsys.readouterr().err
    text = report.read_text()
    assert _positions(text) == sorted(_positions(text)), "sections in the documented order"
    summary = text[text.index("## Summary"):text.index("## Indicators")]
    assert "- **What:** 3 events" in summary and "iam:CreateUser (1)" in summary
    assert "- **When:** 2024-08-01 13:33:28Z to 2024-08-01 13:33:28Z UTC (0 seconds)" in summary
    assert "- **Who:** user/christophe (3)" in summary
    assert re.search(r"- \*\*From where:\*\* \S+ \(3\)", summary)
    assert "- **Accounts:** 229654561268 (3)" in summary and "- **Regions:** ap-isob-central-3r (3)" in summary
    assert "- **Integrity:** VERIFIED" in summary and "- **Marked findings:** 2" in summary
    indicators = text[text.index("## Indicators"):text.index("## Marked events")]
    for row in ("| principal | user/christophe | 3 |", "| access key | ", "| source IP | ", "| user agent | ",
                "| user created | malicious-iam-user | 1 | 2024-08-01 13:33:28Z |",
                "| access key created | AKIAXAFZN8JEPF6L682H for user malicious-iam-user | 1 |",
                "| account | 229654561268 | 3 |"):
        assert row in indicators, row
    marked = text[text.index("## Marked events"):text.index("## Hunts that fired")]
    assert "## Marked events (2, oldest first)" in marked
    assert marked.index("trail stopped first") < marked.index("backdoor admin user"), "oldest first"
    assert "| 1 | 2024-07-31 13:06:24Z | user/christophe | cloudtrail:StopLogging |" in marked
    hunts = text[text.index("## Hunts that fired"):text.index("## Integrity")]
    # The filter kept IAM calls only; the hunts ran over the whole source and range.
    assert "Over every event of the source in all time (" in hunts
    assert "| cloudtrail-stopped |" in hunts and "| secrets-mass-retrieval |" in hunts
    assert "| new-user-granted-access |" in hunts
    integrity = text[text.index("## Integrity"):text.index("## Appendix")]
    assert "VERIFIED: every digest and log file checked is valid" in integrity and "VALID 4" in integrity
    appendix = text[text.index("## Appendix"):]
    assert appendix.index('"eventName": "StopLogging"') < appendix.index('"eventName": "CreateUser"')
    assert "&lt;" not in text and "&gt;" not in text and "&amp;" not in text


def test_hunts_over_the_whole_range_are_bounded(incident: Path, tmp_path: Path) -> None:
    import asyncio

    from trailtui.export.exporter import ExportRequest, run_export
    from trailtui.filters import EventFilter
    from trailtui.sources import Query

    out = tmp_path / "bounded.md"
    request = ExportRequest(source_url=str(incident), format="markdown", output=out, hunt_limit=1,
                            query=Query(filter=EventFilter.compile("eventName == 'CreateUser'")))
    asyncio.run(run_export(request))
    hunts = out.read_text().split("## Hunts that fired", 1)[1]
    assert "stopped at the bound of" in hunts and "later hits may be missing" in hunts


HOSTILE = "a|b`c`<img src=x onerror=alert(1)>&amp;\n# head\r\x1b[2J\x07[red]x[/red] *y* _z_ [l](http://e) ~~s~~"


def _hostile_records() -> list[dict]:
    """Every field a report table shows, written by the attacker."""
    records = []
    for template in (stratus_records("defense-evasion.cloudtrail-stop")[0],
                     next(r for r in stratus_records("persistence.iam-create-admin-user")
                          if r["eventName"] == "CreateUser"),
                     next(r for r in stratus_records("persistence.iam-create-admin-user")
                          if r["eventName"] == "CreateAccessKey")):
        record = copy.deepcopy(template)
        record["userIdentity"].update(userName="u" + HOSTILE, arn="arn:aws:iam::1:user/u" + HOSTILE,
                                      accessKeyId="K" + HOSTILE, accountId="A" + HOSTILE)
        record.update(sourceIPAddress="ip" + HOSTILE, userAgent="ua" + HOSTILE, awsRegion="r" + HOSTILE,
                      recipientAccountId="acct" + HOSTILE)
        if isinstance(record.get("requestParameters"), dict):
            record["requestParameters"]["userName"] = "new" + HOSTILE
        if record["eventName"] == "CreateAccessKey":
            record["responseElements"]["accessKey"].update(accessKeyId="AKIA" + HOSTILE, userName="new" + HOSTILE)
        records.append(record)
    denied = copy.deepcopy(records[1])
    denied.update(errorCode="Err" + HOSTILE, eventID="denied", eventTime="not a time" + HOSTILE)
    records.append(denied)
    return records


def markdown_tables(text: str) -> list[list[str]]:
    """The Markdown tables of `text`, each as its lines (header and rule included)."""
    tables: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        is_row = line.startswith("|")
        if is_row and not previous:
            tables.append([])
        if is_row:
            tables[-1].append(line)
        previous = is_row
    return tables


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]]


def test_hostile_values_are_inert_in_every_table_cell(tmp_path: Path, capsys) -> None:
    records = _hostile_records()
    trail = tmp_path / "hostile"
    trail.mkdir()
    (trail / "events.json").write_text(json.dumps({"Records": records}))
    marks = tmp_path / "marks.jsonl"
    write_marks(marks, [Mark(r, "note" + HOSTILE) for r in records])
    code = main(["export", str(trail), "--format", "md", "--marked", str(marks)])  # to stdout; md: markdown
    captured = capsys.readouterr()
    assert code == 0, captured.err
    text = captured.out
    assert "\x1b" not in text and "\x07" not in text and "\r" not in text
    assert "&lt;" not in text and "&gt;" not in text and "&amp;amp;" not in text and "&#" not in text
    tables = markdown_tables(text)
    assert len(tables) == 3, "indicators, marked events, hunts"
    hostile_cells = 0
    for table in tables:
        width = len(_cells(table[0]))
        for row in table:
            cells = _cells(row)
            assert len(cells) == width, row  # no pipe split a cell, no newline broke a row
            for cell in cells:
                if "img" not in cell:
                    continue
                hostile_cells += 1
                assert "\\<img src=x onerror=alert(1)\\>" in cell and "\\&amp;" in cell
                assert "\\`c\\`" in cell and "\\\\x0a# head\\\\x0d\\\\x1b" in cell  # rendered: \x0a# head…
                assert "\\[red\\]x\\[/red\\]" in cell and "\\[l\\](http://e)" in cell
                assert "\\*y\\*" in cell and "\\_z\\_" in cell and "\\~\\~s\\~\\~" in cell
    # indicators: principal, access key, source IP, user agent, 2 created, account; marks: 4 rows x
    # (principal, source IP, note) + error + unreadable time; hunts: top principals
    assert hostile_cells >= 7 + 4 * 3 + 2 + 1, hostile_cells
    prose = re.sub(r"(?ms)^(`{3,})(json)?\n.*?^\1$", "", text)
    assert "```" not in prose and "<img" not in prose.replace("\\<img", "")


def test_indicator_counts_stay_bounded_and_keep_first_and_last() -> None:
    from trailtui.export.indicators import SeenCounter

    counter = SeenCounter(limit=100)
    for i in range(10_000):
        counter.add("hot" if i % 2 else f"cold-{i}", datetime(2024, 1, 1 + i % 28, tzinfo=UTC))
    counter.add("hot", None)  # an event without a readable time counts, without moving first/last
    assert len(counter) <= 100 and counter.approximate
    value, seen = counter.top(1)[0]
    assert value == "hot" and seen.count == 5_001
    assert seen.first == datetime(2024, 1, 2, tzinfo=UTC) and seen.last == datetime(2024, 1, 28, tzinfo=UTC)
