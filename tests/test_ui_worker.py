"""The query worker: keys are answered while a long scan runs, a new filter
cancels the old scan (its generator is closed), and scanning pauses a bounded
distance ahead of the cursor and resumes when the analyst scrolls."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from test_ui_harness import (  # noqa: F401
    T0,
    ScriptedSource,
    incident_records,
    isolated_config,
    screen_text,
    wait_until,
)
from textual import events
from trail_builder import event

from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.events_pane import EventsPane


def many_records(count: int) -> list[dict]:
    return [event(T0 - timedelta(seconds=i), name=f"Op{i % 7}", eventID=f"e{i}") for i in range(count)]


async def test_keys_are_answered_while_a_long_scan_runs() -> None:
    # Big pages with no delay: the worker takes the UI loop's time as fast as it can.
    source = ScriptedSource(many_records(4000), page_size=2000, delay=0, endless=True)
    app = TrailApp(ConsoleOptions("test://busy", source=source))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.events.run.matched > 10_000)
        latencies = []
        for _ in range(10):
            before = app.events.list.cursor
            key = events.Key("j", "j")
            key.set_sender(app)
            started = time.perf_counter()
            app._driver.send_message(key)  # as the terminal driver delivers a key
            while app.events.list.cursor == before:
                assert time.perf_counter() < started + 10.0, "a key was not answered in 10 s"
                await asyncio.sleep(0.001)
            latencies.append(time.perf_counter() - started)
            progressed = app.events.run.matched  # let the scan run on (up to its read-ahead) between two keys
            await wait_until(pilot, lambda start=progressed: app.events.run.matched > start or app.events.run.paused)
        assert app.events.run.running, "the scan should still be running"
        assert app.events.run.matched > 20_000
        # Generous bounds: the test host is shared; bench/bench_ui.py measures properly.
        assert sorted(latencies)[len(latencies) // 2] < 0.15 and max(latencies) < 1.0, latencies
        started = time.perf_counter()
        await pilot.press("question_mark")
        assert time.perf_counter() - started < 3.0  # opening a screen over a busy scan; a hang fails here
        assert "trailtui keys" in screen_text(app)


async def test_new_filter_cancels_the_old_scan() -> None:
    source = ScriptedSource(incident_records(), page_size=3, delay=0.02, endless=True)
    app = TrailApp(ConsoleOptions("test://slow", source=source))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.events.run.matched > 20)
        first = source.searches[0]
        assert not first.closed
        app.apply_filter("eventName == 'ListUsers'")
        await wait_until(pilot, lambda: first.closed and len(source.searches) == 2)
        pages_then = first.pages
        await wait_until(pilot, lambda: app.events.run.matched > 12)
        assert first.pages == pages_then  # the old scan produced nothing more
        assert source.searches[1].query.filter.text == "eventName == 'ListUsers'"
        assert not source.searches[1].closed
        rows = [app.events.store.row(i).event for i in range(len(app.events.store))]
        assert set(rows) == {"iam:ListUsers"}
        # A time range change cancels too.
        second = source.searches[1]
        await pilot.press("t")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "TimeScreen")
        await pilot.press("end", "enter")  # "all time"
        await wait_until(pilot, lambda: second.closed and len(source.searches) == 3)


async def test_scan_pauses_ahead_of_the_cursor_and_resumes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(EventsPane, "READ_AHEAD", 100)
    source = ScriptedSource(many_records(50), page_size=50, delay=0, endless=True)
    app = TrailApp(ConsoleOptions("test://endless", source=source))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.events.run.paused)
        loaded = app.events.run.matched
        assert 100 < loaded <= 200
        assert "⏸" in screen_text(app).splitlines()[-2]
        await pilot.pause(0.2)  # proving that nothing happens needs time to pass: no condition to wait for
        assert app.events.run.matched == loaded  # really paused
        await pilot.press("G")
        await wait_until(pilot, lambda: app.events.run.matched > loaded and app.events.run.paused)
        assert app.events.list.cursor == loaded - 1
        assert not source.searches[0].closed
        # Scrolling the view (mouse wheel, scrollbar) to the end also loads more.
        again = app.events.run.matched
        app.events.list.scroll_end(animate=False, immediate=True)
        await wait_until(pilot, lambda: app.events.run.matched > again)


async def test_closing_the_app_closes_the_source() -> None:
    source = ScriptedSource(incident_records(), page_size=3, delay=0.02, endless=True)
    app = TrailApp(ConsoleOptions("test://slow", source=source))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.events.run.matched > 3)
        await pilot.press("q")
    assert source.closed and source.searches[0].closed


async def test_keys_are_answered_while_hunts_run() -> None:
    """The hunts read the console's source through its session (on the source
    thread): the hunt list answers keys while an endless scan feeds it."""
    from textual.widgets import DataTable

    from trailtui.ui.hunts_screen import HuntsScreen

    source = ScriptedSource(many_records(4000), page_size=500, delay=0, endless=True)
    app = TrailApp(ConsoleOptions("test://busy", source=source))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.events.run.matched > 0)
        await pilot.press("h")
        await wait_until(pilot, lambda: isinstance(app.screen, HuntsScreen) and app.screen.scanned > 1000)
        screen = app.screen
        assert isinstance(screen, HuntsScreen)
        table = screen.query_one(DataTable)
        searches = len(source.searches)
        if table.row_count < 2:  # nothing fired in this data: the quiet hunts are folded into one row
            await pilot.press("enter")
        await wait_until(pilot, lambda: table.row_count >= 2)
        table.move_cursor(row=0)
        latencies = []
        for turn in range(10):
            before = table.cursor_row
            name = "j" if turn % 2 == 0 else "k"  # down and back: moves on a list of any length >= 2
            key = events.Key(name, name)
            key.set_sender(app)
            started = time.perf_counter()
            app._driver.send_message(key)  # as the terminal driver delivers a key
            deadline = started + 10.0
            while table.cursor_row == before:
                assert time.perf_counter() < deadline, f"key {name!r} was not answered in 10 s"
                await asyncio.sleep(0.001)
            latencies.append(time.perf_counter() - started)
        scanned = screen.scanned
        await wait_until(pilot, lambda: screen.scanned > scanned)
        assert not screen.done, "the hunts should still be scanning"
        assert len(source.searches) == searches, "one search for the hunts, on the console's source"
        # Generous bounds: the test host is shared; bench/bench_ui.py measures properly.
        assert sorted(latencies)[len(latencies) // 2] < 0.25 and max(latencies) < 1.0, latencies



@pytest.mark.parametrize("server_cancel, said", [(True, "query stopped on the server"), (False, "scan stopped")])
async def test_escape_says_whether_the_server_stopped_the_query(server_cancel: bool, said: str) -> None:
    """The source's declared capabilities decide the word: a server-side query
    (Athena, Lake) is stopped there; a local or S3 scan just stops."""
    from trailtui.sources.base import Capabilities

    capabilities = Capabilities(sql_pushdown=server_cancel, server_cancel=server_cancel)
    source = ScriptedSource(incident_records(), page_size=3, delay=0.02, endless=True, capabilities=capabilities)
    app = TrailApp(ConsoleOptions("test://server", source=source))
    async with app.run_test(size=(100, 24), notifications=True) as pilot:
        await wait_until(pilot, lambda: app.events.run.matched > 10)
        await pilot.press("escape")
        await wait_until(pilot, lambda: source.searches[0].closed)
        await wait_until(pilot, lambda: said in screen_text(app))
        assert ("on the server" in screen_text(app)) == server_cancel
