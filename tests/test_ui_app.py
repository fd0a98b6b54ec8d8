"""The console driven headlessly at 80x24 (the bastion floor) and 160x45: what
an analyst sees after each key."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from test_ui_harness import (
    SMALL,
    ScriptedSource,
    incident_records,
    isolated_config,  # noqa: F401  (an autouse fixture: imported, it applies)
    screen_text,
    wait_idle,
    wait_until,
)

from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.detail_screen import DetailScreen
from trailtui.ui.help_screen import HelpScreen
from trailtui.ui.keys import KEYS, binding_id
from trailtui.ui.pivot_screen import PivotScreen

LARGE = (160, 45)


def app_for(source: str | Path, **kw) -> TrailApp:
    return TrailApp(ConsoleOptions(str(source), **kw))


async def apply_filter(pilot, app: TrailApp, text: str) -> None:
    await pilot.press("slash")
    app.events.filter_bar.input.value = text
    await pilot.press("enter")
    await wait_idle(pilot, app)


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_results_appear_newest_first(trail: Path, size) -> None:
    app = app_for(trail)
    async with app.run_test(size=size) as pilot:
        await wait_idle(pilot, app)
        text = screen_text(app)
        assert "21 scanned / 21 matched" in text
        lines = text.splitlines()
        header = next(i for i, line in enumerate(lines) if "PRINCIPAL" in line)
        first = lines[header + 1]
        assert "role/Ops/ops-session" in first and "iam:CreateUser" in first and "192.0.2.10" in first
        eve = next(line for line in lines if "user/eve" in line)
        assert "AccessDen" in eve  # error column survives at 80 columns
        assert eve.startswith("!")  # errors are marked in the gutter too
        assert "trail" in lines[-2] and "all" in lines[-2] and "no filter" in lines[-2]
        assert "1 Health" in lines[0] and "4 Findings" in lines[0]
        if size == LARGE:
            assert "REGION" in text and "us-east-1" in text and "2024-03-01 12:47:00" in text
        else:
            assert "REGION" not in text and "03-01 12:47:00" in text


async def test_filter_narrows_and_bad_filter_shows_column(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await apply_filter(pilot, app, "errorCode == 'AccessDenied'")
        text = screen_text(app)
        assert "6 matched" in text
        assert "user/alice" not in text and "role/Ops" not in text
        assert "errorCode == 'AccessDenied'" in text.splitlines()[-2]
        # A bad filter: the error and its column show as you type; enter does not apply it.
        await pilot.press("slash")
        app.events.filter_bar.input.value = "eventName == 'x' &&"
        await wait_until(pilot, lambda: "✗ column 20" in screen_text(app))
        text = screen_text(app)
        assert "✗ column 20" in text
        await pilot.press("enter")
        await pilot.pause()  # every pending message handled: nothing was applied
        assert app.events.state.filter_text == "errorCode == 'AccessDenied'"
        # esc leaves the bar and puts the applied filter back.
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.focused is app.events.list)
        assert app.events.filter_bar.input.value == "errorCode == 'AccessDenied'"
        assert app.focused is app.events.list
        assert "✗ column" not in screen_text(app)


async def test_filter_history_up_down(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await apply_filter(pilot, app, "eventName == 'GetObject'")
        await apply_filter(pilot, app, "eventName == 'ListUsers'")
        await pilot.press("slash", "up")
        assert app.events.filter_bar.input.value == "eventName == 'ListUsers'"
        await pilot.press("up")
        assert app.events.filter_bar.input.value == "eventName == 'GetObject'"
        await pilot.press("down")
        assert app.events.filter_bar.input.value == "eventName == 'ListUsers'"
        await pilot.press("up", "enter")
        await wait_idle(pilot, app)
        assert "12 matched" in screen_text(app)


async def test_pivot_stack_and_backspace(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        # Move to eve's first row (rows 3..8 are eve's, newest first).
        await pilot.press("j", "j", "j")
        assert "eve" in str(app.events.selected_raw()["userIdentity"]["arn"])
        await pilot.press("p")
        assert isinstance(app.screen, PivotScreen)
        menu = screen_text(app)
        for kind in ("principal", "access key", "source IP", "event name", "time window"):
            assert kind in menu
        await pilot.press("3")  # source IP
        await wait_idle(pilot, app)
        text = screen_text(app)
        assert "6 matched" in text and "pivots ▸ ip 203.0.113.66" in text
        assert "1 pivot" in text.splitlines()[-2]
        # Stack a ±15 minutes window on top: eve's events are all within it.
        await pilot.press("p")
        labels = [p.kind for p in app.screen.pivots]
        await pilot.press(str(labels.index("time window") + 1))
        await wait_idle(pilot, app)
        text = screen_text(app)
        assert "±15m 2024-03-01 12:30:05Z" in text and "6 matched" in text
        assert app.events.state.effective_range().time_range.since is not None
        await pilot.press("backspace")
        await wait_idle(pilot, app)
        assert "6 matched" in screen_text(app) and "±15m" not in screen_text(app)
        await pilot.press("backspace")
        await wait_idle(pilot, app)
        text = screen_text(app)
        assert "21 matched" in text and "pivots" not in text


async def test_detail_opens_with_summary_and_json(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("j", "j", "j", "enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen) and "4 of 21" in screen_text(app))
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "4 of 21" in text
        assert "who" in text and "user/eve (IAMUser) key AKIALEAKED" in text
        assert "from" in text and "203.0.113.66 in us-east-1" in text
        assert "FAILED AccessDenied: not authorized" in text
        assert '"eventName": "ListUsers"' in text
        await pilot.press("G")
        await wait_until(pilot, lambda: '"eventID": "eve-' in screen_text(app))
        assert '"eventID": "eve-' in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, DetailScreen))
        assert not isinstance(app.screen, DetailScreen)
        assert app.focused is app.events.list


async def test_marks_land_in_findings(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("j", "j", "j", "m")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
        await pilot.press(*"leaked key")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "4 Findings (1)" in screen_text(app).splitlines()[0])
        lines = screen_text(app).splitlines()
        assert "4 Findings (1)" in lines[0]
        assert any(line.startswith("*") and "user/eve" in line for line in lines)
        await pilot.press("4")
        await wait_until(pilot, lambda: "leaked key" in screen_text(app))
        text = screen_text(app)
        assert "leaked key" in text and "user/eve" in text and "iam:ListUsers" in text
        # w writes the marks as JSONL
        await pilot.press("w")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
        target = app.options.source_url + "-marks.jsonl"
        app.screen.query_one("Input").value = target
        await pilot.press("enter")
        await wait_until(pilot, lambda: Path(target).exists())
        written = Path(target).read_text().splitlines()
        assert len(written) == 1 and '"note":"leaked key"' in written[0] and '"marked_at"' in written[0]
        assert oct(Path(target).stat().st_mode & 0o777) == "0o600"
        # d removes the mark again
        await pilot.press("d")
        await wait_until(pilot, lambda: "no marks yet" in screen_text(app))
        assert "no marks yet" in screen_text(app)


async def test_help_lists_every_key_and_panes_switch(trail: Path) -> None:
    app = app_for(trail, demo=True)  # demo: the Health pane shows the demo facts, no AWS calls
    async with app.run_test(size=(110, 100)) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        assert isinstance(app.screen, HelpScreen)
        help_text = screen_text(app)
        for _ in range(12):  # the table is longer than the screen: scroll through it
            await pilot.press("j", "j", "j", "j", "j", "j")
            help_text += screen_text(app)
        for key in KEYS:  # ids never wrap; descriptions may
            assert binding_id(key) in help_text
        await pilot.press("escape")
        for number, pane in (("1", "health"), ("3", "integrity"), ("4", "findings"), ("2", "events")):
            await pilot.press(number)
            await wait_until(pilot, lambda pane=pane: app.current_pane == pane)
            assert app.current_pane == pane
            assert app.query_one("#panes").current == pane
        assert app.focused is app.events.list


async def test_time_range_absolute_and_preset(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("t")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TimeScreen")
        app.screen.query_one("#time-since").value = "2024-03-01T12:29:00Z"
        app.screen.query_one("#time-until").value = "2024-03-01T12:31:00Z"
        app.screen.query_one("#time-until").focus()
        await pilot.press("enter")
        await wait_idle(pilot, app)
        text = screen_text(app)
        status = text.splitlines()[-2]
        assert "6 matched" in status and "2024-03-01 12:29→12:31Z" in status, status
        # A relative preset on a local trail counts back from its newest event, and says so.
        await pilot.press("t")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TimeScreen")
        app.screen.query_one("#time-presets").focus()
        await pilot.press("down", "enter")
        await wait_idle(pilot, app)
        status = screen_text(app).splitlines()[-2]
        assert "last 1h to newest event" in status and "21 matched" in status, status


async def test_demo_presets_count_back_from_the_newest_event(trail: Path) -> None:
    app = app_for(trail, demo=True)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("t")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TimeScreen")
        app.screen.query_one("#time-presets").focus()
        await pilot.press("enter")  # last 15m of the trail: 12:32:00 .. 12:47:00
        await wait_idle(pilot, app)
        text = screen_text(app)
        assert "last 15m to newest event" in text and "3 matched" in text


async def test_quick_filter_builds_jmespath(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("f")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "QuickFilterScreen")
        app.screen.query_one("#qf-ip").value = "203.0.113.0/24"
        app.screen.query_one("#qf-event").value = "listusers"
        await pilot.press("enter")
        await wait_idle(pilot, app)
        assert app.events.filter_bar.input.value == (
            "cidr_match(sourceIPAddress, '203.0.113.0/24') && icontains(eventName, 'listusers')")
        assert "6 matched" in screen_text(app)


async def test_copy_sends_osc52_wrapped_for_tmux(trail: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TMUX", "/tmp/tmux-0/default,1,0")
    app = app_for(trail)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_idle(pilot, app)
        sent: list[str] = []
        monkeypatch.setattr(app._driver, "write", sent.append)
        await pilot.press("y")
        write = app.last_clipboard
        assert write is not None and write.wrapping == "tmux"
        assert write.sequence in sent  # what went to the terminal
        await wait_until(pilot, lambda: "sent the event JSON" in screen_text(app))
        text = screen_text(app)
        assert "sent the event JSON" in text and "tmux passthrough" in text and "copied" not in text
        assert write.sequence.startswith("\x1bPtmux;\x1b\x1b]52;c;")
        payload = write.sequence.rsplit("\x1b]52;c;", 1)[1].rstrip("\a")
        assert '"eventID": "ops-2"' in base64.b64decode(payload).decode()


async def test_escape_cancels_a_running_scan_and_keys_stay_live() -> None:
    source = ScriptedSource(incident_records(), page_size=5, delay=0.05, endless=True)
    app = TrailApp(ConsoleOptions("test://scripted", source=source))
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app.events.run.matched > 10)
        assert app.events.run.running
        await pilot.press("escape")
        await wait_until(pilot, lambda: source.searches[0].closed)
        assert "stopped" in screen_text(app).splitlines()[-2]


async def test_startup_without_source_errors_in_status_line() -> None:
    app = app_for("nosuch://x")
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        text = screen_text(app)
        assert "unknown source" in text


async def test_read_problems_are_listed(trail: Path) -> None:
    bad = trail / "AWSLogs" / "111122223333" / "CloudTrail" / "us-east-1" / "2024" / "03" / "01"
    (bad / "111122223333_CloudTrail_us-east-1_20240301T1300Z_broken.json.gz").write_bytes(b"\x1f\x8bnot gzip")
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        assert "1 problem" in screen_text(app).splitlines()[-2] or "⚠1" in screen_text(app).splitlines()[-2]
        app.show_problems()
        await wait_until(pilot, lambda: "1 problem(s) while reading" in screen_text(app))
        text = screen_text(app)
        assert "1 problem(s) while reading" in text and "_broken.json.gz" in text


async def test_command_palette_runs_commands(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("colon")
        await wait_until(pilot, lambda: "CommandPalette" in type(app.screen).__name__)
        await pilot.press(*"Findings")
        await wait_until(pilot, lambda: "Pane 4: Findings" in screen_text(app))
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.current_pane == "findings")
        assert app.current_pane == "findings"


async def test_other_parts_are_wired(trail: Path) -> None:
    """Health (1), verify (v), hunts (h) and export (e) open their panes and screens."""
    app = app_for(trail, demo=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("1")
        await wait_until(pilot, lambda: "Health:" in screen_text(app))
        await pilot.press("v")
        await wait_until(pilot, lambda: "no digest files" in screen_text(app))
        assert app.current_pane == "integrity"
        await pilot.press("2", "h")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HuntsScreen")
        await pilot.press("escape")
        await wait_until(pilot, lambda: type(app.screen).__name__ != "HuntsScreen")
        await pilot.press("e")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ExportScreen")
        assert "Export" in screen_text(app)
        await pilot.press("escape")


async def test_list_keys_k_g_G_move_the_selection(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        for keys, position in ((("j", "j", "k"), "2 of 21"), (("G",), "21 of 21"), (("g",), "1 of 21")):
            await pilot.press(*keys, "enter")
            await wait_until(pilot, lambda position=position: isinstance(app.screen, DetailScreen)
                             and position in screen_text(app))
            assert isinstance(app.screen, DetailScreen)
            assert position in screen_text(app)
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, DetailScreen))


async def test_findings_n_edits_the_note_and_enter_opens(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("j", "j", "j", "m")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
        await pilot.press(*"leaked", "enter")
        await wait_until(pilot, lambda: len(app.marks) == 1 and app.screen is app.screen_stack[0])
        await pilot.press("4")
        await wait_until(pilot, lambda: app.current_pane == "findings" and "leaked" in screen_text(app))
        await pilot.press("n")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
        assert app.screen.query_one("Input").value == "leaked"  # the prompt starts from the note
        await pilot.press("end", *" key", "enter")  # the prompt selects the old note: end appends
        await wait_until(pilot, lambda: "leaked key" in screen_text(app))
        assert "leaked key" in screen_text(app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        assert isinstance(app.screen, DetailScreen)
        text = screen_text(app)
        assert "marked" in text and '"eventName": "ListUsers"' in text


async def test_q_quits(trail: Path) -> None:
    app = app_for(trail)
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)
        assert not app.is_running
    assert app.return_value == 0
