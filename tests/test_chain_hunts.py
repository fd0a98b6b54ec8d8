"""The hunts credential chains make exact, on Stratus Red Team's instance
credential theft (with the instance's own issue and call added, which the
detonation log does not hold) and on organisation-trail layouts."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from chain_records import assume, call, service, session, user
from stratus import stratus_records

from trailtui.cli import main
from trailtui.events import Event
from trailtui.hunts import HuntEngine, load_catalogue

CATALOGUE = load_catalogue()
STOLEN_KEY = "ASIAP5CT9NN8EYVU1FXV"
INSTANCE = "i-786a3A8B5C0d92eF4"
ACCOUNT = "017622104382"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/stratus-red-team-ec2-steal-credentials-role"


def hits(hunt_id: str, records: list[dict], location: str = "sample") -> list:
    events = sorted((Event.from_raw(r, location) for r in records), key=lambda e: e.time, reverse=True)
    return HuntEngine([CATALOGUE.get(hunt_id)]).feed_all(events)


def instance_issue_and_own_call() -> list[dict]:
    """EC2 delivering the stolen key to the instance, and the instance's first call with it."""
    issue = assume("ec2-issue", "2024-08-02T08:20:52Z", service("ec2.amazonaws.com"), ROLE, INSTANCE, STOLEN_KEY,
                   ip="ec2.amazonaws.com", account=ACCOUNT)
    own = call("own-call", "2024-08-02T08:21:30Z",
               session(ACCOUNT, "stratus-red-team-ec2-steal-credentials-role", INSTANCE, STOLEN_KEY,
                       ec2RoleDelivery="2.0"), "DescribeInstances", ip="54.201.12.34")
    return [issue, own]


def test_stolen_instance_credentials_used_elsewhere_fire_with_the_instance_address():
    stratus = stratus_records("credential-access.ec2-steal-instance-credentials")
    found = hits("instance-credentials-off-instance", stratus + instance_issue_and_own_call())
    assert sorted(h.event.event_name for h in found) == ["DescribeInstances", "GetCallerIdentity"]
    assert {h.event.source_ip for h in found} == {"18.236.253.47"}
    detail = found[0].detail
    assert f"instance {INSTANCE}" in detail and "event ec2-issue" in detail
    assert "the instance's own calls came from 54.201.12.34" in detail


def test_without_the_instance_issue_in_range_the_hunt_stays_quiet():
    stratus = stratus_records("credential-access.ec2-steal-instance-credentials")
    assert hits("instance-credentials-off-instance", stratus) == []
    # used only from its own address: quiet too
    assert hits("instance-credentials-off-instance", instance_issue_and_own_call()) == []


def test_other_stratus_detonations_do_not_fire_the_chain_hunts(tmp_path):
    for name in ("credential-access.ec2-get-password-data", "defense-evasion.organizations-leave",
                 "persistence.sts-federation-token", "discovery.ec2-download-user-data"):
        records = stratus_records(name)
        assert hits("instance-credentials-off-instance", records) == [], name
        assert hits("role-chain-leaves-organisation", records) == [], name


def org_trail(root: Path, records_by_account: dict[str, list[dict]]) -> Path:
    for account, records in records_by_account.items():
        folder = root / "AWSLogs" / "o-a1b2c3d4e5" / account / "CloudTrail" / "us-east-1" / "2024" / "05" / "01"
        folder.mkdir(parents=True)
        name = f"{account}_CloudTrail_us-east-1_20240501T1000Z_abcdefghijklmnop.json.gz"
        (folder / name).write_bytes(gzip.compress(json.dumps({"Records": records}).encode()))
    return root


def test_a_chain_into_an_outside_account_fires_and_names_its_origin(tmp_path, capsys):
    inside, sister, outside = "111111111111", "222222222222", "999999999999"
    alice = user(inside, "alice", "AKIAALICE0000000001")
    hop = session(inside, "ops", "alice", "ASIAOPS000000000001")
    records = {
        inside: [
            assume("to-ops", "2024-05-01T10:00:00Z", alice, f"arn:aws:iam::{inside}:role/ops", "alice",
                   "ASIAOPS000000000001", account=inside),
            assume("to-sister", "2024-05-01T10:01:00Z", hop, f"arn:aws:iam::{sister}:role/deploy", "alice",
                   "ASIASISTER00000001", account=inside),
            assume("to-outside", "2024-05-01T10:02:00Z", hop, f"arn:aws:iam::{outside}:role/exfil", "alice",
                   "ASIAOUTSIDE0000001", account=inside),
        ],
        # a cross-account AssumeRole is logged in the role's account too: that copy shows the sister is inside
        sister: [assume("to-sister-copy", "2024-05-01T10:01:00Z", hop, f"arn:aws:iam::{sister}:role/deploy", "alice",
                        "ASIASISTER00000001", account=sister)],
    }
    trail = org_trail(tmp_path / "trail", records)
    assert main(["hunt", str(trail), "--hunt", "role-chain-leaves-organisation", "--format", "jsonl"]) == 1
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["event"]["eventID"] for line in lines] == ["to-outside"]
    found = hits("role-chain-leaves-organisation", records[inside])
    assert [h.event.event_id for h in found] == ["to-outside", "to-sister"], "one account's records: both leave it"
    outside_hit = found[0]
    assert "account 999999999999 is outside the known accounts" in outside_hit.detail
    assert "chain origin long-term-key arn:aws:iam::111111111111:user/alice" in outside_hit.detail
