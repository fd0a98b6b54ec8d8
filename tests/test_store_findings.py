"""A hunt run's findings kept beside the store (trailtui/store/findings.py):
the same question asked again is answered from them, byte for byte what a
plain scan prints; a log file added, replaced or deleted, another range,
other hunts, a damaged findings file or a hit JSON cannot hold exactly all
take the long way, and still equal the plain scan."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sources_fixture import PREFIX as S3_PREFIX
from sources_fixture import REGION, calls, fixture_events, trail_objects, upload, write_tree
from test_store import _cli

from trailtui.aws.config import AwsConfig
from trailtui.commands.hunt import hit_line
from trailtui.events import Event
from trailtui.hunts import HuntContext, KnownAccounts, load_catalogue, run_hunts
from trailtui.hunts.engine import Hit
from trailtui.sources import open_source
from trailtui.sources.local import LocalSource
from trailtui.store import locate
from trailtui.store.build import StoreBuilder
from trailtui.store.findings import (
    MAX_FINDINGS,
    PREFIX,
    Findings,
    FindingsKey,
    findings_key,
    load_findings,
    save_findings,
)
from trailtui.store.listing import local_listing
from trailtui.timerange import TimeRange

HUNTS = load_catalogue().hunts
WHOLE = TimeRange()


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _build(tree: Path) -> None:
    report = StoreBuilder(locate(str(tree))).build(local_listing(str(tree)).files, complete=True)
    assert not report.busy


def _tree(tmp_path: Path, records: list[dict]) -> Path:
    tree = tmp_path / "trail"
    write_tree(tree, trail_objects(records)[0])
    _build(tree)
    return tree


def _kept(tree: Path) -> list[Path]:
    return sorted(locate(str(tree)).folder.glob(f"{PREFIX}*"))


def _without_blocks(tree: Path) -> None:
    """The store's event blocks removed: only kept findings can answer now."""
    for path in locate(str(tree)).folder.glob("segment-*.events"):
        path.unlink()


async def _run(source, window: TimeRange = WHOLE, context: HuntContext | None = None,
               hunts=HUNTS) -> tuple[list[bytes], int, set[str], list[str], list[str]]:
    """Hit lines (detail appended), events scanned, statuses, notices, problems."""
    lines: list[bytes] = []
    scanned = 0
    statuses: set[str] = set()
    notices: list[str] = []
    problems: list[str] = []
    try:
        async for step in run_hunts(source, hunts, window, context=context):
            lines.extend(hit_line(hit) + hit.detail.encode() for hit in step.hits)
            scanned = step.scanned
            statuses.add(step.status)
            notices.extend(step.notices)
            problems.extend(str(problem) for problem in step.problems)
    finally:
        await source.close()
    return lines, scanned, statuses, notices, problems


async def _stored(tree: Path, **options) -> tuple[list[bytes], int, set[str], list[str], list[str]]:
    return await _run(open_source(str(tree), index=True), **options)


async def _plain(tree: Path, **options) -> tuple[list[bytes], int]:
    lines, scanned, _, _, _ = await _run(LocalSource(str(tree)), **options)
    return lines, scanned


async def test_the_same_question_is_answered_from_the_findings(tmp_path):
    tree = _tree(tmp_path, fixture_events())
    plain = await _plain(tree)
    first = await _stored(tree)
    assert first[:2] == plain and "indexed" in first[2] and plain[0]
    assert len(_kept(tree)) == 1
    assert _kept(tree)[0].stat().st_mode & 0o777 == 0o600
    _without_blocks(tree)
    again = await _stored(tree)
    assert again[:2] == plain and again[2] == {"indexed"} and again[3] == []


async def test_files_added_replaced_and_deleted_are_hunted_again(tmp_path):
    events = fixture_events()
    tree = _tree(tmp_path, events)
    await _stored(tree)
    newest = max(datetime.fromisoformat(e["eventTime"].replace("Z", "+00:00")) for e in events)
    extra = dict(events[0], eventID="added-1", eventName="StopLogging", eventSource="cloudtrail.amazonaws.com",
                 eventTime=(newest + timedelta(minutes=5)).strftime("%Y-%m-%dT%H:%M:%SZ"))
    added = next(tree.rglob("*.json.gz")).with_name("111122223333_CloudTrail_us-east-1_20990101T0000Z_add.json.gz")
    added.write_bytes(gzip.compress(json.dumps({"Records": [extra]}).encode()))
    with_added = await _stored(tree)
    assert with_added[:2] == await _plain(tree)
    assert any(b'"added-1"' in line for line in with_added[0])
    replaced = sorted(tree.rglob("*.json.gz"))[0]
    records = json.loads(gzip.decompress(replaced.read_bytes()))["Records"]
    replaced.write_bytes(gzip.compress(json.dumps({"Records": records[:1]}).encode()))
    assert (await _stored(tree))[:2] == await _plain(tree)
    added.unlink()
    without = await _stored(tree)
    assert without[:2] == await _plain(tree)
    assert not any(b'"added-1"' in line for line in without[0])
    assert len(_kept(tree)) == 1  # one question, its findings replaced each time


async def test_other_ranges_hunts_and_accounts_are_other_questions(tmp_path):
    events = fixture_events()
    tree = _tree(tmp_path, events)
    times = sorted(e["eventTime"] for e in events)
    since = datetime.fromisoformat(times[len(times) // 2].replace("Z", "+00:00"))

    def listed() -> HuntContext:  # a run learns into its context: one each
        return HuntContext(known_accounts=KnownAccounts(listed=frozenset({"123456789012"}), listed_from="x"))

    questions = [dict, lambda: {"window": TimeRange(since=since)}, lambda: {"hunts": HUNTS[:5]},
                 lambda: {"context": listed()}]
    answers = [await _stored(tree, **question()) for question in questions]
    assert len(_kept(tree)) == min(len(questions), MAX_FINDINGS)
    _without_blocks(tree)
    for number, (question, answer) in enumerate(zip(questions, answers, strict=True)):
        if number < len(questions) - MAX_FINDINGS:
            continue  # the oldest questions' findings were let go
        again = await _stored(tree, **question())
        assert again[:2] == answer[:2] == await _plain(tree, **question()) and again[3] == []


async def test_the_accounts_a_run_learned_are_learned_again(tmp_path):
    tree = _tree(tmp_path, fixture_events())
    first, second = HuntContext(), HuntContext()
    await _stored(tree, context=first)
    _without_blocks(tree)
    await _stored(tree, context=second)
    assert first.known_accounts.recipients and first.known_accounts.provenance()
    assert second.known_accounts == first.known_accounts


def _claiming_a_terabyte(frame: bytes) -> bytes:
    """`frame` with its header's content size set to 2**40 (an 8-byte field)."""
    assert frame[4] & 0xC0 == 0  # written with a 1-byte size after a single-segment descriptor
    return frame[:4] + bytes([frame[4] | 0xC0]) + (1 << 40).to_bytes(8, "little") + frame[6:]


@pytest.mark.parametrize("damage", [b"", b"not zstd at all", b"\x28\xb5\x2f\xfd" + b"\x00" * 64, "flip", "bomb",
                                    "far-future time"])
async def test_damaged_findings_are_ignored_and_replaced(tmp_path, damage):
    tree = _tree(tmp_path, fixture_events())
    plain = await _plain(tree)
    await _stored(tree)
    kept = _kept(tree)[0]
    if damage == "flip":
        data = bytearray(kept.read_bytes())
        data[len(data) // 2] ^= 0xFF
        kept.write_bytes(bytes(data))
    elif damage == "bomb":  # a header claiming a terabyte: refused before any memory is taken
        import zstandard

        kept.write_bytes(_claiming_a_terabyte(zstandard.ZstdCompressor(write_content_size=True).compress(b"{}\n")))
    elif damage == "far-future time":  # microseconds no datetime holds
        import zstandard

        inflated = zstandard.ZstdDecompressor().decompress(kept.read_bytes())
        head, texts = inflated.split(b"\n", 1)
        doc = json.loads(head)
        doc["hits"][0][5] = 10**22
        kept.write_bytes(zstandard.ZstdCompressor().compress(json.dumps(doc).encode() + b"\n" + texts))
    else:
        kept.write_bytes(damage)
    again = await _stored(tree)
    assert again[:2] == plain and "indexed" in again[2]
    assert _kept(tree) == [kept] and kept.stat().st_size > 100  # written again


@pytest.mark.parametrize("kind", ["fifo", "folder", "symlink to /dev/zero"])
async def test_something_else_at_the_findings_name_is_never_waited_on(tmp_path, kind):
    tree = _tree(tmp_path, fixture_events())
    plain = await _plain(tree)
    await _stored(tree)
    kept = _kept(tree)[0]
    kept.unlink()
    if kind == "fifo":
        os.mkfifo(kept)
    elif kind == "folder":
        kept.mkdir()
    else:
        kept.symlink_to("/dev/zero")
    again = await asyncio.wait_for(_stored(tree), 60)
    assert again[:2] == plain and "indexed" in again[2]
    assert kept.is_dir() if kind == "folder" else kept.is_file() and kept.stat().st_size > 100


async def test_a_record_beyond_json_s_64_bit_integers_is_hunted_and_printed_exactly(tmp_path):
    """The store does not hold such a file (its blocks are orjson text), so
    the run reads it plainly; the hit prints whole (it used to raise)."""
    events = fixture_events()
    odd = dict(events[-1], eventID="huge", eventName="StopLogging", eventSource="cloudtrail.amazonaws.com",
               requestParameters={"name": 10**30})
    tree = tmp_path / "trail"
    write_tree(tree, trail_objects([*events, odd])[0])
    _build(tree)
    stored = await _stored(tree)
    assert stored[:2] == await _plain(tree)
    assert any(b'"huge"' in line and b'"name":1000000000000000000000000000000}' in line for line in stored[0])


def test_findings_json_cannot_hold_exactly_are_not_kept(tmp_path):
    raw = {"eventID": "huge", "eventTime": "2026-01-01T00:00:00Z", "requestParameters": {"name": 10**30}}
    findings = Findings([Hit(HUNTS[0], Event.from_raw(raw, "x.json.gz"))], [], 1, 1, KnownAccounts())
    key = FindingsKey("a" * 40, "b" * 40)
    assert not save_findings(tmp_path, key, HUNTS, findings, covered_bytes=1 << 30)
    assert list(tmp_path.iterdir()) == []
    fine = Findings([Hit(HUNTS[0], Event.from_raw(dict(raw, requestParameters={}), "x.json.gz"), True, "why")],
                    [], 1, 1, KnownAccounts())
    assert save_findings(tmp_path, key, HUNTS, fine, covered_bytes=1 << 30)
    back = load_findings(tmp_path, key, HUNTS)

    def seen(hits: list[Hit]) -> list[tuple]:
        return [(h.hunt.id, h.attempt, h.detail, h.event.location, h.event.time, h.event.principal,
                 h.event.access_key, h.event.raw) for h in hits]

    assert back is not None and seen(back.hits) == seen(fine.hits) and back.final == []
    assert hit_line(back.hits[0]) == hit_line(fine.hits[0])  # printed from the kept text, byte for byte
    assert load_findings(tmp_path, key._replace(files="c" * 40), HUNTS) is None  # other files: not these findings
    assert list(tmp_path.iterdir()) == []  # and they are let go


def test_findings_over_the_size_budget_are_not_kept(tmp_path):
    blob = os.urandom(1 << 16).hex()  # incompressible: 128 KB in the frame
    raw = {"eventID": "e", "eventTime": "2026-01-01T00:00:00Z", "requestParameters": {"blob": blob}}
    findings = Findings([Hit(HUNTS[0], Event.from_raw(raw, "x.json.gz"))], [], 1, 1, KnownAccounts())
    key = FindingsKey("a" * 40, "b" * 40)
    assert not save_findings(tmp_path, key, HUNTS, findings, covered_bytes=1000)
    assert save_findings(tmp_path, key, HUNTS, findings, covered_bytes=1 << 20)
    assert not save_findings(tmp_path, key, HUNTS, findings, covered_bytes=1000)
    assert list(tmp_path.iterdir()) == []  # the question's older findings went too


def test_the_key_names_every_input(tmp_path):
    tree = tmp_path / "trail"
    write_tree(tree, trail_objects(fixture_events())[0])
    files = local_listing(str(tree)).files
    key = findings_key(HUNTS, TimeRange(), None, files)
    assert key is not None and key == findings_key(HUNTS, TimeRange(), HuntContext(), files)
    later = datetime(2030, 1, 1, tzinfo=UTC)
    others = [findings_key(HUNTS[1:], TimeRange(), None, files),
              findings_key(HUNTS, TimeRange(since=later), None, files),
              findings_key(HUNTS, TimeRange(), HuntContext(baseline=TimeRange(until=later)), files)]
    assert all(other is not None and other.run != key.run and other.files == key.files for other in others)
    touched = [files[0]._replace(mtime_ns=(files[0].mtime_ns or 0) + 1), *files[1:]]
    moved = findings_key(HUNTS, TimeRange(), None, touched)
    assert moved is not None and moved.run == key.run and moved.files != key.files
    assert findings_key(HUNTS, TimeRange(), None, files[1:]).files != key.files


def test_index_keeps_the_built_in_hunts_findings(tmp_path):
    demo = tmp_path / "demo"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert _cli("demo", str(demo), "--events", "3000", "--no-tui", env=env).returncode == 0
    skipped = _cli("index", str(demo), "--no-hunts", env=env)
    assert skipped.returncode == 0 and "hunts:" not in skipped.stdout and not _kept(demo)
    built = _cli("index", str(demo), env=env)
    assert built.returncode == 0 and "hunts: " in built.stdout and "kept" in built.stdout, built.stdout
    _without_blocks(demo)
    for fmt in ("jsonl", "table"):
        plain = _cli("hunt", str(demo), "--format", fmt, "--no-index", env=env)
        kept = _cli("hunt", str(demo), "--format", fmt, env=env)
        assert kept.returncode == plain.returncode == 1
        assert kept.stdout == plain.stdout and kept.stderr == plain.stderr, fmt


async def test_the_console_hunts_window_is_answered_from_the_findings_index_kept(tmp_path):
    """`trailtui index` keeps the built-in catalogue's findings over the whole
    trail; the console's hunts window (severity order on screen, the
    catalogue's order run) asks the same question and shows them: no other
    question's findings are kept after it."""
    from test_ui_harness import open_hunts, screen_text, wait_idle

    from trailtui.ui.app import ConsoleOptions, TrailApp

    tree = _tree(tmp_path, fixture_events())
    env = {"XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]}
    built = _cli("index", str(tree), env=env)
    assert "kept" in built.stdout, built.stdout + built.stderr
    plain = _cli("hunt", str(tree), "--format", "table", "--no-index", env=env).stdout
    assert len(_kept(tree)) == 1
    app = TrailApp(ConsoleOptions(str(tree), index=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        screen = await open_hunts(pilot, app)
        text = screen_text(app)
        fired = {t.hunt.id: t.count for t in screen.tallies.fired()}
        assert f"{len(fired)} of {len(screen.hunts)} hunts fired" in text and "plain scan" not in text
    assert len(_kept(tree)) == 1
    table = {line.split()[0]: int(line.split()[2]) for line in plain.splitlines()[1:] if line.split()[0] in fired}
    summary = next(line for line in plain.splitlines() if " hunts fired, " in line)
    assert fired == table and summary.startswith(f"{len(fired)} of {len(screen.hunts)} hunts fired")


async def test_s3_hunts_download_only_new_objects_and_keep_their_findings(aws_env):
    """Over S3 the store first adds what is new (one download per new object),
    then decides the hunts or gives back the findings kept: a new object's
    hit is found, and nothing already held is downloaded again."""
    events = fixture_events()
    objects, _ = trail_objects(events)
    upload(aws_env, "hunt-trail", objects)
    config = AwsConfig(region=REGION, endpoint_url=aws_env)
    url = f"s3://hunt-trail/{S3_PREFIX}"
    plain = (await _run(open_source(url, config)))[:2]
    first = await _run(open_source(url, config, index=True))
    assert first[:2] == plain and first[2] == {"indexed"} and plain[0]
    gets = len(calls(aws_env, "GetObject"))
    assert gets >= len(objects)  # the plain run, then the store's one download of each
    again = await _run(open_source(url, config, index=True))
    assert again[:2] == plain and len(calls(aws_env, "GetObject")) == gets
    newest = max(datetime.fromisoformat(e["eventTime"].replace("Z", "+00:00")) for e in events)
    when = newest + timedelta(minutes=3)
    marker = dict(events[0], eventID="new-object-stop", eventName="StopLogging", eventSource="cloudtrail.amazonaws.com",
                  eventTime=when.strftime("%Y-%m-%dT%H:%M:%SZ"))
    delivered = when + timedelta(minutes=5)  # named as CloudTrail names it: delivered after its events
    folder, name = next(iter(objects)).rsplit("/CloudTrail/", 1)[0], "CloudTrail/us-east-1"
    account = folder.rsplit("/", 1)[1]
    key = (f"{folder}/{name}/{delivered:%Y/%m/%d}/{account}_CloudTrail_us-east-1_{delivered:%Y%m%dT%H%MZ}_"
           "NewObject0000000.json.gz")
    upload(aws_env, "hunt-trail", {key: gzip.compress(json.dumps({"Records": [marker]}).encode())})
    with_new = await _run(open_source(url, config, index=True))
    assert [c["params"]["subject"] for c in calls(aws_env, "GetObject")[gets:]] == [f"/hunt-trail/{key}"]
    assert with_new[2] == {"indexed"} and any(b'"new-object-stop"' in line for line in with_new[0])
    assert with_new[:2] == (await _run(open_source(url, config)))[:2]


async def test_the_console_prepares_the_hunts_findings_once_the_store_holds_the_trail(tmp_path):
    """A console on a trail its store holds whole keeps the built-in hunts'
    findings in a niced child process; `h` then asks the same question."""
    from test_ui_harness import open_hunts, screen_text, wait_idle, wait_until

    from trailtui.ui.app import ConsoleOptions, TrailApp

    tree = _tree(tmp_path, fixture_events())
    app = TrailApp(ConsoleOptions(str(tree), index=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        await wait_until(pilot, lambda: len(_kept(tree)) == 1, timeout=60)
        screen = await open_hunts(pilot, app)
        assert "hunts fired" in screen_text(app) and screen.tallies.fired()
        source = app.session._source
    assert len(_kept(tree)) == 1  # the window's run was the prepared question
    assert source._preparation is not None and not source._preparation.running


def test_a_preparation_stopped_at_once_leaves_no_process_and_no_partial_file(tmp_path):
    from trailtui.store.prepare import FindingsPreparation

    tree = _tree(tmp_path, fixture_events())
    preparation = FindingsPreparation(str(tree))
    preparation.start()
    assert preparation.running
    preparation.stop()
    assert not preparation.running
    folder = locate(str(tree)).folder
    assert not [p for p in folder.iterdir() if p.name.endswith(".part")]
    preparation.start()  # left to finish: it keeps the findings
    deadline = time.monotonic() + 60
    while preparation.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not preparation.running and len(_kept(tree)) == 1


def test_the_code_part_of_the_key_names_the_deciding_libraries(tmp_path, monkeypatch):
    """An upgraded DuckDB or jmespath could decide a hit otherwise: another question."""
    import importlib.util

    from trailtui.store import findings

    now = findings._code.__wrapped__()
    real = importlib.util.find_spec
    upgraded = tmp_path / "duckdb" / "__init__.py"
    upgraded.parent.mkdir()
    upgraded.write_text("# another version\n")

    def find_spec(name, *args):
        found = real(name, *args)
        if name == "duckdb":
            found = importlib.util.spec_from_file_location("duckdb", upgraded)
        return found

    monkeypatch.setattr(importlib.util, "find_spec", find_spec)
    assert findings._code.__wrapped__() != now
    monkeypatch.setattr(importlib.util, "find_spec", real)
    assert findings._code.__wrapped__() == now


def _junk(tree: Path) -> list[Path]:
    """A file that is not gzip and one that is not CloudTrail, beside the logs."""
    folder = sorted(tree.rglob("*.json.gz"))[0].parent
    garbage = folder / "111122223333_CloudTrail_us-east-1_20990101T0000Z_garbage.json.gz"
    garbage.write_bytes(b"not gzip at all")
    other = folder / "111122223333_CloudTrail_us-east-1_20990101T0001Z_other.json.gz"
    other.write_bytes(gzip.compress(b'{"not": "cloudtrail"}'))
    return [garbage, other]


def test_files_with_no_event_are_read_for_their_problems_and_the_hunts_stay_in_the_store(tmp_path):
    """A junk object in a bucket or tree (not gzip, not CloudTrail) is never
    held; it has no event, so the hunts are still decided from the store and
    kept, and print the plain run's bytes and problem lines."""
    tree = tmp_path / "trail"
    write_tree(tree, trail_objects(fixture_events())[0])
    _junk(tree)
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    built = _cli("index", str(tree), env=env)
    assert "hunts: " in built.stdout and "kept" in built.stdout, built.stdout + built.stderr
    plain = _cli("hunt", str(tree), "--format", "jsonl", "--no-index", env=env)
    assert plain.stderr.count("warning:") == 3 and "garbage" in plain.stderr  # two files, then the count
    _without_blocks(tree)  # only the kept findings can answer now
    kept = _cli("hunt", str(tree), "--format", "jsonl", env=env)
    assert (kept.returncode, kept.stdout, kept.stderr) == (plain.returncode, plain.stdout, plain.stderr)


async def test_a_file_with_a_readable_event_and_a_problem_is_hunted_plainly(tmp_path):
    """A record whose eventTime cannot be read: its file is not held (a store
    answer could not say the plain scan's line), and it holds events a hunt
    needs, so the run is the plain one, with the same problem line."""
    events = fixture_events()
    bad = dict(events[-1], eventID="bad-time", eventTime="not a time")
    tree = tmp_path / "trail"
    write_tree(tree, trail_objects(events)[0])
    folder = sorted(tree.rglob("*.json.gz"))[0].parent
    (folder / "111122223333_CloudTrail_us-east-1_20990101T0000Z_badtime.json.gz").write_bytes(
        gzip.compress(json.dumps({"Records": [events[0], bad]}).encode()))
    _build(tree)
    stored = await _stored(tree)
    plain = await _run(LocalSource(str(tree)))
    assert stored[:2] == plain[:2] and "indexed" not in stored[2] and _kept(tree) == []
    assert stored[4] == plain[4] and len(plain[4]) == 1 and "unreadable eventTime" in plain[4][0]


async def test_h_while_the_console_prepares_waits_for_the_preparation(tmp_path, monkeypatch):
    """The same question as the running child: `h` waits for its findings
    rather than deciding the catalogue a second time beside it (the child is
    made to start 2 s late, so a window deciding alone would finish first)."""
    from test_ui_harness import open_hunts, wait_idle, wait_until

    from trailtui.store.prepare import FindingsPreparation
    from trailtui.ui.app import ConsoleOptions, TrailApp

    def late(self: FindingsPreparation) -> list[str]:
        start = ("import runpy, sys, time; time.sleep(2); sys.argv = ['prepare', sys.argv[1]]; "
                 "runpy.run_module('trailtui.store.prepare', run_name='__main__')")
        return [sys.executable, "-c", start, self.root]

    monkeypatch.setattr(FindingsPreparation, "command", late)
    tree = _tree(tmp_path, fixture_events())
    app = TrailApp(ConsoleOptions(str(tree), index=True))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_idle(pilot, app)
        source = app.session._source
        await wait_until(pilot, lambda: source._preparation is not None)
        assert source.preparing
        screen = await open_hunts(pilot, app, timeout=60)
        assert not source.preparing and screen.tallies.fired()
    assert len(_kept(tree)) == 1


async def test_an_s3_store_is_never_prepared_in_a_child_process(aws_env):
    """The child would read the bucket with its own AWS settings, not the console's."""
    from trailtui.sources import Query

    objects, _ = trail_objects(fixture_events())
    upload(aws_env, "prepare-trail", objects)
    source = open_source(f"s3://prepare-trail/{S3_PREFIX}", AwsConfig(region=REGION, endpoint_url=aws_env),
                         index=True)
    source.prepare_hunts = True
    try:
        for _ in range(2):  # the first search fills the store, the second finds it whole
            async for _page in source.search(Query()):
                pass
        assert source.indexed and source._preparation is None
    finally:
        await source.close()
