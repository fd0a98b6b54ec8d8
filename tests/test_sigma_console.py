"""The console's --sigma: `h` lists the Sigma rules with their live hit counts,
and rules that could not be loaded are said at start-up, once."""

from __future__ import annotations

import argparse
from pathlib import Path

from sigma_corpus import SIGMAHQ
from stratus import stratus_records, stratus_trail

from trailtui.aws.config import AwsConfig
from trailtui.commands.console import build_options
from trailtui.config import load_config
from trailtui.ui.app import TrailApp

RULE = SIGMAHQ / "rules" / "aws_cloudtrail_disable_logging.yml"


def _text(app: TrailApp) -> str:
    return " ".join(strip.text for strip in app.screen._compositor.render_strips())


async def _until(pilot, app: TrailApp, phrase: str, rounds: int = 200) -> str:
    for _ in range(rounds):
        text = _text(app)
        if phrase in text:
            return text
        await pilot.pause(0.05)
    raise AssertionError(f"{phrase!r} never appeared: {_text(app)}")


def _options(trail: Path, *sigma: Path, only: bool = True):
    args = argparse.Namespace(source=str(trail), filter="", since=None, until=None, theme=None,
                              sigma=[str(p) for p in sigma], only_sigma=only)
    return build_options(args, AwsConfig(), load_config())


async def test_h_lists_sigma_rules_with_hit_counts(tmp_path):
    trail = stratus_trail(tmp_path / "trail", ("defense-evasion.cloudtrail-stop",))
    bad = tmp_path / "broken.yml"
    bad.write_text("title: [x\n")
    options = _options(trail, RULE, bad)
    assert not isinstance(options, str)
    assert options.hunts is not None and [h.title for h in options.hunts] == ["AWS CloudTrail Important Change"]
    assert len(options.hunt_problems) == 1 and "broken.yml" in options.hunt_problems[0]
    app = TrailApp(options)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await _until(pilot, app, "sigma rules not loaded")
        await pilot.press("h")
        text = await _until(pilot, app, "AWS CloudTrail Important Change")
        assert "CloudTrail logging stopped" not in text, "--only-sigma: the built-in hunts are not listed"
        await app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one("#hunts-table")
        row = table.get_row_at(0)
        expected = sum(1 for r in stratus_records("defense-evasion.cloudtrail-stop")
                       if r["eventSource"] == "cloudtrail.amazonaws.com"
                       and r["eventName"] in ("StopLogging", "UpdateTrail", "DeleteTrail"))
        assert expected >= 1 and str(row[1]).strip() == str(expected)


def test_only_sigma_without_sigma_is_a_one_line_error(tmp_path):
    trail = stratus_trail(tmp_path / "trail", ("defense-evasion.cloudtrail-stop",))
    assert _options(trail) == "--only-sigma needs --sigma PATH"
