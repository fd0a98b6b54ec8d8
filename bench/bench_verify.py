"""Benchmark `trailtui verify` (a script, not a test).

Two comparisons, each repeated and reported as medians (this machine is shared
and noisy: look at the ratios measured in the same run, not absolute times):

1. Local tree (the demo trail: /tmp/demo2m if present, else --tree, else one
   generated with `trailtui demo`): the verification engine in-process against
   plain gunzip+SHA-256 of the same bytes (every log and digest, read and
   hashed one after the other with zlib; isal shown for information), and the
   `trailtui verify` CLI (process start-up included).
2. S3 through the moto test server (tests/moto_ext adds ListPublicKeys): a
   signed non-organisation trail written with trailtui.demo.digests, verified
   by `trailtui verify s3://...` and by the real `aws cloudtrail validate-logs`
   (aws-cli installed in its own venv: `python -m venv /tmp/awscli-venv &&
   /tmp/awscli-venv/bin/pip install awscli`), both pointed at the server with
   AWS_ENDPOINT_URL, plus sequential GET + gunzip + SHA-256 in-process.

Run:  /tmp/venv/bin/python bench/bench_verify.py [--tree DIR] [--repeat 3]

Last run (2026-11-25, 2 shared cores, load 1.0-1.4, `--repeat 3 --hours 72`, medians):
  local, /tmp/demo2m (21,910 files, 298 MB gz, 3.18 GB inflated, 2,031 digests):
    gunzip+SHA-256 zlib 6.17 s | isal 5.83 s | trailtui engine 6.07 s (0.98x) | `trailtui verify` CLI 7.08 s (1.15x)
  S3, 936 objects (72 digests, 864 logs, 16 MB gz), aws-cli 1.46.3 validate-logs vs `trailtui verify s3://`:
    light server +20 ms/request: 23.10 s vs 2.85 s  -> 8.1x faster
    moto        +20 ms/request: 26.35 s vs 4.78 s  -> 5.5x faster (moto's own CPU per request bounds us)
    light server +0 ms:          2.61 s vs 3.13 s  -> 0.8x (no latency to hide: botocore's per-request CPU
    moto        +0 ms:           6.87 s vs 5.41 s  -> 1.3x  and aiobotocore start-up dominate both clients)
  Both tools agree on every run: 72/72 digest files valid, 864/864 log files valid.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import gzip
import hashlib
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from servers import start_port_server, start_server  # noqa: E402

from trailtui.demo.digests import (  # noqa: E402
    DigestChainWriter,
    DigestLogFile,
    DigestSigner,
    public_key_listing,
)
from trailtui.integrity import Verifier, VerifyOptions  # noqa: E402

ACCOUNT, REGION, TRAIL, BUCKET = "123456789012", "us-east-1", "benchtrail", "bench-trail-bucket"
T0 = datetime(2024, 3, 1, 0, 13, 7, tzinfo=UTC)


def run_timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one command."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def median_time(fn, repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


# -- 1. local tree ----------------------------------------------------------------------------------


def find_tree(requested: str | None) -> tuple[Path, Path]:
    for candidate in ([requested] if requested else []) + ["/tmp/demo2m", "/tmp/demo-bench"]:
        path = Path(candidate)
        if (path / "AWSLogs").is_dir() and (path / "list-public-keys.json").is_file():
            return path, path / "list-public-keys.json"
    path = Path("/tmp/demo-bench")
    print(f"generating {path} with `trailtui demo --events 300000` ...", flush=True)
    subprocess.run([sys.executable, "-m", "trailtui", "demo", str(path), "--events", "300000", "--no-tui"],
                   check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    return path, path / "list-public-keys.json"


def gunzip_sha256(paths: list[str], inflate) -> int:
    total = 0
    for path in paths:
        with open(path, "rb") as handle:
            data = inflate(handle.read())
        hashlib.sha256(data).hexdigest()
        total += len(data)
    return total


def engine(tree: Path, keys: Path) -> None:
    async def run() -> None:
        summary = await Verifier(VerifyOptions(str(tree), public_key_files=(str(keys),))).verify()
        assert summary.ok, summary

    asyncio.run(run())


def bench_local(tree: Path, keys: Path, repeat: int) -> dict:
    paths = glob.glob(str(tree / "AWSLogs" / "**" / "*.json.gz"), recursive=True)
    size = sum(os.path.getsize(p) for p in paths)
    inflated = gunzip_sha256(paths, lambda d: zlib.decompress(d, 31))
    from isal import isal_zlib

    out = {"tree": str(tree), "files": len(paths), "gz_mb": round(size / 1e6, 1), "raw_mb": round(inflated / 1e6, 1)}
    rounds = {"baseline zlib gunzip+sha256": [], "baseline isal gunzip+sha256": [], "trailtui engine": [],
              "trailtui verify CLI": []}
    cli = [sys.executable, "-m", "trailtui", "verify", str(tree), "--public-keys", str(keys)]
    for _ in range(repeat):  # interleaved, so load changes hit every contender alike
        rounds["baseline zlib gunzip+sha256"].append(
            median_time(lambda: gunzip_sha256(paths, lambda d: zlib.decompress(d, 31)), 1)[0])
        rounds["baseline isal gunzip+sha256"].append(
            median_time(lambda: gunzip_sha256(paths, lambda d: isal_zlib.decompress(d, 31)), 1)[0])
        rounds["trailtui engine"].append(median_time(lambda: engine(tree, keys), 1)[0])
        rounds["trailtui verify CLI"].append(median_time(
            lambda: subprocess.run(cli, check=True, stdout=subprocess.DEVNULL, cwd=ROOT), 1)[0])
    out["seconds"] = {name: round(statistics.median(v), 3) for name, v in rounds.items()}
    out["runs"] = {name: [round(x, 3) for x in v] for name, v in rounds.items()}
    base = out["seconds"]["baseline zlib gunzip+sha256"]
    out["ratio engine/baseline"] = round(out["seconds"]["trailtui engine"] / base, 2)
    out["ratio CLI/baseline"] = round(out["seconds"]["trailtui verify CLI"] / base, 2)
    return out


# -- 2. S3 on the moto server ------------------------------------------------------------------------


def synthetic_trail(root: Path, hours: int, logs_per_hour: int, events: int) -> Path:
    """A signed single-region trail with realistic-sized log files."""
    rng = random.Random(7)
    signer = DigestSigner.throwaway()
    writer = DigestChainWriter(root, signer, bucket=BUCKET, account_id=ACCOUNT, region=REGION, trail_name=TRAIL,
                               home_region=REGION)
    for hour in range(hours):
        begin = T0 + timedelta(hours=hour)
        entries = []
        for index in range(logs_per_hour):
            delivered = begin + timedelta(minutes=1 + index * (58 // logs_per_hour))
            records = [{
                "eventVersion": "1.08", "eventTime": (delivered - timedelta(seconds=rng.randint(1, 900))).strftime(
                    "%Y-%m-%dT%H:%M:%SZ"),
                "eventSource": rng.choice(["s3.amazonaws.com", "ec2.amazonaws.com", "iam.amazonaws.com"]),
                "eventName": rng.choice(["GetObject", "DescribeInstances", "ListRoles", "AssumeRole"]),
                "awsRegion": REGION, "sourceIPAddress": f"198.51.100.{rng.randint(1, 254)}",
                "userAgent": "aws-cli/2.15.0 Python/3.11 Linux/6.1 exe/x86_64",
                "userIdentity": {"type": "AssumedRole",
                                 "arn": f"arn:aws:sts::{ACCOUNT}:assumed-role/r{rng.randint(1, 40)}/s",
                                 "accountId": ACCOUNT, "accessKeyId": f"ASIA{rng.randint(10**15, 10**16 - 1)}"},
                "requestParameters": {"bucketName": f"b{rng.randint(1, 9)}", "key": os.urandom(12).hex()},
                "responseElements": None, "eventID": os.urandom(16).hex(), "readOnly": True,
                "eventType": "AwsApiCall", "recipientAccountId": ACCOUNT,
            } for _ in range(events)]
            body = json.dumps({"Records": records}, separators=(",", ":")).encode()
            key = (f"AWSLogs/{ACCOUNT}/CloudTrail/{REGION}/{delivered:%Y/%m/%d}/{ACCOUNT}_CloudTrail_{REGION}_"
                   f"{delivered:%Y%m%dT%H%MZ}_{os.urandom(8).hex()}.json.gz")
            path = root.joinpath(*key.split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(gzip.compress(body))
            entries.append(DigestLogFile.from_content(key, body))
        writer.write(begin, begin + timedelta(hours=1), entries)
    keys = root.parent / "bench-keys.json"
    keys.write_text(json.dumps(public_key_listing([signer.key_entry(T0 - timedelta(days=1),
                                                                    T0 + timedelta(days=30))])))
    return keys


def serve(port: int, latency_ms: float) -> None:
    """Bench server process: the test server (with tests/moto_ext, so
    ListPublicKeys works) plus a fixed delay before every request, to model
    S3's round trip (moto on localhost answers in about a millisecond)."""
    from moto.moto_server import threaded_moto_server
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication

    from tests.moto_ext.server import install_extensions

    install_extensions()
    original = DomainDispatcherApplication.__call__

    def delayed(self, environ, start_response):  # type: ignore[no-untyped-def]
        if latency_ms and not environ.get("PATH_INFO", "").startswith("/moto-api"):
            time.sleep(latency_ms / 1000)
        return original(self, environ, start_response)

    DomainDispatcherApplication.__call__ = delayed  # type: ignore[method-assign]
    server = threaded_moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        sys.stdin.read()
    finally:
        server.stop()


def start_moto(latency_ms: float = 0) -> tuple[subprocess.Popen, str]:
    return start_server(lambda port: [str(Path(__file__).resolve()), "--serve", str(port),
                                      "--latency-ms", str(latency_ms)])


def seed_moto(endpoint: str, root: Path, keys: Path) -> str:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    s3.create_bucket(Bucket=BUCKET)
    for path in root.rglob("*.json.gz"):
        key = path.relative_to(root).as_posix()
        sidecar = Path(str(path) + ".metadata.json")
        extra = {"Metadata": json.loads(sidecar.read_text())} if sidecar.exists() else {}
        s3.put_object(Bucket=BUCKET, Key=key, Body=path.read_bytes(), **extra)
    s3.create_bucket(Bucket="moto-ext-cloudtrail-public-keys")
    s3.put_object(Bucket="moto-ext-cloudtrail-public-keys", Key=f"{REGION}.json", Body=keys.read_bytes())
    trail = boto3.client("cloudtrail", endpoint_url=endpoint, region_name=REGION)
    return trail.create_trail(Name=TRAIL, S3BucketName=BUCKET)["TrailARN"]


# -- a light S3 + CloudTrail stand-in (bench only) -----------------------------------------------------


def serve_static(port: int, latency_ms: float, root: str, bucket: str, keys_file: str, trail_arn: str) -> None:
    """Serve a local trail over the S3 and CloudTrail wire protocols, just enough
    for `trailtui verify` and `aws cloudtrail validate-logs`: ListObjects (v1,
    v2, delimiter), GetObject (user metadata as x-amz-meta-*), HeadObject,
    GetBucketLocation, DescribeTrails, ListPublicKeys.  Per request it costs a
    fraction of a millisecond and keeps connections alive, so with a fixed
    delay per request it models S3 (latency-bound, not server-bound) better
    than moto, which spends several milliseconds of Python per request."""
    import threading
    from datetime import datetime as _dt
    from email.utils import formatdate
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from urllib.parse import parse_qs, unquote, urlsplit
    from xml.sax.saxutils import escape

    base = Path(root)
    keys = sorted(p.relative_to(base).as_posix() for p in base.rglob("*.json.gz"))
    sizes = {k: (base / k).stat().st_size for k in keys}
    etags = {k: hashlib.md5((base / k).read_bytes(), usedforsecurity=False).hexdigest() for k in keys}
    public_keys = json.loads(Path(keys_file).read_text())
    for entry in public_keys["PublicKeyList"]:
        for field in ("ValidityStartTime", "ValidityEndTime"):
            if isinstance(entry.get(field), str):
                entry[field] = _dt.fromisoformat(entry[field].replace("Z", "+00:00")).timestamp()
    name = trail_arn.rsplit("/", 1)[-1]
    trails = {"trailList": [{"Name": name, "S3BucketName": bucket, "TrailARN": trail_arn, "HomeRegion": REGION,
                             "IsOrganizationTrail": False, "IsMultiRegionTrail": False,
                             "LogFileValidationEnabled": True}]}

    def listing(query: dict[str, list[str]]) -> bytes:
        prefix = query.get("prefix", [""])[0]
        delimiter = query.get("delimiter", [""])[0]
        v2 = query.get("list-type", [""])[0] == "2"
        after = query.get("continuation-token", query.get("start-after", [""]))[0] if v2 else \
            query.get("marker", [""])[0]
        limit = int(query.get("max-keys", ["1000"])[0])
        contents, prefixes, last, truncated = [], [], "", False
        for key in keys:
            if not key.startswith(prefix) or key <= after:
                continue
            if len(contents) + len(prefixes) >= limit:
                truncated = True
                break
            rest = key[len(prefix):]
            if delimiter and delimiter in rest:
                common = prefix + rest.split(delimiter, 1)[0] + delimiter
                if not prefixes or prefixes[-1] != common:
                    prefixes.append(common)
                last = common + "\uffff"
                after = last
                continue
            contents.append(key)
            last = key
        parts = ['<?xml version="1.0" encoding="UTF-8"?><ListBucketResult>', f"<Name>{bucket}</Name>",
                 f"<Prefix>{escape(prefix)}</Prefix>", f"<IsTruncated>{str(truncated).lower()}</IsTruncated>",
                 f"<MaxKeys>{limit}</MaxKeys>"]
        if truncated:
            parts.append(f"<NextContinuationToken>{escape(last)}</NextContinuationToken>" if v2
                         else f"<NextMarker>{escape(last)}</NextMarker>")
        if v2:
            parts.append(f"<KeyCount>{len(contents) + len(prefixes)}</KeyCount>")
        for key in contents:
            parts.append(f"<Contents><Key>{escape(key)}</Key><LastModified>2024-03-01T00:00:00.000Z</LastModified>"
                         f'<ETag>"{etags[key]}"</ETag><Size>{sizes[key]}</Size>'
                         "<StorageClass>STANDARD</StorageClass></Contents>")
        for common in prefixes:
            parts.append(f"<CommonPrefixes><Prefix>{escape(common)}</Prefix></CommonPrefixes>")
        parts.append("</ListBucketResult>")
        return "".join(parts).encode()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as S3
        disable_nagle_algorithm = True  # headers and body go out at once (no 40 ms delayed-ACK stalls)

        def log_message(self, *args: object) -> None:
            return None

        def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None,
                  content_type: str = "application/xml") -> None:
            if latency_ms:
                time.sleep(latency_ms / 1000)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Date", formatdate(usegmt=True))
            for header, value in (headers or {}).items():
                self.send_header(header, value)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def do_POST(self) -> None:  # CloudTrail (JSON 1.1)
            length = int(self.headers.get("Content-Length", 0))
            self.rfile.read(length)
            target = self.headers.get("X-Amz-Target", "").rsplit(".", 1)[-1]
            answers = {"DescribeTrails": trails, "ListPublicKeys": public_keys}
            if target not in answers:
                self._send(400, json.dumps({"__type": "UnsupportedOperationException"}).encode(),
                           content_type="application/x-amz-json-1.1")
                return
            self._send(200, json.dumps(answers[target]).encode(), content_type="application/x-amz-json-1.1")

        def do_GET(self) -> None:  # S3, path style
            url = urlsplit(self.path)
            query = parse_qs(url.query, keep_blank_values=True)
            path = unquote(url.path).lstrip("/")
            wanted_bucket, _, key = path.partition("/")
            if wanted_bucket != bucket:
                self._send(404, b"<Error><Code>NoSuchBucket</Code><Message>no</Message></Error>")
            elif not key and "location" in query:
                self._send(200, b'<?xml version="1.0"?><LocationConstraint/>')
            elif not key:
                self._send(200, listing(query))
            elif key not in sizes:
                self._send(404, b"<Error><Code>NoSuchKey</Code><Message>The specified key does not exist."
                                b"</Message></Error>")
            else:
                file = base / key
                headers = {"ETag": f'"{etags[key]}"', "Last-Modified": formatdate(usegmt=True)}
                sidecar = Path(str(file) + ".metadata.json")
                if sidecar.exists():
                    for meta, value in json.loads(sidecar.read_text()).items():
                        headers[f"x-amz-meta-{meta}"] = str(value)
                self._send(200, file.read_bytes(), headers, content_type="application/octet-stream")

        do_HEAD = do_GET

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        sys.stdin.read()
    finally:
        server.shutdown()


def start_static(latency_ms: float, root: Path, keys: Path, trail_arn: str) -> tuple[subprocess.Popen, str]:
    return start_port_server(lambda port: [str(Path(__file__).resolve()), "--serve-static", str(port),
                                           "--latency-ms", str(latency_ms), "--static-root", str(root),
                                           "--static-keys", str(keys), "--static-arn", trail_arn])


def s3_baseline(endpoint: str, keys_in_bucket: list[str]) -> None:
    import boto3

    s3 = boto3.client("s3", endpoint_url=endpoint, region_name=REGION)
    for key in keys_in_bucket:
        body = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
        hashlib.sha256(zlib.decompress(body, 31)).hexdigest()


def bench_s3(hours: int, logs_per_hour: int, events: int, repeat: int, awscli: str, latency_ms: float,
             backend: str) -> dict:
    work = Path(tempfile.mkdtemp(prefix="bench-verify-"))
    proc = None
    try:
        root = work / "trail"
        keys = synthetic_trail(root, hours, logs_per_hour, events)
        files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*.json.gz"))
        arn = f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/{TRAIL}"
        proc, endpoint = start_moto(latency_ms) if backend == "moto" else start_static(latency_ms, root, keys, arn)
        env = dict(os.environ, AWS_ACCESS_KEY_ID="bench", AWS_SECRET_ACCESS_KEY="bench", AWS_DEFAULT_REGION=REGION,
                   AWS_ENDPOINT_URL=endpoint, AWS_EC2_METADATA_DISABLED="true",
                   AWS_CONFIG_FILE=str(work / "none"), AWS_SHARED_CREDENTIALS_FILE=str(work / "none"))
        os.environ.update({k: env[k] for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION",
                                               "AWS_EC2_METADATA_DISABLED")})
        if backend == "moto":
            arn = seed_moto(endpoint, root, keys)
        start, end = T0.strftime("%Y-%m-%dT%H:%M:%SZ"), (T0 + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
        ours = [sys.executable, "-m", "trailtui", "verify", f"s3://{BUCKET}", "--start", start, "--end", end,
                "--endpoint-url", endpoint]
        theirs = [awscli, "cloudtrail", "validate-logs", "--trail-arn", arn, "--start-time", start, "--end-time", end,
                  "--region", REGION]
        out: dict = {"server": backend, "latency_ms_per_request": latency_ms, "files": len(files),
                     "gz_mb": round(sum((root / f).stat().st_size for f in files) / 1e6, 1),
                     "hours": hours, "logs_per_hour": logs_per_hour, "events_per_log": events}
        check = subprocess.run(ours, env=env, cwd=ROOT, capture_output=True, text=True)
        out["trailtui summary"] = [line for line in check.stdout.splitlines() if "files valid" in line]
        out["trailtui exit"] = check.returncode
        have_awscli = Path(awscli).exists()
        if have_awscli:
            ref = subprocess.run(theirs, env=env, cwd=ROOT, capture_output=True, text=True)
            out["validate-logs summary"] = [line for line in ref.stdout.splitlines() if "files valid" in line]
            out["validate-logs exit"] = ref.returncode
            version = subprocess.run([awscli, "--version"], capture_output=True, text=True)
            out["aws-cli"] = (version.stdout or version.stderr).strip()
        else:
            out["validate-logs"] = f"not run: {awscli} not found"
        rounds: dict[str, list[float]] = {"trailtui verify s3:// (CLI)": [], "sequential GET+gunzip+sha256": []}
        cpu: dict[str, list[float]] = {"trailtui verify s3:// (CLI)": []}
        if have_awscli:
            rounds["aws cloudtrail validate-logs"] = []
            cpu["aws cloudtrail validate-logs"] = []
        for _ in range(repeat):  # interleaved, so load changes hit every contender alike
            wall, used = run_timed(ours, env)
            rounds["trailtui verify s3:// (CLI)"].append(wall)
            cpu["trailtui verify s3:// (CLI)"].append(used)
            rounds["sequential GET+gunzip+sha256"].append(median_time(lambda: s3_baseline(endpoint, files), 1)[0])
            if have_awscli:
                wall, used = run_timed(theirs, env)
                rounds["aws cloudtrail validate-logs"].append(wall)
                cpu["aws cloudtrail validate-logs"].append(used)
        out["seconds"] = {name: round(statistics.median(v), 3) for name, v in rounds.items()}
        out["client cpu seconds"] = {name: round(statistics.median(v), 3) for name, v in cpu.items()}
        out["runs"] = {name: [round(x, 3) for x in v] for name, v in rounds.items()}
        if have_awscli:
            out["speed-up vs validate-logs (wall)"] = round(
                out["seconds"]["aws cloudtrail validate-logs"] / out["seconds"]["trailtui verify s3:// (CLI)"], 1)
            out["validate-logs cpu / trailtui cpu"] = round(
                out["client cpu seconds"]["aws cloudtrail validate-logs"]
                / out["client cpu seconds"]["trailtui verify s3:// (CLI)"], 1)
        return out
    finally:
        if proc is not None:
            proc.stdin.close()
            proc.terminate()
            proc.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tree", help="local demo tree (with list-public-keys.json)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hours", type=int, default=72, help="S3 trail: hours of digests")
    parser.add_argument("--logs-per-hour", type=int, default=12)
    parser.add_argument("--events", type=int, default=300, help="S3 trail: events per log file")
    parser.add_argument("--awscli", default="/tmp/awscli-venv/bin/aws")
    parser.add_argument("--skip-local", action="store_true")
    parser.add_argument("--skip-s3", action="store_true")
    parser.add_argument("--latency-ms", type=float, action="append",
                        help="S3 round trip added by the bench server (repeatable; default: 0 and 20)")
    parser.add_argument("--server", choices=("static", "moto", "both"), default="both",
                        help="S3 stand-in: a light static server (latency-bound, like S3), moto, or both")
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--serve-static", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--static-root", help=argparse.SUPPRESS)
    parser.add_argument("--static-keys", help=argparse.SUPPRESS)
    parser.add_argument("--static-arn", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, (args.latency_ms or [0])[0])
        return
    if args.serve_static:
        serve_static(args.serve_static, (args.latency_ms or [0])[0], args.static_root, BUCKET, args.static_keys,
                     args.static_arn)
        return
    report = {"machine": f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f} at start"}
    if not args.skip_local:
        tree, keys = find_tree(args.tree)
        report["local"] = bench_local(tree, keys, args.repeat)
        print(json.dumps({"local": report["local"]}, indent=2), flush=True)
    if not args.skip_s3:
        backends = ("static", "moto") if args.server == "both" else (args.server,)
        for backend in backends:
            for latency in args.latency_ms or [0.0, 20.0]:
                name = f"s3 on {backend} (+{latency:g} ms per request)"
                report[name] = bench_s3(args.hours, args.logs_per_hour, args.events, args.repeat, args.awscli,
                                        latency, backend)
                print(json.dumps({name: report[name]}, indent=2), flush=True)
    report["load at end"] = round(os.getloadavg()[0], 1)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
