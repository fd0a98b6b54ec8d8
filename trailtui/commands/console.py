"""Open the Textual console (the TUI is imported only here, lazily)."""

from __future__ import annotations

import argparse

from trailtui.aws.config import AwsConfig
from trailtui.commands.errors import fail


def run_console(args: argparse.Namespace, aws: AwsConfig) -> int:
    try:
        from trailtui.ui.app import run_app
    except ImportError as exc:  # the console is built in its own issue
        return fail(f"the console is not available in this build ({exc})")
    return run_app(args, aws)
