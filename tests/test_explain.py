"""`--explain` on query, stats, hunt and export: the SQL printed is exactly
the SQL a run sends (checked against what the moto server received), the
partitions come from the table's projection, and nothing is started."""

from __future__ import annotations

import athena_sim
import boto3
import pytest
from sources_fixture import REGION, calls, fixture_events, get, post, seed_lake, trail_objects

from trailtui.cli import main
from trailtui.sources.explain import statements_of

ATHENA = "athena://explainwg/trails.cloudtrail_logs"
STORE = "EXAMPLE-0000-4e8f-8bd1-explainEXAMP"
PROJECTION = {
    "projection.enabled": "true", "projection.account.type": "enum",
    "projection.account.values": "111122223333,444455556666", "projection.region.type": "enum",
    "projection.region.values": "us-east-1,eu-west-1,ap-south-1", "projection.timestamp.type": "date",
    "projection.timestamp.format": "yyyy/MM/dd", "projection.timestamp.range": "2024/01/01,NOW",
    "projection.timestamp.interval": "1", "projection.timestamp.interval.unit": "DAYS",
}


def _athena(endpoint: str, projection: bool = True) -> None:
    boto3.client("athena", endpoint_url=endpoint, region_name=REGION).create_work_group(
        Name="explainwg", Configuration={"ResultConfiguration": {"OutputLocation": "s3://athena-results/q/"}})
    glue = boto3.client("glue", endpoint_url=endpoint, region_name=REGION)
    glue.create_database(DatabaseInput={"Name": "trails"})
    glue.create_table(DatabaseName="trails", TableInput={"Name": "cloudtrail_logs",
                                                         "Parameters": PROJECTION if projection else {}})


def _started(endpoint: str) -> int:
    athena = boto3.client("athena", endpoint_url=endpoint, region_name=REGION)
    return (len(athena.list_query_executions()["QueryExecutionIds"]) + len(calls(endpoint, "StartQueryExecution"))
            + len(calls(endpoint, "StartQuery")) + len(get(endpoint, "/moto-api/trailtui/lake/queries")))


COMMANDS = [
    ["query", "--filter", "eventName == 'ConsoleLogin' && icontains(userAgent, 'Mozilla')"],
    ["stats", "--by", "principal", "--filter", "eventSource == 'iam.amazonaws.com'"],
    ["stats", "--by", "length(resources)"],
    ["export", "--format", "jsonl", "--filter", "cidr_match(sourceIPAddress, '10.0.0.0/8')"],
    ["hunt", "--hunt", "cloudtrail-stopped", "--hunt", "access-denied-burst"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=[c[0] + str(i) for i, c in enumerate(COMMANDS)])
def test_explain_starts_nothing_and_names_partitions(aws_env, capsys, command):
    _athena(aws_env)
    code = main([command[0], ATHENA, *command[1:], "--since", "2024-03-01T00:00:00Z",
                 "--until", "2024-03-10T12:00:00Z", "--explain", "--endpoint-url", aws_env, "--region", REGION])
    out = capsys.readouterr().out
    assert code == 0
    assert statements_of(out.splitlines()), out
    assert "-- partitions: 11 days (2024/03/01..2024/03/11) x 3 regions x 2 accounts = 66 partitions" in out
    assert _started(aws_env) == 0


def test_explain_on_lake_and_on_sources_without_sql(aws_env, capsys, tmp_path):
    seed_lake(aws_env, STORE, fixture_events())
    assert main(["query", f"lake://{STORE}", "--filter", "readOnly == `false`", "--explain",
                 "--endpoint-url", aws_env, "--region", REGION]) == 0
    out = capsys.readouterr().out
    assert statements_of(out.splitlines())[0].startswith(f"SELECT eventjson AS eventjson FROM {STORE} WHERE ")
    assert _started(aws_env) == 0
    assert main(["query", str(tmp_path), "--explain"]) == 0
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "is not a SQL source" in out


def test_explain_without_projection_says_so(aws_env, capsys):
    _athena(aws_env, projection=False)
    assert main(["query", ATHENA, "--explain", "--endpoint-url", aws_env, "--region", REGION]) == 0
    assert "-- partitions: the table has no partition projection" in capsys.readouterr().out


@pytest.mark.parametrize("command", [
    ["query", "--filter", "eventName == 'ConsoleLogin' || iequals(eventSource, 'IAM.amazonaws.com')"],
    ["stats", "--by", "principal", "--filter", "readOnly == `false`"],
    ["export", "--format", "jsonl", "--filter", "regex_match(eventName, '^(Get|List)')"],
])
def test_the_explained_sql_is_the_sql_sent(aws_env, capsys, command):
    _athena(aws_env)
    events = fixture_events()
    _, partitions = trail_objects(events)
    base = [command[0], ATHENA, *command[1:], "--endpoint-url", aws_env, "--region", REGION]
    assert main([*base, "--explain"]) == 0
    explained = statements_of(capsys.readouterr().out.splitlines())
    assert len(explained) == 1
    post(aws_env, "/moto-api/static/athena/query-results",
         athena_sim.seed_body(*athena_sim.run(explained[0], events, partitions, "trails", "cloudtrail_logs")))
    assert main(base) == 0
    capsys.readouterr()
    assert [c["params"]["QueryString"] for c in calls(aws_env, "StartQueryExecution")] == explained

    seed_lake(aws_env, STORE, events)
    lake = [command[0], f"lake://{STORE}", *command[1:], "--endpoint-url", aws_env, "--region", REGION]
    assert main([*lake, "--explain"]) == 0
    explained = statements_of(capsys.readouterr().out.splitlines())
    assert main(lake) == 0
    assert [c["params"]["QueryStatement"] for c in calls(aws_env, "StartQuery")] == explained
