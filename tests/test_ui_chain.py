"""The "credential chain" pivot driven headlessly at 80x24: the tree of the
selected event's key, moving in it, `enter` narrowing the list, `q`/`esc` back."""

from __future__ import annotations

from pathlib import Path

from chain_records import assume, call, session, user, write_trail
from test_ui_harness import isolated_config, screen_text, wait_idle, wait_until  # noqa: F401

from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.chain_screen import ChainScreen
from trailtui.ui.pivot_screen import PivotScreen

A, B = "111111111111", "222222222222"
NASTY = "ops\x1b]0;pwned\x07[b]x[/b]"


def chain_trail(root: Path) -> Path:
    alice = user(A, "alice", "AKIAALICE0000000001")
    deploy = session(B, "deploy", "alice", "ASIADEPLOY000000001")
    admin = session(B, "admin", NASTY, "ASIAADMIN0000000001")
    records = [
        call("a0", "2024-05-01T09:59:00Z", alice, ip="198.51.100.7"),
        assume("a1", "2024-05-01T10:00:00Z", alice, f"arn:aws:iam::{B}:role/deploy", "alice", "ASIADEPLOY000000001",
               account=A, source_identity="alice@corp"),
        call("d1", "2024-05-01T10:01:00Z", deploy, ip="203.0.113.9"),
        assume("d2", "2024-05-01T10:02:00Z", deploy, f"arn:aws:iam::{B}:role/admin", NASTY, "ASIAADMIN0000000001",
               ip="203.0.113.9", account=B),
        call("x1", "2024-05-01T10:03:00Z", admin, "DescribeInstances", ip="203.0.113.9"),
        call("x2", "2024-05-01T10:04:00Z", admin, "DescribeInstances", ip="192.0.2.66"),
        call("other", "2024-05-01T09:00:00Z", user(A, "bob", "AKIABOB000000000001")),
    ]
    return write_trail(root / "trail" / "chain.json", records).parent


async def open_chain(pilot, app: TrailApp) -> ChainScreen:
    await pilot.press("p")
    assert isinstance(app.screen, PivotScreen)
    kinds = [p.kind for p in app.screen.pivots]
    assert "credential chain" in screen_text(app)
    await pilot.press(str(kinds.index("credential chain") + 1))
    await wait_until(pilot, lambda: isinstance(app.screen, ChainScreen) and app.screen.done)
    assert isinstance(app.screen, ChainScreen)
    return app.screen


async def test_chain_pivot_shows_origin_sessions_and_keys_and_enter_narrows(tmp_path: Path) -> None:
    app = TrailApp(ConsoleOptions(str(chain_trail(tmp_path))))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        assert "7 matched" in screen_text(app)
        # newest first: the first row is the admin session's call from 192.0.2.66
        assert app.events.selected_raw()["eventID"] == "x2"
        screen = await open_chain(pilot, app)
        text = screen_text(app)
        assert "Credential chain" in text and "ASIAADMIN0000000001" in text
        assert "origin  long-term-key  user/alice@111111111111  2 events  from 198.51.100.7" in text
        assert "AssumeRole  role/deploy@222222222222  session alice  2 events" in text
        assert "ASIADEPLOY000000001  2 events  from 203.0.113.9" in text
        assert "ASIAADMIN0000000001  2 events  from 192.0.2.66, 203.0.113.9  ◀ this" in text
        assert "\\x1b]0;pwned\\x07[b]x[/b]" in text, "hostile session names are drawn escaped, not as markup"
        assert "done: 7 events read, 3 keys, 2 links" in text
        tree = screen.query_one("#chain-tree")
        asked = tree.cursor_line
        assert asked == 4, "the cursor starts on the key of the selected event"
        assert "key ASIAADMIN0000000001  2 events" in text and "2024-05-01T10:03:00Z .. 2024-05-01T10:04:00Z" in text
        await pilot.press("g", "j")
        await pilot.pause(0.1)
        text = screen_text(app)
        assert "role arn:aws:iam::222222222222:role/deploy" in text
        assert "session alice  source identity alice@corp" in text
        assert "issued 2024-05-01T10:00:00Z from 198.51.100.7  event a1" in text
        assert "by arn:aws:iam::111111111111:user/alice" in text
        await pilot.press("g")
        assert tree.cursor_line == 0
        await pilot.press("j", "j")
        assert tree.cursor_line == 2
        await pilot.press("k")
        assert tree.cursor_line == 1
        await pilot.press("G")
        assert tree.cursor_line == tree.last_line
        # the deploy key node: its own events only
        await pilot.press("g", "j", "j")  # origin, deploy session, deploy key
        assert tree.get_node_at_line(tree.cursor_line).data.title == "ASIADEPLOY000000001"
        await pilot.press("enter")
        await wait_idle(pilot, app)
        assert not isinstance(app.screen, ChainScreen)
        text = screen_text(app)
        assert "2 matched" in text and "chain ASIADEPLOY000000001" in text
        # backspace pops the pivot: everything again
        await pilot.press("backspace")
        await wait_idle(pilot, app)
        assert "7 matched" in screen_text(app)


async def test_origin_node_shows_the_whole_chain_and_q_goes_back(tmp_path: Path) -> None:
    app = TrailApp(ConsoleOptions(str(chain_trail(tmp_path))))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        screen = await open_chain(pilot, app)
        await pilot.press("q")
        assert not isinstance(app.screen, ChainScreen) and app.is_running
        screen = await open_chain(pilot, app)
        await pilot.press("escape")
        assert not isinstance(app.screen, ChainScreen)
        screen = await open_chain(pilot, app)
        await pilot.press("g", "enter")
        await wait_idle(pilot, app)
        assert not isinstance(app.screen, ChainScreen) and screen.root is not None
        assert "6 matched" in screen_text(app), "every event of the chain's keys and their issuing events"
