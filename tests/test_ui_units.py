"""The console's pure parts: row store, histogram, pivots, columns, browse
state, status line text, quick filters, time presets, summary."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime, timedelta

import pytest
from rich.cells import cell_len
from test_ui_harness import T0, incident_records  # noqa: F401
from trail_builder import event

from trailtui.events import Event
from trailtui.filters import EventFilter
from trailtui.filters.literal import jmespath_literal
from trailtui.timerange import TimeRange
from trailtui.ui.browse_state import BrowseState, RangeChoice
from trailtui.ui.columns import fit, layout_for, row_text
from trailtui.ui.histogram import Histogram, sparkline
from trailtui.ui.pivots import pivot_options
from trailtui.ui.quick_filter import quick_filter
from trailtui.ui.row_store import RowStore
from trailtui.ui.status_line import RunState, status_text
from trailtui.ui.summary import summarize
from trailtui.ui.time_presets import absolute_choice, preset_choice, range_label


def test_row_store_keeps_rows_compact_and_raw_exact(tmp_path) -> None:
    records = incident_records()
    store = RowStore(str(tmp_path))
    store.extend(Event.from_raw(r) for r in records[:10])
    store.extend(Event.from_raw(r) for r in records[10:])
    assert len(store) == len(records)
    for i, raw in enumerate(records):
        assert store.raw(i) == raw
    eve = store.row(12)
    assert (eve.principal, eve.event, eve.source_ip, eve.region, eve.error) == (
        "user/eve", "iam:ListUsers", "203.0.113.66", "us-east-1", "AccessDenied")
    assert store.error_count == 6 and store.has_error(12) and not store.has_error(0)
    # ~36 bytes of arrays per row, however big the events are
    assert store.memory_bytes() < 60 * len(records) + 2000
    assert store.spool_bytes > 5000
    store.close()
    assert store.closed


def test_histogram_coarsens_and_bars_sum() -> None:
    h = Histogram(max_buckets=64)
    base = T0.timestamp()
    times = [base + i * 37 for i in range(10_000)]
    h.add_many(times)
    assert len(h.counts) <= 64 and h.width > 1
    bars = h.bars(h.first, h.last, 40)
    assert sum(bars) == 10_000 and len(bars) == 40
    line = sparkline([0, 1, 5, 10])
    assert line[0] == " " and line[1] == "▁" and line[-1] == "█"


@pytest.mark.parametrize("value", ["plain", "o'brien", "back\\slash", "tick`x", "ctl\x1b[2J", "end\\", "\\'",
                                   "quo\"te", "é ü 漢", "\u202e"])
def test_jmespath_literal_is_exact(value: str) -> None:
    flt = EventFilter.compile(f"eventName == {jmespath_literal(value)}")
    assert flt.matches({"eventName": value})
    assert not flt.matches({"eventName": value + "x"})


def test_jmespath_literal_random_values() -> None:
    rng = random.Random(7)
    alphabet = string.printable + "`'\\\x1b\x00é"
    for _ in range(300):
        value = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 12)))
        assert EventFilter.compile(f"a == {jmespath_literal(value)}").matches({"a": value}), repr(value)


def test_every_pivot_matches_its_own_event_and_narrows() -> None:
    records = incident_records()
    role_event = records[-1]
    pivots = {p.kind: p for p in pivot_options(role_event)}
    assert set(pivots) == {"principal", "access key", "source IP", "event name", "session", "time window",
                           "credential chain"}
    assert pivots["credential chain"].access_key == role_event["userIdentity"]["accessKeyId"]
    for kind, pivot in pivots.items():
        if pivot.expression:
            flt = EventFilter.compile(pivot.expression)
            matched = [r for r in records if flt.matches(r)]
            assert role_event in matched and len(matched) < len(records), kind
    assert "creationDate" in pivots["session"].expression
    window = pivots["time window"].time_range
    assert window.until - window.since == timedelta(minutes=30)
    # An IAM user with a long-term key has no session pivot.
    assert "session" not in {p.kind for p in pivot_options(records[0])}


def test_browse_state_stacks_pivots_and_ranges() -> None:
    records = incident_records()
    state = BrowseState().with_filter("errorCode")
    ip, window = (p for p in pivot_options(records[12]) if p.kind in ("source IP", "time window"))
    state = state.push(ip).push(window)
    assert state.query_text() == "(errorCode) && (sourceIPAddress == '203.0.113.66')"
    assert state.effective_range().time_range == window.time_range
    assert state.pop().effective_range().label == "all"
    newer = state.with_range(RangeChoice(TimeRange(T0, None), "since"))
    assert newer.pivots == (ip,) and newer.effective_range().label == "since"
    assert BrowseState().query_text() == "" and BrowseState().compile().is_empty


@pytest.mark.parametrize("width", [39, 79, 99, 119, 159, 219])
def test_rows_fill_the_width_exactly(width: int) -> None:
    store = RowStore()
    long = event(T0, name="A" * 80, userIdentity={"type": "IAMUser", "userName": "漢" * 60},
                 sourceIPAddress="2001:db8::1234:5678:9abc:def0", errorCode="Client.UnauthorizedOperation")
    store.extend([Event.from_raw(long)])
    layout = layout_for(width)
    text = row_text(store.row(0), layout, marked=False)
    assert cell_len(text) == width
    assert cell_len(layout.header()) == width
    assert ("REGION" in layout.header()) == (width >= 110)
    store.close()


def test_narrow_cells_keep_the_telling_part() -> None:
    from trailtui.ui.columns import short_error, short_event

    assert short_error("TrailNotFoundException", 14) == "TrailNotFound"
    assert short_error("Client.UnauthorizedOperation", 22) == "UnauthorizedOperation"
    assert short_error("AccessDenied", 12) == "AccessDenied"
    assert short_event("cloudtrail:StopLogging", 14) == "StopLogging"
    assert short_event("s3:GetObject", 14) == "s3:GetObject"


def test_fit_cuts_in_the_middle_for_principals() -> None:
    assert fit("role/AWSReservedSSO_Admin/alice@example.com", 20, "middle") == "role/AWSR…xample.com"
    assert fit("short", 8) == "short   "
    assert fit("toolong", 4) == "too…"
    assert cell_len(fit("漢字漢字漢字", 5)) == 5


def test_status_text_keeps_the_activity() -> None:
    run = RunState(running=True, scanned=123_456, matched=789, progress=0.5)
    line = status_text(80, "/very/long/path/to/the/AWSLogs/tree", "last 24h", "userIdentity.type == 'Root'", run)
    assert "123,456 scanned / 789 matched" in line and "last 24h" in line
    assert cell_len(line) <= 80
    done = RunState(scanned=10, matched=2, started=1.0, elapsed=0.25, problems=2)
    assert "✓ 10 scanned / 2 matched 0.2s · 2 problems" in status_text(120, "src", "all", "", done)
    assert "⏸" in RunState(paused=True).activity() and "✗ boom" in RunState(error="boom").activity()


def test_status_text_keeps_the_store_word_at_80_columns() -> None:
    """A paused 2M-event scan's long activity is cut at its end; the store's word leads it and stays."""
    for word in ("indexing 42%", "indexed"):
        for run in (RunState(paused=True, scanned=1_250_612, matched=1_250_206, index=word),
                    RunState(running=True, scanned=1_250_612, matched=1_250_206, progress=0.22, index=word,
                             problems=3)):
            line = status_text(80, "/tmp/store-demo2m", "all", "", run)
            assert word in line and cell_len(line) <= 80, line


def test_the_store_word_is_said_once() -> None:
    """A store page carries the store's word as its status too: the line says it once, where it leads."""
    run = RunState(running=True, scanned=11_125, matched=11_125, progress=0.35, index="indexing 15%",
                   status="indexing 11%")
    line = status_text(120, "/tmp/demo", "all", "", run)
    assert line.count("indexing") == 1 and "indexing 15%" in line, line
    other = RunState(running=True, scanned=5, matched=5, status="page 3 of Lake results", index="indexed")
    assert "page 3 of Lake results" in status_text(120, "lake://x", "all", "", other)


def test_quick_filter_clauses_match() -> None:
    records = incident_records()
    expression = quick_filter(principal="EVE", source_ip="203.0.113.", event_name="listusers")
    flt = EventFilter.compile(expression)
    assert sum(flt.matches(r) for r in records) == 6
    assert quick_filter(source_ip="203.0.113.0/24") == "cidr_match(sourceIPAddress, '203.0.113.0/24')"
    assert quick_filter() == ""
    assert EventFilter.compile(quick_filter(principal="o'brien\\")).matches(
        {"userIdentity": {"userName": "O'Brien\\"}})


def test_time_presets_and_labels() -> None:
    now = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    assert preset_choice("1h", now).time_range == TimeRange(now - timedelta(hours=1), None)
    trail = preset_choice("24h", now, anchored_to_trail=True)
    assert trail.time_range.until == now and trail.label == "last 24h to newest event"
    assert preset_choice("all").time_range.unbounded
    choice = absolute_choice("2024-03-01T00:00:00Z", "2024-03-02T06:00:00Z")
    assert choice.label == "2024-03-01 00:00→03-02 06:00Z"
    assert range_label(TimeRange(T0, None)) == "since 2024-03-01 12:00Z"
    with pytest.raises(ValueError):
        absolute_choice("yesterday-ish", "")


def test_summary_says_who_where_what_result() -> None:
    records = incident_records()
    rows = dict(summarize(records[12]))
    assert rows["who"] == "user/eve (IAMUser) key AKIALEAKED account 111122223333"
    assert rows["from"] == "203.0.113.66 in us-east-1 via aws-cli/2.15"
    assert rows["what"] == "iam:ListUsers at 2024-03-01T12:30:00Z"
    assert rows["result"] == "FAILED AccessDenied: not authorized"
    assert dict(summarize({}))["who"].startswith("unknown")
