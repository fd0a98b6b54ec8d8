"""`trailtui acquire` (not built yet: see its issue)."""

from __future__ import annotations

import argparse

from trailtui.aws.config import AwsConfig
from trailtui.commands.errors import fail


def register(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser("acquire", parents=[common], help="(not available yet)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    return fail("'acquire' is not available in this build yet")
