"""Keys work as documented, at any speed: ctrl+p, `/` after a pivot or hunt,
`/` inside the event detail with n/N, bursts in the detail and in dialogs,
a [keymap] rebinding, and `--public-keys` / list-public-keys.json for v."""

from __future__ import annotations

import argparse
from pathlib import Path

from test_ui_harness import (
    SMALL,
    isolated_config,  # noqa: F401  (an autouse fixture: imported, it applies)
    screen_text,
    wait_idle,
    wait_until,
)

from trailtui.aws.config import AwsConfig
from trailtui.commands.console import build_options
from trailtui.config import Config, LoadedConfig
from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.detail_screen import DetailScreen
from trailtui.ui.time_screen import TimeScreen


async def test_ctrl_p_opens_the_command_palette(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("ctrl+p")
        await wait_until(pilot, lambda: "CommandPalette" in type(app.screen).__name__)


async def test_slash_puts_the_cursor_at_the_end_after_a_hunt_or_pivot(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        app.apply_filter("eventName == 'ListUsers'")  # what enter on a hunt does
        await wait_idle(pilot, app)
        await pilot.press("slash")
        bar = app.events.filter_bar.input
        assert bar.cursor_position == len(bar.value) == len("eventName == 'ListUsers'")
        await pilot.press(*" && errorCode", "enter")
        await wait_idle(pilot, app)
        assert app.events.state.filter_text == "eventName == 'ListUsers' && errorCode"
        await pilot.press("p", "1")  # a pivot, then / again
        await wait_idle(pilot, app)
        await pilot.press("slash")
        assert bar.cursor_position == len(bar.value)


async def test_slash_in_the_detail_finds_inside_the_event(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("j", "j", "j", "enter")  # eve's ListUsers
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        detail = app.screen
        await pilot.press("slash", *"eve", "enter")
        await pilot.pause(0.1)
        assert len(detail.matches) >= 2 and "match 1 of" in screen_text(app)
        await pilot.press("n")
        assert detail.match_at == 1 and "match 2 of" in screen_text(app)
        await pilot.press("N")
        assert detail.match_at == 0
        await pilot.press("slash", *"half-typ", "escape")  # leaves the box, nothing half-typed stays
        await pilot.pause(0.05)
        assert isinstance(app.screen, DetailScreen) and not detail.query_one("#detail-find").display
        await pilot.press("escape")
        await pilot.pause(0.05)
        assert app.events.filter_bar.input.value == "" and app.events.state.filter_text == ""


async def test_a_burst_of_keys_is_never_dropped_in_the_detail_and_dialogs(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=(80, 12)) as pilot:  # short: the JSON must scroll
        await wait_idle(pilot, app)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        scroll = app.screen.query_one("#detail-scroll")
        await pilot.press(*["j"] * 20)  # sent at once, as over SSH
        await pilot.pause(0.1)
        assert scroll.scroll_y == min(20, scroll.max_scroll_y)
        await pilot.press("escape", "g", "t")
        await wait_until(pilot, lambda: isinstance(app.screen, TimeScreen))
        # a pasted "from<Tab>to" arrives as one burst
        app.screen.query_one("#time-since").value = ""
        app.screen.query_one("#time-since").focus()
        await pilot.press(*"2024-03-01T12:29:00Z", "tab", *"2024-03-01T12:31:00Z", "enter")
        await wait_idle(pilot, app)
        status = screen_text(app).splitlines()[-2]
        assert "2024-03-01 12:29→12:31Z" in status and "6 matched" in status, status


async def test_keymap_in_config_rebinds_an_action_by_its_id(trail: Path) -> None:
    loaded = LoadedConfig(Config(keymap={"trailtui.everywhere.filter": "ctrl+f", "trailtui.nope": "x"}),
                          Path("config.toml"))
    app = TrailApp(ConsoleOptions(str(trail), config=loaded))
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await wait_idle(pilot, app)
        assert "no binding trailtui.nope" in screen_text(app)
        await pilot.press("ctrl+f")
        assert app.focused is app.events.filter_bar.input
        await pilot.press("escape", "question_mark")
        await pilot.pause(0.1)
        help_text = screen_text(app)
        assert "ctrl+f" in help_text


def test_public_keys_option_and_companion_file(trail: Path, tmp_path: Path) -> None:
    args = argparse.Namespace(source=str(trail), public_keys=None)
    loaded = LoadedConfig(Config(), tmp_path / "config.toml")
    options = build_options(args, AwsConfig(), loaded)
    assert options.public_keys is None
    companion = trail / "list-public-keys.json"
    companion.write_text('{"PublicKeyList": []}')
    options = build_options(args, AwsConfig(), loaded)
    assert options.public_keys == str(companion) and options.public_keys_found
    given = tmp_path / "keys.json"
    given.write_text('{"PublicKeyList": []}')
    options = build_options(argparse.Namespace(source=str(trail), public_keys=str(given)), AwsConfig(), loaded)
    assert options.public_keys == str(given) and not options.public_keys_found
    from trailtui.cli import console_parser

    parsed = console_parser().parse_args([str(trail), "--public-keys", str(given)])
    assert parsed.public_keys == str(given)


async def test_counts_field_menu_keys_are_in_help_and_rebind_through_the_keymap(trail: Path) -> None:
    from trailtui.ui.counts_field_menu import FieldMenu
    from trailtui.ui.help_screen import HelpScreen
    from trailtui.ui.prompt_screen import PromptScreen

    loaded = LoadedConfig(Config(keymap={"trailtui.counts-field-menu.expression": "x"}), Path("config.toml"))
    app = TrailApp(ConsoleOptions(str(trail), config=loaded))
    async with app.run_test(size=(100, 200)) as pilot:  # tall: the whole help table on screen
        await wait_idle(pilot, app)
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, HelpScreen))
        help_text = screen_text(app)
        assert "Counts field menu" in help_text
        for ident in ("trailtui.counts-field-menu.choose-1", "trailtui.counts-field-menu.choose-9",
                      "trailtui.counts-field-menu.cancel"):
            assert ident in help_text, ident
        assert "Count by a JMESPath expression" in help_text
        row = next(line for line in help_text.splitlines() if "Count by a JMESPath expression" in line)
        assert row.strip(" │").startswith("x "), row  # help shows the key as rebound
        assert "trailtui.counts-field-menu.expression" in row
        await pilot.press("escape", "c")
        await wait_until(pilot, lambda: isinstance(app.screen, FieldMenu))
        await pilot.press("0")  # the old key no longer chooses the expression
        await pilot.pause(0.05)
        assert isinstance(app.screen, FieldMenu)
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, PromptScreen))
        await pilot.press("escape")
        await pilot.press("c")
        await wait_until(pilot, lambda: isinstance(app.screen, FieldMenu))
        await pilot.press("q")  # q goes back one level from the menu
        await wait_until(pilot, lambda: not isinstance(app.screen, FieldMenu))
        assert app.is_running


def test_every_binding_of_every_console_screen_is_in_the_key_table() -> None:
    import importlib
    import inspect
    import pkgutil

    import trailtui.ui
    from trailtui.ui import keys

    known = keys.all_ids()
    checked = 0
    for info in pkgutil.walk_packages(trailtui.ui.__path__, "trailtui.ui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or "BINDINGS" not in vars(cls):
                continue
            for binding in vars(cls)["BINDINGS"]:
                checked += 1
                assert getattr(binding, "id", None) in known, (cls.__qualname__, binding)
    assert checked >= len(known) - 10  # nearly every entry of the table is bound somewhere
