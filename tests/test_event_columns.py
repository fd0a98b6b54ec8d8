"""One definition of the event columns serves the console's list, the CLI table and CSV."""

from __future__ import annotations

from trailtui import event_columns
from trailtui.commands.query import table_header, table_line
from trailtui.event_columns import LIST_COLUMNS, REGION
from trailtui.events import Event
from trailtui.export.csvrows import CSV_COLUMNS, csv_row
from trailtui.ui.columns import layout_for

RECORD = {
    "eventTime": "2024-03-01T12:30:05Z", "eventSource": "iam.amazonaws.com", "eventName": "ListUsers",
    "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.66", "userAgent": "aws-cli/2",
    "errorCode": "AccessDenied", "errorMessage": "no", "requestID": "r-1", "eventID": "e-1",
    "recipientAccountId": "111122223333",
    "userIdentity": {"type": "IAMUser", "userName": "eve", "accessKeyId": "AKIAEXAMPLE"},
}


def test_the_list_and_the_table_show_the_same_columns() -> None:
    keys = [c.key for c in LIST_COLUMNS]
    assert [c.key for c in layout_for(200).columns] == keys
    assert [c.key for c in layout_for(80).columns] == [k for k in keys if k != REGION.key]  # narrow: no region
    assert table_header().split() == " ".join(c.title for c in LIST_COLUMNS).split()
    line = table_line(Event.from_raw(RECORD))
    assert line.split() == ["2024-03-01T12:30:05Z", "user/eve", "iam:ListUsers", "203.0.113.66", "us-east-1",
                            "AccessDenied"]


def test_csv_header_and_cells_come_from_the_same_columns() -> None:
    assert CSV_COLUMNS == tuple(c.key for c in event_columns.CSV_COLUMNS)
    assert csv_row(Event.from_raw(RECORD)) == [
        "2024-03-01T12:30:05Z", "user/eve", "AKIAEXAMPLE", "iam.amazonaws.com", "ListUsers", "us-east-1",
        "203.0.113.66", "aws-cli/2", "AccessDenied", "no", "r-1", "e-1", "111122223333"]
