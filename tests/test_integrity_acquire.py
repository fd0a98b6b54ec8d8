"""`trailtui acquire`: a forensic copy from the moto server that `trailtui
verify` then proves offline; resumable; refuses keys escaping the destination."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from integrity_fixtures import (
    BUCKET,
    HOUR,
    T0,
    ChainSpec,
    build_trail,
    key_list,
    signing_key,
    stamp,
    upload,
)

from trailtui.cli import main


def _keys(tmp_path: Path) -> str:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(key_list(signing_key())))
    return str(path)


def _verify(capsys, *argv: str) -> tuple[int, dict]:
    code = main(["verify", *argv, "--format", "json"])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def test_copy_then_verify_offline_and_resume(aws_env, tmp_path, capsys):
    trail = build_trail(ChainSpec(prefix="audit/trail"))
    upload(trail, aws_env)
    dest = tmp_path / "evidence"
    code = main(["acquire", f"s3://{BUCKET}/audit", str(dest), "--endpoint-url", aws_env])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "12 object(s) listed: 12 copied" in out
    for key in trail.digests:
        sidecar = json.loads((dest / (key + ".metadata.json")).read_text())
        assert sidecar == trail.objects[key].metadata
    assert all((dest / key).read_bytes() == obj.body for key, obj in trail.objects.items())
    manifest = [json.loads(line) for line in (dest / ".trailtui" / "acquire-manifest.jsonl").read_text().splitlines()]
    assert sorted(m["key"] for m in manifest) == sorted(trail.objects)

    code, doc = _verify(capsys, str(dest), "--public-keys", _keys(tmp_path), "--start", stamp(T0),
                        "--end", stamp(T0 + 4 * HOUR))
    assert code == 0 and doc["summary"]["digests"]["valid"] == 4 and doc["summary"]["logs"]["valid"] == 8

    tampered = dest / trail.logs[0][0]
    tampered.write_bytes(b"x" * tampered.stat().st_size)  # same size, other bytes: the ETag catches it
    code = main(["acquire", f"s3://{BUCKET}/audit", str(dest), "--endpoint-url", aws_env])
    out, _ = capsys.readouterr()
    assert code == 0 and "1 copied" in out and "11 already present" in out
    assert tampered.read_bytes() == trail.objects[trail.logs[0][0]].body


def test_window_copy_verifies_for_that_window(aws_env, tmp_path, capsys):
    trail = build_trail(ChainSpec(hours=8))
    upload(trail, aws_env)
    dest = tmp_path / "window"
    since, until = stamp(T0 + 5 * HOUR), stamp(T0 + 6 * HOUR)
    assert main(["acquire", f"s3://{BUCKET}", str(dest), "--since", since, "--until", until,
                 "--endpoint-url", aws_env]) == 0
    out, _ = capsys.readouterr()
    copied = {str(p.relative_to(dest)) for p in dest.rglob("*.json.gz")}
    assert trail.logs[0][0] not in copied and trail.digests[0] not in copied
    assert set(trail.digests[1:7]) <= copied and trail.digests[7] not in copied
    assert f"--start {since} --end {until}" in out
    code, doc = _verify(capsys, str(dest), "--public-keys", _keys(tmp_path), "--start", since, "--end", until)
    assert code == 0, doc["results"]


def test_unsafe_keys_are_refused(aws_env, tmp_path, capsys):
    trail = build_trail(ChainSpec(hours=1, logs_per_hour=1))
    upload(trail, aws_env)
    s3 = boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")
    folder = "AWSLogs/123456789012/CloudTrail/us-east-1/2024/03/01/"
    bad = [folder + "../../../../../../../escaped.json.gz", folder + "a//b.json.gz", folder + "c\\..\\d.json.gz"]
    for key in bad:
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    dest = tmp_path / "safe"
    code = main(["acquire", f"s3://{BUCKET}", str(dest), "--endpoint-url", aws_env])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.count("refused, the key would escape") == 3
    assert not (tmp_path / "escaped.json.gz").exists() and not list(tmp_path.rglob("escaped.json.gz"))
    assert "2 copied" in out and "3 refused" in out


def test_digest_without_metadata_stays_unproven_offline(aws_env, tmp_path, capsys):
    trail = build_trail(ChainSpec(hours=2))
    trail.objects[trail.digests[0]].metadata = None  # uploaded without x-amz-meta-signature
    upload(trail, aws_env)
    dest = tmp_path / "copy"
    assert main(["acquire", f"s3://{BUCKET}", str(dest), "--endpoint-url", aws_env]) == 0
    capsys.readouterr()
    assert json.loads((dest / (trail.digests[0] + ".metadata.json")).read_text()) == {}
    code, doc = _verify(capsys, str(dest), "--public-keys", _keys(tmp_path), "--start", stamp(T0),
                        "--end", stamp(T0 + 2 * HOUR))
    statuses = {r["location"]: r["status"] for r in doc["results"] if r["kind"] == "digest"}
    assert code == 1 and statuses[str(dest / trail.digests[0])] == "BAD_SIGNATURE"


def test_usage_errors(tmp_path, capsys):
    assert main(["acquire", str(tmp_path), str(tmp_path / "x")]) == 2
    assert "acquire copies from s3://" in capsys.readouterr().err
    assert main(["acquire", "s3://b", str(tmp_path / "x"), "--since", "yesterday"]) == 2
    assert "cannot read time" in capsys.readouterr().err
