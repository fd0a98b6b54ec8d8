"""The console started on every account (`trailtui lookup://REGION --accounts
all --role-name ROLE`): the Health pane lists each account's trails with the
account, a row per account, and the account whose role is missing as one
UNKNOWN row with the reason; the Events pane shows every account's history."""

from __future__ import annotations

from org_fixture import AUDIT_ROLE, MANAGEMENT, REGION, add_trail, build_organisation
from test_sources_lookup_accounts import history, seed
from test_ui_harness import SMALL, screen_text, wait_until
from textual.widgets import OptionList, Static

from trailtui.cli import aws_config, console_parser
from trailtui.commands.console import build_options
from trailtui.config import load_config
from trailtui.ui.app import TrailApp
from trailtui.ui.panes.health import HealthPane


def console_for(endpoint: str) -> TrailApp:
    args = console_parser().parse_args([f"lookup://{REGION}", "--accounts", "all", "--role-name", AUDIT_ROLE,
                                        "--endpoint-url", endpoint, "--region", REGION, "--no-index"])
    options = build_options(args, aws_config(args), load_config())
    assert not isinstance(options, str), options
    return TrailApp(options)


async def test_health_pane_shows_every_account(aws_env):
    org = build_organisation(aws_env, members=3, audit_role_in=(0, 1))
    first, second, missing = org.members
    for index, account in enumerate(org.members):
        add_trail(org, account, f"trail-{index}")
    for account, offset in ((MANAGEMENT, 0), (first, 5), (second, 10)):
        seed(aws_env, account, history(account, 3, offset))
    app = console_for(aws_env)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: not app.events.run.running and not app.events.run.paused, timeout=60)
        events = screen_text(app)
        assert "9 scanned / 9 matched" in events and "1 problem" in events  # the missing role: one problem
        rows = [line for line in events.splitlines() if line.startswith(" 12-") and "user/user-" in line]
        assert [r.split()[2][-4:] for r in rows] == [MANAGEMENT[-4:], first[-4:], second[-4:]] * 3  # newest first
        await pilot.press("1")
        pane = app.query_one(HealthPane)
        # four accounts' trails, buckets and roles read over HTTP: seconds, more on a loaded machine
        await wait_until(pilot, lambda: pane.report is not None, timeout=60)
        shown = screen_text(app)
        assert "Health: 4 accounts, 2 trails" in shown
        lines = shown.splitlines()
        assert any(line.startswith(f"FAIL    {first} trail-0 (us-east-1)") for line in lines)
        assert any(line.startswith(f"FAIL    {second} trail-1 (us-east-1)") for line in lines)
        assert any(line.startswith(f"PASS    {first} account-wide checks (member-0)") for line in lines)
        assert any(line.startswith(f"UNKNOWN {missing} member-2: cannot assume") for line in lines)
        trails = app.query_one("#health-trails", OptionList)
        target = next(i for i in range(trails.option_count) if missing in str(trails.get_option_at_index(i).prompt))
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_until(pilot, lambda: pane.has_class("-drilled"))
        detail = str(app.query_one("#health-detail", Static).render())
        assert detail.startswith("UNKNOWN account-access")
        assert f"cannot assume arn:aws:iam::{missing}:role/{AUDIT_ROLE}: access denied" in detail
        assert f"account {missing} (member-2)" in screen_text(app)
        await pilot.press("escape")
        await wait_until(pilot, lambda: not pane.has_class("-drilled"))
