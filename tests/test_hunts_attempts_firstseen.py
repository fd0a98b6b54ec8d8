"""Attempts shown as such in every output; first-seen hunts against a baseline."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import DataTable

from trailtui.aws.config import AwsConfig
from trailtui.cli import main
from trailtui.events import Event
from trailtui.export.report import ReportContext, ReportWriter
from trailtui.hunts import HuntContext, HuntEngine, load_catalogue
from trailtui.hunts import firstseen as firstseen_module
from trailtui.hunts.novelty import network, user_agent_family
from trailtui.timerange import TimeRange
from trailtui.ui.hunts_screen import HuntsScreen
from trailtui.ui.session import SourceSession

DATA = Path(__file__).parent / "data" / "hunts" / "traildiscover"
CATALOGUE = load_catalogue()
FIRST_SEEN = [h for h in CATALOGUE if h.first_seen is not None]
END = datetime(2024, 5, 8, 12, 0, tzinfo=UTC)


@pytest.fixture
def refused(tmp_path: Path) -> Path:
    """TrailDiscover's refused DeleteTrail and StopLogging records as one local file."""
    records = [r for name in ("CloudTrail_DeleteTrail", "CloudTrail_StopLogging")
               for r in json.loads((DATA / f"{name}.json").read_text())]
    path = tmp_path / "refused.json"
    path.write_text(json.dumps({"Records": records}))
    return path


def test_attempts_in_jsonl_and_table(refused, capsys):
    assert main(["hunt", str(refused), "--hunt", "cloudtrail-stopped", "--format", "jsonl"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(lines) == 2 and all(line["attempt"] is True and line["severity"] == "critical" for line in lines)
    assert main(["hunt", str(refused), "--hunt", "cloudtrail-stopped"]) == 1
    row = capsys.readouterr().out.splitlines()[1].split()
    assert row[:5] == ["cloudtrail-stopped", "critical", "2", "all", "attempts"]


def test_attempts_in_markdown_report(refused):
    records = json.loads(refused.read_text())["Records"]
    out = io.StringIO()
    writer = ReportWriter(out, ReportContext(source="./trail"), CATALOGUE.hunts)
    writer.write([Event.from_raw(r) for r in records])
    writer.close()
    text = out.getvalue()
    assert "| 2 (all attempts) |" in text and "An attempt is a hit on a call that failed" in text


class Host(App):
    def __init__(self, screen: HuntsScreen) -> None:
        super().__init__()
        self.hunt_screen = screen

    def on_mount(self) -> None:
        self.push_screen(self.hunt_screen)


async def test_attempts_on_the_console_hunts_screen(refused):
    session = SourceSession(str(refused), AwsConfig())
    screen = HuntsScreen(session, TimeRange())
    app = Host(screen)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.done
        table = screen.query_one(DataTable)
        assert str(table.get_cell("cloudtrail-stopped", "hunt")).startswith("all attempts · CloudTrail")
        text = "\n".join(strip.text for strip in app.screen._compositor.render_strips())
        assert "2  all attempts · CloudTrail" in text  # the outcome word is never cut at 80 columns


def activity(who: str, when: datetime, name: str = "DescribeInstances", ip: str = "198.51.100.7",
             agent: str = "Boto3/1.34.1 md/Botocore#1.34.1", region: str = "eu-west-1", read_only: bool = True) -> dict:
    return {"eventVersion": "1.09", "eventTime": when.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "eventSource": "ec2.amazonaws.com",
            "eventName": name, "awsRegion": region, "sourceIPAddress": ip, "userAgent": agent, "readOnly": read_only,
            "recipientAccountId": "111111111111", "eventID": f"{who}-{when.isoformat()}-{name}-{ip}",
            "userIdentity": {"type": "IAMUser", "userName": who, "accountId": "111111111111",
                             "arn": f"arn:aws:iam::111111111111:user/{who}"}}


def week_of_routine() -> list[dict]:
    """Two principals doing the same things every hour for a week."""
    out = []
    for hour in range(7 * 24):
        when = END - timedelta(hours=hour, minutes=5)
        out.append(activity("reporter", when, "DescribeInstances"))
        out.append(activity("reporter", when, "CreateTags", read_only=False))
        out.append(activity("builder", when, "RunInstances", ip="203.0.113.9", agent="aws-cli/2.15.0 Python/3.11",
                            read_only=False))
    return out


def hunt_all(records: list[dict], context: HuntContext | None = None):
    events = sorted((Event.from_raw(r) for r in records), key=lambda e: e.time, reverse=True)
    return HuntEngine(FIRST_SEEN, context).feed_all(events)


def test_first_seen_is_quiet_on_a_steady_background():
    assert hunt_all(week_of_routine()) == []


def test_first_seen_reports_a_leaked_key_once_per_new_thing():
    leaked = [activity("reporter", END - timedelta(hours=3, minutes=m), name, ip="192.0.2.66",
                       agent="aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024",
                       region="ap-southeast-2", read_only=False)
              for m, name in enumerate(["CreateAccessKey", "CreateAccessKey", "AttachUserPolicy"])]
    newcomer = [activity("stranger", END - timedelta(hours=1), "CreateUser", ip="192.0.2.99", read_only=False)]
    hits = hunt_all(week_of_routine() + leaked + newcomer)
    found = sorted((h.hunt.id, h.event.event_name) for h in hits)
    assert found == [("first-seen-api", "AttachUserPolicy"), ("first-seen-api", "CreateAccessKey"),
                     ("first-seen-network", "AttachUserPolicy"), ("first-seen-region", "AttachUserPolicy"),
                     ("first-seen-user-agent", "AttachUserPolicy")]
    first = next(h for h in hits if h.hunt.id == "first-seen-network")
    assert first.event.raw["eventTime"] == leaked[-1]["eventTime"], "the first time it was seen is reported"
    assert "192.0.2.0/24" in first.detail and "user/reporter" in first.detail
    assert all(h.event.principal != "user/stranger" for h in hits), "no baseline, nothing to compare"


def test_explicit_baseline_from_the_cli(tmp_path: Path, capsys):
    records = week_of_routine() + [activity("builder", END - timedelta(days=5), "RunInstances", ip="192.0.2.1",
                                            agent="aws-cli/2.15.0 Python/3.11", read_only=False)]
    path = tmp_path / "trail.json"
    path.write_text(json.dumps({"Records": records}))
    base = ["hunt", str(path), "--hunt", "first-seen-network", "--format", "jsonl"]
    assert main(base) == 0, "five days ago is inside the default baseline"
    assert main(base + ["--baseline-since", "2024-05-01T00:00:00Z", "--baseline-until", "2024-05-02T00:00:00Z"]) == 1
    line = json.loads(capsys.readouterr().out.splitlines()[0])
    assert line["event"]["sourceIPAddress"] == "192.0.2.1" and "192.0.2.0/24" in line["detail"]
    assert main(base + ["--baseline-since", "2024-05-01T00:00:00Z"]) == 2
    assert "--baseline-since needs --baseline-until" in capsys.readouterr().err


def test_candidates_are_bounded(monkeypatch):
    monkeypatch.setattr(firstseen_module, "MAX_CANDIDATES", 5)
    recent = [activity("reporter", END - timedelta(minutes=i), f"Call{i}", read_only=False) for i in range(50)]
    hits = hunt_all(week_of_routine() + recent)
    assert len([h for h in hits if h.hunt.id == "first-seen-api"]) <= 5


@pytest.mark.parametrize("agent,family", [
    ("aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024", "aws-cli"),
    ("[aws-cli/2.17.32 md/awscrt#0.21.2 ua/2.0]", "aws-cli"),
    ("Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0", "boto3"),
    ("Mozilla/5.0 (X11; Linux x86_64)", "browser"),
    ("aws-sdk-go-v2/1.21.0 os/linux", "aws-sdk-go"),
    ("Terraform/1.6.0 (+https://www.terraform.io)", "terraform"),
    ("", ""),
    ("\x1b]0;pwned\x07", "other"),
])
def test_user_agent_family(agent, family):
    assert user_agent_family({"userAgent": agent}) == family


def test_network_is_coarse():
    assert network({"sourceIPAddress": "198.51.100.7"}) == "198.51.100.0/24"
    assert network({"sourceIPAddress": "2001:db8:1:2::5"}) == "2001:db8:1::/48"
    assert network({"sourceIPAddress": "ec2.amazonaws.com"}) == ""
    assert network({"sourceIPAddress": ["x"]}) == ""
