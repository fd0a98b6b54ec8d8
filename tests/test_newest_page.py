"""A newest-first page (a search with a limit) lists folders lazily and stops
early: its files come in exactly the eager listing's order, and its pages are
exactly the first events (and problems) of the full scan."""

from __future__ import annotations

import gzip
import random
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from trail_builder import event, log_path, write_log

from trailtui.filters import EventFilter
from trailtui.sources import Query
from trailtui.sources.local import LocalSource, discover, discover_newest
from trailtui.timerange import TimeRange

DAY0 = datetime(2026, 11, 18, tzinfo=UTC)
ACCOUNTS = ("111122223333", "444455556666")
REGIONS = ("us-east-1", "eu-west-1")


# --- the lazy listing's order ------------------------------------------------------------------------------------

KINDS = ("conforming", "conforming", "conforming", "next_day_stamp", "seconds", "no_stamp", "bad_hour", "not_log",
         "digest_name", "other_account", "in_year_folder", "in_subfolder", "newline")


def _place(root: Path, account: int, region: int, day: int, kind: str, minute: int, unique: int) -> Path:
    acct, reg = ACCOUNTS[account], REGIONS[region]
    when = DAY0 + timedelta(days=day, minutes=minute)
    folder = root / "AWSLogs" / acct / "CloudTrail" / reg / f"{when:%Y/%m/%d}"
    stamp = f"{when:%Y%m%dT%H%M}Z"
    name = f"{acct}_CloudTrail_{reg}_{stamp}_{unique:016d}.json.gz"
    if kind == "next_day_stamp":  # stamped a day after the folder it sits in
        name = f"{acct}_CloudTrail_{reg}_{when + timedelta(days=1):%Y%m%dT%H%M}Z_{unique:016d}.json.gz"
    elif kind == "seconds":
        name = f"{acct}_CloudTrail_{reg}_{when:%Y%m%dT%H%M}{unique % 60:02d}Z_{unique:016d}.json.gz"
    elif kind == "no_stamp":
        name = f"events-{unique}.json"
    elif kind == "bad_hour":
        name = f"{acct}_CloudTrail_{reg}_{when:%Y%m%d}T2{unique % 10}{when:%M}Z_{unique:016d}.json.gz"
    elif kind == "not_log":
        name = f"{acct}_CloudTrail_{reg}_{stamp}_{unique:016d}.txt"
    elif kind == "digest_name":
        name = f"{acct}_CloudTrail-Digest_{reg}_{stamp}_{unique:016d}.json.gz"
    elif kind == "other_account":
        other = ACCOUNTS[1 - account]
        name = f"{other}_CloudTrail_{reg}_{stamp}_{unique:016d}.json.gz"
    elif kind == "in_year_folder":
        folder = folder.parent.parent
    elif kind == "in_subfolder":
        folder = folder / "late"
    elif kind == "newline":
        name = f"x\n{name}"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"")
    return path


entries = st.lists(st.tuples(st.integers(0, 1), st.integers(0, 1), st.integers(0, 2), st.sampled_from(KINDS),
                             st.integers(0, 24 * 60 - 1)), min_size=1, max_size=40)
windows = st.sampled_from([(None, None), (DAY0 + timedelta(days=1, hours=6), None),
                           (None, DAY0 + timedelta(hours=20)), (DAY0 + timedelta(days=1), DAY0 + timedelta(days=1))])


@settings(max_examples=60, deadline=None)
@given(entries, windows, st.lists(st.integers(1, 7), min_size=1, max_size=5))
def test_lazy_listing_hands_out_the_eager_listing_in_order(tree, window, chunks):
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for unique, (account, region, day, kind, minute) in enumerate(tree):
            _place(root, account, region, day, kind, minute, unique)
        since, until = window
        eager = discover(str(root), since, until)
        cursor, problems = discover_newest(str(root), since, until)
        taken: list[tuple[datetime, str]] = []
        for turn in range(len(tree) + 1):
            before = cursor.next_stamp()
            chunk = cursor.take(chunks[turn % len(chunks)])
            assert (chunk[0][0] if chunk else None) == before
            taken.extend(chunk)
        assert cursor.take(1) == []
        assert [tuple(f) for f in eager.files] == [tuple(f) for f in taken]
        assert problems == eager.problems
        assert cursor.left() >= 0


def test_a_file_stamped_later_than_its_day_folder_is_taken_in_stamp_order(tmp_path):
    newest_day = _place(tmp_path, 0, 0, 2, "conforming", 60, 1)
    misplaced = _place(tmp_path, 1, 1, 0, "next_day_stamp", 23 * 60, 2)  # folder day 0, stamp day 1 23:00
    old = _place(tmp_path, 1, 0, 1, "conforming", 10, 3)
    cursor, _ = discover_newest(str(tmp_path))
    assert [path for _, path in cursor.take(10)] == [str(newest_day), str(misplaced), str(old)]


# --- pages against the full scan ---------------------------------------------------------------------------------

def _tree(root: Path, seed: int = 7) -> list[dict]:
    """Two accounts, two regions, three days; a file every two hours per
    folder, delivered 5-15 minutes after its events."""
    rng = random.Random(seed)
    everything = []
    for day in range(3):
        for account in ACCOUNTS:
            for region in REGIONS:
                for slot in range(12):
                    start = DAY0 + timedelta(days=day, hours=2 * slot, minutes=rng.randrange(0, 60))
                    records = [event(start + timedelta(seconds=rng.randrange(0, 300)), name=f"Op{rng.randrange(4)}",
                                     awsRegion=region, recipientAccountId=account,
                                     eventID=f"{account}-{region}-{day}-{slot}-{i}") for i in range(4)]
                    stamp = start + timedelta(minutes=5 + rng.randrange(0, 10))
                    unique = f"{day}{slot:02d}{ACCOUNTS.index(account)}{REGIONS.index(region)}".ljust(16, "0")
                    write_log(log_path(root, account, region, stamp, unique=unique), records)
                    everything.extend(records)
    return everything


def _late_event_file(root: Path) -> None:
    """A day-1 folder file stamped 23:58 holding an event of day 2 00:20:
    an event later than its folder (and its stamp)."""
    stamp = DAY0 + timedelta(days=1, hours=23, minutes=58)
    write_log(log_path(root, ACCOUNTS[0], REGIONS[1], stamp, unique="late000000000000"),
              [event(stamp + timedelta(minutes=22), eventID="later-than-its-folder"),
               event(stamp - timedelta(minutes=3), eventID="in-its-place")])


def _corrupt_newest(root: Path) -> Path:
    newest = DAY0 + timedelta(days=2, hours=23, minutes=50)
    path = log_path(root, ACCOUNTS[1], REGIONS[0], newest, unique="corrupt000000000")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(gzip.compress(b'{"Records": [{"eventTime": "2026-11-20T23:4')[:-6])
    return path


async def _run(root: Path, query: Query) -> tuple[list[tuple[str, str, str]], list[str], int]:
    source = LocalSource(str(root))
    events, problems, scanned = [], [], 0
    try:
        async for page in source.search(query):
            events.extend((e.raw.get("eventID", ""), e.raw["eventTime"], e.location) for e in page.events)
            problems.extend(str(p) for p in page.problems)
            scanned += page.scanned
    finally:
        await source.close()
    return events, problems, scanned


QUERIES = [
    ("", None, None),
    ("eventName == 'Op1'", None, None),
    ("", DAY0 + timedelta(days=1), DAY0 + timedelta(days=1, hours=12)),
    ("userIdentity.type == 'IAMUser'", DAY0 + timedelta(hours=30), None),
]


@pytest.mark.parametrize(("text", "since", "until"), QUERIES)
@pytest.mark.parametrize("limit", [1, 50, 10_000])
async def test_a_page_is_the_full_scans_first_events_and_problems(tmp_path, text, since, until, limit):
    everything = _tree(tmp_path)
    _late_event_file(tmp_path)
    corrupt = _corrupt_newest(tmp_path)
    window = TimeRange(since, until)
    full, full_problems, _ = await _run(tmp_path, Query(EventFilter.compile(text), window))
    page, page_problems, scanned = await _run(tmp_path, Query(EventFilter.compile(text), window, limit=limit))
    assert page == full[:limit]
    assert page_problems == full_problems[:len(page_problems)]
    if since is None and until is None:  # the corrupt file is the newest one: every page reports it
        assert any(line.startswith(str(corrupt)) for line in page_problems)
    if limit < len(full):
        assert scanned < len(everything)  # stopped early
    else:
        assert page_problems == full_problems


async def test_a_page_of_a_single_file_source(tmp_path):
    path = write_log(tmp_path / "one.json.gz", [event(DAY0 + timedelta(minutes=i), eventID=f"e{i}") for i in range(5)])
    page, problems, _ = await _run(path, Query(limit=2))
    assert [event_id for event_id, _, _ in page] == ["e4", "e3"]
    assert problems == []


async def test_matches_newer_than_their_file_reach_the_ordering_even_past_a_full_page(tmp_path):
    """A page of 3 'Hit's: the first batch (16 files) releases two; the second
    reads four old files each holding a Hit from a later day (newer than
    its file and than the Hits already shown).  Once three are seen the
    fourth is older than all of them, yet it must still be read as the full
    scan reads it: it is reported as listed out of order."""
    day2 = DAY0 + timedelta(days=2)
    for n in range(16):
        stamp = day2 + timedelta(hours=n + 1)
        records = [event(stamp - timedelta(minutes=7), eventID=f"other-{n}")]
        if n in (14, 15):
            records.append(event(stamp - timedelta(minutes=5), name="Hit", eventID=f"hit-{n}"))
        write_log(log_path(tmp_path, ACCOUNTS[n % 2], REGIONS[0], stamp, unique=f"new{n:013d}"), records)
    for n in range(4):
        stamp = DAY0 + timedelta(days=1, hours=20 + n)
        write_log(log_path(tmp_path, ACCOUNTS[0], REGIONS[1], stamp, unique=f"old{n:013d}"),
                  [event(DAY0 + timedelta(days=3, hours=7 + n), name="Hit", eventID=f"late-{n}")])
    hits = EventFilter.compile("eventName == 'Hit'")
    full, full_problems, _ = await _run(tmp_path, Query(hits))
    page, page_problems, _ = await _run(tmp_path, Query(hits, limit=3))
    assert page == full[:3]
    assert page_problems == full_problems[:len(page_problems)]
    assert sum("listed out of order" in line for line in page_problems) == 4
