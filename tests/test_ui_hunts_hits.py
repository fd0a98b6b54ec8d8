"""`enter` on a hunt shows exactly the events the hunt reported (threshold and
sequence hunts included): the count in the list equals the hunt's count."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from test_ui_harness import (  # noqa: F401  (isolated_config is an autouse fixture)
    T0,
    incident_records,
    isolated_config,
    open_hunts,
    screen_text,
    wait_idle,
    wait_until,
    write_trail,
)
from trail_builder import event

from trailtui.ui.app import ConsoleOptions, TrailApp

EVE = {"type": "IAMUser", "principalId": "AIDAEVE", "arn": "arn:aws:iam::111122223333:user/eve",
       "accountId": "111122223333", "accessKeyId": "AKIALEAKED", "userName": "eve"}


def secrets(when, who, secret: str, ident: str) -> dict:
    return event(when, name="GetSecretValue", eventSource="secretsmanager.amazonaws.com", userIdentity=who,
                 requestParameters={"secretId": secret}, eventID=ident)


@pytest.fixture
def trail(tmp_path: Path) -> Path:
    records = incident_records()
    # 12 distinct secrets read by eve in 4 minutes: the threshold hunt fires on all 12 ...
    records += [secrets(T0 + timedelta(minutes=31, seconds=20 * i), EVE, f"prod/db-{i}", f"sec-eve-{i}")
                for i in range(12)]
    # ... and 3 quiet reads by alice, hours apart, match its predicate but are not hits.
    alice = incident_records()[0]["userIdentity"]
    records += [secrets(T0 - timedelta(hours=3 * i + 1), alice, "app/config", f"sec-alice-{i}") for i in range(3)]
    # The ops role creates users (12:45-12:47) and then a key: a sequence hit; alice's key is not.
    role = incident_records()[-1]["userIdentity"]
    records.append(event(T0 + timedelta(minutes=50), name="CreateAccessKey", eventSource="iam.amazonaws.com",
                         userIdentity=role, eventID="key-ops"))
    records.append(event(T0 + timedelta(minutes=51), name="CreateAccessKey", eventSource="iam.amazonaws.com",
                         eventID="key-alice"))
    return write_trail(tmp_path / "trail", records)


async def open_hunt(pilot, app: TrailApp, hunt_id: str) -> int:
    """Open the hunts window, put the cursor on `hunt_id`, return its HITS count."""
    screen = await open_hunts(pilot, app)
    row = screen.order.index(hunt_id)
    await pilot.press("g", *("j",) * row)
    count = int(str(screen.table.get_cell(hunt_id, "hits")).replace(",", ""))
    await pilot.press("enter")
    await wait_until(pilot, lambda: type(app.screen).__name__ != "HuntsScreen")
    await wait_idle(pilot, app)
    return count


@pytest.mark.parametrize(("hunt_id", "expected"), [("secrets-mass-retrieval", 12), ("new-user-granted-access", 4)])
async def test_enter_on_a_hunt_shows_exactly_its_hits(trail: Path, hunt_id: str, expected: int) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        count = await open_hunt(pilot, app, hunt_id)
        assert count == expected
        assert f"{count} matched" in screen_text(app).splitlines()[-2]
        shown = {app.events.raw_at(i)["eventID"] for i in range(len(app.events.store))}
        assert "sec-alice-0" not in shown and "key-alice" not in shown


async def test_fired_hunts_first_with_top_principal_and_times_quiet_ones_folded(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_idle(pilot, app)
        screen = await open_hunts(pilot, app)
        fired = [t.hunt.id for t in screen.tallies.fired()]
        assert fired and screen.order[:len(fired)] == fired
        quiet = len(screen.hunts) - len(fired)
        text = screen_text(app)
        assert f"▸ {quiet} hunts: no hits" in text
        line = next(line for line in text.splitlines() if "Many Secrets Manager" in line)
        assert "user/eve" in line and "2024-03-01 12:31→12:34" in line
        assert screen.table.row_count == len(fired) + 1  # the quiet hunts are one folded row
        await pilot.press("G", "enter")
        await wait_until(pilot, lambda: screen.table.row_count == len(screen.hunts) + 1)
        assert "▾" in screen_text(app)


async def test_the_hunts_headers_are_whole_at_80_columns(trail: Path) -> None:
    app = TrailApp(ConsoleOptions(str(trail)))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("h")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "HuntsScreen")
        header = next(line for line in screen_text(app).splitlines() if "SEV" in line)
        for label in ("SEV", "HITS", "HUNT", "PRINCIPAL", "FIRST→LAST UTC"):
            assert f" {label} " in f"{header} ", header
