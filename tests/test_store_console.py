"""The console reads through the store: the first search fills it in the
background and the status line says `indexing N%`, then `indexed`; results
are the plain scan's either way."""

from __future__ import annotations

from pathlib import Path

from test_ui_harness import (  # noqa: F401  (isolated_config is an autouse fixture)
    incident_records,
    isolated_config,
    screen_text,
    wait_idle,
    wait_until,
    write_trail,
)

from trailtui.store import locate
from trailtui.store.manifest import load
from trailtui.ui.app import ConsoleOptions, TrailApp


async def test_console_builds_the_store_in_the_background_and_says_so(tmp_path: Path) -> None:
    trail = write_trail(tmp_path / "trail", incident_records())
    app = TrailApp(ConsoleOptions(str(trail), index=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        assert "21 scanned / 21 matched" in screen_text(app)
        await wait_until(pilot, lambda: "indexed" in screen_text(app).splitlines()[-2])
        location = locate(str(trail))
        assert load(location.manifest, location.source).events_held() == 21
        await pilot.press("slash")
        app.events.filter_bar.input.value = "userIdentity.userName == 'eve'"
        await pilot.press("enter")
        await wait_idle(pilot, app)
        status = screen_text(app).splitlines()[-2]
        assert "indexed" in status and "matched" in status  # the refinement came from the store
        assert "user/eve" in screen_text(app)


async def test_console_without_the_store_shows_no_index_word(tmp_path: Path) -> None:
    trail = write_trail(tmp_path / "trail", incident_records())
    app = TrailApp(ConsoleOptions(str(trail), index=False))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        assert "21 scanned / 21 matched" in screen_text(app)
        assert "index" not in screen_text(app).splitlines()[-2]
        assert not locate(str(trail)).folder.exists()


async def test_console_counts_come_from_the_store_with_the_streamed_answer(tmp_path: Path) -> None:
    """`c` on a trail the store holds whole: one GROUP BY (the status says so),
    the same rows, counts, times and sparks as counting the plain scan."""
    from test_counts_screen import open_counts

    trail = write_trail(tmp_path / "trail", incident_records())
    results = {}
    for index in (True, False):
        app = TrailApp(ConsoleOptions(str(trail), index=index))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_idle(pilot, app)
            if index:
                await wait_until(pilot, lambda app=app: "indexed" in screen_text(app).splitlines()[-2])
            for choice in ("1", "3"):  # principal, source IP
                screen = await open_counts(pilot, app, choice)
                status = screen_text(app).splitlines()[-2]
                assert ("counted by the store" in status) is index, status
                results[(index, choice)] = screen.result.groups
                await pilot.press("escape")
    for choice in ("1", "3"):
        assert results[(True, choice)] == results[(False, choice)] and results[(True, choice)]
