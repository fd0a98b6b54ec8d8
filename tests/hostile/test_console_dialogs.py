"""Two Enters in one burst on any dialog (t, h, f, p, :, m, e, ?, the detail
screen) used to dismiss it twice: the second pop took the screen below or
raised ScreenStackError and ended the console, losing the marks."""

from __future__ import annotations

from pathlib import Path

import pytest
from hostile_console import burst
from test_ui_harness import incident_records, isolated_config, wait_idle, write_trail  # noqa: F401

from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.detail_screen import DetailScreen


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    return write_trail(tmp_path / "trail", incident_records())


async def _marked_app(pilot, app: TrailApp) -> None:
    await wait_idle(pilot, app)
    await pilot.press("m")
    await pilot.press("enter")
    assert len(app.marks) == 1


@pytest.mark.parametrize("opener", ["t", "h", "f", "p", "colon", "m", "e", "question_mark", "enter"])
async def test_two_enters_in_a_burst_on_every_dialog(trail: Path, opener: str) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=(80, 24)) as pilot:
        await _marked_app(pilot, app)
        await burst(pilot, [opener, "enter", "enter", "enter"])
        await burst(pilot, ["escape", "escape", "escape"])
        assert app.is_running and app.return_code is None
        assert len(app.screen_stack) >= 1
        assert len(app.marks) >= 1
    assert app.return_code in (None, 0)


async def test_a_dismissed_dialog_never_pops_the_screen_below(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=(80, 24)) as pilot:
        await _marked_app(pilot, app)
        await pilot.press("enter")
        assert isinstance(app.screen, DetailScreen)
        await burst(pilot, ["p", "enter", "enter"])  # pivot dialog over the detail screen
        assert app.is_running and len(app.marks) == 1
        assert len(app.screen_stack) in (1, 2)  # the pivot ran once; never a stray pop
