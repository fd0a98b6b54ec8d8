"""Column layout of the event list, adapted to the terminal width.

At 80 columns the region column goes and the time loses its year, so the
principal, the event and the error keep room; wider terminals get everything.
Rows from more than one account (an organisation trail) get an account column
from ACCOUNT_MIN_WIDTH cells on.  Past PRINCIPAL_MAX the principal keeps
growing with the terminal, sharing the spare with IPv6 addresses, error codes
and event names.
Cells are escaped (`trailtui.safe.visible`) and cut to their width in terminal
cells, with `…` marking a cut (in the middle for principals, whose role name
and session name are both telling).  Rich only, no Textual.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from rich.cells import cell_len, set_cell_size

from trailtui.event_columns import (
    ERROR_CODE,
    EVENT,
    LIST_COLUMNS,
    PRINCIPAL,
    RECIPIENT_ACCOUNT,
    REGION,
    SOURCE_IP,
    TIME,
)
from trailtui.safe import visible
from trailtui.ui.row_store import Row

ELLIPSIS = "…"
PRINCIPAL_MAX = 60  # past this, the principal takes two thirds of the spare width
ACCOUNT_MIN_WIDTH = 98  # list cells (a 100-column terminal) from which an organisation trail shows accounts
ACCOUNT_W = 12  # an AWS account id


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    width: int
    cut: str = "end"  # where to cut a long value: "end" or "middle"


@dataclass(frozen=True, slots=True)
class Layout:
    columns: tuple[Column, ...]
    time_format: str
    width: int
    years: frozenset[int] = frozenset()
    accounts: bool = False  # asked for the account column (shown only where it fits)

    def header(self) -> str:
        return set_cell_size(" " + " ".join(fit(c.title, c.width, "end") for c in self.columns), self.width)


def fit(text: str, width: int, cut: str = "end") -> str:
    """`text` padded or cut to exactly `width` cells."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return set_cell_size(text, width)
    if width == 1:
        return ELLIPSIS
    if cut == "middle" and width >= 7:
        head = (width - 1) // 2
        tail = width - 1 - head
        end = _last_cells(text, tail)
        return set_cell_size(text, head) + ELLIPSIS + set_cell_size(end, tail)
    return set_cell_size(text, width - 1) + ELLIPSIS


def _last_cells(text: str, width: int) -> str:
    out = ""
    for char in reversed(text):
        if cell_len(char + out) > width:
            break
        out = char + out
    return out


def layout_for(width: int, years: frozenset[int] = frozenset(), accounts: bool = False) -> Layout:
    """Columns for a list `width` cells wide (one cell is the gutter).  The
    year is shown at any width when the events are not all from this year
    (offline evidence is often last year's); `accounts` (rows from more than
    one account) adds the account column where the width allows."""
    if width >= 140:
        time_w, time_fmt, ip_w, region_w, error_w = 19, "%Y-%m-%d %H:%M:%S", 20, 14, 22
    elif width >= 110:
        time_w, time_fmt, ip_w, region_w, error_w = 19, "%Y-%m-%d %H:%M:%S", 15, 14, 16
    elif width >= 90:
        time_w, time_fmt, ip_w, region_w, error_w = 14, "%m-%d %H:%M:%S", 15, 0, 12
    else:
        time_w, time_fmt, ip_w, region_w, error_w = 14, "%m-%d %H:%M:%S", 15, 0, 10
    if time_w < 19 and years - {datetime.now(UTC).year}:
        # a two-digit year, paid for by the IP column (long addresses are cut in the middle)
        time_w, time_fmt, ip_w = 17, "%y-%m-%d %H:%M:%S", ip_w - 3
    account_w = ACCOUNT_W if accounts and width >= ACCOUNT_MIN_WIDTH else 0
    fixed = [w for w in (time_w, ip_w, error_w, region_w, account_w) if w]
    flexible = max(width - 1 - sum(fixed) - (len(fixed) + 1), 16)  # gutter, then a space between columns
    event_w = min(max(flexible * 2 // 5, 8), 34)
    principal_w = flexible - event_w
    if principal_w > PRINCIPAL_MAX:  # very wide: share the spare with IPv6 addresses, error codes, event names
        spare = principal_w - PRINCIPAL_MAX
        principal_w = PRINCIPAL_MAX + spare * 2 // 3
        spare -= spare * 2 // 3
        grown = {"ip": ip_w, "error": error_w, "event": event_w}
        for name, cap in (("ip", 39), ("error", 40), ("event", 48)):
            grow = min(spare, max(cap - grown[name], 0))
            grown[name] += grow
            spare -= grow
        ip_w, error_w, event_w = grown["ip"], grown["error"], grown["event"]
        principal_w += spare
    widths = {TIME.key: time_w, RECIPIENT_ACCOUNT.key: account_w, PRINCIPAL.key: principal_w, EVENT.key: event_w,
              SOURCE_IP.key: ip_w, REGION.key: region_w, ERROR_CODE.key: error_w}
    titles = {TIME.key: "TIME (UTC)" if time_w >= 19 else "TIME UTC"}  # the list shows times in UTC
    order = (LIST_COLUMNS[0], RECIPIENT_ACCOUNT, *LIST_COLUMNS[1:])
    columns = [Column(c.key, titles.get(c.key, c.title), widths[c.key], _CUT.get(c.key, "end"))
               for c in order if widths[c.key]]
    return Layout(tuple(columns), time_fmt, width, years, accounts)


# Principals (role name / session name) and IPv6 addresses tell most at both ends.
_CUT = {PRINCIPAL.key: "middle", SOURCE_IP.key: "middle"}


def format_time(timestamp: float, fmt: str) -> str:
    if timestamp <= 0:
        return "?"
    return datetime.fromtimestamp(timestamp, tz=UTC).strftime(fmt)


def short_event(label: str, width: int) -> str:
    """`cloudtrail:StopLogging` in a narrow column becomes `StopLogging`: the
    API name says more than the service prefix."""
    if cell_len(label) > width and ":" in label:
        return label.split(":", 1)[1]
    return label


def short_error(code: str, width: int) -> str:
    """`Client.UnauthorizedOperation` -> `UnauthorizedOperation`,
    `TrailNotFoundException` -> `TrailNotFound`, only when the code is cut."""
    if cell_len(code) <= width:
        return code
    code = code.removeprefix("Client.").removeprefix("Server.")
    if cell_len(code) > width:
        code = code.removesuffix("Exception")
    return code


def cells(row: Row, layout: Layout) -> list[str]:
    """The row's cells, escaped and fitted, in column order."""
    values = {
        TIME.key: format_time(row.time, layout.time_format),
        PRINCIPAL.key: row.principal,
        EVENT.key: short_event(row.event, next(c.width for c in layout.columns if c.key == EVENT.key)),
        SOURCE_IP.key: row.source_ip,
        REGION.key: row.region,
        RECIPIENT_ACCOUNT.key: row.account,
        ERROR_CODE.key: short_error(row.error, next(c.width for c in layout.columns if c.key == ERROR_CODE.key)),
    }
    return [fit(visible(values[c.key]), c.width, c.cut) for c in layout.columns]


def row_text(row: Row, layout: Layout, marked: bool, arrived: bool = False) -> str:
    """The whole line: gutter (`*` marked, `+` arrived in follow mode, `!`
    error) then the cells."""
    gutter = "*" if marked else ("+" if arrived else ("!" if row.error else " "))
    line = gutter + " ".join(cells(row, layout))
    return set_cell_size(line, layout.width)
