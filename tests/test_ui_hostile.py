"""Hostile event text on every widget that shows event data: Rich markup is
shown literally, control characters and escape sequences only as visible
escapes, and none of them ever reaches the terminal."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from test_ui_harness import (  # noqa: F401
    T0,
    incident_records,
    isolated_config,
    screen_segments,
    screen_text,
    wait_idle,
    wait_until,
    write_trail,
)
from trail_builder import event

from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.detail_screen import DetailScreen
from trailtui.ui.pivot_screen import PivotScreen
from trailtui.ui.prompt_screen import PromptScreen

MARKUP = "[red]evil[/red][link=http://x.example]y[/link][/b]"
ESCAPES = "\x1b]0;PWNED\x07\x1b[2J\x9b31m\u202erev"
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e")


def hostile_record() -> dict:
    identity = {"type": "IAMUser", "principalId": "AIDAX", "accountId": "111122223333",
                "arn": f"arn:aws:iam::111122223333:user/{MARKUP}{ESCAPES}", "userName": f"{MARKUP}{ESCAPES}",
                "accessKeyId": f"AKIA{ESCAPES}"}
    return event(T0 + timedelta(hours=2), name=f"Get{MARKUP}{ESCAPES}", userIdentity=identity,
                 sourceIPAddress=f"{ESCAPES}1.2.3.4", errorCode=f"[bold]Denied{ESCAPES}",
                 errorMessage=MARKUP + ESCAPES, userAgent=MARKUP + ESCAPES, eventID="hostile-1")


def assert_safe(app: TrailApp, where: str) -> str:
    for segment in screen_segments(app):
        for char in FORBIDDEN:
            assert char not in segment, f"{where}: raw {char!r} reached the screen in {segment!r}"
    return screen_text(app)


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    return write_trail(tmp_path / "trail", incident_records() + [hostile_record()])


async def test_hostile_fields_render_literally_everywhere(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=(220, 50)) as pilot:
        await wait_idle(pilot, app)
        text = assert_safe(app, "event list")
        first = next(line for line in text.splitlines() if "Denied" in line)
        assert "[red]evil[/red]" in first and "[bold]Denied\\x1b]0;PW" in first
        assert "\\x1b[2J" in first and "\\x9b31m" in first and "\\u202erev" in first

        # Detail: summary and JSON.
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert isinstance(app.screen, DetailScreen)
        text = assert_safe(app, "detail")
        assert "FAILED [bold]Denied\\x1b]0;PWNED\\x07" in text  # summary: result
        assert "from     \\x1b]0;PWNED" in text or "\\x1b]0;PWNED\\x07\\x1b[2J\\x9b31m\\u202erev1.2.3.4 in" in text
        assert '"userName": "[red]evil[/red][link=http://x.example]y[/link][/b]\\u001b]0;PWNED\\u0007' in text
        assert "\\x9b31m\\u202erev" in text

        # Mark dialog (shows the event line) and the Findings pane.
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        assert isinstance(app.screen, PromptScreen)
        assert "[red]evil[/red]" in assert_safe(app, "mark dialog")
        app.screen.query_one("Input").value = "note [blink]x[/blink]\x1b[31m"
        await pilot.press("enter")
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is app.screen_stack[0])
        await pilot.press("4")
        await wait_until(pilot, lambda: app.current_pane == "findings" and "note [blink]" in screen_text(app))
        text = assert_safe(app, "findings")
        assert "note [blink]x[/blink]\\x1b[31m" in text and "[red]evil[/red]" in text
        await pilot.press("2")

        # Pivot menu and breadcrumbs.
        await pilot.press("p")
        await wait_until(pilot, lambda: isinstance(app.screen, PivotScreen))
        assert isinstance(app.screen, PivotScreen)
        assert "[red]evil[/red]" in assert_safe(app, "pivot menu")
        await pilot.press("1")  # principal
        await wait_idle(pilot, app)
        text = assert_safe(app, "breadcrumbs")
        crumbs = next(line for line in text.splitlines() if "pivots ▸" in line)
        assert "principal user/[red]evil[/red]" in crumbs and "\\x1b]0;PWNED" in crumbs
        assert "1 matched" in text

        # Status line: a filter holding markup and a raw ESC.
        await pilot.press("backspace")
        await wait_idle(pilot, app)
        app.apply_filter("eventName == 'Get[red]evil[/red][link=http://x.example]y[/link][/b]\x1b]0;PWNED\x07"
                         "\x1b[2J\x9b31m\u202erev'")
        await wait_idle(pilot, app)
        text = assert_safe(app, "status line")
        status = text.splitlines()[-2]
        assert "eventName == 'Get[red]evil[/red]" in status and "\\x1b]0;PWNED\\x07" in status
        assert "1 matched" in status
        assert "␛]0;PWNED" in text.splitlines()[1]  # the filter bar draws ESC as a control picture


async def test_hostile_row_at_80_columns_stays_on_one_line(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        text = assert_safe(app, "narrow list")
        lines = text.splitlines()
        assert len(lines) == 24 and all(len(line) == 80 for line in lines)
        row = next(line for line in lines if line.startswith("!") and "…" in line)
        assert "[red]" in row
