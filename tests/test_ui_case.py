"""Nothing an analyst writes is lost: marks and notes live in the source's case
file (0600, atomic) and come back on reopen; `d` is undone by `u`; the cursor
stays put; `q` goes back one level; every list answers j k g G home end."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

from test_ui_harness import (
    SMALL,
    incident_records,
    isolated_config,  # noqa: F401  (an autouse fixture: imported, it applies)
    screen_text,
    wait_idle,
    wait_until,
)

from trailtui.case.store import case_path, cases_dir
from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.detail_screen import DetailScreen
from trailtui.ui.findings_pane import FindingsTable


async def mark(pilot, note: str) -> None:
    await pilot.press("m")
    await pilot.pause(0.05)
    await pilot.press(*note, "enter")
    await pilot.pause(0.05)


async def test_marks_are_saved_per_source_and_back_on_reopen(trail: Path, tmp_path: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("j", "j", "j")
        await mark(pilot, "leaked key")
        path = case_path(str(trail))
        assert path.parent == tmp_path / "xdg-data" / "trailtui" / "cases" == cases_dir()
        saved = json.loads(path.read_text())  # written as the mark was made, before any quit
        assert [m["note"] for m in saved["marks"]] == ["leaked key"]
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        assert not [p for p in path.parent.iterdir() if p.name.endswith(".part")]  # atomic: no temp left
    # The same source, spelled differently, opened again: the mark and note are back.
    again = TrailApp(ConsoleOptions(str(trail) + "/", keep_case=True))
    async with again.run_test(size=SMALL, notifications=True) as pilot:
        await wait_idle(pilot, again)
        text = screen_text(again)
        assert "4 Findings (1)" in text.splitlines()[0]
        assert "restored" in text
        assert any(line.startswith("*") and "user/eve" in line for line in text.splitlines())
        await pilot.press("4")
        await pilot.pause(0.1)
        assert "leaked key" in screen_text(again)


def test_export_case_uses_the_console_marks(trail: Path, tmp_path: Path) -> None:
    from trailtui.case.store import Case, save_case
    from trailtui.export.marks import Mark

    record = incident_records()[12]
    save_case(Case(str(trail), [Mark(record, "first hit of the leaked key")]), case_path(str(trail)))
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg-data")}
    out = subprocess.run([sys.executable, "-m", "trailtui", "export", str(trail), "--case", "--format", "jsonl"],
                         capture_output=True, text=True, env=env, timeout=60)
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 1 and json.loads(lines[0])["eventID"] == record["eventID"]
    report = subprocess.run([sys.executable, "-m", "trailtui", "export", str(trail), "--case", "--format",
                             "markdown"], capture_output=True, text=True, env=env, timeout=60)
    assert report.returncode == 0, report.stderr
    assert "first hit of the leaked key" in report.stdout
    missing = subprocess.run([sys.executable, "-m", "trailtui", "export", str(tmp_path), "--case", "--format",
                              "jsonl"], capture_output=True, text=True, env=env, timeout=60)
    assert missing.returncode == 2 and "no case for" in missing.stderr


async def test_d_is_undone_by_u_and_the_cursor_stays(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        for note in ("one", "two", "three"):
            await mark(pilot, note)
            await pilot.press("j")
        await pilot.press("4")
        await pilot.pause(0.1)
        table = app.query_one(FindingsTable)
        await pilot.press("j")  # the second row
        assert table.cursor_row == 1
        await pilot.press("n")
        await pilot.pause(0.05)
        await pilot.press("end", *" edited", "enter")
        await pilot.pause(0.1)
        assert table.cursor_row == 1  # n keeps the cursor
        assert "two edited" in screen_text(app)
        await pilot.press("d")
        await pilot.pause(0.1)
        assert "two edited" not in screen_text(app) and len(app.marks) == 2
        assert table.cursor_row == 1  # d keeps the cursor where it was
        await pilot.press("u")
        await pilot.pause(0.1)
        assert "two edited" in screen_text(app) and len(app.marks) == 3
        assert table.cursor_row == 1  # on the restored mark
        saved = json.loads(case_path(str(trail)).read_text())
        assert sorted(m["note"] for m in saved["marks"]) == ["one", "three", "two edited"]


async def test_q_goes_back_one_level_and_quits_only_from_a_pane(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail), demo=True))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        base = app.screen
        await pilot.press("enter")
        await pilot.pause(0.05)
        assert isinstance(app.screen, DetailScreen)
        for opener in ("question_mark", "h"):  # from the detail, a dialog on top
            await pilot.press(opener)
            await wait_until(pilot, lambda: len(app.screen_stack) == 3)
            await pilot.press("q")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.press("q")
        await pilot.pause(0.05)
        assert app.screen is base and app.is_running
        for opener in ("p", "e"):  # dialogs over the list
            await pilot.press(opener)
            await wait_until(pilot, lambda: len(app.screen_stack) == 2)
            await pilot.press("q")
            await wait_until(pilot, lambda: app.screen is base)
        assert app.is_running
        await pilot.press("q")
        await pilot.pause(0.1)
        assert not app.is_running


async def test_every_list_answers_j_k_g_G_home_end(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail), demo=True))
    async with app.run_test(size=(100, 40)) as pilot:
        await wait_idle(pilot, app)
        for _ in range(3):
            await mark(pilot, "x")
            await pilot.press("j")
        await pilot.press("4")
        await pilot.pause(0.1)
        table = app.query_one(FindingsTable)
        for key, row in (("j", 1), ("G", 2), ("k", 1), ("g", 0), ("end", 2), ("home", 0)):
            await pilot.press(key)
            assert table.cursor_row == row, key
        # Health: the demo's trails
        await pilot.press("1")
        await wait_until(pilot, lambda: "Health:" in screen_text(app) and app.focused is not None)
        await wait_until(pilot, lambda: app.focused.option_count > 1)
        health = app.focused
        last = health.option_count - 1
        for key, row in (("G", last), ("k", last - 1), ("g", 0), ("j", 1), ("end", last), ("home", 0)):
            await pilot.press(key)
            assert health.highlighted == row, key
        # Hunts
        await pilot.press("2", "h")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HuntsScreen")
        await wait_until(pilot, lambda: app.screen.done)
        hunts = app.screen.query_one("#hunts-table")
        await pilot.press("G", "enter")  # the last row folds the hunts without hits: unfold them
        await wait_until(pilot, lambda: hunts.row_count > 20)
        last = hunts.row_count - 1
        for key, row in (("j", 1), ("G", last), ("k", last - 1), ("g", 0), ("end", last), ("home", 0)):
            await pilot.press(key)
            assert hunts.cursor_row == row, key
