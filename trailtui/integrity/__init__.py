"""CloudTrail log file integrity: digest chains, signatures, hashes, coverage.

A plain async library (no Textual): `Verifier(VerifyOptions(...), aws).run()`
yields `Update`s with `IntegrityResult`s and, at the end, a `Summary`.
Names are loaded on first use, so importing a small part (the verdicts) does
not load the engine.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

_WHERE = {
    "IntegrityResult": "verdicts", "Kind": "verdicts", "Status": "verdicts",
    "Summary": "summary", "Tally": "summary",
    "Update": "verifier", "Verifier": "verifier", "VerifyError": "verifier", "VerifyOptions": "verifier",
}

__all__ = ["IntegrityResult", "Kind", "Status", "Summary", "Tally", "Update", "Verifier", "VerifyError",
           "VerifyOptions"]

if TYPE_CHECKING:
    from trailtui.integrity.summary import Summary, Tally
    from trailtui.integrity.verdicts import IntegrityResult, Kind, Status
    from trailtui.integrity.verifier import Update, Verifier, VerifyError, VerifyOptions


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'trailtui.integrity' has no attribute {name!r}")
    return getattr(import_module(f"trailtui.integrity.{module}"), name)
