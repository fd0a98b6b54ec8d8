"""Benchmark trail health: evaluation of many trails, and collection over HTTP.

    /tmp/venv/bin/python bench/bench_health.py                 # 300 trails evaluated, 10 collected
    /tmp/venv/bin/python bench/bench_health.py --trails 1000 --collect 20

1. evaluate: the demo account's three trails copied N/3 times (distinct names),
   then `evaluate()` + `render_table()` + facts JSON round trip, best of 3.
2. collect: a moto server process (with the test extensions) holding K trails,
   each with its own bucket and KMS key; `collect_facts()` wall time, best of 3,
   and the number of AWS calls it made (3 per trail, 10 per bucket, 3 per key,
   plus DescribeTrails and GetCallerIdentity), against the same reads made one
   by one with boto3.  The server adds `--latency-ms` to every request (AWS
   answers in ~20-80 ms); with 0 the numbers show moto's CPU, not trailtui.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from servers import start_moto  # noqa: E402

from trailtui.aws.config import AwsConfig  # noqa: E402
from trailtui.health import collect_facts, evaluate, from_json, to_json  # noqa: E402
from trailtui.health.demo import demo_facts  # noqa: E402
from trailtui.health.table import render_table  # noqa: E402


def bench_evaluate(trails: int) -> None:
    now = datetime.now(UTC)
    facts = demo_facts(now)
    base = list(facts.trails)
    facts.trails = []
    for i in range(trails):
        trail = copy.deepcopy(base[i % len(base)])
        trail.name = f"{trail.name}-{i}"
        facts.trails.append(trail)
    best = {"evaluate": 1e9, "table": 1e9, "json": 1e9}
    for _ in range(3):
        t0 = time.perf_counter()
        report = evaluate(facts, now)
        t1 = time.perf_counter()
        render_table(report)
        t2 = time.perf_counter()
        from_json(json.loads(json.dumps(to_json(facts))))
        t3 = time.perf_counter()
        best = {"evaluate": min(best["evaluate"], t1 - t0), "table": min(best["table"], t2 - t1),
                "json": min(best["json"], t3 - t2)}
    checks = sum(len(t.checks) for t in report.trails)
    print(f"evaluate: {trails} trails, {checks} checks: evaluate {best['evaluate'] * 1000:.1f} ms, "
          f"table {best['table'] * 1000:.1f} ms, facts JSON round trip {best['json'] * 1000:.1f} ms")


def bench_collect(trails: int, latency_ms: int) -> None:
    import boto3

    server, url = start_moto({"TRAILTUI_TEST_LATENCY_MS": str(latency_ms)})
    try:
        os.environ.update(AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION="us-east-1")
        s3 = boto3.client("s3", endpoint_url=url, region_name="us-east-1")
        kms = boto3.client("kms", endpoint_url=url, region_name="us-east-1")
        ct = boto3.client("cloudtrail", endpoint_url=url, region_name="us-east-1")
        for i in range(trails):
            s3.create_bucket(Bucket=f"bench-trail-{i}-logs")
            key = kms.create_key()["KeyMetadata"]["Arn"]
            ct.create_trail(Name=f"bench-trail-{i}", S3BucketName=f"bench-trail-{i}-logs", KmsKeyId=key,
                            IsMultiRegionTrail=True, EnableLogFileValidation=True)
            ct.start_logging(Name=f"bench-trail-{i}")
        aws = AwsConfig(region="us-east-1", endpoint_url=url)
        best = 1e9
        for _ in range(3):
            t0 = time.perf_counter()
            facts = asyncio.run(collect_facts(aws))
            best = min(best, time.perf_counter() - t0)
        calls = 2 + trails * (3 + 10 + 3)
        baseline = min(sequential_reads(url, facts) for _ in range(3))
        print(f"collect: {len(facts.trail_list())} trails, {calls} calls over HTTP to moto "
              f"(+{latency_ms} ms per request): {best:.2f} s "
              f"({calls / best:.0f} calls/s); the same reads one by one with boto3: {baseline:.2f} s "
              f"(sequential / trailtui = {baseline / best:.1f})")
    finally:
        server.stdin.close()
        server.terminate()
        server.wait(timeout=10)


def sequential_reads(url: str, facts: object) -> float:
    """Baseline: the same calls, one after another, with plain boto3."""
    import boto3
    from botocore.exceptions import ClientError

    clients = {name: boto3.client(name, endpoint_url=url, region_name="us-east-1")
               for name in ("cloudtrail", "s3", "kms", "sts")}
    bucket_ops = ("get_bucket_location", "get_bucket_policy", "get_bucket_policy_status", "get_bucket_acl",
                  "get_public_access_block", "get_bucket_versioning", "get_object_lock_configuration",
                  "get_bucket_lifecycle_configuration", "get_bucket_logging", "get_bucket_replication")
    t0 = time.perf_counter()
    trails = clients["cloudtrail"].describe_trails(includeShadowTrails=True)["trailList"]
    clients["sts"].get_caller_identity()
    for trail in trails:
        arn = trail["TrailARN"]
        calls = [lambda arn=arn: clients["cloudtrail"].get_trail_status(Name=arn),
                 lambda arn=arn: clients["cloudtrail"].get_event_selectors(TrailName=arn),
                 lambda arn=arn: clients["cloudtrail"].get_insight_selectors(TrailName=arn)]
        bucket = trail["S3BucketName"]
        calls += [lambda op=op, bucket=bucket: getattr(clients["s3"], op)(Bucket=bucket) for op in bucket_ops]
        key = trail["KmsKeyId"]
        calls += [lambda key=key: clients["kms"].describe_key(KeyId=key),
                  lambda key=key: clients["kms"].get_key_rotation_status(KeyId=key),
                  lambda key=key: clients["kms"].get_key_policy(KeyId=key, PolicyName="default")]
        for call in calls:
            try:
                call()
            except ClientError:
                pass
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trails", type=int, default=300)
    parser.add_argument("--collect", type=int, default=10)
    parser.add_argument("--latency-ms", type=int, default=30, help="added to every moto request (AWS-like RTT)")
    args = parser.parse_args()
    bench_evaluate(args.trails)
    if args.collect:
        bench_collect(args.collect, args.latency_ms)


if __name__ == "__main__":
    main()
