"""Config file, clipboard sequences, theme files, start-up options, and the
rule that the console imports no AWS SDK before first paint."""

from __future__ import annotations

import argparse
import base64
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_ui_harness import incident_records, isolated_config, wait_idle, wait_until, write_trail  # noqa: F401

from trailtui.aws.config import AwsConfig
from trailtui.clipboard import OSC52_MAX, ClipboardError, osc52
from trailtui.commands.console import build_options, run_app
from trailtui.config import Config, load_config, parse_config, render_config, save_config
from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.themes import load_theme_file, load_themes, theme_dirs

REPO = Path(__file__).resolve().parent.parent


# -- config ------------------------------------------------------------------
def test_config_round_trip_and_nothing_written_on_read(isolated_config: Path) -> None:  # noqa: F811  the fixture imported above
    loaded = load_config()
    assert loaded.config == Config() and loaded.problem is None
    assert not isolated_config.exists() and not isolated_config.parent.exists()
    config = Config(sources={"prod": "s3://bucket/AWSLogs", "odd name": "/data/x"}, default_source="prod",
                    theme="light", filters={"roots": "userIdentity.type == 'Root'", "ctl": "a == '\x1b\"\\'"})
    save_config(config)
    assert oct(isolated_config.stat().st_mode & 0o777) == "0o600"
    again = load_config()
    assert again.config == config and again.problem is None
    assert again.config.resolve_source(None) == "s3://bucket/AWSLogs"
    assert again.config.resolve_source("prod") == "s3://bucket/AWSLogs"
    assert again.config.resolve_source("/some/path") == "/some/path"
    assert "[filters]" in render_config(config)


def test_bad_config_is_one_line_and_defaults(isolated_config: Path) -> None:  # noqa: F811  the fixture imported above
    isolated_config.parent.mkdir(parents=True)
    isolated_config.write_text("theme = [1\n")
    loaded = load_config()
    assert loaded.config == Config() and "not valid TOML" in loaded.problem and "\n" not in loaded.problem
    config, problems = parse_config("theme = 3\n[sources]\nx = 1\n")
    assert config.theme is None and config.sources == {}
    assert sorted(problems) == ["sources.x must be a string", "theme must be a string"]


def test_xdg_config_home_is_honoured(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from trailtui.config import config_path

    assert config_path({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "trailtui" / "config.toml"
    assert config_path({"HOME": "/home/u"}) == Path("/home/u/.config/trailtui/config.toml")


# -- clipboard -----------------------------------------------------------------
def test_osc52_plain_tmux_screen() -> None:
    text = '{"eventName": "ConsoleLogin"}'
    encoded = base64.b64encode(text.encode()).decode()
    plain = osc52(text, {"TERM": "xterm-256color"})
    assert plain.sequence == f"\x1b]52;c;{encoded}\a" and plain.wrapping == "plain"
    tmux = osc52(text, {"TMUX": "/tmp/tmux-1/default,1,0", "TERM": "tmux-256color"})
    assert tmux.sequence == f"\x1bPtmux;\x1b\x1b]52;c;{encoded}\a\x1b\\" + f"\x1b]52;c;{encoded}\a"
    screen = osc52("x" * 300, {"STY": "123.pts-0", "TERM": "screen"})
    chunks = screen.sequence.split("\x1b\\")[:-1]
    assert all(c.startswith("\x1bP") and len(c) <= 2 + 76 for c in chunks)
    assert "".join(c[2:] for c in chunks).startswith("\x1b]52;c;")


def test_osc52_is_capped_and_refuses_dumb_terminals() -> None:
    with pytest.raises(ClipboardError, match="over the clipboard limit of 74,994"):
        osc52("x" * OSC52_MAX, {})
    assert osc52("x" * 100, {"TRAILTUI_OSC52_MAX": "200"}).encoded_size == 136
    with pytest.raises(ClipboardError, match="limit of 100"):
        osc52("x" * 100, {"TRAILTUI_OSC52_MAX": "100"})
    with pytest.raises(ClipboardError, match="dumb"):
        osc52("x", {"TERM": "dumb"})


async def test_copy_too_large_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAILTUI_OSC52_MAX", "64")
    app = TrailApp(ConsoleOptions(str(write_trail(tmp_path / "t", incident_records()))))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("y")
        await wait_until(pilot, lambda: any("not copied" in str(n.message) for n in app._notifications))
        assert app.last_clipboard is None
        assert any("not copied" in str(n.message) for n in app._notifications)


# -- themes ------------------------------------------------------------------------
def test_theme_files_load_and_are_complete() -> None:
    themes = load_themes([REPO / "themes"])
    assert themes.problems == []
    assert {"default", "light", "high-contrast"} <= set(themes.themes)
    assert not themes.themes["light"].dark
    for theme in themes.themes.values():
        assert {"trail-cursor", "trail-error", "trail-marked"} <= set(theme.variables)
    # the package-data symlink points at the same files
    assert (REPO / "trailtui" / "ui" / "theme_files" / "default.toml").read_text() == \
        (REPO / "themes" / "default.toml").read_text()
    assert theme_dirs()[0].name == "theme_files"


def test_bad_theme_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "bad.toml").write_text('name = "bad"\nprimary = "not-a-colour"\n')
    (tmp_path / "odd.toml").write_text('name = "odd"\nprimary = "#000000"\nsparkle = true\n')
    found = load_themes([tmp_path])
    assert found.themes == {} and len(found.problems) == 2
    with pytest.raises(ValueError, match="bad.toml"):
        load_theme_file(tmp_path / "bad.toml")


@pytest.mark.parametrize("name", ["default", "light", "high-contrast"])
async def test_each_theme_renders(tmp_path: Path, name: str) -> None:
    app = TrailApp(ConsoleOptions(str(write_trail(tmp_path / "t", incident_records())), theme=name))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        assert app.theme == name


async def test_unknown_theme_falls_back(tmp_path: Path) -> None:
    app = TrailApp(ConsoleOptions(str(write_trail(tmp_path / "t", incident_records())), theme="neon"))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.theme == "default")
        assert app.theme == "default"


async def test_no_color_is_honoured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Textual reads NO_COLOR and adds a monochrome filter on output; every
    colour that leaves the app is then a grey."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = TrailApp(ConsoleOptions(str(write_trail(tmp_path / "t", incident_records()))))
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        colours = set()
        background = app.screen.styles.background
        for strip in app.screen._compositor.render_strips():
            segments = list(strip)
            for line_filter in app._filters:
                segments = line_filter.apply(segments, background)
            for seg in segments:
                for colour in (seg.style.color, seg.style.bgcolor) if seg.style else ():
                    if colour is not None and colour.triplet is not None:
                        colours.add(tuple(colour.triplet))
        assert colours and all(r == g == b for r, g, b in colours)


# -- start-up ----------------------------------------------------------------------
def args(**kw) -> argparse.Namespace:
    base = dict(source=None, theme=None, no_mouse=False, filter="", since=None, until=None)
    base.update(kw)
    return argparse.Namespace(**base)


def test_build_options_errors_are_one_line(tmp_path: Path) -> None:
    loaded = load_config()
    assert "no source given" in build_options(args(), AwsConfig(), loaded)
    assert "no such file" in build_options(args(source=str(tmp_path / "nope")), AwsConfig(), loaded)
    bad = build_options(args(source=str(tmp_path), filter="a =="), AwsConfig(), loaded)
    assert bad.startswith("bad filter at column") and "^" in bad
    assert "cannot read time" in build_options(args(source=str(tmp_path), since="yesterday"), AwsConfig(), loaded)
    ok = build_options(args(source=str(tmp_path), since="2024-03-01T00:00:00Z", filter="errorCode"),
                       AwsConfig(), loaded)
    assert ok.range_choice.label == "since 2024-03-01 00:00Z" and ok.filter_text == "errorCode" and not ok.demo


def test_demo_info_sets_demo_mode_and_anchor(tmp_path: Path) -> None:
    info = tmp_path / "trailtui-demo.json"
    info.write_text('{"newest_event": "2024-05-01T10:00:00Z"}')
    options = build_options(args(source=str(tmp_path), demo_info=str(info)), AwsConfig(), load_config())
    assert options.demo and options.demo_anchor.isoformat() == "2024-05-01T10:00:00+00:00"
    assert options.range_choice.label == "all"


def test_run_app_without_source_exits_2(capsys: pytest.CaptureFixture) -> None:
    assert run_app(args(), AwsConfig()) == 2
    assert "no source given" in capsys.readouterr().err


def test_console_import_loads_no_aws_sdk() -> None:
    code = ("import sys, trailtui.ui.app, trailtui.cli; "
            "bad = [m for m in ('boto3', 'botocore', 'aiobotocore', 'pyathena') if m in sys.modules]; "
            "print(','.join(bad))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.stdout.strip() == ""


def test_no_mouse_turns_mouse_capture_off(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = {}

    def fake_run(self, **kwargs):  # the real run needs a terminal
        seen.update(kwargs)

    monkeypatch.setattr(TrailApp, "run", fake_run)
    assert run_app(args(source=str(tmp_path), no_mouse=True), AwsConfig()) == 0
    assert seen == {"mouse": False}
    assert run_app(args(source=str(tmp_path)), AwsConfig()) == 0
    assert seen == {"mouse": True}


async def test_config_theme_named_source_and_saved_filter(tmp_path: Path, isolated_config: Path) -> None:  # noqa: F811  the fixture imported above
    trail = write_trail(tmp_path / "t", incident_records())
    save_config(Config(sources={"lab": str(trail)}, default_source="lab", theme="high-contrast"))
    options = build_options(args(), AwsConfig(), load_config())
    assert options.source_url == str(trail)
    app = TrailApp(options)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        assert app.theme == "high-contrast"
        app.apply_filter("errorCode == 'AccessDenied'")
        await wait_idle(pilot, app)
        app.ask_save_filter()
        await wait_until(pilot, lambda: type(app.screen).__name__ == "PromptScreen")
        await pilot.press(*"denied", "enter")
        await wait_until(pilot, lambda: "denied" in load_config().config.filters)
    saved = load_config().config
    assert saved.filters == {"denied": "errorCode == 'AccessDenied'"} and saved.theme == "high-contrast"
    assert any(title == "Saved filter: denied" for title, _h, _c in TrailApp(build_options(
        args(), AwsConfig(), load_config())).palette_commands())
