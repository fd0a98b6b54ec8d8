"""The Counts screen (`c`): choose a field, counts fill in while the scan runs
and keys are answered meanwhile, `enter`/`x` push a pivot, `tab`/`backspace`
drill and climb, an expression can be typed, hostile values show literally."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from test_ui_harness import T0, ScriptedSource, screen_text, wait_until  # noqa: F401
from textual import events
from trail_builder import event

from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.counts_screen import CountsScreen

IPS = ["203.0.113.7"] * 6 + ["198.51.100.9"] * 3 + ["192.0.2.1"]


def identity(user: str) -> dict:
    return {"type": "IAMUser", "principalId": f"AIDA{user}", "arn": f"arn:aws:iam::111122223333:user/{user}",
            "accountId": "111122223333", "userName": user}


def records() -> list[dict]:
    out = []
    for i, ip in enumerate(IPS):
        user = "alice" if i % 2 else "bob"
        out.append(event(T0 - timedelta(minutes=i), name=f"Op{i % 3}", sourceIPAddress=ip, eventID=f"e{i}",
                         userIdentity=identity(user)))
    out.append(event(T0 - timedelta(hours=2), name="Op9", sourceIPAddress="\x1b[2J[red]boom[/red]", eventID="evil",
                     userIdentity=identity("mallory")))
    return out


def counts(app: TrailApp) -> CountsScreen:
    assert isinstance(app.screen, CountsScreen), type(app.screen)
    return app.screen


async def open_counts(pilot, app: TrailApp, choice: str) -> CountsScreen:
    await wait_until(pilot, lambda: not app.events.run.running)
    await pilot.press("c")
    await pilot.pause(0.05)
    await pilot.press(choice)
    await wait_until(pilot, lambda: isinstance(app.screen, CountsScreen) and not app.screen.running)
    return counts(app)


async def test_counts_by_source_ip_with_share_and_hostile_values_shown_literally() -> None:
    app = TrailApp(ConsoleOptions("test://counts", source=ScriptedSource(records(), page_size=4)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_counts(pilot, app, "3")  # source IP
        assert screen.scope.field.label == "source IP"
        assert [(g.key[0], g.count) for g in screen.result.groups] == [
            ("203.0.113.7", 6), ("198.51.100.9", 3), ("\x1b[2J[red]boom[/red]", 1), ("192.0.2.1", 1)]
        text = screen_text(app)
        assert "Counts by source IP" in text and "203.0.113.7" in text and "54.5%" in text
        assert "\\x1b[2J[red]boom[/r" in text  # literally, not as markup or an escape
        assert "done: 11 events, 4 distinct values" in text
        await pilot.press("j", "j")
        assert app.screen.query_one("#counts-table").cursor_row == 2
        await pilot.press("G")
        assert app.screen.query_one("#counts-table").cursor_row == 3
        await pilot.press("g")
        assert app.screen.query_one("#counts-table").cursor_row == 0
        await pilot.press("end")
        assert app.screen.query_one("#counts-table").cursor_row == 3
        await pilot.press("home", "k")
        assert app.screen.query_one("#counts-table").cursor_row == 0
        await pilot.press("escape")
        assert not isinstance(app.screen, CountsScreen) and not app.events.state.pivots


async def test_enter_narrows_and_x_excludes_through_the_pivot_stack() -> None:
    app = TrailApp(ConsoleOptions("test://counts", source=ScriptedSource(records(), page_size=4)))
    async with app.run_test(size=(80, 24)) as pilot:
        await open_counts(pilot, app, "3")
        await pilot.press("j", "enter")  # 198.51.100.9
        await wait_until(pilot, lambda: not app.events.run.running)
        pivot = app.events.state.pivots[-1]
        assert pivot.label == "source IP 198.51.100.9"
        assert len(app.events.store) == 3
        assert "source IP 198.51.100.9" in screen_text(app)  # on the breadcrumbs
        screen = await open_counts(pilot, app, "1")  # principal, within the pivot
        assert sum(g.count for g in screen.result.groups) == 3
        await pilot.press("x")  # exclude the largest principal
        await wait_until(pilot, lambda: not app.events.run.running)
        assert app.events.state.pivots[-1].label.startswith("not principal arn:aws:iam::111122223333:user/")
        assert len(app.events.state.pivots) == 2 and 0 < len(app.events.store) < 3
        await pilot.press("backspace")
        await wait_until(pilot, lambda: not app.events.run.running)
        assert len(app.events.store) == 3


async def test_tab_counts_deeper_within_the_value_and_backspace_climbs() -> None:
    app = TrailApp(ConsoleOptions("test://counts", source=ScriptedSource(records(), page_size=4)))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_counts(pilot, app, "3")
        await pilot.press("tab")  # within 203.0.113.7: principals
        await wait_until(pilot, lambda: not screen.running and screen.scope.field.label == "principal")
        assert [g.count for g in screen.result.groups] == [3, 3]
        assert "within source IP 203.0.113.7" in screen_text(app)
        await pilot.press("tab")  # within that principal: event names
        await wait_until(pilot, lambda: not screen.running and screen.scope.field.label == "event name")
        assert sum(g.count for g in screen.result.groups) == 3
        await pilot.press("enter")
        await wait_until(pilot, lambda: not app.events.run.running)
        assert app.events.state.pivots[-1].label.startswith("source IP 203.0.113.7 ▸ principal ")
        assert 1 <= len(app.events.store) <= 3
        screen = await open_counts(pilot, app, "3")
        await pilot.press("tab")
        await wait_until(pilot, lambda: not screen.running and screen.scope.within)
        await pilot.press("backspace")
        await wait_until(pilot, lambda: not screen.running and not screen.scope.within)
        assert screen.scope.field.label == "source IP"


async def test_an_expression_and_a_bad_one() -> None:
    app = TrailApp(ConsoleOptions("test://counts", source=ScriptedSource(records(), page_size=4)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: not app.events.run.running)
        await pilot.press("c", "0")
        await pilot.pause(0.05)
        for char in "userIdentity.userName":
            await pilot.press(char)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, CountsScreen) and not app.screen.running
                         and app.screen.result is not None)
        assert {g.key[0]: g.count for g in app.screen.result.groups} == {"bob": 5, "alice": 5, "mallory": 1}
        await pilot.press("b", "0")
        await pilot.pause(0.05)
        for char in "lower(":
            await pilot.press(char)
        await pilot.press("enter")
        await pilot.pause(0.1)
        assert isinstance(app.screen, CountsScreen) and app.screen.scope.field.expression == "userIdentity.userName"
        assert any("column" in str(n.message) for n in app._notifications)


async def test_counts_fill_in_while_the_scan_runs_and_keys_are_answered() -> None:
    many = [event(T0 - timedelta(seconds=i), name=f"Op{i % 40}", sourceIPAddress=f"10.0.{i % 50}.{i % 7}",
                  eventID=f"m{i}") for i in range(3000)]
    source = ScriptedSource(many, page_size=500, delay=0.02, endless=True)
    app = TrailApp(ConsoleOptions("test://busy", source=source))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.events.run.matched > 1000)
        await pilot.press("c", "4")  # event name
        await wait_until(pilot, lambda: isinstance(app.screen, CountsScreen) and app.screen.result is not None
                         and app.screen.result.events > 3000)
        screen = counts(app)
        table = screen.query_one("#counts-table")
        latencies = []
        for _ in range(8):
            before = table.cursor_row
            key = events.Key("j", "j")
            key.set_sender(app)
            started = time.perf_counter()
            app._driver.send_message(key)  # as the terminal driver delivers a key
            while table.cursor_row == before:
                assert time.perf_counter() < started + 10.0, "a key was not answered in 10 s"
                await asyncio.sleep(0.001)
            latencies.append(time.perf_counter() - started)
            await asyncio.sleep(0.02)
        assert screen.running, "the count should still be running"
        first = screen.result.events
        await wait_until(pilot, lambda: screen.result.events > first)  # and still filling in
        assert table.cursor_row == 8
        # Generous bounds: the test host is shared.
        assert sorted(latencies)[len(latencies) // 2] < 0.5 and max(latencies) < 2.0, latencies
        assert "counting" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not screen.running)
