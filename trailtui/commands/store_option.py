"""`--no-index` and the config key `index`: whether a command reads through the
local store (`trailtui.store`).  On by default; either one turns it off."""

from __future__ import annotations

import argparse


def add_no_index(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--no-index", action="store_true",
                        help="read the source plainly, without the local store (also: index = false in the config)")


def use_index(args: argparse.Namespace) -> bool:
    if getattr(args, "no_index", False):
        return False
    from trailtui.config import load_config

    return load_config().config.index
