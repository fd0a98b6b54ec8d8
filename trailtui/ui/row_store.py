"""Every match of the current query, in little memory.

The list shows seven short fields per event; the detail view needs the whole
event.  So each match costs, in memory, one float (time), six small integers
(indexes into tables of distinct strings: principal, event, source IP, region,
error code, account) and one file offset: about 40 bytes however large the
event is.
The raw event is appended as JSON to an unnamed temporary file (deleted by the
OS when closed) and read back with `pread` when the user opens it.

Pure Python, no Textual: tested on its own.
"""

from __future__ import annotations

import os
import tempfile
from array import array
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from trailtui.event_columns import ERROR_CODE, EVENT, PRINCIPAL, RECIPIENT_ACCOUNT, REGION, SOURCE_IP
from trailtui.events import Event
from trailtui.record_json import dumps_record, loads_record


@dataclass(frozen=True, slots=True)
class Row:
    """What one list row shows (strings are raw, escaped at render time)."""

    index: int
    time: float
    principal: str
    event: str
    source_ip: str
    region: str
    error: str
    account: str = ""


class StringTable:
    """Distinct strings, each stored once, addressed by a small integer."""

    def __init__(self) -> None:
        self._ids: dict[str, int] = {"": 0}
        self._values: list[str] = [""]

    def id_of(self, value: str) -> int:
        found = self._ids.get(value)
        if found is None:
            found = len(self._values)
            self._ids[value] = found
            self._values.append(value)
        return found

    def __getitem__(self, ident: int) -> str:
        return self._values[ident]

    def __len__(self) -> int:
        return len(self._values)


class RowStore:
    """Append-only rows for one query; `close()` deletes the spool file."""

    def __init__(self, directory: str | None = None) -> None:
        self._spool = tempfile.TemporaryFile(prefix="trailtui-", suffix=".spool", dir=directory, buffering=0)
        self._fd = self._spool.fileno()
        self._end = 0
        self._offsets = array("q")
        self.times = array("d")
        self._strings = StringTable()
        self._principal = array("I")
        self._event = array("I")
        self._ip = array("I")
        self._region = array("I")
        self._error = array("I")
        self._account = array("I")
        self._accounts: set[int] = set()  # distinct recipient accounts (ids in the string table)
        self.error_count = 0
        self.closed = False

    def __len__(self) -> int:
        return len(self.times)

    def extend(self, events: Iterable[Event]) -> range:
        """Append events (in the order given); returns the new rows' indexes."""
        start = len(self.times)
        blobs: list[bytes] = []
        sid = self._strings.id_of
        offset = self._end
        for event in events:
            blob = dumps_record(event.raw)
            blobs.append(blob)
            self._offsets.append(offset)
            offset += len(blob)
            self.times.append(event.time.timestamp())
            self._principal.append(sid(PRINCIPAL.value(event)))
            self._event.append(sid(EVENT.value(event)))
            self._ip.append(sid(SOURCE_IP.value(event)))
            self._region.append(sid(REGION.value(event)))
            error = ERROR_CODE.value(event)
            self._error.append(sid(error))
            if error:
                self.error_count += 1
            account = sid(RECIPIENT_ACCOUNT.value(event))
            self._account.append(account)
            if account:
                self._accounts.add(account)
        if blobs:
            data = b"".join(blobs)
            written = 0
            while written < len(data):
                written += os.pwrite(self._fd, data[written:], self._end + written)
            self._end = offset
        return range(start, len(self.times))

    def row(self, index: int) -> Row:
        s = self._strings
        return Row(
            index,
            self.times[index],
            s[self._principal[index]],
            s[self._event[index]],
            s[self._ip[index]],
            s[self._region[index]],
            s[self._error[index]],
            s[self._account[index]],
        )

    @property
    def account_count(self) -> int:
        """How many recipient accounts the rows come from: more than one is an
        organisation (or multi-account) trail, which gets an account column."""
        return len(self._accounts)

    def years(self) -> frozenset[int]:
        """The years of the newest and oldest rows (the list shows the year
        when one of them is not the current year)."""
        if not self.times:
            return frozenset()
        return frozenset(datetime.fromtimestamp(t, tz=UTC).year for t in (self.times[0], self.times[-1]) if t > 0)

    def has_error(self, index: int) -> bool:
        return self._error[index] != 0

    def raw_bytes(self, index: int) -> bytes:
        start = self._offsets[index]
        end = self._offsets[index + 1] if index + 1 < len(self._offsets) else self._end
        return os.pread(self._fd, end - start, start)

    def raw(self, index: int) -> dict[str, Any]:
        """The event exactly as the source gave it."""
        raw: dict[str, Any] = loads_record(self.raw_bytes(index))  # a stored record is always an object
        return raw

    @property
    def spool_bytes(self) -> int:
        return self._end

    def memory_bytes(self) -> int:
        """Approximate memory held for the rows (arrays only; strings are shared)."""
        arrays = (self._offsets, self.times, self._principal, self._event, self._ip, self._region, self._error,
                  self._account)
        return sum(a.buffer_info()[1] * a.itemsize for a in arrays)

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self._spool.close()
