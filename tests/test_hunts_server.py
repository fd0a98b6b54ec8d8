"""Hunts compiled to SQL give the same hits as the client engine.

The differential holds on every hunt's attack samples (tests/data/hunts/) and
on the demo trail, through the test server's SQL engine: CloudTrail Lake's
Trino SQL runs inside the moto extension (sqlglot -> DuckDB), Athena's through
the stand-in table (tests/athena_sim.py) whose rows seed moto.  The client side
is today's path: the candidate pre-selection, every hunt on the client.
"""

from __future__ import annotations

import asyncio
import json
import re
import urllib.request
from collections import Counter
from pathlib import Path

import athena_sim
import boto3
import pytest
from sources_fixture import REGION, calls, post

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.cli import main
from trailtui.demo import DemoSpec, generate_demo
from trailtui.hunts import HuntContext, load_catalogue, run_hunts
from trailtui.hunts.runner import candidate_filter
from trailtui.hunts.sql.run import explained_statements, plan_statements
from trailtui.sources import Query
from trailtui.sources.athena import AthenaSource, athena_statement
from trailtui.sources.explain import statements_of
from trailtui.sources.lake import LakeSource
from trailtui.sources.local import LocalSource
from trailtui.timerange import TimeRange

DATA = Path(__file__).parent / "data" / "hunts"
STORE = "EXAMPLE-5e7e-4e8f-8bd1-huntsEXAMPLE"
ATHENA = "athena://huntwg/trails.cloudtrail_logs"
HUNTS = load_catalogue().hunts


def _samples() -> list[dict]:
    records: list[dict] = []
    for path in sorted((DATA / "stratus-red-team").glob("*.json")):
        records.extend(json.loads(path.read_text()))
    for line in (DATA / "panther-analysis" / "aws_cloudtrail_rule_tests.jsonl").read_text().splitlines():
        if line.strip():
            records.append(json.loads(line)["log"])
    for path in sorted((DATA / "traildiscover").glob("*.json")):
        data = json.loads(path.read_text())
        records.extend(data if isinstance(data, list) else [data])
    return _unique_ids([r for r in records if isinstance(r, dict) and isinstance(r.get("eventTime"), str)])


def _unique_ids(records: list[dict]) -> list[dict]:
    seen: set[str] = set()
    out = []
    for number, record in enumerate(records):
        ident = record.get("eventID")
        if not isinstance(ident, str) or ident in seen:
            record = {**record, "eventID": f"sample-{number:05d}"}
        seen.add(record["eventID"])
        out.append(record)
    return out


def _demo(tmp_path: Path) -> list[dict]:
    root = tmp_path / "demo"
    generate_demo(DemoSpec(seed=3, events=2000, days=3), root, workers=1)

    async def read() -> list[dict]:
        source = LocalSource(str(root))
        found = []
        async for page in source.search(Query(page_size=1000)):
            found.extend(e.raw for e in page.events)
        await source.close()
        return found

    return asyncio.run(read())


_LEARNED_SO_FAR = re.compile(r"recipientAccountId \(\d+\)")


def _hit_keys(steps) -> Counter:
    """(hunt, event, attempt, detail) of every hit.  An outside-access finding
    reported at once names how many accounts were learned so far, which
    depends on the order of events with the same second (the samples have
    dozens at 2019-01-01T00:00:00Z) in either mode: that count is left out."""
    return Counter((h.hunt.id, h.event.raw.get("eventID"), h.attempt,
                    _LEARNED_SO_FAR.sub("recipientAccountId", h.detail)) for s in steps for h in s.hits)


async def _steps(source, server: bool) -> list:
    return [step async for step in run_hunts(source, HUNTS, TimeRange(), context=HuntContext(), server=server)]


def _config(endpoint: str) -> AwsConfig:
    return AwsConfig(region=REGION, endpoint_url=endpoint)


def _lake(endpoint: str) -> LakeSource:
    source = LakeSource(f"lake://{STORE}", _config(endpoint), factory=ClientFactory(_config(endpoint), max_attempts=1))
    source.poll_delays = (0.01,)
    return source


def _athena(endpoint: str) -> AthenaSource:
    source = AthenaSource(ATHENA, _config(endpoint), factory=ClientFactory(_config(endpoint), max_attempts=1))
    source.poll_interval = 0.02
    return source


def _partitions(events: list[dict]) -> dict[str, str]:
    return {e["eventID"]: e["eventTime"][:10].replace("-", "/") for e in events}


def _seed_athena(endpoint: str, sql: str, events: list[dict]) -> None:
    names, rows = athena_sim.run(sql, events, _partitions(events), "trails", "cloudtrail_logs")
    post(endpoint, "/moto-api/static/athena/query-results", athena_sim.seed_body(names, rows))


def _seed_lake(endpoint: str, events: list[dict]) -> None:
    """The event data store, with room for a slow (shared, loaded) host."""
    request = urllib.request.Request(f"{endpoint}/moto-api/trailtui/lake/event-data-stores", method="POST",
                                     data=json.dumps({"region": REGION, "id": STORE, "events": events}).encode(),
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=600) as response:
        response.read()


def _differential(endpoint: str, events: list[dict]) -> dict:
    _seed_lake(endpoint, events)
    lake_server = asyncio.run(_steps(_lake(endpoint), server=True))
    lake_client = asyncio.run(_steps(_lake(endpoint), server=False))
    assert _hit_keys(lake_server) == _hit_keys(lake_client)

    boto3.client("athena", endpoint_url=endpoint, region_name=REGION).create_work_group(
        Name="huntwg", Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results/q/"}})
    athena = _athena(endpoint)
    for statement in explained_statements(athena, HUNTS, TimeRange()):
        _seed_athena(endpoint, statement, events)
    athena_server = asyncio.run(_steps(athena, server=True))
    candidates, _ = athena_statement("trails", "cloudtrail_logs", Query(filter=candidate_filter(HUNTS)))
    _seed_athena(endpoint, candidates, events)
    athena_client = asyncio.run(_steps(_athena(endpoint), server=False))
    assert _hit_keys(athena_server) == _hit_keys(athena_client)
    return {"lake": (lake_server, lake_client), "athena": (athena_server, athena_client)}


def test_server_hits_equal_client_hits_on_attack_samples(aws_env):
    events = _samples()
    runs = _differential(aws_env, events)
    for name, (server, _) in runs.items():
        ran = server[-1].ran
        assert ran is not None and set(ran["server"]) | set(ran["client"]) == {h.id for h in HUNTS}
        assert len(ran["server"]) >= 10, (name, ran)
        fired = {h.hunt.id for s in server for h in s.hits}
        assert len(fired & set(ran["server"])) >= 5, (name, fired)  # the server really fires hunts


def test_server_hits_equal_client_hits_on_the_demo_trail(aws_env, tmp_path):
    runs = _differential(aws_env, _demo(tmp_path))
    server, client = runs["lake"]
    assert sum(len(s.hits) for s in server) > 0


def test_hunt_explain_is_the_sql_sent_and_output_names_where_hunts_ran(aws_env, capsys):
    events = _samples()
    _seed_lake(aws_env, events)
    base = ["hunt", f"lake://{STORE}", "--endpoint-url", aws_env, "--region", REGION]
    assert main([*base, "--explain"]) == 0
    explained = statements_of(capsys.readouterr().out.splitlines())
    assert explained and all(len(s) <= 10_000 for s in explained)
    assert main([*base, "--format", "json"]) == 1
    captured = capsys.readouterr()
    assert [c["params"]["QueryStatement"] for c in calls(aws_env, "StartQuery")] == explained
    document = json.loads(captured.out)
    ran = document["summary"]["ran"]
    assert set(ran) == {"server", "client"} and "cloudtrail-stopped" in ran["server"]
    assert "first-seen-api" in ran["client"]
    assert {hit["hunt"] for hit in document["hits"]} >= {"cloudtrail-stopped"}
    assert "data scanned:" in captured.err and "approximate cost $" in captured.err


@pytest.mark.parametrize("hunt_id", ["access-denied-burst", "new-user-granted-access"])
def test_threshold_and_sequence_hunts_can_run_on_the_server(aws_env, hunt_id):
    source = _lake(aws_env)
    planned = plan_statements(source, [h for h in HUNTS if h.id == hunt_id], TimeRange())
    assert planned.ran["server"] == [hunt_id] or hunt_id == "access-denied-burst"
