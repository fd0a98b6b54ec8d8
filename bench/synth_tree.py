"""Write a large synthetic CloudTrail tree for benchmarks (not the demo).

Events are real records (tests/data: Stratus Red Team, TrailDiscover) with
their time, ids, caller and region rewritten, laid out as an org trail:
`AWSLogs/o-ORG/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/<name>.json.gz`, one file per
account, region and 5- to 30-minute window (split above 500 events), delivered 5-15
minutes late.  Deterministic for a seed.  Root activity (~0.07%) and failed
console logins (~0.03%) give the benchmark's selective filter something to find.

    python bench/synth_tree.py /tmp/synth2m --events 2000000
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import math
import random
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson

try:
    from isal import igzip as _gz
except ImportError:  # pragma: no cover
    _gz = gzip

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
ORG = "o-a1b2c3d4e5"
# (account, region, share of events, minutes per delivery window)
STREAMS = (("493817265014", "us-east-1", 0.5, 5), ("493817265014", "eu-west-1", 0.3, 5),
           ("118822334455", "us-east-1", 0.15, 15), ("720011223344", "ap-southeast-2", 0.05, 30))
START = datetime(2024, 3, 1, tzinfo=UTC)


def _templates() -> list[dict]:
    out = []
    for path in sorted((DATA / "scan" / "stratus-red-team").glob("*.json.gz")):
        out.extend(json.loads(gzip.decompress(path.read_bytes())))
    for path in sorted((DATA / "traildiscover" / "events").glob("*/*.cloudtrail")):
        doc = json.loads(path.read_text())
        out.extend(doc if isinstance(doc, list) else [doc])
    keep = [r for r in out if isinstance(r, dict) and isinstance(r.get("userIdentity"), dict)
            and r.get("eventName") not in ("ConsoleLogin",) and r.get("userIdentity", {}).get("type") != "Root"]
    for r in keep:
        r.pop("errorCode", None)
        r.pop("errorMessage", None)
    return keep


def _principals(rng: random.Random, account: str) -> list[tuple[float, dict]]:
    roles = ["Admin", "ReadOnly", "DeployRole", "LambdaExec", "EC2Instance", "DataPipeline", "SSOAdmin"]
    out: list[tuple[float, dict]] = []
    for i in range(40):
        role = roles[i % len(roles)]
        session = f"session-{rng.randrange(10**6):06d}"
        key = "ASIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))
        out.append((0.74 / 40, {
            "type": "AssumedRole", "principalId": f"AROA{rng.randrange(10**12):012d}:{session}",
            "arn": f"arn:aws:sts::{account}:assumed-role/{role}/{session}", "accountId": account,
            "accessKeyId": key,
            "sessionContext": {"sessionIssuer": {"type": "Role", "principalId": f"AROA{i:012d}",
                                                 "arn": f"arn:aws:iam::{account}:role/{role}", "accountId": account,
                                                 "userName": role},
                               "webIdFederationData": {},
                               "attributes": {"creationDate": "2024-03-01T00:00:00Z", "mfaAuthenticated": "false"}}}))
    for svc in ("ec2.amazonaws.com", "lambda.amazonaws.com", "cloudformation.amazonaws.com", "config.amazonaws.com"):
        out.append((0.16 / 4, {"type": "AWSService", "invokedBy": svc}))
    for i in range(12):
        out.append((0.09925 / 12, {
            "type": "IAMUser", "principalId": f"AIDA{rng.randrange(10**12):012d}",
            "arn": f"arn:aws:iam::{account}:user/user{i}", "accountId": account,
            "accessKeyId": f"AKIA{rng.randrange(10**16):016d}", "userName": f"user{i}"}))
    out.append((0.00075, {"type": "Root", "principalId": account, "arn": f"arn:aws:iam::{account}:root",
                          "accountId": account, "accessKeyId": ""}))
    return out


def _ips(rng: random.Random) -> list[str]:
    ips = [f"203.0.113.{i}" for i in range(1, 120)] + [f"198.51.100.{i}" for i in range(1, 120)]
    ips += [f"10.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}" for _ in range(100)]
    return ips + ["ec2.amazonaws.com", "lambda.amazonaws.com", "AWS Internal"]


def _weight_pick(rng: random.Random, weighted: list[tuple[float, dict]]) -> dict:
    total = sum(w for w, _ in weighted)
    x = rng.random() * total
    for w, item in weighted:
        x -= w
        if x <= 0:
            return item
    return weighted[-1][1]


def _event(rng, templates, principals, ips, account, region, when) -> dict:
    raw = copy.deepcopy(rng.choice(templates))
    who = _weight_pick(rng, principals)
    raw["userIdentity"] = who
    raw["eventTime"] = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    raw["awsRegion"] = region
    raw["recipientAccountId"] = account
    raw["sourceIPAddress"] = rng.choice(ips)
    raw["eventID"] = "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}".format(*(rng.getrandbits(b) for b in (32, 16, 16, 16, 48)))
    raw["requestID"] = "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}".format(*(rng.getrandbits(b) for b in (32, 16, 16, 16, 48)))
    if rng.random() < 0.061:
        raw["errorCode"] = rng.choice(["AccessDenied", "ThrottlingException", "ValidationException",
                                       "NoSuchEntity", "Client.UnauthorizedOperation"])
        raw["errorMessage"] = "User is not authorized to perform this operation"
    if rng.random() < 0.0008:
        login = {"eventVersion": "1.08", "userIdentity": {"type": "IAMUser", "principalId": f"AIDA{account}",
                 "accountId": account, "userName": f"user{rng.randrange(12)}"},
                 "eventTime": raw["eventTime"], "eventSource": "signin.amazonaws.com", "eventName": "ConsoleLogin",
                 "awsRegion": "us-east-1", "sourceIPAddress": raw["sourceIPAddress"], "userAgent": "Mozilla/5.0",
                 "requestParameters": None, "responseElements": {"ConsoleLogin": "Success"},
                 "additionalEventData": {"LoginTo": "https://console.aws.amazon.com/", "MobileVersion": "No",
                                         "MFAUsed": "No"},
                 "eventID": raw["eventID"], "readOnly": False, "eventType": "AwsConsoleSignIn",
                 "managementEvent": True, "recipientAccountId": account, "eventCategory": "Management"}
        if rng.random() < 0.5:
            login["responseElements"] = {"ConsoleLogin": "Failure"}
            login["errorMessage"] = "Failed authentication"
            if rng.random() < 0.6:
                login["errorCode"] = "Failed authentication"
        return login
    return raw


def _day(args: tuple[str, int, int, int]) -> int:
    out, day_index, per_day, seed = args
    rng = random.Random(seed * 1000003 + day_index)
    templates = _templates()
    day = START + timedelta(days=day_index)
    written = 0
    for account, region, share, minutes in STREAMS:
        principals = _principals(random.Random(seed * 7 + int(account)), account)
        ips = _ips(random.Random(seed))
        window = timedelta(minutes=minutes)
        windows = int(timedelta(days=1) / window)
        for w in range(windows):
            hour = w * minutes / 60
            shape = 0.35 + math.sin(math.pi * hour / 24) ** 2
            mean = per_day * share / windows * shape * 1.08
            if rng.random() < 0.02:
                mean *= rng.uniform(3, 8)
            count = max(1, int(rng.gauss(mean, mean / 4)))
            begin = day + w * window
            span = int(window.total_seconds())
            times = sorted(begin + timedelta(seconds=rng.randrange(span)) for _ in range(count))
            records = [_event(rng, templates, principals, ips, account, region, t) for t in times]
            for part in range(0, len(records), 500):
                chunk = records[part:part + 500]
                stamp = begin + window + timedelta(minutes=rng.randint(5, 15))
                folder = Path(out, "AWSLogs", ORG, account, "CloudTrail", region, stamp.strftime("%Y/%m/%d"))
                folder.mkdir(parents=True, exist_ok=True)
                unique = f"{rng.getrandbits(64):016x}"
                name = f"{account}_CloudTrail_{region}_{stamp.strftime('%Y%m%dT%H%MZ')}_{unique}.json.gz"
                body = orjson.dumps({"Records": chunk})
                (folder / name).write_bytes(_gz.compress(body, 2) if _gz is not gzip else gzip.compress(body, 6,
                                                                                                        mtime=0))
                written += len(chunk)
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--events", type=int, default=2_000_000)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    jobs = [(args.out, d, args.events // args.days, args.seed) for d in range(args.days)]
    with ProcessPoolExecutor(args.workers) as pool:
        total = sum(pool.map(_day, jobs))
    print(f"{total} events in {time.perf_counter() - started:.1f}s -> {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
