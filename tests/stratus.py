"""The Stratus Red Team sample trails (tests/data/hunts/stratus-red-team), shared
by the hunt and export tests: read one sample, or lay a few out as a local trail."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

STRATUS = Path(__file__).parent / "data" / "hunts" / "stratus-red-team"


def stratus_records(name: str) -> list[dict]:
    """The raw records of `aws.<name>.json`."""
    return json.loads((STRATUS / f"aws.{name}.json").read_text())


def stratus_trail(root: Path, names: Iterable[str]) -> Path:
    """A new directory `root` holding the named samples, as a local source."""
    root.mkdir()
    for name in names:
        (root / f"{name}.json").write_text((STRATUS / f"aws.{name}.json").read_text())
    return root
