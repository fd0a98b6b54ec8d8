"""The hunt list and export dialog, driven with Pilot at 80x24 in a tiny host app."""

from __future__ import annotations

import stat
from pathlib import Path
from typing import Any

import pytest
from stratus import stratus_records, stratus_trail
from textual.app import App
from textual.widgets import DataTable

from trailtui.aws.config import AwsConfig
from trailtui.export.marks import Mark
from trailtui.filters import EventFilter
from trailtui.hunts import load_catalogue
from trailtui.sources import Query
from trailtui.timerange import TimeRange, parse_time
from trailtui.ui.export_screen import ExportScreen
from trailtui.ui.hunts_screen import HuntsScreen
from trailtui.ui.session import SourceSession

HOSTILE = "[red]x[/red]\x1b[2J\x07"


class Host(App):
    """Pushes one screen, given a source session as the console's, and records
    what it dismissed with."""

    def __init__(self, screen_factory, source_url: str, source: Any = None) -> None:
        super().__init__()
        self.screen_factory = screen_factory
        self.session = SourceSession(source_url, AwsConfig(), source)
        self.result: Any = "not dismissed"

    def on_mount(self) -> None:
        self.push_screen(self.screen_factory(self.session), self.done)

    async def on_unmount(self) -> None:
        await self.session.close()

    def done(self, result: Any) -> None:
        self.result = result


def screen_text(app: App) -> str:
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def flat_text(app: App) -> str:
    """The screen with borders removed and wrapped lines joined, for phrases."""
    return " ".join(" ".join(line.strip("│╭╮╰╯─ ").split()) for line in screen_text(app).splitlines())


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    return stratus_trail(tmp_path / "trail", ("defense-evasion.cloudtrail-stop",
                                               "credential-access.secretsmanager-retrieve-secrets",
                                               "persistence.iam-create-admin-user"))


async def settle(pilot, app: App) -> None:
    await pilot.pause()
    await app.workers.wait_for_complete()
    await pilot.pause()


async def shown_when(pilot, condition, timeout: float = 5.0) -> None:
    """Wait until `condition()` holds (work on the source thread ends a moment later)."""
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the condition never held")


async def shown(pilot, app: App, phrase: str, timeout: float = 5.0) -> str:
    """Wait until `phrase` is on screen (first paint of a pushed screen takes a few frames)."""
    for _ in range(int(timeout / 0.05)):
        if phrase in flat_text(app):
            return flat_text(app)
        await pilot.pause(0.05)
    raise AssertionError(f"{phrase!r} never appeared:\n{screen_text(app)}")


async def test_hunts_screen_counts_and_enter_returns_filter(trail):
    app = Host(lambda session: HuntsScreen(session, TimeRange()), str(trail))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        assert isinstance(screen, HuntsScreen) and screen.done
        text = screen_text(app)
        assert f"done: 25 events scanned, 5 of {len(load_catalogue())} hunts fired" in text
        table = screen.query_one(DataTable)
        counts = {row.value: str(table.get_cell(row.value, "hits")) for row in table.rows
                  if row.value != "__folded__"}
        assert counts["cloudtrail-stopped"] == "1" and counts["secrets-mass-retrieval"] == "20"
        assert "leave-organization" not in counts  # zero-hit hunts are folded
        assert f"{len(load_catalogue()) - 5} hunts: no hits" in text
        assert "CloudTrail logging stopped or trail deleted" in text
        await pilot.press("j", "k")  # first row: the critical CloudTrail hunt
        assert "cloudtrail-stopped" in screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == load_catalogue().get("cloudtrail-stopped").browser_filter
    EventFilter.compile(app.result)


async def test_hunts_screen_sequence_filter_and_escape(trail):
    app = Host(lambda session: HuntsScreen(session, TimeRange()), str(trail))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        screen = app.screen
        table = screen.query_one(DataTable)
        await pilot.press("G", "enter")  # unfold the hunts without hits
        await pilot.pause()
        assert table.row_count == len(screen.hunts) + 1
        await pilot.press("G")
        assert table.cursor_row == len(screen.hunts)
        await pilot.press("g", "j")
        assert table.cursor_row == 1
        await pilot.press("k", "k")
        assert table.cursor_row == 0, "k stops at the first row"
        row = screen.order.index("new-user-granted-access")
        table.move_cursor(row=row)
        await pilot.pause()
        assert "fires when followed by its second step within 30m" in flat_text(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


async def test_hunts_screen_time_range_and_bad_source(trail, tmp_path):
    window = TimeRange(parse_time("2024-07-31T13:00:00Z"), parse_time("2024-07-31T14:00:00Z"))
    app = Host(lambda session: HuntsScreen(session, window), str(trail))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        assert f"1 of {len(load_catalogue())} hunts fired" in screen_text(app)
    app = Host(lambda session: HuntsScreen(session, TimeRange()), str(tmp_path / "gone") + HOSTILE)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, app)
        text = screen_text(app)
        flat = flat_text(app)
        assert "no such file" in flat and "[red]x[/red]\\x1b[2J\\x07" in flat.replace(" ", "")
        assert "\x1b" not in text and "\x07" not in text


def marks_for(trail: Path) -> list[Mark]:
    raw = stratus_records("defense-evasion.cloudtrail-stop")[0]
    return [Mark(event=raw, note="trail stopped " + HOSTILE)]


async def test_export_screen_writes_markdown_with_progress(trail, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    query = Query(filter=EventFilter.compile("eventSource == 'secretsmanager.amazonaws.com'"))
    app = Host(lambda session: ExportScreen(session, query, marks_for(trail)), str(trail))
    async with app.run_test(size=(80, 24)) as pilot:
        text = await shown(pilot, app, "marked findings (1)")
        assert "current results" in text and "results: eventSource == 'secretsmanager.amazonaws.com' · all time" in text
        assert "./trailtui-export-" in text and ".jsonl" in text
        await pilot.press("right", "right", "enter")  # format: Markdown
        await pilot.pause()
        assert ".md" in screen_text(app)
        await pilot.press("tab", "tab", "enter")  # to the path, write
        await settle(pilot, app)
        text = screen_text(app)
        assert "wrote 21 events to trailtui-export-" in text and "100%" in text
        await pilot.press("escape")
        await pilot.pause()
    written = Path(app.result)
    assert written.suffix == ".md" and stat.S_IMODE(written.stat().st_mode) == 0o600
    report = written.read_text()
    assert "| secrets-mass-retrieval |" in report and "## Marked events (1, oldest first)" in report
    assert "\\[red\\]x\\[/red\\]" in report


async def test_export_screen_marked_findings_and_overwrite_confirmation(trail, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "findings.csv"
    target.write_text("keep me")
    app = Host(lambda session: ExportScreen(session, Query(), marks_for(trail)), str(trail))
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, app, "Format")
        await pilot.press("right", "enter")  # CSV
        await pilot.press("tab", "right", "enter")  # marked findings
        await pilot.press("tab")
        path_input = app.screen.query_one("#export-path")
        path_input.value = str(target)
        await pilot.press("enter")
        await settle(pilot, app)
        assert "exists: press enter again" in screen_text(app)
        assert target.read_text() == "keep me"
        await pilot.press("enter")
        await settle(pilot, app)
        assert "wrote 1 events" in screen_text(app)
        await pilot.press("escape")
        await pilot.pause()
    assert app.result == str(target)
    rows = target.read_text().splitlines()
    assert len(rows) == 2 and "StopLogging" in rows[1]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


async def test_export_screen_hostile_filter_text_and_no_marks(trail, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    query = Query(filter=EventFilter.compile(f"userAgent == '{HOSTILE}'"))
    app = Host(lambda session: ExportScreen(session, query, []), str(trail))
    async with app.run_test(size=(80, 24)) as pilot:
        text = await shown(pilot, app, "marked findings (0)")
        assert "\x1b" not in screen_text(app) and "\x07" not in screen_text(app)
        assert "[red]x" in text
        assert app.screen.query_one("#what-marks").disabled
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None
    assert list(tmp_path.iterdir()) == [trail]


class _EndlessSource:
    """A source that yields one page and then waits forever (a slow S3 bucket)."""

    url = "endless://"
    capabilities = None

    def __init__(self) -> None:
        self.closed = False
        self.search_closed = False

    async def search(self, query):
        import asyncio

        from trailtui.events import Event
        from trailtui.sources.base import Page

        raw = stratus_records("defense-evasion.cloudtrail-stop")[0]
        try:
            yield Page(events=[Event.from_raw(raw)], scanned=1, progress=0.01)
            await asyncio.Event().wait()
        finally:
            self.search_closed = True

    async def close(self) -> None:
        self.closed = True


async def test_export_screen_escape_cancels_and_leaves_no_file(trail, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    endless = _EndlessSource()
    app = Host(lambda session: ExportScreen(session, Query(), []), "endless://", endless)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown(pilot, app, "Format")
        await pilot.press("tab", "tab", "enter")
        await shown(pilot, app, "writing")
        assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")], "the temp file exists while writing"
        await pilot.press("escape")
        await settle(pilot, app)
        assert "cancelled: nothing was written" in flat_text(app)
        await shown_when(pilot, lambda: endless.search_closed)  # the cancel reached the source's thread
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None and endless.closed  # the session closed it with the app
    assert sorted(p.name for p in tmp_path.iterdir()) == ["trail"]


def test_hit_counts_fit_the_five_column_cell():
    """A count cut to the cell misreads (25,719 showed as `25,71`): past
    9,999 it is shortened, never cut, at every size."""
    from trailtui.ui.hunts_screen import count_text

    assert count_text(9_999) == "9,999" and count_text(25_719) == "25.7k" and count_text(257_000) == "257k"
    assert count_text(999_499) == "999k" and count_text(999_500) == "1.0M" and count_text(2_600_000) == "2.6M"
    assert all(len(count_text(n)) <= 5 for n in [*range(0, 2_000_000, 997), 99_949_999, 99_950_000, 999_000_000])


async def test_hunts_screen_shortens_a_five_digit_hit_count(tmp_path):
    """10,050 failed console sign-ins from one address: the HITS cell (five
    columns at 80) shows 10.1k, not the count cut to `10,05`."""
    from sources_fixture import trail_objects, write_tree

    base = {"eventVersion": "1.08", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
            "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9", "eventType": "AwsConsoleSignIn",
            "recipientAccountId": "111122223333", "responseElements": {"ConsoleLogin": "Failure"},
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/bob", "userName": "bob"}}
    records = [dict(base, eventID=f"login-{n}", eventTime=f"2026-11-20T10:{n // 600:02d}:{n // 10 % 60:02d}Z")
               for n in range(10_050)]
    tree = tmp_path / "trail"
    write_tree(tree, trail_objects(records)[0])
    app = Host(lambda session: HuntsScreen(session, TimeRange()), str(tree))
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_when(pilot, lambda: isinstance(app.screen, HuntsScreen) and app.screen.done, timeout=60)
        table = app.screen.query_one(DataTable)
        assert str(table.get_cell("console-login-failures", "hits")) == "10.1k"
        row = next(line for line in screen_text(app).splitlines() if " MED " in line)
        assert "10.1k" in row and "10,05" not in row
