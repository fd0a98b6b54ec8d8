"""`trailtui demo`: determinism, layout, delivery, the planted incident, and the
signed digest chains (checked independently with `cryptography`, not with the
demo's own signer)."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import re
import zlib
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import jmespath
import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import load_der_public_key

from trailtui.cli import main
from trailtui.demo import DemoSpec, generate_demo, plan_incident
from trailtui.demo.digests import DigestChainWriter, DigestLogFile, DigestSigner
from trailtui.demo.hostile import HOSTILE_VALUES
from trailtui.demo.incident import incident_records
from trailtui.demo.spec import ACCOUNTS, BUCKET, ORG_ID, REGION_NAMES, TRAIL_NAME
from trailtui.sources.layout import parse_digest_key, parse_log_key

DATA = Path(__file__).parent / "data" / "demo"
SPEC = DemoSpec(seed=1, events=3000, days=2)
LOG_NAME = re.compile(r"^(\d{12})_CloudTrail_([a-z0-9-]+)_(\d{8}T\d{4}Z)_[A-Za-z0-9]{16}\.json\.gz$")
DIGEST_NAME = re.compile(r"^(\d{12})_CloudTrail-Digest_([a-z0-9-]+)_" + TRAIL_NAME
                         + r"_us-east-1_(\d{8}T\d{6}Z)\.json\.gz$")
CLOUDTRAIL_ORDER = ["eventVersion", "userIdentity", "eventTime", "eventSource", "eventName", "awsRegion",
                    "sourceIPAddress", "userAgent", "errorCode", "errorMessage", "requestParameters",
                    "responseElements", "additionalEventData", "requestID", "eventID", "readOnly", "resources",
                    "eventType", "apiVersion", "managementEvent", "recipientAccountId", "sharedEventID",
                    "vpcEndpointId", "vpcEndpointAccountId", "serviceEventDetails", "eventCategory", "tlsDetails",
                    "sessionCredentialFromConsole"]


def strict_gunzip(data: bytes) -> bytes:
    """One gzip member and nothing after it (what a verifier demands)."""
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    out = inflater.decompress(data) + inflater.flush()
    assert inflater.eof and inflater.unused_data == b""
    return out


def tree_hashes(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("demo") / "trail"
    generate_demo(SPEC, root, workers=2)
    return root


@pytest.fixture(scope="module")
def logs(demo) -> dict[str, list[dict]]:
    """Every log file (relative key) and its records."""
    out = {}
    for path in sorted((demo / "AWSLogs").rglob("*.json.gz")):
        key = path.relative_to(demo).as_posix()
        if "/CloudTrail/" in key:
            out[key] = json.loads(strict_gunzip(path.read_bytes()))["Records"]
    return out


@pytest.fixture(scope="module")
def records(logs) -> list[dict]:
    return [r for recs in logs.values() for r in recs]


@pytest.fixture(scope="module")
def digests(demo) -> dict[tuple[str, str], list[tuple[str, bytes, dict, dict]]]:
    """Per (account, region): [(key, decompressed body, parsed, sidecar)] oldest first."""
    chains = defaultdict(list)
    for path in sorted((demo / "AWSLogs").rglob("*.json.gz")):
        key = path.relative_to(demo).as_posix()
        if "/CloudTrail-Digest/" in key:
            body = strict_gunzip(path.read_bytes())
            parsed = json.loads(body)
            sidecar = json.loads(path.with_name(path.name + ".metadata.json").read_text())
            chains[(parsed["awsAccountId"], key.split("/")[4])].append((key, body, parsed, sidecar))
    for chain in chains.values():
        chain.sort(key=lambda item: item[2]["digestEndTime"])
    return chains


# ------------------------------------------------------------ determinism ---

def test_same_seed_gives_identical_bytes_whatever_the_worker_count(demo, tmp_path):
    again = tmp_path / "again"
    generate_demo(SPEC, again, workers=1)
    assert tree_hashes(again) == tree_hashes(demo)


def test_a_different_seed_gives_a_different_trail(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    generate_demo(DemoSpec(seed=1, events=600, days=1), one, workers=1)
    generate_demo(DemoSpec(seed=2, events=600, days=1), two, workers=1)
    a, b = tree_hashes(one), tree_hashes(two)
    logs_a = {h for k, h in a.items() if "/CloudTrail/" in k}
    logs_b = {h for k, h in b.items() if "/CloudTrail/" in k}
    assert logs_a and not logs_a & logs_b


def test_end_time_comes_from_the_seed_not_the_clock():
    assert DemoSpec(seed=7).end == DemoSpec(seed=7).end
    assert DemoSpec(seed=7).end != DemoSpec(seed=8).end
    assert DemoSpec(seed=7, days=3).start == DemoSpec(seed=7).end - timedelta(days=3)


# ------------------------------------------------------- layout, delivery ---

def test_layout_is_an_organisation_trail(demo, logs, records):
    seen_accounts, seen_regions = set(), set()
    for key in logs:
        parsed = parse_log_key(key)
        assert parsed is not None, key
        match = LOG_NAME.match(parsed.name)
        assert match, parsed.name
        assert parsed.org_id == ORG_ID and match[1] == parsed.account and match[2] == parsed.region
        assert parsed.delivered is not None and parsed.day == parsed.delivered.date()
        assert key.startswith(f"AWSLogs/{ORG_ID}/{parsed.account}/CloudTrail/{parsed.region}/")
        seen_accounts.add(parsed.account)
        seen_regions.add(parsed.region)
    assert seen_accounts == {a.id for a in ACCOUNTS} and seen_regions == set(REGION_NAMES)
    assert len(records) == SPEC.events


def test_files_are_single_member_gzip_of_compact_records(demo, logs):
    for key in list(logs)[:200]:
        raw = (demo / key).read_bytes()
        assert raw[:4] == b"\x1f\x8b\x08\x00" and raw[4:8] == b"\x00\x00\x00\x00"  # no name, mtime 0
        body = strict_gunzip(raw)
        assert body.startswith(b'{"Records":[{"eventVersion":') and b'", "' not in body[:200]


def test_no_event_is_newer_than_its_file_and_all_are_in_the_period(logs):
    for key, recs in logs.items():
        stamp = parse_log_key(key).delivered
        for r in recs:
            when = datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            assert when < stamp, (key, r["eventTime"])
            assert stamp - when <= timedelta(minutes=21)
            assert SPEC.start <= when < SPEC.end
            assert r["recipientAccountId"] == parse_log_key(key).account
            assert r["awsRegion"] == parse_log_key(key).region


def test_records_keep_cloudtrail_field_order(records):
    for r in records:
        keys = list(r)
        assert keys == [k for k in CLOUDTRAIL_ORDER if k in r], keys
        assert set(keys) <= set(CLOUDTRAIL_ORDER)


def test_background_is_varied_like_a_real_organisation(records):
    types = Counter(r["userIdentity"].get("type") for r in records)
    assert {"AssumedRole", "IAMUser", "AWSService", "IdentityCenterUser", "SAMLUser", "WebIdentityUser",
            "Root"} <= set(types)
    assert types[None] > 0  # AwsServiceEvent records carry no type
    assert len({r["eventName"] for r in records}) >= 80
    assert len({r["eventSource"] for r in records}) >= 20
    assert len({r["userAgent"] for r in records}) >= 30
    errors = sum(1 for r in records if "errorCode" in r or "errorMessage" in r) / len(records)
    assert 0.03 <= errors <= 0.09
    codes = {r.get("errorCode") for r in records}
    assert {"AccessDenied", "Client.UnauthorizedOperation", "ThrottlingException"} <= codes
    global_sources = {"iam.amazonaws.com", "signin.amazonaws.com", "organizations.amazonaws.com"}
    assert all(r["awsRegion"] == "us-east-1" for r in records if r["eventSource"] in global_sources)


def test_console_logins_succeed_and_sometimes_fail_like_real_ones(records):
    logins = [r for r in records if r["eventName"] == "ConsoleLogin"]
    outcomes = Counter(r["responseElements"]["ConsoleLogin"] for r in logins)
    assert outcomes["Success"] > 0 and outcomes["Failure"] > 0
    for r in logins:
        assert r["eventType"] == "AwsConsoleSignIn" and "requestID" not in r
        if r["responseElements"]["ConsoleLogin"] == "Failure":
            assert r["errorMessage"] and "errorCode" not in r


def test_hostile_strings_are_planted_and_query_output_stays_inert(demo, records, capsys):
    agents = {r["userAgent"] for r in records}
    keys = {(r.get("requestParameters") or {}).get("key") for r in records if r["eventSource"] == "s3.amazonaws.com"}
    for value in HOSTILE_VALUES:
        assert value in agents | keys
    assert any("\u001b]0;pwned\u0007" in a and "[link=http://evil" in a for a in agents)
    assert any("\u001b[2J" in a for a in agents)
    assert main(["query", str(demo), "--filter", "contains(userAgent, '[red]') || contains(userAgent, '[link=')",
                 "--format", "table"]) == 0
    out = capsys.readouterr().out
    assert len(out.splitlines()) >= 3
    assert "\x1b" not in out and "\x07" not in out


# ------------------------------------------------------------ incident ---

def _query_jsonl(capsys, *argv: str) -> list[dict]:
    assert main(["query", *argv, "--format", "jsonl"]) == 0
    return [json.loads(line) for line in capsys.readouterr().out.splitlines()]


def test_incident_is_found_by_query_on_the_leaked_key(demo, capsys):
    incident = plan_incident(SPEC)
    found = _query_jsonl(capsys, str(demo), "--filter", incident.query_filter)
    planted = [r for _, _, _, r in incident_records(SPEC) if r["sourceIPAddress"] == incident.attacker_ip
               and r["userIdentity"]["accessKeyId"] == incident.access_key_id]
    assert {r["eventID"] for r in found} == {r["eventID"] for r in planted}
    names = [r["eventName"] for r in reversed(found)]  # oldest first
    assert names[0] == "GetCallerIdentity"
    for a, b in (("GetCallerIdentity", "CreatePolicyVersion"), ("CreatePolicyVersion", "CreateAccessKey"),
                 ("CreateAccessKey", "GetSecretValue"), ("GetSecretValue", "StopLogging")):
        assert names.index(a) < names.index(b)
    assert {"AttachUserPolicy", "UpdateAssumeRolePolicy", "CreateLoginProfile", "ListObjects", "GetObject",
            "DeleteFlowLogs"} <= set(names)
    times = sorted(r["eventTime"] for r in found)
    assert times[0] == incident.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert times[-1] == incident.end.strftime("%Y-%m-%dT%H:%M:%SZ")
    denied = [r for r in found if r.get("errorCode") in ("AccessDenied", "Client.UnauthorizedOperation")]
    first = datetime.strptime(denied[0]["eventTime"], "%Y-%m-%dT%H:%M:%SZ")
    assert len(denied) >= 10 and all(
        datetime.strptime(r["eventTime"], "%Y-%m-%dT%H:%M:%SZ") - first < timedelta(minutes=30) for r in denied)


def test_the_key_was_known_and_the_address_was_new(demo, capsys):
    incident = plan_incident(SPEC)
    uses = _query_jsonl(capsys, str(demo), "--filter", f"userIdentity.accessKeyId=='{incident.access_key_id}'")
    before = [r for r in uses if r["eventTime"] < incident.start.strftime("%Y-%m-%dT%H:%M:%SZ")]
    assert before and all(r["sourceIPAddress"] == "203.0.113.40" for r in before)
    everyone = _query_jsonl(capsys, str(demo), "--filter", f"sourceIPAddress=='{incident.attacker_ip}'")
    assert min(r["eventTime"] for r in everyone) == incident.start.strftime("%Y-%m-%dT%H:%M:%SZ")
    new_key = [r for r in everyone if r["userIdentity"]["accessKeyId"] == incident.new_access_key_id]
    assert [r["eventName"] for r in new_key] == ["GetCallerIdentity"]


def _stratus(name: str) -> dict:
    return json.loads((DATA / "stratus-red-team" / name).read_text())[0]


@pytest.mark.parametrize("stratus_file,event_name", [
    ("aws.persistence.iam-create-admin-user.json", "AttachUserPolicy"),
    ("aws.persistence.iam-backdoor-user.json", "CreateAccessKey"),
    ("aws.persistence.iam-create-user-login-profile.json", "CreateLoginProfile"),
    ("aws.persistence.iam-backdoor-role.json", "UpdateAssumeRolePolicy"),
    ("aws.defense-evasion.cloudtrail-stop.json", "StopLogging"),
    ("aws.defense-evasion.vpc-remove-flow-logs.json", "DeleteFlowLogs"),
    ("aws.credential-access.secretsmanager-retrieve-secrets.json", "GetSecretValue"),
])
def test_incident_requests_have_the_shapes_of_real_records(stratus_file, event_name):
    real = next(r for r in json.loads((DATA / "stratus-red-team" / stratus_file).read_text())
                if r["eventName"] == event_name)
    ours = [r for _, _, _, r in incident_records(SPEC) if r["eventName"] == event_name and "errorCode" not in r]
    assert ours
    for r in ours:
        assert r["eventSource"] == real["eventSource"]
        assert set(r["requestParameters"]) == set(real["requestParameters"])
        if real["responseElements"] is None:
            assert r["responseElements"] is None
        else:
            assert _shape(r["responseElements"]) == _shape(real["responseElements"])
        assert set(r["userIdentity"]) == set(real["userIdentity"])
    if event_name == "DeleteFlowLogs":
        assert _shape(ours[0]["requestParameters"]) == _shape(real["requestParameters"])


def _shape(value):
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    return type(value).__name__


def test_query_over_the_demo_matches_jmespath_on_the_files(demo, records, capsys):
    expression = "errorCode=='AccessDenied' && eventSource=='iam.amazonaws.com'"
    expected = {r["eventID"] for r in records if jmespath.search(expression, r)}
    found = _query_jsonl(capsys, str(demo), "--filter", expression)
    assert expected and {r["eventID"] for r in found} == expected


# ------------------------------------------------------------- digests ---

def test_digest_fields_are_exactly_cloudtrails(digests):
    real = json.loads((DATA / "digest-samples" / "protectai_llm-guard_real_digest.json").read_text())
    for chain in digests.values():
        for _key, body, parsed, sidecar in chain:
            assert list(parsed) == list(real)
            for entry in parsed["logFiles"]:
                assert list(entry) == list(real["logFiles"][0])
            assert parsed["digestSignatureAlgorithm"] == "SHA256withRSA"
            assert sidecar == {"signature": sidecar["signature"], "signature-algorithm": "SHA256withRSA"}
            assert b"\\/" in body  # slashes escaped like CloudTrail's encoder


def test_digest_keys_and_locations(digests):
    assert set(digests) == {(a.id, r) for a in ACCOUNTS for r, _ in a.regions}
    for (account, region), chain in digests.items():
        for key, _, parsed, _ in chain:
            info = parse_digest_key(key)
            match = DIGEST_NAME.match(info.name)
            assert match and match[1] == account and match[2] == region and info.org_id == ORG_ID
            assert parsed["digestS3Bucket"] == BUCKET and parsed["digestS3Object"] == key
            end = datetime.strptime(parsed["digestEndTime"], "%Y-%m-%dT%H:%M:%SZ")
            assert match[3] == end.strftime("%Y%m%dT%H%M%SZ") and info.day == end.date()


def test_digests_chain_hourly_over_the_whole_period(digests):
    for chain in digests.values():
        first = chain[0][2]
        assert first["previousDigestS3Object"] is None and first["previousDigestSignature"] is None
        assert first["previousDigestHashValue"] is None and first["previousDigestS3Bucket"] is None
        assert first["digestStartTime"] <= SPEC.start.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert chain[-1][2]["digestEndTime"] >= (SPEC.end + timedelta(minutes=20)).strftime("%Y-%m-%dT%H:%M:%SZ")
        for (pkey, pbody, prev, psidecar), (_, _, cur, _) in pairwise(chain):
            assert cur["previousDigestS3Bucket"] == BUCKET and cur["previousDigestS3Object"] == pkey
            assert cur["previousDigestHashValue"] == hashlib.sha256(pbody).hexdigest()
            assert cur["previousDigestHashAlgorithm"] == "SHA-256"
            assert cur["previousDigestSignature"] == psidecar["signature"]
            assert cur["digestStartTime"] == prev["digestEndTime"]
            start = datetime.strptime(cur["digestStartTime"], "%Y-%m-%dT%H:%M:%SZ")
            assert datetime.strptime(cur["digestEndTime"], "%Y-%m-%dT%H:%M:%SZ") - start == timedelta(hours=1)
    empty = [d for chain in digests.values() for _, _, d, _ in chain if not d["logFiles"]]
    assert empty and all(d["newestEventTime"] is None and d["oldestEventTime"] is None for d in empty)


def test_every_log_is_listed_once_in_the_digest_of_its_delivery_hour(demo, logs, digests):
    listed = Counter()
    for chain in digests.values():
        for _, _, digest, _ in chain:
            start = datetime.strptime(digest["digestStartTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            end = datetime.strptime(digest["digestEndTime"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
            for entry in digest["logFiles"]:
                listed[entry["s3Object"]] += 1
                assert entry["s3Bucket"] == BUCKET and entry["hashAlgorithm"] == "SHA-256"
                assert start <= parse_log_key(entry["s3Object"]).delivered < end
                body = strict_gunzip((demo / entry["s3Object"]).read_bytes())
                assert entry["hashValue"] == hashlib.sha256(body).hexdigest()
                times = sorted(r["eventTime"] for r in json.loads(body)["Records"])
                assert (entry["oldestEventTime"], entry["newestEventTime"]) == (times[0], times[-1])
            if digest["logFiles"]:
                assert digest["newestEventTime"] == max(e["newestEventTime"] for e in digest["logFiles"])
                assert digest["oldestEventTime"] == min(e["oldestEventTime"] for e in digest["logFiles"])
    assert set(listed) == set(logs) and set(listed.values()) == {1}


def test_signatures_verify_with_the_published_key(demo, digests):
    listing = json.loads((demo / "list-public-keys.json").read_text())
    (key,) = listing["PublicKeyList"]
    assert set(key) == {"Value", "ValidityStartTime", "ValidityEndTime", "Fingerprint"}
    der = base64.b64decode(key["Value"])
    assert key["Fingerprint"] == hashlib.md5(der, usedforsecurity=False).hexdigest()
    assert datetime.fromisoformat(key["ValidityStartTime"]) <= SPEC.start
    assert datetime.fromisoformat(key["ValidityEndTime"]) >= SPEC.end + timedelta(hours=2)
    public = load_der_public_key(der)
    checked = 0
    for chain in digests.values():
        for digest_key, body, digest, sidecar in chain:
            assert digest["digestPublicKeyFingerprint"] == key["Fingerprint"]
            previous = digest["previousDigestSignature"] or "null"
            message = "\n".join([digest["digestEndTime"], f"{digest['digestS3Bucket']}/{digest_key}",
                                 hashlib.sha256(body).hexdigest(), previous]).encode()
            public.verify(bytes.fromhex(sidecar["signature"]), message, padding.PKCS1v15(), hashes.SHA256())
            checked += 1
    assert checked == sum(len(c) for c in digests.values()) > 12 * 48


def test_a_tampered_digest_no_longer_verifies(demo, digests):
    public = load_der_public_key(base64.b64decode(
        json.loads((demo / "list-public-keys.json").read_text())["PublicKeyList"][0]["Value"]))
    key, body, digest, sidecar = next(iter(digests.values()))[5]
    edited = body.replace(b'"awsAccountId":"', b'"awsAccountId":"9', 1)
    message = "\n".join([digest["digestEndTime"], f"{BUCKET}/{key}", hashlib.sha256(edited).hexdigest(),
                         digest["previousDigestSignature"] or "null"]).encode()
    with pytest.raises(InvalidSignature):
        public.verify(bytes.fromhex(sidecar["signature"]), message, padding.PKCS1v15(), hashes.SHA256())


# ------------------------------------------------------ the digest API ---

def test_digest_chain_writer_with_a_throwaway_key(tmp_path):
    signer = DigestSigner.throwaway(1024)
    chain = DigestChainWriter(tmp_path, signer, bucket="b", account_id="111122223333", region="eu-west-1",
                              trail_name="t", home_region="us-east-1")
    t0 = datetime(2024, 3, 1, 0, 4, 4, tzinfo=UTC)
    log = DigestLogFile.from_content("AWSLogs/111122223333/CloudTrail/eu-west-1/2024/03/01/x.json.gz",
                                     b'{"Records":[{"eventTime":"2024-03-01T00:10:00Z"}]}')
    first = chain.write(t0, t0 + timedelta(hours=1), [log])
    second = chain.write(t0 + timedelta(hours=1), t0 + timedelta(hours=2), [])
    chain.restart()
    third = chain.write(t0 + timedelta(hours=5), t0 + timedelta(hours=6), [])
    backfill = chain.write(t0, t0 + timedelta(hours=1), [log], backfill_generated=t0 + timedelta(hours=9))
    assert first.key.endswith("_CloudTrail-Digest_eu-west-1_t_us-east-1_20240301T010404Z.json.gz")
    assert json.loads(gzip.decompress(second.path.read_bytes()))["previousDigestSignature"] == first.signature
    assert json.loads(third.body)["previousDigestS3Object"] is None
    assert backfill.key.endswith("_backfill.json.gz")
    sidecar = json.loads(backfill.path.with_name(backfill.path.name + ".metadata.json").read_text())
    assert sidecar["backfill-generation-timestamp"] == "2024-03-01T09:04:04Z"
    assert json.loads(first.body)["logFiles"][0]["newestEventTime"] == "2024-03-01T00:10:00Z"


# ----------------------------------------------------------------- CLI ---

def test_cli_no_tui_prints_the_summary_and_reuses_a_current_demo(tmp_path, capsys):
    target = tmp_path / "cli-demo"
    assert main(["demo", str(target), "--events", "800", "--days", "1", "--no-tui", "--workers", "1"]) == 0
    out = capsys.readouterr().out
    incident = plan_incident(DemoSpec(events=800, days=1))
    assert incident.access_key_id in out and incident.attacker_ip in out
    assert f"trailtui verify {target} --public-keys {target}/list-public-keys.json" in out
    assert "trailtui hunt" in out and "--filter \"userIdentity.accessKeyId==" in out
    manifest = json.loads((target / "trailtui-demo.json").read_text())
    assert manifest["events"] == 800 and manifest["incident"]["access_key_id"] == incident.access_key_id
    assert manifest["trail"]["arn"].endswith(":trail/" + TRAIL_NAME) and manifest["newest_event"]
    stamp = (target / "trailtui-demo.json").stat().st_mtime_ns
    assert main(["demo", str(target), "--events", "800", "--days", "1", "--no-tui"]) == 0
    assert "reusing" in capsys.readouterr().err
    assert (target / "trailtui-demo.json").stat().st_mtime_ns == stamp
    (target / "notes.txt").write_text("mine")
    assert main(["demo", str(target), "--events", "800", "--days", "1", "--seed", "2", "--no-tui",
                 "--workers", "1"]) == 0
    capsys.readouterr()
    assert json.loads((target / "trailtui-demo.json").read_text())["seed"] == 2
    assert (target / "notes.txt").read_text() == "mine"


def test_cli_refuses_a_directory_that_is_not_a_demo_and_bad_sizes(tmp_path, capsys):
    foreign = tmp_path / "logs"
    foreign.mkdir()
    (foreign / "keep.json.gz").write_bytes(b"x")
    assert main(["demo", str(foreign), "--no-tui"]) == 2
    assert "holds no trailtui demo" in capsys.readouterr().err
    assert main(["demo", str(tmp_path / "x"), "--events", "5", "--no-tui"]) == 2
    assert main(["demo", str(tmp_path / "x"), "--days", "0", "--no-tui"]) == 2
    assert main(["demo", str(tmp_path / "x"), "--workers", "0", "--no-tui"]) == 2
    err = capsys.readouterr().err
    assert "--workers must be between 1 and 64" in err and "Traceback" not in err


def test_demo_opens_the_console_with_the_manifest_source_and_keys(tmp_path, monkeypatch, capsys):
    import trailtui.commands.console as app

    seen = {}

    def fake_run_app(args, aws):
        seen.update(vars(args))
        return 0

    monkeypatch.setattr(app, "run_app", fake_run_app)
    target = tmp_path / "tui-demo"
    assert main(["demo", str(target), "--events", "600", "--days", "1", "--workers", "1",
                 "--filter", "eventName == 'StopLogging'", "--since", "-1h", "--until", "now",
                 "--theme", "light", "--no-mouse"]) == 0
    assert seen["source"] == str(target.absolute())
    assert seen["demo_info"] == str(target.absolute() / "trailtui-demo.json")
    assert seen["public_keys"] == str(target.absolute() / "list-public-keys.json")
    assert json.loads(Path(seen["demo_info"]).read_text())["generator"] == "trailtui demo"
    assert "filter" in seen and "since" in seen and "no_mouse" in seen
    assert (seen["filter"], seen["since"], seen["until"], seen["theme"], seen["no_mouse"]) == (
        "eventName == 'StopLogging'", "-1h", "now", "light", True), "console options reach the console"
    assert capsys.readouterr().out == ""
