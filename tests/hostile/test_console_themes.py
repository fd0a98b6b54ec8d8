"""Malformed theme files and deeply nested TOML (themes/ or config.toml) never
stop the console: one notification per bad file, then the defaults."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_ui_harness import incident_records, isolated_config, wait_idle, write_trail  # noqa: F401

from trailtui.config import load_config
from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.themes import load_themes

DEEP = "x = " + "[" * 3000 + "]" * 3000 + "\n"
BAD_THEMES = {
    "not-toml": "primary = \n",
    "deep-array": 'primary = "#336699"\n' + DEEP,
    "deep-table": 'primary = "#336699"\nvariables = ' + "{a = " * 3000 + "1" + "}" * 3000 + "\n",
    "dark-text": 'primary = "#336699"\ndark = "yes"\n',
    "primary-number": "primary = 5\n",
    "spread-text": 'primary = "#336699"\nluminosity_spread = "wide"\n',
    "alpha-bool": 'primary = "#336699"\ntext_alpha = true\n',
    "ansi-number": 'primary = "#336699"\nansi = 3\n',
    "name-table": 'primary = "#336699"\nname = { a = 1 }\n',
    "bad-colour": 'primary = "#zzzzzz"\n',
    "unknown-key": 'primary = "#336699"\nshiny = true\n',
    "binary": "\udcff",
}


def _write_themes(folder: Path) -> None:
    folder.mkdir(parents=True)
    for name, text in BAD_THEMES.items():
        (folder / f"{name}.toml").write_bytes(text.encode("utf-8", "surrogateescape"))
    (folder / "huge.toml").write_bytes(b'primary = "#336699"\n' + b"# padding\n" * 20_000)
    os.mkfifo(folder / "fifo.toml")
    (folder / "dir.toml").mkdir()
    (folder / "good.toml").write_text('primary = "#336699"\ndark = true\n')


def test_every_bad_theme_is_one_problem_and_the_good_one_loads(tmp_path: Path) -> None:
    _write_themes(tmp_path / "themes")
    found = load_themes([tmp_path / "themes"])
    assert set(found.themes) == {"good"}
    assert len(found.problems) == len(BAD_THEMES) + 3
    assert all(problem.count("\n") == 0 and "themes/" in problem for problem in found.problems)


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    return write_trail(tmp_path / "trail", incident_records())


async def test_the_console_starts_with_bad_themes_and_a_deep_config(trail: Path, isolated_config: Path) -> None:  # noqa: F811
    _write_themes(isolated_config.parent / "themes")
    isolated_config.write_text('theme = "deep-array"\n' + DEEP)
    app = TrailApp(ConsoleOptions(str(trail), config=load_config()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        titles = [n.title for n in app._notifications]
        assert titles.count("theme skipped") == len(BAD_THEMES) + 3
        assert titles.count("config") == 1
        assert app.theme == "default" and app.is_running
        assert len(app.events.store) > 0


async def test_a_config_naming_a_broken_theme_falls_back_once(trail: Path, isolated_config: Path) -> None:  # noqa: F811
    _write_themes(isolated_config.parent / "themes")
    isolated_config.write_text('theme = "dark-text"\n')
    app = TrailApp(ConsoleOptions(str(trail), config=load_config()))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        assert app.theme == "default" and app.is_running
        assert sum("unknown theme 'dark-text'" in str(n.message) for n in app._notifications) == 1
