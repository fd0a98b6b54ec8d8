"""Hunts answered by the store (trailtui/store/hunting.py) give exactly what a
plain scan gives: the same hits, in the same order, with the same details and
the same summary, over the hunt test data (real attack records), the
differential suite's records, a demo trail, odd rows, a part of the range,
a first-seen baseline and known accounts; a catalogue that needs too much of
the store runs the plain way with one notice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sources_fixture import fixture_events, trail_objects, write_tree

from trailtui.commands.hunt import hit_line
from trailtui.hunts import HuntContext, KnownAccounts, load_catalogue, run_hunts
from trailtui.sources import open_source
from trailtui.sources.local import LocalSource
from trailtui.store import locate
from trailtui.store.build import StoreBuilder
from trailtui.store.listing import local_listing
from trailtui.store.source import IndexedSource
from trailtui.timerange import TimeRange

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "hunts"
HUNTS = load_catalogue().hunts


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def _attack_records() -> list[dict]:
    """Stratus Red Team detonations and TrailDiscover samples, their own times."""
    records: list[dict] = []
    for path in sorted((DATA / "stratus-red-team").glob("*.json")):
        records.extend(json.loads(path.read_text()))
    for path in sorted((DATA / "traildiscover").glob("*.json")):
        found = json.loads(path.read_text())
        records.extend(found if isinstance(found, list) else [found])
    return [r for r in records if isinstance(r, dict) and isinstance(r.get("eventTime"), str)]


def _tree(tmp_path: Path, records: list[dict]) -> Path:
    tree = tmp_path / "trail"
    write_tree(tree, trail_objects(records)[0])
    report = StoreBuilder(locate(str(tree))).build(local_listing(str(tree)).files, complete=True)
    assert not report.busy and report.files > 0
    return tree


async def _run(source, window: TimeRange, context: HuntContext | None, hunts=HUNTS) -> tuple[list[bytes], int, set]:
    lines: list[bytes] = []
    scanned = 0
    statuses: set[str] = set()
    try:
        async for step in run_hunts(source, hunts, window, context=context):
            lines.extend(hit_line(hit) + hit.detail.encode() for hit in step.hits)
            scanned = step.scanned
            statuses.add(step.status)
    finally:
        await source.close()
    return lines, scanned, statuses


async def _same(tree: Path, window: TimeRange | None = None, context_of=lambda: None,
                hunts=HUNTS) -> list[bytes]:
    """The plain run's hits (and that the store answered them, identically)."""
    window = window or TimeRange()
    plain = await _run(LocalSource(str(tree)), window, context_of(), hunts)
    indexed = open_source(str(tree), index=True)
    assert isinstance(indexed, IndexedSource)
    stored = await _run(indexed, window, context_of(), hunts)
    assert "indexed" in stored[2], "the store did not answer"
    assert stored[0] == plain[0]
    assert stored[1] == plain[1]
    return plain[0]


async def test_attack_records_give_the_same_hits_from_the_store(tmp_path):
    tree = _tree(tmp_path, _attack_records())
    lines = await _same(tree)
    assert len(lines) > 50


async def test_differential_records_give_the_same_hits_from_the_store(tmp_path):
    lines = await _same(_tree(tmp_path, fixture_events()))
    assert lines


async def test_part_of_the_range_and_a_baseline_give_the_same_hits(tmp_path):
    events = fixture_events()
    tree = _tree(tmp_path, events)
    times = sorted(e["eventTime"] for e in events)
    since = datetime.fromisoformat(times[len(times) // 3].replace("Z", "+00:00"))
    assert await _same(tree, TimeRange(since=since))
    middle = datetime.fromisoformat(times[len(times) // 2].replace("Z", "+00:00"))
    baseline = TimeRange(since=since - timedelta(days=400), until=middle)
    await _same(tree, context_of=lambda: HuntContext(baseline=baseline))


async def test_known_accounts_give_the_same_outside_findings(tmp_path):
    tree = _tree(tmp_path, _attack_records())
    listed = frozenset({"123456789012"})
    await _same(tree, context_of=lambda: HuntContext(known_accounts=KnownAccounts(listed=listed, listed_from="x")))


def _burst(now: datetime) -> list[dict]:
    """Failed console logins from one user (a threshold), an access key made
    then used (a sequence), and records whose fields have odd types."""
    base = {"eventVersion": "1.08", "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
            "awsRegion": "us-east-1", "sourceIPAddress": "203.0.113.9", "userAgent": "Mozilla/5.0",
            "eventType": "AwsConsoleSignIn", "recipientAccountId": "111122223333",
            "userIdentity": {"type": "IAMUser", "arn": "arn:aws:iam::111122223333:user/bob", "userName": "bob",
                             "accountId": "111122223333", "principalId": "AIDAEXAMPLE"},
            "responseElements": {"ConsoleLogin": "Failure"}, "errorMessage": "Failed authentication"}
    records = []
    for i in range(40):
        record = json.loads(json.dumps(base))
        record["eventTime"] = (now - timedelta(seconds=23 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        record["eventID"] = f"burst-{i}"
        if i % 9 == 4:
            record["userIdentity"]["userName"] = 7  # odd: a number where a string belongs
        records.append(record)
    return records


async def test_thresholds_and_odd_rows_give_the_same_hits(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    tree = _tree(tmp_path, _burst(now) + fixture_events())
    lines = await _same(tree)
    assert any(b'"console-login-failures"' in line for line in lines)


async def test_clean_bursts_are_chosen_by_sql_windows(tmp_path):
    now = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    records = [r for r in _burst(now) if r["userIdentity"]["userName"] == "bob"]
    lines = await _same(_tree(tmp_path, records + _attack_records()))
    assert sum(b'"console-login-failures"' in line for line in lines) == len(records)


def _cli(*args: str, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "trailtui", *args], capture_output=True, text=True,
                          env={**os.environ, **env}, cwd=str(ROOT), timeout=300)


def test_demo_hunts_print_the_same_bytes_in_every_format(tmp_path):
    """Decided from the store's rows, and given back from the findings kept then."""
    demo = tmp_path / "demo"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert _cli("demo", str(demo), "--events", "6000", "--no-tui", env=env).returncode == 0
    assert _cli("index", str(demo), "--no-hunts", env=env).returncode == 0
    folder = open_source(str(demo), index=True).location.folder
    for fmt in ("jsonl", "json", "table"):
        plain = _cli("hunt", str(demo), "--format", fmt, "--no-index", env=env)
        for path in folder.glob("findings-*"):
            path.unlink()
        decided = _cli("hunt", str(demo), "--format", fmt, env=env)
        assert list(folder.glob("findings-*")), "the run's findings were not kept"
        again = _cli("hunt", str(demo), "--format", fmt, env=env)
        assert plain.returncode == decided.returncode == again.returncode == 1
        assert decided.stdout == plain.stdout and again.stdout == plain.stdout, fmt
        assert "plain scan" not in decided.stderr + again.stderr


def test_a_catalogue_needing_too_much_runs_plainly_with_one_notice(tmp_path):
    demo = tmp_path / "demo"
    env = {"XDG_CACHE_HOME": str(tmp_path / "cache")}
    assert _cli("demo", str(demo), "--events", "30000", "--no-tui", env=env).returncode == 0
    assert _cli("index", str(demo), env=env).returncode == 0
    catalogue = tmp_path / "every.toml"
    catalogue.write_text('[[hunt]]\nid = "every-event"\ntitle = "Every event"\nseverity = "low"\n'
                         'technique = "T0000"\nwhy = "All of them."\nfilter = "eventName"\n')
    plain = _cli("hunt", str(demo), "--catalogue", str(catalogue), "--format", "jsonl", "--no-index", env=env)
    stored = _cli("hunt", str(demo), "--catalogue", str(catalogue), "--format", "jsonl", env=env)
    assert stored.stdout == plain.stdout and stored.stdout.count("\n") > 20_000
    assert stored.stderr.count("plain scan") == 1, stored.stderr


async def _fed(tree: Path, hunts) -> int:
    """How many events the store fed the engine for `hunts` over the whole range."""
    indexed = open_source(str(tree), index=True)
    fed = 0
    try:
        async for step in run_hunts(indexed, hunts, TimeRange()):
            fed = step.candidates
    finally:
        await indexed.close()
    return fed


def _instance_records(start: datetime) -> list[dict]:
    """Three instances' credentials, each issued by EC2 and used a few hundred
    times from its own private address, then once from a public one.  The
    third key's oldest use names it in an ARN outside printable ASCII that the
    hunt's regular expression does not match: only the guard keeps that key's
    true first use among the rows chosen."""
    account = "111122223333"
    records: list[dict] = []

    def at(seconds: float) -> str:
        return (start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def issue(key: str, instance: str, when: float) -> None:
        records.append({
            "eventVersion": "1.08", "eventTime": at(when), "eventSource": "sts.amazonaws.com",
            "eventName": "AssumeRole", "awsRegion": "eu-west-1", "sourceIPAddress": "ec2.amazonaws.com",
            "userAgent": "ec2.amazonaws.com", "eventType": "AwsApiCall", "recipientAccountId": account,
            "eventID": f"issue-{key}", "userIdentity": {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"},
            "requestParameters": {"roleArn": f"arn:aws:iam::{account}:role/App", "roleSessionName": instance},
            "responseElements": {"credentials": {"accessKeyId": key, "expiration": "x"},
                                 "assumedRoleUser": {"arn": f"arn:aws:sts::{account}:assumed-role/App/{instance}"}}})

    def use(key: str, instance: str, when: float, address: str, n: int, role: str = "App",
            delivery: bool = True) -> None:
        context: dict = {"sessionIssuer": {"type": "Role", "arn": f"arn:aws:iam::{account}:role/{role}"}}
        if delivery:
            context["ec2RoleDelivery"] = "2.0"
        records.append({
            "eventVersion": "1.08", "eventTime": at(when), "eventSource": "s3.amazonaws.com",
            "eventName": "GetObject", "awsRegion": "eu-west-1", "sourceIPAddress": address,
            "userAgent": "aws-sdk-go/1.44", "eventType": "AwsApiCall", "recipientAccountId": account,
            "eventID": f"use-{key}-{n}",
            "userIdentity": {"type": "AssumedRole", "principalId": f"AROAEXAMPLE:{instance}",
                             "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{instance}",
                             "accountId": account, "accessKeyId": key, "sessionContext": context}})

    for number, (key, instance, own) in enumerate([("ASIAINSTANCEONE", "i-0abc12345678", "10.0.1.5"),
                                                   ("ASIAINSTANCETWO", "i-0def12345678", "172.20.3.4"),
                                                   ("ASIAINSTANCE333", "i-0fed12345678", "10.9.9.9")]):
        base = number * 10_000
        issue(key, instance, base)
        if number == 2:  # an odd oldest use: outside ASCII, and not an instance session by the filter
            use(key, "i-\u00ef0123456789", base + 1, "52.95.110.1", 0, role="R\u00f4le", delivery=False)
        for n in range(1, 300):
            use(key, instance, base + 2 + n, own, n, delivery=number != 1)
        use(key, instance, base + 400, "52.94.76.10", 999, delivery=number != 1)
    # A key of instance one issued before the range: its newest use names the
    # instance (that is whose key it is), a public use in between names
    # another one.  And a key never issued in the range, used privately.
    use("ASIAINSTANCEFOUR", "i-0abc12345678", 40_000, "10.0.1.5", 0)
    use("ASIAINSTANCEFOUR", "i-0zzz99999999", 39_000, "52.94.76.11", 1)
    for n in range(2, 200):
        use("ASIAINSTANCEFOUR", "i-0abc12345678", 38_000 - n, "10.0.1.5", n)
        use("ASIAINSTANCEFIVE", "i-0fff12345678", 50_000 + n, "10.7.7.7", n)
    return records


async def test_instance_credentials_chain_needs_a_few_rows_per_key(tmp_path):
    """The chain hunt fires on each instance's public use, from the store as
    from a plain scan, though the store feeds it a few rows per key."""
    hunt = [h for h in HUNTS if h.id == "instance-credentials-off-instance"]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    tree = _tree(tmp_path, _instance_records(start))
    lines = await _same(tree, hunts=hunt)
    assert sum(b"52.94.76.10" in line for line in lines) == 3, lines
    assert [line for line in lines if b"52.94.76.11" in line and b"of instance i-0abc12345678" in line], lines
    fed = await _fed(tree, hunt)
    assert fed < 320, fed  # of 1,300: issuances, a few rows of each key, key three whole (301)


def test_maybe_public_keeps_every_public_address():
    """The chain rows' address test (DuckDB, as the store runs it) keeps every
    address the hunt judges public, and drops the private dotted quads."""
    import random

    import duckdb

    from trailtui.hunts.chained import is_public_address
    from trailtui.store.hunt_rows import NON_GLOBAL_V4, maybe_public

    rng = random.Random(3)
    values = ["52.94.76.10", "10.0.1.5", "ec2.amazonaws.com", "AWS Internal", "2600:1f18::1", "::1", "fe80::1%eth0",
              "::ffff:8.8.8.8", "100.64.0.1", "192.0.2.1", "", "8.8.8.8 ", "08.8.8.8"]
    values += [".".join(str(rng.randrange(256)) for _ in range(4)) for _ in range(3000)]
    con = duckdb.connect()
    con.execute("CREATE TABLE t (sourceipaddress VARCHAR)")
    con.executemany("INSERT INTO t VALUES (?)", [[v] for v in values])
    kept = {row[0] for row in con.execute(f"SELECT sourceipaddress FROM t WHERE {maybe_public('sourceipaddress')}")
            .fetchall()}
    public = {v for v in values if is_public_address(v)}
    assert public <= kept and len(public) > 2000
    assert "10.0.1.5" not in kept and "ec2.amazonaws.com" not in kept and "100.64.0.1" not in kept
    import ipaddress

    assert not any(ipaddress.ip_network(n)[i].is_global for n in NON_GLOBAL_V4 for i in (0, -1))


def _secret_reads(start: datetime) -> list[dict]:
    """An application reading its one secret 400 times, a harvest of 12
    distinct secrets in five minutes, GetParameters batches naming several
    parameters at once (a list: one call can reach the count alone), and
    single decrypted GetParameter calls of one name, many times."""
    account = "111122223333"

    def call(n: int, seconds: float, who: str, source: str, name: str, request: dict) -> dict:
        when = (start + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {"eventVersion": "1.08", "eventTime": when, "eventSource": source, "eventName": name,
                "awsRegion": "eu-west-1", "sourceIPAddress": "203.0.113.7",
                "userAgent": "aws-cli/2.15", "eventType": "AwsApiCall", "recipientAccountId": account,
                "eventID": f"read-{n}", "requestParameters": request,
                "userIdentity": {"type": "IAMUser", "arn": f"arn:aws:iam::{account}:user/{who}", "userName": who,
                                 "accountId": account, "principalId": f"AIDA{who.upper()}",
                                 "accessKeyId": f"AKIA{who.upper()}"}}

    records = [call(n, n * 7, "app", "secretsmanager.amazonaws.com", "GetSecretValue", {"secretId": "prod/db"})
               for n in range(400)]
    records += [call(1000 + n, 4000 + n * 25, "mallory", "secretsmanager.amazonaws.com", "GetSecretValue",
                     {"secretId": f"prod/secret-{n}"}) for n in range(12)]
    records += [call(2000 + n, 9000 + n * 40, "batch", "ssm.amazonaws.com", "GetParameters",
                     {"names": [f"/app/{n}-{k}" for k in range(3)] * 2 + ["", None], "withDecryption": True})
                for n in range(4)]
    records += [call(3000 + n, 12000 + n * 3, "svc", "ssm.amazonaws.com", "GetParameter",
                     {"name": "/svc/token", "withDecryption": True}) for n in range(300)]
    return records


async def test_distinct_value_bursts_need_only_their_windows(tmp_path):
    """The distinct-count thresholds fire on the harvest and the batches,
    from the store as from a plain scan, though the store feeds them only the
    rows of firing windows, not every read."""
    hunts = [h for h in HUNTS if h.id in ("secrets-mass-retrieval", "ssm-parameters-decrypted")]
    assert all(h.threshold is not None and h.threshold.distinct is not None for h in hunts)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    tree = _tree(tmp_path, _secret_reads(start))
    lines = await _same(tree, hunts=hunts)
    assert sum(b'"secrets-mass-retrieval"' in line for line in lines) == 12
    assert sum(b'"ssm-parameters-decrypted"' in line for line in lines) == 4
    fed = await _fed(tree, hunts)
    assert fed < 100, fed  # of 716 reads


async def test_a_distinct_value_of_another_type_takes_every_row(tmp_path):
    """A secretId that is not a string (hostile or malformed): the window's
    distinct count in SQL could differ from the engine's, so the hunt takes
    all its rows, and the hits are still the plain run's."""
    hunts = [h for h in HUNTS if h.id == "secrets-mass-retrieval"]
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
    records = _secret_reads(start)
    for n, record in enumerate(records[:30]):
        record["requestParameters"]["secretId"] = {"arn": f"x-{n % 11}"} if n % 2 else 7 + n % 11
    tree = _tree(tmp_path, records)
    lines = await _same(tree, hunts=hunts)
    assert sum(b'"secrets-mass-retrieval"' in line for line in lines) >= 12


def test_a_long_distinct_chain_is_not_turned_into_sql():
    """A distinct expression of thousands of alternatives (a hostile
    catalogue) would become megabytes of SQL: past the bound the hunt takes
    all its rows instead."""
    from trailtui.filters import EventFilter
    from trailtui.store.hunt_rows import MAX_DISTINCT_ALTERNATIVES, distinct_sql

    def chain(n: int) -> EventFilter:
        return EventFilter.compile(" || ".join(f"requestParameters.f{i}" for i in range(n)))

    assert distinct_sql(chain(MAX_DISTINCT_ALTERNATIVES)) is not None
    assert distinct_sql(chain(MAX_DISTINCT_ALTERNATIVES + 1)) is None
    assert distinct_sql(chain(5_000)) is None
