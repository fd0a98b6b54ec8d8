"""The columns an event is shown in, defined once for every face: the console's
event list, `trailtui query --format table` and CSV (export and query).

A column has a stable key (the CSV header, and how a face names the column), a
title (the table and list header) and the cell's text as recorded.  Faces only
escape (`trailtui.safe`), neutralise formulas (CSV) and fit the text to a width.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from trailtui.events import EPOCH, Event


@dataclass(frozen=True, slots=True)
class EventColumn:
    key: str
    title: str
    value: Callable[[Event], str]


def event_label(event: Event) -> str:
    """`s3:GetObject`: short service name and API name."""
    source = event.short_source
    return f"{source}:{event.event_name}" if source else event.event_name


def utc_time(event: Event) -> str:
    """The event's time in UTC (a record's offset is converted); blank when unreadable."""
    return f"{event.time:%Y-%m-%dT%H:%M:%SZ}" if event.time != EPOCH else ""


def _field(name: str) -> Callable[[Event], str]:
    def value(event: Event) -> str:
        return event.field(name)
    return value


TIME = EventColumn("time", "TIME", _field("eventTime"))  # as recorded (CSV keeps the record's own text)
TIME_UTC = EventColumn("time", "TIME", utc_time)  # one zone on screen
PRINCIPAL = EventColumn("principal", "PRINCIPAL", lambda e: e.principal)
ACCESS_KEY = EventColumn("access_key", "ACCESS KEY", lambda e: e.access_key)
EVENT = EventColumn("event", "EVENT", event_label)
EVENT_SOURCE = EventColumn("event_source", "EVENT SOURCE", _field("eventSource"))
EVENT_NAME = EventColumn("event_name", "EVENT NAME", _field("eventName"))
REGION = EventColumn("region", "REGION", _field("awsRegion"))
SOURCE_IP = EventColumn("source_ip", "SOURCE IP", _field("sourceIPAddress"))
USER_AGENT = EventColumn("user_agent", "USER AGENT", _field("userAgent"))
ERROR_CODE = EventColumn("error_code", "ERROR", _field("errorCode"))
ERROR_MESSAGE = EventColumn("error_message", "ERROR MESSAGE", _field("errorMessage"))
REQUEST_ID = EventColumn("request_id", "REQUEST ID", _field("requestID"))
EVENT_ID = EventColumn("event_id", "EVENT ID", _field("eventID"))
RECIPIENT_ACCOUNT = EventColumn("recipient_account", "ACCOUNT", _field("recipientAccountId"))

# One line per event: the console's list (which drops REGION when narrow) and `trailtui query`'s table.
LIST_COLUMNS = (TIME_UTC, PRINCIPAL, EVENT, SOURCE_IP, REGION, ERROR_CODE)
# The flat view of an event: CSV from `trailtui export` and `trailtui query --format csv`.
CSV_COLUMNS = (TIME, PRINCIPAL, ACCESS_KEY, EVENT_SOURCE, EVENT_NAME, REGION, SOURCE_IP, USER_AGENT, ERROR_CODE,
               ERROR_MESSAGE, REQUEST_ID, EVENT_ID, RECIPIENT_ACCOUNT)
