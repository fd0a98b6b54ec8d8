"""`acquire` with keys a filesystem cannot hold: a 300-character segment, or
`x.json.gz` next to `x.json.gz/inner.json.gz`.  Each such key is refused and
listed, the rest is copied, and no `.partial` scratch file is left."""

from __future__ import annotations

import boto3
from integrity_fixtures import BUCKET, ChainSpec, build_trail, upload

from trailtui.cli import main
from trailtui.integrity.acquire import nested_conflicts

FOLDER = "AWSLogs/123456789012/CloudTrail/us-east-1/2024/03/01/"


def test_unstorable_keys_are_refused_and_the_rest_copied(aws_env, tmp_path, capsys):
    trail = build_trail(ChainSpec(hours=1, logs_per_hour=2))
    upload(trail, aws_env)
    s3 = boto3.client("s3", endpoint_url=aws_env, region_name="us-east-1")
    long_segment = FOLDER + "L" * 300 + "/x.json.gz"
    long_leaf = FOLDER + "N" * 250 + ".json.gz"
    blocker = FOLDER + "x.json.gz"
    nested = FOLDER + "x.json.gz/inner.json.gz"
    for key in (long_segment, long_leaf, blocker, nested):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"planted")
    dest = tmp_path / "evidence"
    code = main(["acquire", f"s3://{BUCKET}", str(dest), "--endpoint-url", aws_env])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert "Traceback" not in err
    refused = [line for line in err.splitlines() if "refused" in line]
    assert len(refused) == 3, err
    assert any("L" * 300 in line and "longer than the filesystem allows" in line for line in refused)
    assert any("N" * 250 in line and "longer than the filesystem allows" in line for line in refused)
    assert any("inner.json.gz" in line and "is also an object" in line for line in refused)
    assert (dest / blocker).read_bytes() == b"planted"
    assert all((dest / key).read_bytes() == obj.body for key, obj in trail.objects.items())
    assert f"{len(trail.objects) + 4} object(s) listed: {len(trail.objects) + 1} copied" in out
    assert "3 refused" in out
    assert not list(dest.rglob("*.partial"))


def test_a_planted_object_never_blocks_a_days_folder():
    day = FOLDER.rstrip("/")
    log = FOLDER + "123456789012_CloudTrail_us-east-1_20240301T0010Z_abcdef0123456789.json.gz"
    assert nested_conflicts([day, log]) == {day: f"it is also the folder of {log}"}
    assert nested_conflicts(["a/x.json.gz", "a/x.json.gz/in.json.gz"]) == {
        "a/x.json.gz/in.json.gz": "its folder a/x.json.gz is also an object in the listing"}
    assert nested_conflicts(["a/b.json.gz", "a/c.json.gz"]) == {}
