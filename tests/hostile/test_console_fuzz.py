"""Console fuzz: random key bursts (double Enters included) on every screen
(events, detail, health, integrity, findings, hunts, export, time, pivot,
counts, palette, help) never crash, never end the console, never lose a mark,
and never let a raw control character from a hostile event reach the screen."""

from __future__ import annotations

import asyncio
import random
from pathlib import Path
from typing import Any

import pytest
from hostile_console import burst
from hostile_outputs import HOSTILE, hostile_event
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_ui_harness import incident_records, isolated_config, screen_segments, wait_idle, write_trail  # noqa: F401

from trailtui.ui.app import ConsoleOptions, TrailApp

# Where each burst starts: the keys that open every screen and pane.
OPENERS = ("1", "2", "3", "4", "enter", "h", "e", "t", "p", "c", "colon", "question_mark", "f", "m", "v", "slash")
# What a burst is made of: the console's keys, Enter in runs, and typing.
# Not `q`/ctrl+c (quitting is not a crash; the app below records it instead)
# and not `d` (unmarking on purpose is not losing a mark).
KEYS = ("enter", "enter", "enter", "escape", "tab", "shift+tab", "up", "down", "pagedown", "pageup", "home", "end",
        "j", "k", "g", "G", "n", "w", "y", "x", "b", "space", "backspace", "a", "0", "9", "-", "'", "[", "=",
        *OPENERS)
FORBIDDEN = ("\x1b", "\x07", "\x9b", "\u202e", "\x00", "\x7f")


class FuzzedApp(TrailApp):
    """The console, with quit recorded instead of done (a fuzzer may find the
    palette's Quit; that is the user's choice, not a crash)."""

    quit_asked = 0

    def action_quit(self) -> None:
        self.quit_asked += 1


@pytest.fixture
def trail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)  # exports and saved marks from the fuzz land here
    records = incident_records() + [hostile_event(i, value) for i, value in enumerate(HOSTILE)]
    return write_trail(tmp_path / "trail", records)


def _assert_sane(app: Any, marked: str, where: str) -> None:
    assert app.is_running and app.return_code is None, where
    assert len(app.screen_stack) >= 1, where
    assert marked in app.marks.keys(), f"{where}: the mark was lost"
    for segment in screen_segments(app):
        for char in FORBIDDEN:
            assert char not in segment, f"{where}: raw {char!r} reached the screen in {segment!r}"


async def _fuzz(trail: Path, bursts: list[list[str]]) -> None:
    app = FuzzedApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("m")
        await pilot.press("enter")
        assert len(app.marks) == 1
        marked = next(iter(app.marks.keys()))
        for number, keys in enumerate(bursts):
            await burst(pilot, keys)
            _assert_sane(app, marked, f"burst {number} {keys!r}")
        await burst(pilot, ["escape"] * 4)
        _assert_sane(app, marked, "after the bursts")


bursts = st.lists(st.tuples(st.sampled_from(OPENERS), st.lists(st.sampled_from(KEYS), max_size=24)),
                  min_size=4, max_size=8).map(lambda items: [[opener, "enter", "enter", *rest]
                                                              for opener, rest in items])


@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(bursts)
def test_random_bursts_never_crash_or_lose_marks(trail: Path, generated: list[list[str]]) -> None:
    asyncio.run(_fuzz(trail, generated))


def test_every_screen_takes_a_double_enter_burst(trail: Path) -> None:
    asyncio.run(_fuzz(trail, [[opener, "enter", "enter", "enter"] for opener in OPENERS]))


def test_four_hundred_random_keys(trail: Path) -> None:
    rng = random.Random(400)
    keys = [rng.choice(KEYS) for _ in range(400)]
    asyncio.run(_fuzz(trail, [keys[i:i + 50] for i in range(0, 400, 50)]))
