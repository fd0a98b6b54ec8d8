"""CloudTrail log file integrity: digest chains, signatures, hashes, coverage.

A plain async library (no Textual): `Verifier(VerifyOptions(...), aws).run()`
yields `Update`s with `IntegrityResult`s and, at the end, a `Summary`.
"""

from trailtui.integrity.summary import Summary, Tally
from trailtui.integrity.verdicts import IntegrityResult, Kind, Status
from trailtui.integrity.verifier import Update, Verifier, VerifyError, VerifyOptions

__all__ = [
    "IntegrityResult", "Kind", "Status", "Summary", "Tally", "Update", "Verifier", "VerifyError", "VerifyOptions",
]
