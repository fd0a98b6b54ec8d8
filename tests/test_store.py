"""The local investigation store (trailtui/store): answers equal a plain scan,
always.  Differential (the differential suite's cases plus random filters),
freshness (files added, replaced, deleted; a new S3 object), faults (a build
killed mid-way, unwritable cache, full disk, two processes, corrupt and
other-version stores), and the `index` command's interface."""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sources_fixture import PREFIX, REGION, calls, collect, fixture_events, trail_objects, upload, write_tree
from test_differential import _cases

from trailtui.aws.config import AwsConfig
from trailtui.filters import EventFilter
from trailtui.sources import Query, open_source
from trailtui.sources.local import LocalSource
from trailtui.store import locate
from trailtui.store.build import StoreBuilder
from trailtui.store.direct import search_unchanged
from trailtui.store.listing import local_listing
from trailtui.store.manifest import load
from trailtui.store.source import IndexedSource

ROOT = Path(__file__).resolve().parent.parent


def _tree(tmp_path: Path) -> tuple[Path, list[dict]]:
    events = fixture_events()
    objects, _ = trail_objects(events)
    tree = tmp_path / "trail"
    write_tree(tree, objects)
    return tree, events


def _build(tree: Path, **options) -> None:
    """A whole build, as `trailtui index` makes it (with the folder marks)."""
    listing = local_listing(str(tree))
    report = StoreBuilder(locate(str(tree)), **options).build(listing.files, complete=True, folders=listing.folders)
    assert not report.busy and report.files > 0


def _rows(events) -> list[tuple[str, str, bytes]]:
    import orjson

    return [(e.location, e.principal, orjson.dumps(e.raw)) for e in events]


async def _both(tree: Path, query: Query) -> tuple[list, list, IndexedSource]:
    plain = LocalSource(str(tree))
    indexed = open_source(str(tree), index=True)
    assert isinstance(indexed, IndexedSource)
    want, want_problems, _ = await collect(plain, query)
    got, got_problems, pages = await collect(indexed, query)
    assert [str(p) for p in got_problems] == [str(p) for p in want_problems]
    await plain.close()
    await indexed.close()
    direct = search_unchanged(str(tree), query)  # the CLI's path without an event loop, when it answers
    if direct is not None:
        assert _rows([event for page in direct for event in page]) == _rows(want), query
    return _rows(want), _rows(got), indexed


async def test_store_equals_plain_scan_on_every_differential_case(tmp_path):
    tree, events = _tree(tmp_path)
    _build(tree)
    held = load(locate(str(tree)).manifest, locate(str(tree)).source)
    assert held is not None and held.events_held() == len(events)
    for text, window, limit in _cases(events):
        want, got, source = await _both(tree, Query(filter=EventFilter.compile(text), time_range=window, limit=limit))
        assert got == want, (text, window, limit)
        query = Query(filter=EventFilter.compile(text), time_range=window, limit=limit)
        # a search the plain scan answers faster (a first page with nothing for SQL) never lists the store
        assert source.index_word() == ("indexed" if source.worth_it(query) else ""), (text, window, limit)


async def test_partly_stale_store_merges_the_plain_scan_of_the_rest(tmp_path):
    tree, events = _tree(tmp_path)
    _build(tree)
    files = sorted(tree.rglob("*.json.gz"))
    # one replaced (other content), one deleted, one added: the store holds none of them fresh
    replaced = files[len(files) // 2]
    replaced.write_bytes(gzip.compress(json.dumps({"Records": events[:3]}).encode()))
    files[0].unlink()
    added = files[-1].with_name(files[-1].name.replace(".json.gz", "_9.json.gz"))
    added.write_bytes(gzip.compress(json.dumps({"Records": events[5:9]}).encode()))
    for text, window, limit in _cases(events):
        want, got, source = await _both(tree, Query(filter=EventFilter.compile(text), time_range=window, limit=limit))
        assert got == want, (text, window, limit)
        if window.unbounded:
            assert source.index_word() == ""  # the range is not held whole: merged with a plain scan


async def test_freshness_between_queries(tmp_path):
    tree, events = _tree(tmp_path)
    _build(tree)
    query = Query(filter=EventFilter.compile("eventName == 'MarkerEvent'"))
    folder = next(tree.rglob("*.json.gz")).parent
    marker = dict(events[0], eventName="MarkerEvent", eventID="marker-1")
    new_file = folder / "123456789012_CloudTrail_us-east-1_20990101T0000Z_added.json.gz"
    new_file.write_bytes(gzip.compress(json.dumps({"Records": [marker]}).encode()))
    want, got, _ = await _both(tree, query)
    assert got == want and len(got) == 1  # added: seen before any rebuild
    new_file.write_bytes(gzip.compress(json.dumps({"Records": [dict(marker, eventID="marker-2")] * 2}).encode()))
    want, got, _ = await _both(tree, query)
    assert got == want and [json.loads(r[2])["eventID"] for r in got] == ["marker-2", "marker-2"]  # replaced
    _build(tree)
    new_file.unlink()
    want, got, _ = await _both(tree, query)
    assert got == want == []  # deleted: gone though the store still held it


_FIELDS = ["eventName", "eventSource", "awsRegion", "userIdentity.type", "userIdentity.arn", "errorCode",
           "sourceIPAddress", "userIdentity.accessKeyId", "requestParameters.bucketName",
           "requestParameters.roleName", "userIdentity.sessionContext.sessionIssuer.userName", "readOnly",
           "eventType", "recipientAccountId", "userAgent", "additionalEventData.MFAUsed",
           "userIdentity.sessionContext.ec2RoleDelivery"]
# IPv4 networks are exact on the store, IPv6 ones are left to the re-check.
_NETWORKS = ["10.0.0.0/8", "0.0.0.0/0", "203.0.113.0/24", "192.168.0.0/16", "172.16.0.0/12", "fc00::/7"]


def _values(events: list[dict]) -> dict[str, list]:
    import jmespath

    out: dict[str, list] = {}
    for name in _FIELDS:
        seen = {jmespath.search(name, e) for e in events[:200]}
        out[name] = sorted((v for v in seen if isinstance(v, str)), key=str)[:12] or ["x"]
    return out


def _membership(field: str, values: list[str], with_null: bool = False, folded: bool = False) -> str:
    """`contains(`[...]`, field)`, the hunts' eventName gate (over casefold() when `folded`)."""
    listed = [v.casefold() if folded else v for v in values] + ([None] if with_null else [])
    literal = json.dumps(listed).replace("`", "\\`")
    return f"contains(`{literal}`, {f'casefold({field})' if folded else field})"


def _filters(values: dict[str, list]) -> st.SearchStrategy[str]:
    def literal(value) -> str:
        return "'" + str(value).replace("\\", "\\\\").replace("'", "\\'") + "'"

    field = st.sampled_from(_FIELDS)
    leaf = st.one_of(
        field.flatmap(lambda f: st.sampled_from(values[f] + ["nope", "O'Brien"]).map(
            lambda v, f=f: f"{f} {'==' if len(v) % 3 else '!='} {literal(v)}")),
        field.map(lambda f: f"{f} == `null`"), field.map(lambda f: f"{f} != `null`"), field,
        field.flatmap(lambda f: st.sampled_from(values[f]).map(
            lambda v, f=f: f"starts_with({f}, {literal(v[:3])})")),
        field.flatmap(lambda f: st.sampled_from(values[f]).map(lambda v, f=f: f"contains({f}, {literal(v[1:4])})")),
        st.sampled_from(_NETWORKS).map(lambda n: f"cidr_match(sourceIPAddress, '{n}')"),
        st.sampled_from(["readOnly == `true`", "readOnly == `false`", "!readOnly", "eventTime >= '2024-01-01'",
                         "(eventName != 'x' && length(eventName) > `12`)"]),  # a superset in SQL
        field.flatmap(lambda f: st.tuples(st.lists(st.sampled_from(values[f] + ["nope"]), min_size=1, max_size=3),
                                          st.booleans(), st.booleans()).map(
            lambda p, f=f: _membership(f, p[0], with_null=p[1], folded=p[2]))),
    )
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: f"({p[0]}) && ({p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]}) || ({p[1]})"),
        inner.map(lambda p: f"!({p})")), max_leaves=4)


def test_random_filters_store_equals_plain_scan(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("random")
    tree, events = _tree(tmp)
    os.environ["XDG_CACHE_HOME"] = str(tmp / "cache")
    _build(tree)
    values = _values(events)

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(text=_filters(values), limit=st.one_of(st.none(), st.integers(1, 20)))
    def check(text: str, limit: int | None) -> None:
        want, got, _ = asyncio.run(_both(tree, Query(filter=EventFilter.compile(text), limit=limit)))
        assert got == want, text

    check()


async def test_gate_supersets_keep_casefold_nulls_and_odd_names_exact(tmp_path):
    """The hunts' gate shapes, which only the store's own superset translates
    (OR'd with a filter no SQL expresses), on names where casefold and lower
    differ, a missing name and a name of another type."""
    from trailtui.store.dialect import store_where

    base = fixture_events()[0]
    names: list = ["Straße", "STRASSE", "strasse", "İstanbul", "AssumeRole", "assumerole", "ASSUMEROLE", 7, None]
    events = []
    for index, name in enumerate(names):
        event = dict(base, eventID=f"gate-{index}", eventTime=f"2024-03-01T00:{index:02d}:00Z", eventName=name)
        if name is None:
            del event["eventName"]
        events.append(event)
    tree = tmp_path / "trail"
    write_tree(tree, trail_objects(events + fixture_events())[0])
    _build(tree)
    odd = "(eventName != 'x' && length(eventName) > `40`)"  # SQL keeps only its first operand
    for gate in [_membership("eventName", ["strasse", "assumerole"], folded=True),
                 _membership("eventName", ["AssumeRole", "Straße"]),
                 _membership("eventName", ["AssumeRole"], with_null=True),
                 _membership("eventName", ["strasse"], with_null=True, folded=True)]:
        text = f"{gate} || {odd}"
        assert store_where(EventFilter.compile(text)).pushed, text
        for limit in (None, 3):
            want, got, _ = await _both(tree, Query(filter=EventFilter.compile(text), limit=limit))
            assert got == want and want, text


async def test_a_search_selecting_most_of_the_store_is_a_plain_scan(tmp_path):
    """Without a limit, SQL that selects more than `max_store_share` of the held
    rows hands the search to the plain scan, silently and with the same answer."""
    tree, _ = _tree(tmp_path)
    _build(tree)
    query = Query(filter=EventFilter.compile("eventName != 'nope' && length(eventName) > `3`"))
    want, _, _ = await collect(LocalSource(str(tree)), query)
    for share, through_store in [(0.0, False), (1.0, True)]:
        source = open_source(str(tree), index=True)
        assert isinstance(source, IndexedSource)
        source.max_store_share, source.min_rows_checked = share, 0
        plain_searches: list[Query] = []
        original = source.plain.search

        def spy(q: Query, original=original, seen=plain_searches):
            seen.append(q)
            return original(q)

        source.plain.search = spy  # type: ignore[method-assign]
        got, problems, _ = await collect(source, query)
        await source.close()
        assert _rows(got) == _rows(want) and not problems
        assert bool(plain_searches) is not through_store, share


def test_hunts_through_the_store_equal_the_plain_scan(tmp_path):
    """`hunt` answered from the store (the candidate filter as SQL, each
    candidate re-checked) prints what the plain scan prints, byte for byte."""
    from trailtui.hunts import candidate_filter
    from trailtui.hunts.catalogue import load_catalogue
    from trailtui.store.dialect import store_where

    assert store_where(candidate_filter(list(load_catalogue().hunts))).pushed
    demo = tmp_path / "demo"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    made = _cli("demo", str(demo), "--events", "4000", "--no-tui", env=env)
    assert made.returncode == 0, made.stderr
    assert _cli("index", str(demo), env=env).returncode == 0
    plain = _cli("hunt", str(demo), "--format", "jsonl", "--no-index", env=env)
    stored = _cli("hunt", str(demo), "--format", "jsonl", env=env)
    assert plain.returncode == stored.returncode and plain.stdout == stored.stdout
    assert plain.stdout.count("\n") > 3


# -- the index command -----------------------------------------------------------------

def _cli(*args: str, env: dict | None = None, **options) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trailtui", *args], capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, cwd=str(ROOT), timeout=300, **options)


def test_index_status_list_drop_and_no_index(tmp_path):
    tree, events = _tree(tmp_path)
    before = json.loads(_cli("index", str(tree), "--status", "--format", "json").stdout)
    assert list(before) == ["source", "path", "files", "events", "bytes", "fresh_files", "stale_files"]
    assert before["files"] == 0 and before["stale_files"] > 0
    built = _cli("index", str(tree))
    assert built.returncode == 0 and "indexed" in built.stdout
    status = json.loads(_cli("index", str(tree), "--status", "--format", "json").stdout)
    assert status["events"] == len(events) and status["stale_files"] == 0 and status["fresh_files"] == status["files"]
    folder = Path(status["path"])
    assert folder.stat().st_mode & 0o777 == 0o700
    assert all(p.stat().st_mode & 0o777 == 0o600 for p in folder.iterdir())
    gz_bytes = sum(p.stat().st_size for p in tree.rglob("*.json.gz"))
    assert status["bytes"] <= 1.2 * gz_bytes + 64 * 1024  # Parquet footers dominate a tree this small
    jsonl = ["query", str(tree), "--format", "jsonl"]
    with_store = _cli(*jsonl, "--filter", "errorCode != `null`")
    without = _cli(*jsonl, "--filter", "errorCode != `null`", "--no-index")
    assert with_store.stdout == without.stdout and with_store.stdout and with_store.stderr == without.stderr
    assert str(tree) in _cli("index", "--list").stdout
    assert _cli("index", str(tree), "--drop").returncode == 0
    assert not folder.exists()
    assert str(tree) not in _cli("index", "--list").stdout


def test_a_record_with_an_unreadable_time_keeps_its_problem_line_with_the_store(tmp_path):
    """The plain scan skips it with a line saying so, whatever the filter; its
    file is not held, so every answer reads it plainly and says the same."""
    tree, events = _tree(tmp_path)
    bad = dict(events[-1], eventID="bad-time", eventTime="2024-02-30T00:00:00Z")
    folder = sorted(tree.rglob("*.json.gz"))[0].parent
    (folder / "111122223333_CloudTrail_us-east-1_20990101T0000Z_badtime.json.gz").write_bytes(
        gzip.compress(json.dumps({"Records": [events[0], bad]}).encode()))
    assert _cli("index", str(tree)).returncode == 0
    status = json.loads(_cli("index", str(tree), "--status", "--format", "json").stdout)
    assert status["events"] == len(events)  # the file's two records are not held
    for text in ("errorCode != `null`", "eventName == 'NoSuchCall'"):
        args = ["query", str(tree), "--format", "jsonl", "--filter", text]
        with_store, without = _cli(*args), _cli(*args, "--no-index")
        assert (with_store.stdout, with_store.stderr) == (without.stdout, without.stderr)
        assert "unreadable eventTime" in with_store.stderr and "bad-time" in with_store.stderr


def test_config_key_turns_the_store_off(tmp_path):
    tree, _ = _tree(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text("index = false\n")
    from trailtui.commands.store_option import use_index

    class Args:
        no_index = False

    os.environ["TRAILTUI_CONFIG"] = str(config)
    try:
        assert use_index(Args()) is False
        config.write_text("index = true\n")
        assert use_index(Args()) is True
        Args.no_index = True
        assert use_index(Args()) is False
    finally:
        del os.environ["TRAILTUI_CONFIG"]


# -- faults -----------------------------------------------------------------------------

_KILLED_BUILD = """
import os, sys
from trailtui.store import locate
from trailtui.store.build import StoreBuilder
from trailtui.store.listing import local_listing
tree = sys.argv[1]
builder = StoreBuilder(locate(tree), workers=1)
builder.commit_events, builder.batch_files, builder.in_flight = 1, 4, 1
def progress(done, total):
    if done >= total // 2:
        os._exit(9)   # a kill: no finally, no cleanup
builder.build(local_listing(tree).files, complete=True, progress=progress)
"""


async def test_a_build_killed_mid_way_leaves_the_last_commit(tmp_path):
    tree, events = _tree(tmp_path)
    killed = subprocess.run([sys.executable, "-c", _KILLED_BUILD, str(tree)], cwd=str(ROOT), timeout=120)
    assert killed.returncode == 9
    location = locate(str(tree))
    manifest = load(location.manifest, location.source)
    assert manifest is not None and 0 < manifest.events_held() < len(events)  # committed part, no more
    assert all((location.folder / s).exists() for s in manifest.segments)
    want, got, _ = await _both(tree, Query())
    assert got == want and len(got) == len(events)
    _build(tree)  # the next build cleans the leftovers and completes the store
    assert not [p for p in location.folder.iterdir() if p.name.startswith("handover-") or p.name.endswith(".part")]
    assert load(location.manifest, location.source).events_held() == len(events)


def test_unwritable_cache_fails_index_in_one_line_and_queries_still_answer(tmp_path):
    tree, _ = _tree(tmp_path)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    env = {"XDG_CACHE_HOME": str(blocker)}
    result = _cli("index", str(tree), env=env)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert "cannot write the store" in result.stderr and "Traceback" not in result.stderr
    query = _cli("query", str(tree), "--format", "jsonl", env=env)
    assert query.returncode == 0 and query.stdout == _cli("query", str(tree), "--format", "jsonl", "--no-index").stdout


def test_full_disk_fails_index_in_one_line(tmp_path):
    tree, _ = _tree(tmp_path)

    def small_files() -> None:
        import resource
        import signal

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    result = _cli("index", str(tree), preexec_fn=small_files)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "cannot write the store" in result.stderr
    status = json.loads(_cli("index", str(tree), "--status", "--format", "json").stdout)
    assert status["stale_files"] > 0
    query = _cli("query", str(tree), "--format", "jsonl")
    assert query.returncode == 0 and query.stdout == _cli("query", str(tree), "--format", "jsonl", "--no-index").stdout


_HOLD_LOCK = """
import sys, time
from trailtui.store import locate
from trailtui.store.build import build_lock
from trailtui.store.location import private_folder
location = locate(sys.argv[1])
private_folder(location.folder)
with build_lock(location.folder):
    print("holding", flush=True)
    sys.stdin.readline()
"""


def test_two_processes_on_one_store(tmp_path):
    tree, _ = _tree(tmp_path)
    assert _cli("index", str(tree)).returncode == 0
    extra = next(tree.rglob("*.json.gz")).with_name("123456789012_CloudTrail_us-east-1_20990101T0000Z_x.json.gz")
    extra.write_bytes(next(tree.rglob("*.json.gz")).read_bytes())
    holder = subprocess.Popen([sys.executable, "-c", _HOLD_LOCK, str(tree)], cwd=str(ROOT), stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"  # a second process is building this store
        readers = [subprocess.Popen([sys.executable, "-m", "trailtui", "query", str(tree), "--format", "jsonl"],
                                    cwd=str(ROOT), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                   for _ in range(2)]
        outputs = [r.communicate(timeout=120) for r in readers]
        plain = _cli("query", str(tree), "--format", "jsonl", "--no-index").stdout
        assert [o[0] for o in outputs] == [plain, plain] and all(r.returncode == 0 for r in readers)
        busy = _cli("index", str(tree))
        assert busy.returncode == 0 and "another trailtui is building" in busy.stderr
    finally:
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    assert "indexed 1 file" in _cli("index", str(tree)).stdout  # the lock is free again


async def test_corrupt_and_other_version_stores_are_rebuilt(tmp_path):
    tree, events = _tree(tmp_path)
    _build(tree)
    location = locate(str(tree))
    segment = next(location.folder.glob("segment-*.parquet"))
    segment.write_bytes(b"PAR1 not really a parquet file")
    everything = Query(filter=EventFilter.compile("eventName != 'none'"))  # pushed down: the store is read
    want, got, _ = await _both(tree, everything)
    assert got == want and len(got) == len(events)
    query = _cli("query", str(tree), "--format", "jsonl", "--filter", "readOnly == `false`")
    assert query.returncode == 0 and "store not used" in query.stderr and "Traceback" not in query.stderr
    manifest = json.loads(location.manifest.read_text())
    manifest["trailtui"] = "0.0.0-other"
    location.manifest.write_text(json.dumps(manifest))
    want, got, _ = await _both(tree, Query(filter=EventFilter.compile("readOnly == `false`")))
    assert got == want
    location.manifest.write_text("{not json")
    want, got, _ = await _both(tree, Query(limit=5))
    assert got == want
    _build(tree)  # rebuilt from scratch
    assert load(location.manifest, location.source).events_held() == len(events)
    want, got, source = await _both(tree, everything)
    assert got == want and source.index_word() == "indexed"


# -- S3 ------------------------------------------------------------------------------

async def test_s3_answers_from_the_store_and_downloads_only_new_objects(aws_env):
    events = fixture_events()
    objects, _ = trail_objects(events)
    upload(aws_env, "store-trail", objects)
    config = AwsConfig(region=REGION, endpoint_url=aws_env)
    url = f"s3://store-trail/{PREFIX}"
    plain = open_source(url, config)
    indexed = open_source(url, config, index=True)
    for text in ("", "eventName == 'ConsoleLogin'", "requestParameters.bucketName != `null`"):
        query = Query(filter=EventFilter.compile(text))
        want, _, _ = await collect(plain, query)
        got, problems, _ = await collect(indexed, query)
        assert _rows(got) == _rows(want) and problems == []
    gets = len(calls(aws_env, "GetObject"))
    got, _, _ = await collect(indexed, Query())
    assert len(calls(aws_env, "GetObject")) == gets  # unchanged objects: answered from the store
    key = next(iter(objects)).replace(".json.gz", "_new.json.gz")
    marker = dict(events[0], eventID="new-object-event", eventName="MarkerEvent")
    upload(aws_env, "store-trail", {key: gzip.compress(json.dumps({"Records": [marker]}).encode())})
    query = Query(filter=EventFilter.compile("eventName == 'MarkerEvent'"))
    got, _, _ = await collect(indexed, query)
    assert [e.raw["eventID"] for e in got] == ["new-object-event"]
    assert [c["params"]["subject"] for c in calls(aws_env, "GetObject")[gets:]] == [f"/store-trail/{key}"]  # only it
    await plain.close()
    await indexed.close()


async def test_s3_search_lists_the_bucket_once_and_an_unwritable_store_is_one_notice(aws_env, tmp_path, monkeypatch):
    """Bringing the store up to date and answering share one listing (a
    bucket's listing is paid requests); a store that cannot be written is the
    plain answer with one notice (a cache folder that is a file: the store
    cannot even be read)."""
    from trailtui.timerange import TimeRange

    events = fixture_events()
    upload(aws_env, "once-trail", trail_objects(events)[0])
    config = AwsConfig(region=REGION, endpoint_url=aws_env)
    url = f"s3://once-trail/{PREFIX}"
    query = Query(filter=EventFilter.compile("eventName != 'none'"))
    indexed = open_source(url, config, index=True)
    want, _, _ = await collect(open_source(url, config), query)
    try:
        got, _, _ = await collect(indexed, query)  # fills the store
        assert _rows(got) == _rows(want)
        before = len(calls(aws_env, "ListObjectsV2"))
        got, _, pages = await collect(indexed, query)
        searching = len(calls(aws_env, "ListObjectsV2")) - before
        await indexed.listing(TimeRange())
        listing = len(calls(aws_env, "ListObjectsV2")) - before - searching
        assert searching == listing > 0 and _rows(got) == _rows(want)
    finally:
        await indexed.close()
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))
    unwritable = open_source(url, config, index=True)
    try:
        got, _, pages = await collect(unwritable, query)
    finally:
        await unwritable.close()
    notices = [n for page in pages for n in page.notices]
    assert _rows(got) == _rows(want) and len(notices) == 1 and notices[0].startswith("index: store at ")


async def test_a_limit_pushed_to_sql_is_not_cut_short_by_odd_rows(tmp_path):
    """Rows flagged odd (a field of another type) pass the SQL and may fail the
    re-check: a LIMIT pushed down must still end with the plain scan's page."""
    base = fixture_events()[0]
    events = [dict(base, eventID=f"x-{i}", eventName="Wanted", eventTime=f"2024-03-01T00:{i:02d}:00Z")
              for i in range(5)]
    events += [dict(base, eventID=f"odd-{i}", eventName=["not", "a", "string"], eventTime=f"2024-03-01T01:{i:02d}:00Z")
               for i in range(5)]  # newer than every match
    tree = tmp_path / "trail"
    write_tree(tree, trail_objects(events)[0])
    _build(tree)
    for limit in (1, 2, 4, 5, 7):
        query = Query(filter=EventFilter.compile("eventName == 'Wanted'"), limit=limit)
        want, got, _ = await _both(tree, query)
        assert got == want and len(want) == min(limit, 5), limit


def test_store_connections_never_spill_into_the_working_directory(tmp_path, monkeypatch):
    """DuckDB spills to `.tmp` in the working directory by default (the
    analyst's folder, maybe the log tree): a reader does not spill at all, and
    a connection given a store's folder spills there."""
    from trailtui.store.engine import connect

    monkeypatch.chdir(tmp_path)
    big = "SELECT count(*) FROM (SELECT range AS x, md5(range::VARCHAR) AS y FROM range(3000000) ORDER BY y)"
    reader = connect()
    reader.execute("SET memory_limit = '50MB'")
    try:
        reader.execute(big).fetchone()
        spilled = False
    except Exception:  # noqa: BLE001 - out of memory: the caller's plain path answers
        spilled = True
    finally:
        reader.close()
    assert spilled and not (tmp_path / ".tmp").exists()
    folder = tmp_path / "store"
    folder.mkdir()
    writer = connect(temp_directory=folder)
    writer.execute("SET memory_limit = '50MB'")
    try:
        assert writer.execute(big).fetchone()[0] == 3_000_000
    finally:
        writer.close()
    assert not (tmp_path / ".tmp").exists()


def test_store_connections_draw_no_progress_bar():
    """DuckDB draws a progress bar on standard output for a statement over two
    seconds, even from a thread: it would land in `--format jsonl` output or
    over the console.  Every connection the store opens has it off."""
    from trailtui.store.engine import connect

    con = connect()
    try:
        assert con.execute("SELECT current_setting('enable_progress_bar')").fetchone()[0] is False
    finally:
        con.close()
