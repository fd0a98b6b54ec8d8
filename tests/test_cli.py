"""trailtui.cli: the global options before or after the subcommand, --version,
and time values that look like flags."""

from __future__ import annotations

import pytest

from trailtui import __version__
from trailtui.aws.config import AwsConfig
from trailtui.cli import aws_config, build_parser, join_dash_values, main


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"trailtui {__version__}"


def test_valued_globals_before_the_command_are_skipped_when_finding_it(capsys):
    # "demo" is the profile name here, not the command
    assert main(["--profile", "demo", "--region", "eu-west-1", "hunt", "--list"]) == 0
    assert capsys.readouterr().out.startswith("ID")


@pytest.mark.parametrize("argv", [
    ["--profile", "p", "--region", "eu-west-1", "hunt", "--list"],
    ["hunt", "--list", "--profile", "p", "--region", "eu-west-1"],
    ["--region", "eu-west-1", "hunt", "--list", "--profile", "p"],
])
def test_aws_options_before_or_after_the_command(argv):
    args = build_parser(only="hunt").parse_args(argv)
    assert aws_config(args) == AwsConfig(profile="p", region="eu-west-1", endpoint_url=None)


def test_time_values_that_look_like_flags_are_joined():
    assert join_dash_values(["hunt", "x", "--since", "-15m", "--until", "now", "--end"]) == [
        "hunt", "x", "--since=-15m", "--until", "now", "--end"]
    assert join_dash_values(["export", "x", "--since", "-1h", "--format", "csv"])[2] == "--since=-1h"
