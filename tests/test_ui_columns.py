"""Columns follow the terminal: an account column for organisation trails
(rows from more than one account) where the width allows, and a principal
column that keeps growing past its 60-cell cap on wide terminals."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from test_ui_harness import (  # noqa: F401  (isolated_config is an autouse fixture)
    SMALL,
    T0,
    incident_records,
    isolated_config,
    screen_text,
    wait_idle,
    write_trail,
)
from trail_builder import event

from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.columns import PRINCIPAL_MAX, layout_for

WIDE = (200, 50)
LONG_ROLE = "AWSReservedSSO_AdministratorAccess_0123456789abcdef/ir@corp.io"  # 66 cells as a principal


def org_records() -> list[dict]:
    """Three member accounts of one organisation trail; one principal with a long SSO role session name."""
    records = []
    for i, account in enumerate(("111122223333", "444455556666", "777788889999") * 4):
        identity = {"type": "AssumedRole", "principalId": f"AROA{i}:ir@corp.io",
                    "arn": f"arn:aws:sts::{account}:assumed-role/{LONG_ROLE}", "accountId": account,
                    "accessKeyId": f"ASIA{i:04d}"}
        records.append(event(T0 + timedelta(minutes=i), name="DescribeInstances", eventSource="ec2.amazonaws.com",
                             userIdentity=identity, recipientAccountId=account, eventID=f"org-{i}"))
    return records


def header(app: TrailApp) -> str:
    return str(app.query_one("#columns").render())


def column_widths(app: TrailApp) -> dict[str, int]:
    return {c.key: c.width for c in app.events.list.row_layout().columns}


@pytest.mark.parametrize("size", [SMALL, WIDE])
async def test_account_column_for_an_organisation_trail_where_the_width_allows(tmp_path: Path, size) -> None:
    trail = write_trail(tmp_path / "org", org_records())
    app = TrailApp(ConsoleOptions(str(trail), keep_case=False))
    async with app.run_test(size=size) as pilot:
        await wait_idle(pilot, app)
        text = screen_text(app)
        widths = column_widths(app)
        if size == SMALL:  # 80x24: no room; the columns an analyst needs first keep theirs
            assert "recipient_account" not in widths and "ACCOUNT" not in header(app)
            assert "444455556666" not in text
            assert widths["principal"] == 21
        else:
            assert widths["recipient_account"] == 12 and "ACCOUNT" in header(app)
            for account in ("111122223333", "444455556666", "777788889999"):
                assert account in text
            assert widths["principal"] > PRINCIPAL_MAX
            # the SSO role and session name (66 cells, more than the old cap of 60) is shown whole
            assert "role/" + LONG_ROLE in text


@pytest.mark.parametrize("size", [SMALL, WIDE])
async def test_one_account_trail_has_no_account_column_and_the_principal_grows(trail: Path, size) -> None:
    app = TrailApp(ConsoleOptions(str(trail), keep_case=False))
    async with app.run_test(size=size) as pilot:
        await wait_idle(pilot, app)
        widths = column_widths(app)
        assert "recipient_account" not in widths and "ACCOUNT" not in header(app)
        line = next(row for row in screen_text(app).splitlines() if "ListUsers" in row)
        assert "user/eve" in line
        if size == SMALL:
            assert widths["principal"] == 21
        else:
            assert widths["principal"] >= 75 > PRINCIPAL_MAX
        assert sum(widths.values()) + len(widths) == app.events.list.scrollable_content_region.width


@pytest.mark.parametrize("width", [79, 97, 98, 119, 139, 160, 199, 260])
def test_layouts_fill_the_width_with_and_without_accounts(width: int) -> None:
    for accounts in (False, True):
        layout = layout_for(width, accounts=accounts)
        widths = {c.key: c.width for c in layout.columns}
        assert sum(widths.values()) + len(widths) == width
        assert ("recipient_account" in widths) == (accounts and width >= 98)
    narrow, wide = layout_for(139), layout_for(width)
    assert {c.key: c.width for c in wide.columns}["principal"] >= {c.key: c.width for c in narrow.columns}[
        "principal"] or width < 139


async def test_org_rows_arriving_later_add_the_column(tmp_path: Path) -> None:
    records = [dict(r, recipientAccountId="111122223333") for r in incident_records()] + org_records()[1:2]
    trail = write_trail(tmp_path / "mixed", records)
    app = TrailApp(ConsoleOptions(str(trail), keep_case=False))
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_idle(pilot, app)
        assert "ACCOUNT" in header(app) and "444455556666" in screen_text(app)
