"""The flat CSV view of an event, with spreadsheet formula injection neutralised."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from trailtui.events import Event
from trailtui.safe import csv_cell

CSV_COLUMNS = (
    "time", "principal", "access_key", "event_source", "event_name", "region", "source_ip",
    "user_agent", "error_code", "error_message", "request_id", "event_id", "recipient_account",
)


def csv_row(event: Event) -> list[str]:
    raw = event.raw
    values = (
        raw.get("eventTime"), event.principal, event.access_key, raw.get("eventSource"), raw.get("eventName"),
        raw.get("awsRegion"), raw.get("sourceIPAddress"), raw.get("userAgent"), raw.get("errorCode"),
        raw.get("errorMessage"), raw.get("requestID"), raw.get("eventID"), raw.get("recipientAccountId"),
    )
    return [csv_cell(v) for v in values]


class CsvWriter:
    """Streams rows; `csv.QUOTE_ALL` so embedded newlines and quotes stay in their cell."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._writer = csv.writer(stream, quoting=csv.QUOTE_ALL, lineterminator="\n")
        self._writer.writerow(CSV_COLUMNS)

    def write(self, events: Iterable[Event]) -> None:
        self._writer.writerows(csv_row(e) for e in events)

    def close(self) -> None:
        self._stream.flush()
