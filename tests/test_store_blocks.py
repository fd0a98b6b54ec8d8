"""The store's events in compressed blocks (trailtui/store/blocks.py), its
hashed ID columns and its JSON columns: answers still equal a plain scan,
a damaged block or a lost dictionary never gives a wrong event."""

from __future__ import annotations

import gzip
import json
import os
import stat
import subprocess
import sys
from itertools import count
from pathlib import Path

import pytest
from sources_fixture import fixture_events
from test_store import _both, _build, _cli

from trailtui.filters import EventFilter
from trailtui.sources import Query
from trailtui.sources.pushdown import STORE, to_sql
from trailtui.sources.pushdown.dialects import text_hash
from trailtui.store import locate
from trailtui.store.manifest import load

ROOT = Path(__file__).resolve().parent.parent


def _colliding_ids() -> tuple[str, str]:
    """Two different event IDs with the same CRC-32 (a birthday search: ~80k tries)."""
    seen: dict[int, str] = {}
    for number in count():
        text = f"collide-{number}"
        other = seen.setdefault(text_hash(text), text)
        if other != text:
            return other, text
    raise AssertionError("unreachable")


def _write(tree: Path, records: list[dict], name: str = "111122223333_CloudTrail_us-east-1_20240301T0000Z_a.json.gz",
           day: str = "2024/03/01") -> Path:
    folder = tree / "AWSLogs" / "111122223333" / "CloudTrail" / "us-east-1" / day
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))
    return path


def _events(n: int, **extra) -> list[dict]:
    base = fixture_events()[0]
    return [dict(base, eventID=f"e-{i}", requestID=f"r-{i}", eventTime=f"2024-03-01T00:{i % 60:02d}:{i % 59:02d}Z",
                 **extra) for i in range(n)]


async def test_hashed_ids_select_a_superset_and_the_recheck_decides(tmp_path):
    first, second = _colliding_ids()
    assert first != second and text_hash(first) == text_hash(second)
    records = _events(40)
    records[3] = dict(records[3], eventID=first)
    records[7] = dict(records[7], eventID=second)
    records[9] = dict(records[9], requestID=second)
    records[11] = dict(records[11], eventID=12345)  # not a string: the row is odd, always re-checked
    tree = tmp_path / "trail"
    _write(tree, records)
    _build(tree)
    pushed = to_sql(EventFilter.compile(f"eventID == '{first}'"), STORE)
    assert pushed.pushed and not pushed.exact and str(text_hash(first)) in pushed.where
    cases = ((f"eventID == '{first}'", True), (f"eventID == '{second}' || requestID == '{second}'", True),
             (f"contains(['{first}', 'e-5'], eventID)", True), ("eventID == `null`", True),
             ("requestID == 'r-20' && eventName != 'x'", True), ("eventID == `12345`", False))
    for text, pushed_down in cases:
        want, got, source = await _both(tree, Query(filter=EventFilter.compile(text)))
        assert got == want, text
        assert source.index_word() == ("indexed" if pushed_down else ""), text  # a number is not pushed down
    want, got, _ = await _both(tree, Query(filter=EventFilter.compile(f"eventID == '{first}'")))
    assert [json.loads(row[2])["eventID"] for row in got] == [first]  # the colliding event was dropped


async def test_filters_under_request_parameters_read_the_json_column(tmp_path):
    records = _events(30)
    for index, record in enumerate(records):
        record["requestParameters"] = {"userName": "x" if index % 7 == 0 else f"user-{index}",
                                       "nested": {"deep": [index, {"k": "v"}]}}
    records[4]["requestParameters"] = None
    records[5]["requestParameters"] = "a plain string"
    records[6]["responseElements"] = {"accessKey": {"userName": "x", "status": "Active"}}
    tree = tmp_path / "trail"
    _write(tree, records)
    _build(tree)
    pushed = to_sql(EventFilter.compile("requestParameters.userName == 'x'"), STORE)
    assert pushed.pushed and "request_parameters" in pushed.where
    for text in ("requestParameters.userName == 'x'", "responseElements.accessKey.status == 'Active'",
                 "requestParameters == null", "requestParameters == 'a plain string'",
                 "contains(requestParameters.userName, 'user-1')"):
        want, got, source = await _both(tree, Query(filter=EventFilter.compile(text)))
        assert got == want, text
    want, got, source = await _both(tree, Query(filter=EventFilter.compile("requestParameters.userName == 'x'")))
    assert len(got) == 5 and source.index_word() == "indexed"


def test_blocks_have_a_dictionary_when_there_is_enough_to_learn_from(tmp_path):
    small, large = tmp_path / "small", tmp_path / "large"
    _write(small, _events(5))
    _write(large, _events(400))
    _build(small)
    _build(large)
    tiny = load(locate(str(small)).manifest, locate(str(small)).source)
    big = load(locate(str(large)).manifest, locate(str(large)).source)
    assert tiny is not None and tiny.dictionary == ""
    assert big is not None and big.dictionary.startswith("events-") and big.dictionary.endswith(".dict")
    folder = locate(str(large)).folder
    assert stat.S_IMODE(os.stat(folder / big.dictionary).st_mode) == 0o600
    for events_file in folder.glob("segment-*.events"):
        assert stat.S_IMODE(os.stat(events_file).st_mode) == 0o600


@pytest.mark.parametrize("damage", ["flip", "truncate", "dictionary"])
async def test_a_damaged_store_is_never_served(tmp_path, damage):
    tree = tmp_path / "trail"
    _write(tree, _events(300))
    _build(tree)
    location = locate(str(tree))
    manifest = load(location.manifest, location.source)
    assert manifest is not None and manifest.dictionary
    events_file = next(location.folder.glob("segment-*.events"))
    data = bytearray(events_file.read_bytes())
    if damage == "flip":
        for at in range(40, len(data), 97):
            data[at] ^= 0x5A
        events_file.write_bytes(bytes(data))
    elif damage == "truncate":
        events_file.write_bytes(bytes(data[: len(data) // 2]))
    else:
        (location.folder / manifest.dictionary).unlink()
    query = Query(filter=EventFilter.compile("eventName != 'none'"))
    want, got, _ = await _both(tree, query)
    assert got == want and len(got) == 300
    done = _cli("query", str(tree), "--format", "jsonl", "--filter", "eventName != 'none'")
    assert done.returncode == 0 and done.stdout.count("\n") == 300 and "Traceback" not in done.stderr
    assert "store" in done.stderr and len(done.stderr.strip().splitlines()) == 1
    if damage == "dictionary":  # the manifest names a missing file: the next build starts afresh
        _build(tree)
        rebuilt = load(location.manifest, location.source)
        assert rebuilt is not None and rebuilt.events_held() == 300 and rebuilt.dictionary
        want, got, source = await _both(tree, query)
        assert got == want and source.index_word() == "indexed"


def test_compaction_moves_blocks_with_their_rows(tmp_path):
    """Many small builds, then files replaced: compaction rewrites the rows and
    copies their blocks; every answer stays equal to the plain scan's."""
    import asyncio

    from trailtui.store.build import StoreBuilder
    from trailtui.store.listing import local_listing

    tree = tmp_path / "trail"
    paths = []
    for index in range(30):
        records = _events(100 if index == 0 else 20)  # enough in the first build for a dictionary
        for record in records:
            record["eventID"] = f"{index}-{record['eventID']}"
        paths.append(_write(tree, records, name=f"111122223333_CloudTrail_us-east-1_20240301T{index:02d}00Z_a.json.gz"))
        StoreBuilder(locate(str(tree))).build(local_listing(str(tree)).files, complete=True)
    location = locate(str(tree))
    before = load(location.manifest, location.source)
    assert before is not None and before.dictionary
    assert max(before.segments.values()) > 100  # compacted past the segment bound
    paths[3].unlink()
    _write(tree, _events(3, eventName="Replaced"), name=paths[4].name)
    StoreBuilder(location).build(local_listing(str(tree)).files, complete=True)
    after = load(location.manifest, location.source)
    held = 100 + 27 * 20 + 3
    assert after is not None and after.events_held() == held
    want, got, source = asyncio.run(_both(tree, Query(filter=EventFilter.compile("eventName != 'none'"))))
    assert got == want and len(got) == held and source.index_word() == "indexed"


def test_a_store_is_smaller_than_the_gzipped_logs(tmp_path):
    """The demo trail (4,000 events): the store within the issue's 1.2x budget."""
    demo = tmp_path / "demo"
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    made = subprocess.run([sys.executable, "-m", "trailtui", "demo", str(demo), "--events", "4000", "--no-tui"],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert made.returncode == 0, made.stderr
    indexed = subprocess.run([sys.executable, "-m", "trailtui", "index", str(demo)], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=False)
    assert indexed.returncode == 0, indexed.stderr
    status = json.loads(subprocess.run([sys.executable, "-m", "trailtui", "index", str(demo), "--status",
                                        "--format", "json"], cwd=ROOT, env=env, capture_output=True, text=True,
                                       check=True).stdout)
    logs = sum(p.stat().st_size for p in demo.rglob("*.json.gz") if "CloudTrail-Digest" not in p.parts)
    assert status["events"] >= 4000 and 0 < status["bytes"] <= 1.2 * logs


# -- listing from the manifest while the folder marks hold -------------------------------

def _whole_build(tree: Path) -> None:
    from trailtui.store.build import StoreBuilder
    from trailtui.store.listing import local_listing

    listing = local_listing(str(tree))
    assert listing.folders and str(tree) in listing.folders
    report = StoreBuilder(locate(str(tree))).build(listing.files, complete=True, folders=listing.folders)
    assert not report.busy


def _listings(tree: Path):
    from trailtui.sources.local import discover
    from trailtui.store.listing import local_listing

    known = load(locate(str(tree)).manifest, locate(str(tree)).source)
    fast = local_listing(str(tree), known=known)
    walked = discover(str(tree))
    return fast, [(f.path, f.stamp) for f in walked.files]


@pytest.mark.parametrize("change", ["none", "rewrite", "add", "new-day", "remove", "chmod"])
async def test_a_listing_from_the_manifest_equals_the_walk(tmp_path, change):
    tree = tmp_path / "trail"
    first = _write(tree, _events(20))
    _write(tree, _events(5, eventName="Second"), name="111122223333_CloudTrail_us-east-1_20240301T0100Z_b.json.gz")
    _write(tree, _events(5), name="111122223333_CloudTrail_us-east-1_20240302T0000Z_c.json.gz", day="2024/03/02")
    _whole_build(tree)
    fast, walked = _listings(tree)
    assert [(f.location, f.stamp) for f in fast.files] == walked
    if change == "rewrite":  # in place: no folder changes, the file's size and mtime do
        first.write_bytes(gzip.compress(json.dumps({"Records": _events(3, eventName="Rewritten")}).encode()))
    elif change == "add":
        _write(tree, _events(2, eventName="Added"), name="111122223333_CloudTrail_us-east-1_20240301T0200Z_d.json.gz")
    elif change == "new-day":
        _write(tree, _events(2, eventName="Added"), name="111122223333_CloudTrail_us-east-1_20240303T0000Z_e.json.gz",
               day="2024/03/03")
    elif change == "remove":
        first.unlink()
    elif change == "chmod":
        os.chmod(first.parent, 0o700)
    fast, walked = _listings(tree)
    assert [(f.location, f.stamp) for f in fast.files] == walked
    want, got, _ = await _both(tree, Query(filter=EventFilter.compile("eventName != 'none'")))
    assert got == want
    names = {json.loads(row[2])["eventName"] for row in got}
    assert ("Rewritten" in names) == (change == "rewrite") and ("Added" in names) == (change in ("add", "new-day"))
    assert fast.folders is not None


def test_marks_are_kept_only_by_a_whole_build(tmp_path):
    from trailtui.store.build import StoreBuilder
    from trailtui.store.listing import local_listing

    tree = tmp_path / "trail"
    _write(tree, _events(10))
    location = locate(str(tree))
    listing = local_listing(str(tree))
    StoreBuilder(location).build(listing.files[:0], complete=False, folders=listing.folders)
    assert not load(location.manifest, location.source).folders  # nothing held: no marks
    _whole_build(tree)
    assert str(tree) in load(location.manifest, location.source).folders
    StoreBuilder(location).build(listing.files, complete=True)  # a whole build without marks drops them
    assert not load(location.manifest, location.source).folders


async def test_a_block_too_big_to_read_back_leaves_its_file_to_the_plain_scan(tmp_path, monkeypatch):
    """A block over the readers' bound would be refused as damage on every
    query: its file is not held at all (read plainly, exactly as before)."""
    import trailtui.store.handover as handover

    monkeypatch.setattr(handover, "MAX_BLOCK_BYTES", 2_000)
    tree = tmp_path / "trail"
    noise = os.urandom(3_000).hex()  # incompressible: its block is over the bound
    _write(tree, [dict(_events(1)[0], userAgent=noise)],
           name="111122223333_CloudTrail_us-east-1_20240301T0000Z_big.json.gz")
    _write(tree, _events(10), name="111122223333_CloudTrail_us-east-1_20240301T0100Z_small.json.gz")
    _build(tree)
    manifest = load(locate(str(tree)).manifest, locate(str(tree)).source)
    held = {Path(location).name: entry.segment != "" for location, entry in manifest.files.items()}
    assert held == {"111122223333_CloudTrail_us-east-1_20240301T0000Z_big.json.gz": False,
                    "111122223333_CloudTrail_us-east-1_20240301T0100Z_small.json.gz": True}
    want, got, _ = await _both(tree, Query(filter=EventFilter.compile("eventName != 'none'")))
    assert got == want and len(got) == 11


async def test_a_block_claiming_too_much_is_refused_before_inflating(tmp_path, monkeypatch):
    """The inflated size in a frame's header is checked against the bound
    before any memory is taken for it; a refused block is a plain scan."""
    import trailtui.store.blocks as blocks
    from trailtui.store.segments import events_path

    tree = tmp_path / "trail"
    _write(tree, _events(40))
    _build(tree)
    location = locate(str(tree))
    events_file = events_path(next(location.folder.glob("segment-*.parquet")))
    with pytest.raises(blocks.BlockError, match="claims"):
        monkeypatch.setattr(blocks, "MAX_INFLATED_BYTES", 100)
        blocks.read_blocks(events_file, [(0, 64)], "")
    want, got, source = await _both(tree, Query(filter=EventFilter.compile("eventName != 'none'")))
    assert got == want and len(got) == 40 and source.index_word() == "indexed"


def test_block_line_cuts_out_each_line_and_refuses_past_the_end():
    from trailtui.store.blocks import BlockError, block_line, block_texts

    lines = [b'{"a":1}', b"", b'{"b":"x\\ny"}', b'{"c":3}']
    text = block_texts(lines)
    assert [bytes(block_line(text, i)) for i in range(len(lines))] == lines
    for past in (len(lines), len(lines) + 5):
        with pytest.raises(BlockError, match="past its block"):
            block_line(text, past)
    assert bytes(block_line(b"only", 0)) == b"only"
