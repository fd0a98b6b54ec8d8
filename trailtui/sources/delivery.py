"""How late a log file lands after its events: CloudTrail delivers within about
15 minutes of an event, and a file lands in the date folder of its delivery and
is named after it, so a day of slack past a range's end keeps every late file.
(Apart from `layout` so that SQL time bounds need neither its regexes nor its
dataclasses.)"""

from __future__ import annotations

from datetime import timedelta

DELIVERY_SLACK = timedelta(days=1)
