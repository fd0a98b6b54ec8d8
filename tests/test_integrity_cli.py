"""`trailtui verify`: the reference's text lines, offline proof without
metadata, discovery and narrowing, usage errors, hostile names, and agreement
with the demo's independent digest writer."""

from __future__ import annotations

import gzip
import json
import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from integrity_fixtures import (
    BUCKET,
    HOUR,
    T0,
    ChainSpec,
    StoredObject,
    Trail,
    build_trail,
    gz,
    key_list,
    log_body,
    signing_key,
    stamp,
    upload,
    write_local,
)

from trailtui.cli import main

WINDOW = ["--start", stamp(T0), "--end", stamp(T0 + 4 * HOUR)]


@pytest.fixture()
def keys(tmp_path: Path) -> str:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(key_list(signing_key())))
    return str(path)


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def verify_json(capsys, *argv: str) -> tuple[int, dict]:
    code, out, err = run(capsys, "verify", *argv, "--format", "json")
    return code, json.loads(out) if out.strip() else {"err": err}


def statuses(doc: dict) -> dict[str, str]:
    return {r["location"]: r["status"] for r in doc["results"]}


def test_text_output_keeps_the_reference_lines(tmp_path, keys, capsys):
    trail = build_trail()
    root = write_local(trail, tmp_path / "copy")
    code, out, err = run(capsys, "verify", str(root), *WINDOW, "--public-keys", keys, "--verbose")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0] == ("Validating log files for trail arn:aws:cloudtrail:us-east-1:123456789012:trail/mytrail "
                        "between 2024-03-01T00:13:07Z and 2024-03-01T04:13:07Z")
    assert f"Digest file\t{root / trail.digests[0]}\tvalid" in lines
    assert f"Log file\t{root / trail.logs[3][1]}\tvalid" in lines
    assert lines[-5:] == ["Results requested for 2024-03-01T00:13:07Z to 2024-03-01T04:13:07Z",
                          "Results found for 2024-03-01T00:13:07Z to 2024-03-01T04:13:07Z:", "",
                          "4/4 digest files valid", "8/8 log files valid"]
    assert lines[-6] == "" and lines[-7].endswith("\tvalid")  # one blank line after the file lines
    code, out, _ = run(capsys, "verify", str(root), *WINDOW, "--public-keys", keys)
    assert out == (  # exactly the reference's shape (checked against aws-cli 1.46 on the same trail)
        "Validating log files for trail arn:aws:cloudtrail:us-east-1:123456789012:trail/mytrail between "
        "2024-03-01T00:13:07Z and 2024-03-01T04:13:07Z\n\n"
        "Results requested for 2024-03-01T00:13:07Z to 2024-03-01T04:13:07Z\n"
        "Results found for 2024-03-01T00:13:07Z to 2024-03-01T04:13:07Z:\n\n"
        "4/4 digest files valid\n8/8 log files valid\n")


def test_validate_logs_spellings_of_the_window(tmp_path, keys, capsys):
    """`--start-time`/`--end-time` (aws cloudtrail validate-logs) narrow like `--start`/`--end`."""
    root = write_local(build_trail(), tmp_path / "copy")
    narrow = ["--start", stamp(T0 + 2 * HOUR), "--end", stamp(T0 + 3 * HOUR)]
    code, short = verify_json(capsys, str(root), *narrow, "--public-keys", keys)
    assert code == 0
    aliases = [{"--start": "--start-time", "--end": "--end-time"}.get(arg, arg) for arg in narrow]
    assert verify_json(capsys, str(root), *aliases, "--public-keys", keys) == (0, short)
    _, whole = verify_json(capsys, str(root), *WINDOW, "--public-keys", keys)
    assert len(statuses(short)) < len(statuses(whole))


def test_text_output_for_failures_and_gaps(tmp_path, keys, capsys):
    trail = build_trail(ChainSpec(restarts=frozenset({2})))
    modified = trail.logs[1][0]
    trail.objects[modified] = StoredObject(gz(log_body(T0, 42)))
    del trail.objects[trail.logs[0][1]]
    root = write_local(trail, tmp_path / "copy")
    code, out, err = run(capsys, "verify", str(root), *WINDOW, "--public-keys", keys)
    assert code == 1
    assert f"Log file\t{root / modified}\tINVALID: hash value doesn't match\n" in err
    assert f"Log file\t{root / trail.logs[0][1]}\tINVALID: not found\n" in err
    assert ("No log files were delivered by CloudTrail between 2024-03-01T02:13:07Z and "
            "2024-03-01T02:13:07Z\n") in err
    assert "4/4 digest files valid\n6/8 log files valid, 2/8 log files INVALID\n" in out
    assert "Not valid: HASH_MISMATCH 1, MISSING 1" in out and "1 gap(s) in delivery" in out


def test_text_lines_for_stricter_statuses(tmp_path, keys, capsys):
    trail = build_trail()
    del trail.objects[trail.digests[3]]
    root = write_local(trail, tmp_path / "copy")
    code, out, err = run(capsys, "verify", str(root), *WINDOW, "--public-keys", keys)
    assert code == 1
    assert f"Digest file\t{root / trail.digests[3]}\tINVALID: not found (newest digest of the chain is missing)" in err
    assert f"Log file\t{root / trail.logs[3][0]}\tINVALID: not covered by any valid digest" in err
    assert "3/4 digest files valid, 1/4 digest files INVALID" in out


def test_copy_without_metadata_is_proven_by_successors(tmp_path, keys, capsys):
    trail = build_trail()
    root = write_local(trail, tmp_path / "plain", sidecars=False)  # what `aws s3 sync` gives
    code, doc = verify_json(capsys, str(root), *WINDOW, "--public-keys", keys)
    by_location = statuses(doc)
    assert code == 0, doc
    assert by_location[str(root / trail.digests[3])] == "UNSIGNED"
    assert all(by_location[str(root / key)] == "VALID" for key in trail.digests[:3])
    assert doc["summary"]["digests"] == {"total": 4, "valid": 3, "invalid": 0, "tolerated": 1}
    assert doc["summary"]["logs"]["valid"] == 8

    edited = trail.digests[1]
    doc1 = trail.doc(edited)
    doc1["newestEventTime"] = "2024-03-01T02:00:00Z"
    (root / edited).write_bytes(gz(json.dumps(doc1, separators=(",", ":")).encode()))
    code, doc = verify_json(capsys, str(root), *WINDOW, "--public-keys", keys)
    assert code == 1 and statuses(doc)[str(root / edited)] == "BAD_SIGNATURE"
    assert "previousDigestSignature" in next(r["detail"] for r in doc["results"] if r["location"] == str(root / edited))


def test_missing_sidecar_in_a_copy_that_has_them_fails(tmp_path, keys, capsys):
    trail = build_trail()
    root = write_local(trail, tmp_path / "copy")
    Path(str(root / trail.digests[3]) + ".metadata.json").unlink()
    code, doc = verify_json(capsys, str(root), *WINDOW, "--public-keys", keys)
    assert code == 1 and statuses(doc)[str(root / trail.digests[3])] == "UNSIGNED"
    Path(str(root / trail.digests[1]) + ".metadata.json").unlink()  # a middle one: its successor vouches
    metadata = trail.objects[trail.digests[3]].metadata
    Path(str(root / trail.digests[3]) + ".metadata.json").write_text(json.dumps(metadata))
    code, doc = verify_json(capsys, str(root), *WINDOW, "--public-keys", keys)
    assert code == 0 and statuses(doc)[str(root / trail.digests[1])] == "VALID"


def _multi(tmp_path: Path) -> tuple[Path, Trail]:
    trail = Trail()
    build_trail(ChainSpec(hours=2), trail)
    build_trail(ChainSpec(hours=2, region="eu-west-1"), trail)
    build_trail(ChainSpec(hours=2, account="210987654321"), trail)
    build_trail(ChainSpec(hours=2, trail="other", start=T0 + timedelta(minutes=20)), trail)
    return write_local(trail, tmp_path / "evidence" / BUCKET), trail


def test_discovery_and_narrowing(tmp_path, keys, capsys):
    root, trail = _multi(tmp_path)
    window = ["--start", stamp(T0), "--end", stamp(T0 + 2 * HOUR)]
    code, doc = verify_json(capsys, str(tmp_path / "evidence"), *window, "--public-keys", keys)
    assert code == 0, doc
    assert doc["summary"]["digests"]["valid"] == 8 and doc["summary"]["logs"]["valid"] == 16
    assert len(doc["summary"]["trails"]) == 3  # mytrail in two accounts, other

    code, doc = verify_json(capsys, str(root), *window, "--public-keys", keys, "--region", "eu-west-1")
    assert code == 0 and doc["summary"]["digests"]["valid"] == 2
    assert all("/eu-west-1/" in r["location"] for r in doc["results"])

    code, doc = verify_json(capsys, str(root), *window, "--public-keys", keys, "--account-id", "210987654321")
    assert code == 0 and doc["summary"]["digests"]["valid"] == 2

    code, doc = verify_json(capsys, "--region", "us-east-1", "--region", "eu-west-1", str(root), *window,
                            "--public-keys", keys, "--trail-arn",
                            "arn:aws:cloudtrail:us-east-1:123456789012:trail/mytrail")
    assert code == 0, doc
    # the other trail's logs share the folder: excused by its own digests, not reported UNVERIFIED
    assert doc["summary"]["digests"]["valid"] == 4 and doc["summary"]["logs"] == {
        "total": 8, "valid": 8, "invalid": 0, "tolerated": 0}

    inside = root / "AWSLogs" / "210987654321"
    code, doc = verify_json(capsys, str(inside), *window, "--public-keys", keys)
    assert code == 0 and doc["summary"]["digests"]["valid"] == 2


def test_global_region_before_the_command(tmp_path, keys, capsys):
    root, _ = _multi(tmp_path)
    code, doc = verify_json(capsys, "--region", "eu-west-1", str(root), "--start", stamp(T0), "--end",
                            stamp(T0 + 2 * HOUR), "--public-keys", keys)
    assert code == 0 and doc["summary"]["digests"]["valid"] == 2  # `trailtui --region R verify ...`
    code = main(["--region", "eu-west-1", "verify", str(root), "--start", stamp(T0), "--end",
                 stamp(T0 + 2 * HOUR), "--public-keys", keys, "--format", "json"])
    assert code == 0 and json.loads(capsys.readouterr().out)["summary"]["digests"]["valid"] == 2


def test_bad_input_is_one_line_and_exit_2(tmp_path, keys, capsys):
    root = write_local(build_trail(ChainSpec(hours=1)), tmp_path / "copy")
    cases = [
        (["verify", str(tmp_path / "nope"), "--public-keys", keys], "not a directory"),
        (["verify", str(root), "--start", "yesterday-ish", "--public-keys", keys], "cannot read time"),
        (["verify", str(root), "--start", stamp(T0 + HOUR), "--end", stamp(T0), "--public-keys", keys],
         "--start must be before --end"),
        (["verify", str(root), "--trail-arn", "arn:nope", "--public-keys", keys], "invalid trail ARN"),
        (["verify", str(root), "--public-keys", str(tmp_path / "absent.json")], "absent.json"),
        (["verify", str(root)], "cannot get CloudTrail public keys"),
        (["verify", "s3://", "--public-keys", keys], "no bucket name"),
    ]
    for argv, message in cases:
        code, out, err = run(capsys, *argv)
        assert code == 2, argv
        assert err.count("\n") == 1 and message in err and "Traceback" not in err, err


def test_nothing_to_verify_is_not_success(tmp_path, keys, capsys):
    (tmp_path / "empty").mkdir()
    code, out, err = run(capsys, "verify", str(tmp_path / "empty"), "--public-keys", keys)
    assert code == 1 and "No digests found" in out and "nothing proves" in err
    trail = build_trail(ChainSpec(hours=2))
    for key in trail.digests:
        del trail.objects[key]
    root = write_local(trail, tmp_path / "logs-only")
    code, doc = verify_json(capsys, str(root), "--public-keys", keys)
    assert code == 1 and set(statuses(doc).values()) == {"UNVERIFIED"} and len(doc["results"]) == 4


def test_hostile_file_names_never_reach_the_terminal_raw(tmp_path, keys, capsys):
    trail = build_trail(ChainSpec(hours=1))
    folder = ChainSpec().log_key(T0 + timedelta(minutes=30), "x").rsplit("/", 1)[0]
    evil = f"{folder}/123456789012_CloudTrail_us-east-1_20240301T0040Z_\x1b[31mred\x07[bold]x.json.gz"
    trail.objects[evil] = StoredObject(gz(b'{"Records":[]}'))
    root = write_local(trail, tmp_path / "copy")
    code, out, err = run(capsys, "verify", str(root), "--start", stamp(T0), "--end", stamp(T0 + HOUR),
                         "--public-keys", keys)
    assert code == 1 and "\x1b" not in out + err and "\x07" not in out + err
    assert "\\x1b[31mred\\x07[bold]x.json.gz\tINVALID: not covered by any valid digest" in err


def test_s3_prefix_with_a_key_file(aws_env, tmp_path, keys, capsys):
    trail = build_trail(ChainSpec(prefix="trails/main", org="o-zz9zz9zz9z"))
    upload(trail, aws_env)
    code, doc = verify_json(capsys, f"s3://{BUCKET}/trails/main", *WINDOW, "--public-keys", keys,
                            "--endpoint-url", aws_env)
    assert code == 0 and doc["summary"]["digests"]["valid"] == 4
    assert doc["results"][0]["location"].startswith(f"s3://{BUCKET}/trails/main/AWSLogs/o-zz9zz9zz9z/")
    code, doc = verify_json(capsys, f"s3://{BUCKET}/elsewhere", *WINDOW, "--public-keys", keys,
                            "--endpoint-url", aws_env)
    assert code == 1 and doc["summary"]["digests"]["total"] == 0
    code, out, err = run(capsys, "verify", "s3://no-such-bucket-here", "--public-keys", keys, "--endpoint-url",
                         aws_env)
    assert code == 2 and "NoSuchBucket" in err


def test_chain_written_by_the_demo_writer_verifies(tmp_path, capsys):
    """Two independent implementations of CloudTrail's format must agree."""
    from trailtui.demo.digests import DigestChainWriter, DigestLogFile, DigestSigner, public_key_listing

    signer = DigestSigner(signing_key("demo-writer"))
    root = tmp_path / "demo"
    writer = DigestChainWriter(root, signer, bucket="demo-bucket", account_id="111122223333", region="us-west-2",
                               trail_name="org_trail.v2", home_region="us-east-1", org_id="o-demo12345",
                               key_prefix="p")
    for hour in range(3):
        begin = T0 + hour * HOUR
        entries = []
        for index in range(2):
            delivered = begin + timedelta(minutes=10 + 20 * index)
            key = (f"p/AWSLogs/o-demo12345/111122223333/CloudTrail/us-west-2/{delivered:%Y/%m/%d}/111122223333_"
                   f"CloudTrail_us-west-2_{delivered:%Y%m%dT%H%MZ}_{hour:08d}{index:08d}.json.gz")
            body = log_body(delivered, index)
            path = root.joinpath(*key.split("/"))
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(gzip.compress(body))
            entries.append(DigestLogFile.from_content(key, body))
        writer.write(begin, begin + HOUR, entries)
    key_file = tmp_path / "demo-keys.json"
    key_file.write_text(json.dumps(public_key_listing([signer.key_entry(T0 - HOUR, T0 + 5 * HOUR)])))
    code, doc = verify_json(capsys, str(root), "--start", stamp(T0), "--end", stamp(T0 + 3 * HOUR),
                            "--public-keys", str(key_file))
    assert code == 0, doc
    assert doc["summary"]["digests"]["valid"] == 3 and doc["summary"]["logs"]["valid"] == 6
    shutil.rmtree(root)


def test_trail_arn_of_an_organisation_trail(tmp_path, keys, capsys):
    """The ARN names the management account; the digests sit under member accounts."""
    trail = Trail()
    build_trail(ChainSpec(hours=2, org="o-abcdef1234", account="111111111111"), trail)
    build_trail(ChainSpec(hours=2, org="o-abcdef1234", account="222222222222"), trail)
    build_trail(ChainSpec(hours=2, org="o-abcdef1234", account="222222222222", trail="another"), trail)
    root = write_local(trail, tmp_path / "org")
    arn = "arn:aws:cloudtrail:us-east-1:999999999999:trail/mytrail"
    code, out, err = run(capsys, "verify", str(root), "--trail-arn", arn, "--start", stamp(T0), "--end",
                         stamp(T0 + 2 * HOUR), "--public-keys", keys)
    assert code == 0, err
    assert out.splitlines()[0] == (f"Validating log files for trail {arn} between 2024-03-01T00:13:07Z and "
                                   "2024-03-01T02:13:07Z")
    assert "4/4 digest files valid" in out and "8/8 log files valid" in out


def test_logs_before_validation_was_enabled_are_explained(tmp_path, keys, capsys):
    trail = build_trail(ChainSpec(hours=3))
    early = [key for key in trail.logs[0]]
    del trail.objects[trail.digests[0]]  # as if log file validation started an hour later
    doc = trail.doc(trail.digests[1])
    trail.resign(trail.digests[1], lambda d: d.update(previousDigestS3Bucket=None, previousDigestS3Object=None,
                                                        previousDigestHashValue=None, previousDigestSignature=None,
                                                        previousDigestHashAlgorithm=None))
    trail.relink_after(trail.digests[1])
    root = write_local(trail, tmp_path / "copy")
    code, result = verify_json(capsys, str(root), "--public-keys", keys)
    unverified = {r["location"]: r["detail"] for r in result["results"] if r["status"] == "UNVERIFIED"}
    assert code == 1 and set(unverified) == {str(root / key) for key in early}
    assert all("before the oldest digest" in detail for detail in unverified.values())
    assert doc["digestStartTime"] == stamp(T0 + HOUR)
