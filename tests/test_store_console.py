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
