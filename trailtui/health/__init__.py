"""Trail health: facts about every trail (collected read-only, tolerant of
AccessDenied) and a catalogue of checks that turns them into PASS / WARN /
FAIL / UNKNOWN / INFO results with reasons and ready `aws` CLI fixes.

No Textual here; `trailtui health` and the Health pane are faces over this.
"""

from trailtui.health.catalogue import CHECK_IDS, TRAIL_CHECKS, TrailCheck, evaluate
from trailtui.health.collect import HealthCollectionError, collect_facts
from trailtui.health.facts import (
                                   AccountFacts,
                                   BucketFacts,
                                   FactsFormatError,
                                   KeyFacts,
                                   LogGroupFacts,
                                   TrailFacts,
                                   Unavailable,
                                   from_json,
                                   to_json,
)
from trailtui.health.results import CheckResult, HealthReport, Status, TrailReport, summary_line

__all__ = [
    "AccountFacts", "BucketFacts", "CHECK_IDS", "CheckResult", "FactsFormatError", "HealthCollectionError",
    "HealthReport", "KeyFacts", "LogGroupFacts", "Status", "TRAIL_CHECKS", "TrailCheck", "TrailFacts",
    "TrailReport", "Unavailable", "collect_facts", "evaluate", "from_json", "summary_line", "to_json",
]
