"""The CLI's answer from the store without an event loop (trailtui/store/direct.py
and unchanged.py): it answers exactly what the general path answers, only for a
tree nobody changed since its whole build, and declines everything else before
printing anything.  The differential and random-filter suites of test_store.py
check its answers too (`_both`); here: when it answers, when it declines, and
the whole process."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_store import ROOT, _both, _build, _cli, _rows, _tree
from test_store_blocks import _events, _write

from trailtui.filters import EventFilter
from trailtui.sources import Query
from trailtui.sources.local import LocalSource
from trailtui.store import locate
from trailtui.store.dialect import store_branches
from trailtui.store.direct import search_unchanged
from trailtui.timerange import TimeRange

PUSHED = "eventName == 'ConsoleLogin' || userIdentity.type == 'Root'"


def _answer(tree: Path, text: str, limit: int | None = None, window: TimeRange | None = None) -> list | None:
    pages = search_unchanged(str(tree), Query(filter=EventFilter.compile(text), limit=limit,
                                              time_range=window or TimeRange()))
    return None if pages is None else [event for page in pages for event in page]


def _three_files(tree: Path) -> list[Path]:
    return [_write(tree, _events(20)),
            _write(tree, _events(5, eventName="Second"),
                   name="111122223333_CloudTrail_us-east-1_20240301T0100Z_b.json.gz"),
            _write(tree, _events(5), name="111122223333_CloudTrail_us-east-1_20240302T0000Z_c.json.gz",
                   day="2024/03/02")]


async def test_it_answers_an_unchanged_tree_as_the_general_path_does(tmp_path):
    tree, events = _tree(tmp_path)
    _build(tree)
    for text, limit in [(PUSHED, None), (PUSHED, 4), ("eventName != 'x'", None), ("readOnly == `false`", 3),
                        ("userIdentity.arn != `null` && errorCode == `null`", None)]:
        got = _answer(tree, text, limit)
        assert got is not None, text  # the store pays and the tree is unchanged: this path answers
        want, via_store, _ = await _both(tree, Query(filter=EventFilter.compile(text), limit=limit))
        assert _rows(got) == want == via_store and want, text


async def test_it_declines_what_it_cannot_answer_exactly(tmp_path):
    tree, events = _tree(tmp_path)
    assert _answer(tree, PUSHED) is None  # no store yet
    _build(tree)
    assert _answer(tree, PUSHED) is not None
    assert _answer(tree, "length(eventName) > `3`", limit=5) is None  # a first page with nothing for SQL: plain
    assert _answer(tree, "", limit=5) is None
    assert _answer(tree, PUSHED, window=TimeRange.parse("2020-01-01T00:00:00Z", None)) is None  # a range: general
    assert _answer(tree, PUSHED.replace("==", "!=")) is not None
    location = locate(str(tree))
    location.manifest.write_text("{not json")
    assert _answer(tree, PUSHED) is None  # a store it cannot read: the general path says why


@pytest.mark.parametrize("change", ["rewrite", "add", "remove", "chmod"])
async def test_any_change_since_the_build_makes_it_decline(tmp_path, change):
    tree = tmp_path / "trail"
    first, *_ = _three_files(tree)
    _build(tree)
    assert _answer(tree, "eventName == 'Second'") is not None
    if change == "rewrite":  # in place: no folder changes, only the file's size and mtime
        first.write_bytes(gzip.compress(json.dumps({"Records": _events(3, eventName="Second")}).encode()))
    elif change == "add":
        _write(tree, _events(2, eventName="Second"), name="111122223333_CloudTrail_us-east-1_20240301T0200Z_d.json.gz")
    elif change == "remove":
        first.unlink()
    else:
        os.chmod(first.parent, 0o700)
    assert _answer(tree, "eventName == 'Second'") is None
    want, got, _ = await _both(tree, Query(filter=EventFilter.compile("eventName == 'Second'")))
    assert got == want
    assert len(want) == {"rewrite": 8, "add": 7, "remove": 5, "chmod": 5}[change]


async def test_a_segment_holding_rows_of_replaced_files_sends_it_to_the_general_path(tmp_path):
    """After an incremental build, a segment may still hold the old rows of a
    replaced file: only the general path's join picks rows by file."""
    tree = tmp_path / "trail"
    *_, last = _three_files(tree)
    _build(tree)
    # 5 of 34 rows dead: under the build's compaction threshold (a quarter), so the old segment keeps them
    last.write_bytes(gzip.compress(json.dumps({"Records": _events(4, eventName="Again")}).encode()))
    _build(tree)
    text = "eventName == 'Again' || eventName == 'Second'"
    assert _answer(tree, text) is None
    want, got, source = await _both(tree, Query(filter=EventFilter.compile(text)))
    assert got == want and len(want) == 9 and source.index_word() == "indexed"  # the store still answers


def _branches(text: str) -> int | None:
    found = store_branches(EventFilter.compile(text))
    return None if found is None else len(found)


def test_a_top_level_or_becomes_union_branches_only_when_each_operand_translates():
    assert _branches("eventName == 'a' || sourceIPAddress == 'b'") == 2
    assert _branches("eventName == 'b' || (errorCode == 'c' || awsRegion == 'd')") == 3
    assert _branches("no.such.column == 'x' || eventName == 'b'") is None  # one scan with the OR, as before
    assert _branches(" || ".join(f"eventName == 'n{i}'" for i in range(5))) is None  # more scans than they save
    assert _branches("eventName == 'a' && errorCode == 'b'") is None


_IMPORTS = """
import contextlib, io, json, sys
from trailtui.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(json.loads(sys.argv[1]))
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""


def test_the_whole_process_prints_the_plain_answer_without_an_event_loop(tmp_path):
    tree, events = _tree(tmp_path)
    _build(tree)
    argv = ["query", str(tree), "--format", "jsonl", "--filter", PUSHED]
    done = subprocess.run([sys.executable, "-c", _IMPORTS, json.dumps(argv)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    assert run["code"] == 0 and run["out"].count("\n") > 0
    assert "asyncio" not in run["modules"]
    plain = _cli("query", str(tree), "--format", "jsonl", "--filter", PUSHED, "--no-index")
    assert plain.returncode == 0 and plain.stdout == run["out"]
    for fmt in ("table", "csv"):
        stored = _cli("query", str(tree), "--format", fmt, "--filter", PUSHED)
        plain = _cli("query", str(tree), "--format", fmt, "--filter", PUSHED, "--no-index")
        assert stored.returncode == plain.returncode == 0 and stored.stdout == plain.stdout and stored.stderr == ""


async def test_rows_flagged_odd_are_rechecked_and_the_rest_trusted_to_exact_sql(tmp_path):
    """Rows flagged odd (a field of another type) are selected apart from the
    pushed filter and re-checked with JMESPath; the others are not."""
    records = _events(30)
    records[2] = dict(records[2], eventName=7)
    records[5] = dict(records[5], userIdentity={"type": ["Root"]})
    records[8] = dict(records[8], eventName="ConsoleLogin")
    tree = tmp_path / "trail"
    _write(tree, records)
    _build(tree)
    for text in (PUSHED, "eventName != 'ConsoleLogin'", "userIdentity.type != 'Root'"):
        got = _answer(tree, text)
        want = [event async for page in LocalSource(str(tree)).search(Query(filter=EventFilter.compile(text)))
                for event in page.events]
        assert got is not None and _rows(got) == _rows(want), text
        assert any(event.raw["eventName"] == 7 for event in got) is (text != PUSHED), text


async def test_counts_of_an_unchanged_tree_equal_a_plain_count_and_decline_otherwise(tmp_path):
    from trailtui.counts import GroupSpec, count_source
    from trailtui.counts.store import count_unchanged

    tree = tmp_path / "trail"
    first, *_ = _three_files(tree)
    _write(tree, [dict(_events(1)[0], eventName=7, eventID="odd")],  # a row flagged odd: counted from its JSON
           name="111122223333_CloudTrail_us-east-1_20240301T0300Z_o.json.gz")
    _build(tree)
    plain = LocalSource(str(tree))
    for by, text in [(["principal"], ""), (["event"], "eventName != 'Second'"), (["ip", "event"], ""),
                     (["event"], "eventName == 'Second' || awsRegion == 'us-east-1'")]:
        spec, query = GroupSpec.compile(by), Query(filter=EventFilter.compile(text))
        got = count_unchanged(str(tree), spec, query, 20)
        want = await count_source(plain, spec, query, 20, server=False)
        assert got is not None and got.method == "store" and got.as_json() == want.as_json(), (by, text)
    spec = GroupSpec.compile(["event"])
    assert count_unchanged(str(tree), GroupSpec.compile(["lower(eventName)"]), Query(), 20) is None  # no column
    assert count_unchanged(str(tree), spec, Query(filter=EventFilter.compile("length(eventName) > `3`")), 20) is None
    assert count_unchanged(str(tree), spec, Query(time_range=TimeRange.parse("2024-03-01T00:00:00Z", None)),
                           20) is None
    first.write_bytes(gzip.compress(json.dumps({"Records": _events(2, eventName="Second")}).encode()))
    assert count_unchanged(str(tree), spec, Query(), 20) is None  # rewritten in place since the build
    await plain.close()


def test_stats_prints_the_plain_count_without_an_event_loop(tmp_path):
    tree, _ = _tree(tmp_path)
    _build(tree)
    argv = ["stats", str(tree), "--by", "principal", "--format", "json"]
    done = subprocess.run([sys.executable, "-c", _IMPORTS, json.dumps(argv)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    run = json.loads(done.stdout)
    assert run["code"] == 0 and "asyncio" not in run["modules"]
    plain = _cli(*argv, "--no-index")
    assert plain.returncode == 0 and plain.stdout == run["out"] and json.loads(plain.stdout)["groups"]


async def test_the_console_source_answers_an_unchanged_tree_without_listing_it(tmp_path):
    """`IndexedSource` (the console, export, hunt) takes the same one-pass check
    before listing and splitting the tree."""
    from sources_fixture import collect

    from trailtui.sources import open_source

    tree = tmp_path / "trail"
    first, *_ = _three_files(tree)
    _build(tree)
    source = open_source(str(tree), index=True)
    listed: list = []
    original = source.state  # type: ignore[attr-defined]

    async def spy(window):
        listed.append(window)
        return await original(window)

    source.state = spy  # type: ignore[attr-defined]
    query = Query(filter=EventFilter.compile("eventName == 'Second'"))
    got, problems, _ = await collect(source, query)
    assert len(got) == 5 and not problems and not listed and source.index_word() == "indexed"
    first.write_bytes(gzip.compress(json.dumps({"Records": _events(3, eventName="Second")}).encode()))
    got, problems, _ = await collect(source, query)
    assert len(got) == 8 and len(listed) == 1  # rewritten in place: listed, split, merged with a plain scan
    await source.close()


def test_a_tree_indexed_under_one_spelling_is_read_from_the_store_under_any(tmp_path):
    """`trailtui index ./trail`, then `query trail/`, its absolute path, a
    `file://` URL or a path through `..`: one spelling of every file's path
    (`trailtui.sources.local_path`), so each reads the store."""
    tree, _ = _tree(tmp_path)
    (tmp_path / "other").mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    built = subprocess.run([sys.executable, "-m", "trailtui", "index", "./trail"], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=120, check=False)
    assert built.returncode == 0, built.stderr
    outputs = set()
    for spelling in ("trail/", str(tree), f"file://{tree}", "other/../trail"):
        assert search_unchanged(str(tmp_path / spelling) if not spelling.startswith(("/", "file:")) else spelling,
                                Query(filter=EventFilter.compile(PUSHED))) is not None, spelling
        done = subprocess.run([sys.executable, "-m", "trailtui", "query", spelling, "--format", "jsonl", "--filter",
                               PUSHED], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0 and done.stderr == "", (spelling, done.stderr)
        outputs.add(done.stdout)
    plain = _cli("query", str(tree), "--format", "jsonl", "--filter", PUSHED, "--no-index")
    assert outputs == {plain.stdout} and plain.stdout


@pytest.mark.parametrize("damage", [
    lambda doc: doc.update(files=[1, 2]),
    lambda doc: doc.update(segments={"segment-000001.parquet": "many"}),
    lambda doc: doc.update(folders={"/": "x"}),
    lambda doc: doc.update(dictionary="../../etc/passwd"),
    lambda doc: next(iter(doc["files"].values()))[1].__setitem__(0, "not an id"),
    lambda doc: next(iter(doc["files"].values()))[5].__setitem__(0, 99),
    lambda doc: next(iter(doc["files"].values()))[0].append("one name too many"),
    lambda doc: next(iter(doc["files"].values())).append("not a column"),
    lambda doc: next(iter(doc["files"].values()))[2].__setitem__(0, True),
    lambda doc: next(iter(doc["files"].values()))[0].__setitem__(0, "../escape.json.gz"),
], ids=["files", "segments", "folders", "dictionary", "id", "segment", "long-column", "column", "bool-size",
        "slash-name"])
def test_a_manifest_of_the_wrong_shape_is_declined_in_one_line_never_a_traceback(tmp_path, damage):
    tree = tmp_path / "trail"
    _three_files(tree)
    _build(tree)
    location = locate(str(tree))
    doc = json.loads(location.manifest.read_text())
    damage(doc)
    location.manifest.write_text(json.dumps(doc))
    assert _answer(tree, "eventName == 'Second'") is None
    done = _cli("query", str(tree), "--format", "jsonl", "--filter", "eventName == 'Second'")
    assert done.returncode == 0 and done.stdout.count("\n") == 5 and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) <= 1


def test_a_fifo_at_the_manifest_is_refused_in_one_line_not_waited_on(tmp_path):
    tree = tmp_path / "trail"
    _three_files(tree)
    _build(tree)
    location = locate(str(tree))
    location.manifest.unlink()
    os.mkfifo(location.manifest)
    assert _answer(tree, "eventName == 'Second'") is None
    done = _cli("query", str(tree), "--format", "jsonl", "--filter", "eventName == 'Second'")
    assert done.returncode == 0 and done.stdout.count("\n") == 5 and "Traceback" not in done.stderr
    assert "not a regular file" in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_the_files_of_a_few_rows_are_ranked_as_all_files_would_rank_them(tmp_path):
    """`wanted_for` ranks only the files a search's rows are in; their order
    must be the order all files' ranks give them (the plain scan's reading order)."""
    from trailtui.store.unchanged import ManifestRows

    tree, _ = _tree(tmp_path)
    for day in ("2024/03/03", "2024/03/04"):
        _write(tree, _events(3), name=f"111122223333_CloudTrail_us-east-1_{day.replace('/', '')}T0000Z_d.json.gz",
               day=day)
    _build(tree)
    rows = ManifestRows.read(*_local(tree))
    assert rows is not None
    whole = rows.unchanged()
    assert whole is not None
    everything = whole.wanted
    ids = sorted(everything.ranks, key=everything.ranks.__getitem__)
    assert len(ids) >= 4 and len(set(everything.locations.values())) == len(ids)
    chosen = ids[::2] + ids[1:2]
    some = whole.wanted_for(chosen)
    assert sorted(some.ranks, key=some.ranks.__getitem__) == [i for i in ids if i in set(chosen)]
    assert {i: some.locations[i] for i in chosen} == {i: everything.locations[i] for i in chosen}
    assert {i: some.segments[i] for i in chosen} == {i: everything.segments[i] for i in chosen}
    assert all(Path(everything.segments[i]).is_file() for i in ids)


def _local(tree: Path):
    from trailtui.store.direct import local_store

    found = local_store(str(tree))
    assert found is not None
    return found


async def test_a_finished_segment_the_manifest_does_not_name_is_never_read(tmp_path):
    """The SQL starts on the folder's segment files before the manifest is read
    (trailtui/store/speculative.py).  A crash between a segment's rename and the
    manifest's commit leaves one the manifest does not name: its rows must not
    be counted or returned (they would be every event twice here)."""
    import shutil

    from trailtui.counts import GroupSpec, count_source
    from trailtui.counts.store import count_unchanged
    from trailtui.store.speculative import segment_files

    tree, _ = _tree(tmp_path)
    _build(tree)
    folder = locate(str(tree)).folder
    named = segment_files(folder)
    assert named
    stray = folder / "segment-999999.parquet"
    shutil.copyfile(named[0], stray)
    shutil.copyfile(named[0].with_suffix(".events"), stray.with_suffix(".events"))
    assert segment_files(folder) == [*named, stray]
    query = Query(filter=EventFilter.compile(PUSHED))
    got = _answer(tree, PUSHED)
    want, _, _ = await _both(tree, query)
    assert got is not None and _rows(got) == want and want
    plain = LocalSource(str(tree))
    spec = GroupSpec.compile(["event"])
    counted = count_unchanged(str(tree), spec, Query(), 20)
    expected = await count_source(plain, spec, Query(), 20, server=False)
    assert counted is not None and counted.as_json() == expected.as_json()
    await plain.close()
