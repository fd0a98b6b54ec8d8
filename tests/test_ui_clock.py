"""Offline evidence keeps its own clock: presets count back from the newest
event (and the status line says so), the year shows when it is not this
year, `t` pre-fills ±15 minutes around the selected event, `o` reads the
attack oldest first."""

from __future__ import annotations

from pathlib import Path

from test_ui_harness import (
    SMALL,
    isolated_config,  # noqa: F401  (an autouse fixture: imported, it applies)
    screen_text,
    wait_idle,
    wait_until,
)

from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.detail_screen import DetailScreen


async def test_presets_count_back_from_the_newest_event_of_a_local_trail(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("t")
        await pilot.pause(0.1)
        assert "counted back from the trail's newest event, 2024-03-01 12:47Z" in screen_text(app)
        app.screen.query_one("#time-presets").focus()
        await pilot.press("enter")  # 15m: 12:32 .. 12:47, the ops role's three CreateUser
        await wait_idle(pilot, app)
        status = screen_text(app).splitlines()[-2]
        assert "last 15m to newest event" in status and "3 matched" in status, status


async def test_the_year_is_shown_for_events_of_another_year(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        lines = screen_text(app).splitlines()
        header = next(i for i, line in enumerate(lines) if "PRINCIPAL" in line)
        assert "24-03-01 12:47:00" in lines[header + 1]  # 80 columns: a two-digit year
    wide = TrailApp(ConsoleOptions(str(trail)))
    async with wide.run_test(size=(120, 30)) as pilot:
        await wait_idle(pilot, wide)
        assert "2024-03-01 12:47:00" in screen_text(wide)


async def test_t_on_a_selected_event_prefills_15_minutes_either_side(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("j", "j", "j")  # eve's newest ListUsers, 12:30:05
        await pilot.press("t")
        await pilot.pause(0.1)
        assert app.screen.query_one("#time-since").value == "2024-03-01T12:15:05Z"
        assert app.screen.query_one("#time-until").value == "2024-03-01T12:45:05Z"
        assert "±15 min around the selected event" in screen_text(app)
        await pilot.press("enter")  # the cursor is in the from box: enter applies the range
        await wait_idle(pilot, app)
        status = screen_text(app).splitlines()[-2]
        assert "2024-03-01 12:15→12:45Z" in status and "7 matched" in status, status


async def test_o_toggles_oldest_first(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("o")
        await pilot.pause(0.1)
        lines = screen_text(app).splitlines()
        header = next(i for i, line in enumerate(lines) if "PRINCIPAL" in line)
        assert "24-03-01 12:00:00" in lines[header + 1] and "user/alice" in lines[header + 1]
        assert "oldest first" in lines[-2]
        await pilot.press("j", "enter")  # the second oldest event
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert '"eventID": "alice-1"' in screen_text(app)
        await pilot.press("escape", "o")
        await pilot.pause(0.1)
        assert "oldest first" not in screen_text(app).splitlines()[-2]
        assert app.events.selected_raw()["eventID"] == "alice-1"  # off the top, the selection follows its event
        await pilot.press("g")
        await pilot.pause(0.05)
        assert "24-03-01 12:47:00" in screen_text(app).splitlines()[header + 1]
