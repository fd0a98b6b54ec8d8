"""Follow mode: after a search, keep watching the source and hand back each
event that arrives, once.  File sources (a local tree, an S3 bucket) watch for
new log files; query sources (Event history, Athena, Lake) re-ask for the
window since the newest event seen."""

from trailtui.follow.arrival import Arrival, SeenEvents
from trailtui.follow.open import Follower, open_follower

__all__ = ["Arrival", "Follower", "SeenEvents", "open_follower"]
