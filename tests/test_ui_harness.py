"""Helpers for the console tests (imported by tests/test_ui_*.py): screen
capture as text, waiting on the app, a scripted EventSource test double, and
small local trails.  Also checks the helpers themselves."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from trail_builder import event, log_path, write_log

from trailtui.events import Event
from trailtui.sources.base import Capabilities, Page, Query

T0 = datetime(2024, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def isolated_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the real ~/.config/trailtui."""
    path = tmp_path / "config" / "trailtui" / "config.toml"
    monkeypatch.setenv("TRAILTUI_CONFIG", str(path))
    monkeypatch.delenv("TMUX", raising=False)
    monkeypatch.delenv("STY", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    return path


def screen_text(app: Any) -> str:
    """What the terminal would show, as plain text (one line per row)."""
    return "\n".join(strip.text for strip in app.screen._compositor.render_strips())


def screen_segments(app: Any) -> list[str]:
    return [seg.text for strip in app.screen._compositor.render_strips() for seg in strip]


def _painting(app: Any) -> bool:
    """True while the Events pane or the screen on top holds something its 10 Hz
    painter has not shown yet (their `_dirty` flag)."""
    return app.is_running and any(getattr(part, "_dirty", False) is True
                                  for part in (getattr(app, "_events", None), app.screen))


def _streaming(app: Any) -> bool:
    """True while an endless scripted source is still being read: its pages never stop, so its
    painters are never idle for long, and on a loaded host a poll may never catch them idle."""
    source = getattr(getattr(app, "options", None), "source", None)
    run = getattr(getattr(app, "_events", None), "run", None)
    return bool(app.is_running and getattr(source, "endless", False) and getattr(run, "running", False))


async def wait_until(pilot: Any, condition: Callable[[], bool], timeout: float = 10.0) -> None:
    """Poll `condition` while the console runs, then wait until the painters
    have shown everything they hold and every message that painting posted is
    handled."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for the console:\n{screen_text(pilot.app)}")
        await pilot.pause(0.02)
    if _streaming(pilot.app):  # a scan that never ends keeps its painters busy: give them one 10 Hz tick
        await pilot.pause(0.15)
        return
    while _painting(pilot.app):
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the console to paint")
        await pilot.pause(0.02)
    if pilot.app.is_running:
        await pilot.pause()


async def wait_idle(pilot: Any, app: Any) -> None:
    await wait_until(pilot, lambda: not app.events.run.running and not app.events.run.paused)


async def open_hunts(pilot: Any, app: Any, timeout: float = 10.0) -> Any:
    """Press `h`, wait for the hunts window and for its run to end: the window."""
    await pilot.press("h")
    await wait_until(pilot, lambda: type(app.screen).__name__ == "HuntsScreen")
    screen = app.screen
    await wait_until(pilot, lambda: screen.done, timeout=timeout)
    return screen


def incident_records() -> list[dict[str, Any]]:
    """A small investigation: alice works normally, a leaked key from a
    strange IP enumerates and fails, a role session creates a user."""
    records = []
    for i in range(12):
        records.append(event(T0 + timedelta(minutes=i), name="GetObject", eventID=f"alice-{i}"))
    attacker = {"type": "IAMUser", "principalId": "AIDAEVE", "arn": "arn:aws:iam::111122223333:user/eve",
                "accountId": "111122223333", "accessKeyId": "AKIALEAKED", "userName": "eve"}
    for i in range(6):
        records.append(event(T0 + timedelta(minutes=30, seconds=i), name="ListUsers", eventSource="iam.amazonaws.com",
                             userIdentity=attacker, sourceIPAddress="203.0.113.66", errorCode="AccessDenied",
                             errorMessage="not authorized", eventID=f"eve-{i}"))
    role = {"type": "AssumedRole", "principalId": "AROAROLE:ops-session",
            "arn": "arn:aws:sts::111122223333:assumed-role/Ops/ops-session", "accountId": "111122223333",
            "accessKeyId": "ASIASESSION", "sessionContext": {"attributes": {"creationDate": "2024-03-01T12:40:00Z"},
                                                              "sessionIssuer": {"userName": "Ops"}}}
    for i in range(3):
        records.append(event(T0 + timedelta(minutes=45 + i), name="CreateUser", eventSource="iam.amazonaws.com",
                             userIdentity=role, sourceIPAddress="192.0.2.10", eventID=f"ops-{i}"))
    return records


SMALL = (80, 24)  # the terminal every console test starts from


def write_trail(root: Path, records: list[dict[str, Any]]) -> Path:
    """One file per 20 records, delivered 5 minutes after its newest event."""
    records = sorted(records, key=lambda r: r["eventTime"])
    for n in range(0, len(records), 20):
        chunk = records[n:n + 20]
        newest = datetime.strptime(chunk[-1]["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
        write_log(log_path(root, "111122223333", "us-east-1", newest + timedelta(minutes=5), unique=f"{n:016d}"),
                  chunk)
    return root


@dataclass
class Generation:
    query: Query
    closed: bool = False
    pages: int = 0


@dataclass
class ScriptedSource:
    """An EventSource test double: yields `records` in pages with a delay
    between pages (forever when `endless`), and records every search and
    whether its generator was closed."""

    records: list[dict[str, Any]]
    page_size: int = 20
    delay: float = 0.0
    endless: bool = False
    url: str = "test://scripted"
    capabilities: Capabilities = field(default_factory=Capabilities)
    searches: list[Generation] = field(default_factory=list)
    closed: bool = False

    async def search(self, query: Query) -> AsyncIterator[Page]:
        generation = Generation(query)
        self.searches.append(generation)
        try:
            lap = 0
            while True:
                for start in range(0, len(self.records), self.page_size):
                    await asyncio.sleep(self.delay)
                    chunk = self.records[start:start + self.page_size]
                    matched = [Event.from_raw(r) for r in chunk
                               if query.filter.matches(r) and query.time_range.contains(Event.from_raw(r).time)]
                    generation.pages += 1
                    yield Page(events=matched, scanned=len(chunk), progress=None, status=f"lap {lap}")
                lap += 1
                if not self.endless:
                    return
        finally:
            generation.closed = True

    async def close(self) -> None:
        self.closed = True


def test_scripted_source_closes_its_generator() -> None:
    async def scenario() -> Generation:
        source = ScriptedSource(incident_records(), endless=True)
        pages = source.search(Query())
        await pages.__anext__()
        await pages.aclose()
        return source.searches[0]

    assert asyncio.run(scenario()).closed


def test_write_trail_layout(tmp_path: Path) -> None:
    write_trail(tmp_path, incident_records())
    files = sorted(tmp_path.rglob("*.json.gz"))
    assert len(files) == 2
    assert all("AWSLogs/111122223333/CloudTrail/us-east-1/2024/03/01" in str(f) for f in files)
