"""The flat CSV view of an event, with spreadsheet formula injection neutralised."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import IO

from trailtui import event_columns
from trailtui.events import Event
from trailtui.safe import csv_cell

CSV_COLUMNS = tuple(column.key for column in event_columns.CSV_COLUMNS)  # the header row


def csv_row(event: Event) -> list[str]:
    return [csv_cell(column.value(event)) for column in event_columns.CSV_COLUMNS]


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
