"""Credential chains (`trailtui.chains`, `trailtui chain`) on real records
(Stratus Red Team detonations, TrailDiscover samples, the demo trail) and on
small synthetic trails for what real samples lack: loops, very long chains,
cross-account links, console sign-ins, hostile strings."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from chain_records import assume, call, service, session, user, write_trail
from stratus import stratus_trail
from trail_builder import traildiscover_records

from trailtui.chains import MAX_CHAIN_LINKS, ChainIndex, collect_chains, resolve, start_key
from trailtui.cli import main
from trailtui.demo import DemoSpec, generate_demo
from trailtui.sources import open_source

ORIGIN_FIELDS = {"kind", "principal", "access_key", "source_ip", "event_id", "time"}
LINK_FIELDS = {"access_key", "issued_by_event_id", "issued_at", "issuer_principal", "issuer_source_ip", "role_arn",
               "session_name"}
KEY_FIELDS = {"events", "first", "last", "source_ips"}


def index_of(path: Path, event_id: str = "") -> ChainIndex:
    async def scan() -> ChainIndex:
        source = open_source(str(path))
        index = ChainIndex(want_event_id=event_id)
        try:
            async for _ in collect_chains(source, index=index):
                pass
        finally:
            await source.close()
        return index

    return asyncio.run(scan())


def chain_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict:
    assert main(["chain", *argv, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"origin", "links", "keys"}
    assert set(data["origin"]) == ORIGIN_FIELDS
    for link in data["links"]:
        assert set(link) == LINK_FIELDS
    for summary in data["keys"].values():
        assert set(summary) == KEY_FIELDS
    return data


# -- Stratus Red Team ---------------------------------------------------------------------------------------


@pytest.fixture
def stratus(tmp_path: Path) -> Path:
    return stratus_trail(tmp_path / "stratus", ("credential-access.ec2-get-password-data",
                                                "credential-access.ec2-steal-instance-credentials",
                                                "defense-evasion.organizations-leave",
                                                "persistence.sts-federation-token"))


def test_role_session_resolves_to_the_long_term_key_that_assumed_it(stratus, capsys):
    data = chain_json(capsys, str(stratus), "--access-key", "ASIANQQHHS551LWULIWD")
    assert data["origin"] == {"kind": "long-term-key", "principal": "arn:aws:iam::457448411975:user/christophe",
                              "access_key": "AKIAWOGXN38MFN92ING5", "source_ip": "200.249.253.51",
                              "event_id": "fd179e25-9f1a-406c-8d7d-62f9d4938ef6", "time": "2024-07-30T21:31:15Z"}
    assert data["links"] == [{
        "access_key": "ASIANQQHHS551LWULIWD", "issued_by_event_id": "fd179e25-9f1a-406c-8d7d-62f9d4938ef6",
        "issued_at": "2024-07-30T21:31:15Z", "issuer_principal": "arn:aws:iam::457448411975:user/christophe",
        "issuer_source_ip": "200.249.253.51",
        "role_arn": "arn:aws:iam::457448411975:role/stratus-red-team-ec2-get-password-data-role",
        "session_name": "aws-go-sdk-1722375070115152000"}]
    assert data["keys"]["ASIANQQHHS551LWULIWD"] == {"events": 30, "first": "2024-07-30T21:31:16Z",
                                                    "last": "2024-07-30T21:31:21Z", "source_ips": ["200.249.253.51"]}
    assert data["keys"]["AKIAWOGXN38MFN92ING5"]["events"] == 4


def test_an_event_id_resolves_the_key_it_was_made_with(stratus, capsys):
    by_key = chain_json(capsys, str(stratus), "--access-key", "ASIA36EV31F1RB3OA8IG")
    by_event = chain_json(capsys, str(stratus), "--event-id", _event_of(stratus, "LeaveOrganization"))
    assert by_event == by_key
    assert by_event["origin"]["access_key"] == "AKIADVISM0T50G52IF0D"
    assert by_event["links"][0]["session_name"] == "aws-go-sdk-1722587398902687000"


def _event_of(trail: Path, name: str) -> str:
    for path in trail.glob("*.json"):
        for record in json.loads(path.read_text()):
            if record["eventName"] == name:
                return record["eventID"]
    raise AssertionError(name)


def test_forward_from_a_long_term_key_lists_every_session_it_opened(stratus, capsys):
    data = chain_json(capsys, str(stratus), "--access-key", "AKIADVISM0T50G52IF0D")
    assert data["origin"]["kind"] == "long-term-key"
    assert {link["access_key"] for link in data["links"]} == {"ASIA36EV31F1RB3OA8IG", "ASIAMOWPWQJ1QHWCWJXJ"}
    assert data["keys"]["ASIA36EV31F1RB3OA8IG"]["events"] == 1  # LeaveOrganization
    assert data["keys"]["ASIAMOWPWQJ1QHWCWJXJ"]["events"] == 0  # issued, never used in the range


def test_federation_token_keeps_the_federated_name(stratus, capsys):
    data = chain_json(capsys, str(stratus), "--access-key", "ASIASTJKC5GCM7ZE6LUP")
    assert data["origin"]["principal"] == "arn:aws:iam::742491224508:user/stratus-red-team-user-federation-user"
    assert data["links"][0]["session_name"] == "stratus_red_team"
    assert data["links"][0]["role_arn"].endswith(":federated-user/stratus_red_team")


def test_stolen_instance_credentials_without_their_issue_are_an_unknown_origin_said_so(stratus, capsys):
    data = chain_json(capsys, str(stratus), "--access-key", "ASIAP5CT9NN8EYVU1FXV")
    assert data["origin"]["kind"] == "unknown"
    assert data["origin"]["principal"].endswith(":assumed-role/stratus-red-team-ec2-steal-credentials-role/"
                                                "i-786a3A8B5C0d92eF4")
    assert data["links"] == []
    assert data["keys"]["ASIAP5CT9NN8EYVU1FXV"]["source_ips"] == ["18.236.253.47"]
    assert main(["chain", str(stratus), "--access-key", "ASIAP5CT9NN8EYVU1FXV"]) == 0
    text = capsys.readouterr().out
    assert "origin  unknown" in text and "ec2RoleDelivery" in text and "not in the range" in text


def test_a_key_not_in_the_range_is_unknown_not_an_error(stratus, capsys):
    data = chain_json(capsys, str(stratus), "--access-key", "ASIANOTHERE00000000", "--until", "2020-01-01")
    assert data["origin"]["kind"] == "unknown"
    assert data["keys"] == {"ASIANOTHERE00000000": {"events": 0, "first": None, "last": None, "source_ips": []}}


def test_usage_errors_exit_2(stratus, capsys):
    with pytest.raises(SystemExit) as both:
        main(["chain", str(stratus), "--access-key", "A", "--event-id", "B"])
    assert both.value.code == 2
    with pytest.raises(SystemExit) as neither:
        main(["chain", str(stratus)])
    assert neither.value.code == 2
    capsys.readouterr()
    assert main(["chain", str(stratus), "--event-id", "no-such-event"]) == 2
    assert "no-such-event is not in" in capsys.readouterr().err
    assert main(["chain", str(stratus / "missing"), "--access-key", "AKIA"]) == 2


# -- TrailDiscover ------------------------------------------------------------------------------------------


def test_traildiscover_samples_resolve_without_errors_and_failed_calls_issue_nothing(tmp_path, capsys):
    trail = write_trail(tmp_path / "td" / "samples.json", traildiscover_records())
    index = index_of(trail)
    assert index.events > 100
    # the STS samples are AccessDenied (no credentials) and GetSigninToken is not an STS issue
    assert index.issuances == {}
    for key in index.keys:
        chain = resolve(index, key)
        assert chain.origin.kind in ("long-term-key", "unknown")
        assert chain.links == ()
    data = chain_json(capsys, str(trail), "--access-key", "AKIA****************")
    assert data["origin"]["kind"] == "long-term-key"
    assert data["keys"]["AKIA****************"]["events"] == index.keys["AKIA****************"].count


# -- the demo trail -----------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("chains-demo") / "trail"
    generate_demo(DemoSpec(seed=1, events=3000, days=2), root, workers=1)
    return root


def test_demo_sessions_resolve_to_saml_web_identity_and_aws_service_origins(demo):
    index = index_of(demo)
    assert index.organisations == {"o-k3x9q2m7vd"}
    assert len(index.accounts) == 3
    kinds: dict[str, list] = {}
    for key in index.issuances:
        chain = resolve(index, key)
        kinds.setdefault(chain.origin.kind, []).append(chain)
    assert {"saml", "web-identity", "aws-service"} <= set(kinds)
    saml = kinds["saml"][0]
    assert ":saml-provider/Okta" in saml.origin.principal
    assert saml.origin.access_key == "" and saml.path[0].role_arn.startswith("arn:aws:iam::")
    assert saml.origin.event_id == saml.path[0].issued_by_event_id
    web = kinds["web-identity"][0]
    assert "oidc-provider" in web.origin.principal
    assert {c.origin.principal for c in kinds["aws-service"]} <= {"lambda.amazonaws.com", "ec2.amazonaws.com",
                                                                 "autoscaling.amazonaws.com", "config.amazonaws.com"}
    used = [c for c in kinds["saml"] + kinds["web-identity"] if c.keys[c.start_key].events]
    assert used, "some federated session made calls with its key"


def test_an_event_made_without_a_key_resolves_the_key_it_issued(demo, capsys):
    index = index_of(demo)
    saml = next(i for i in index.issuances.values() if i.event_name == "AssumeRoleWithSAML")
    data = chain_json(capsys, str(demo), "--event-id", saml.event_id)
    assert data["origin"]["kind"] == "saml" and data["origin"]["access_key"] == ""
    assert data["origin"]["event_id"] == saml.event_id
    assert [link["access_key"] for link in data["links"]][:1] == [saml.access_key]
    assert ":saml-provider/" in data["origin"]["principal"]


def test_demo_leaked_key_is_its_own_long_term_origin(demo, capsys):
    summary = json.loads((demo / "trailtui-demo.json").read_text()) if (demo / "trailtui-demo.json").exists() else {}
    key = summary.get("incident", {}).get("access_key_id") or _incident_key()
    data = chain_json(capsys, str(demo), "--access-key", key)
    assert data["origin"]["kind"] == "long-term-key"
    assert data["origin"]["principal"].endswith(":user/svc-reporting")
    assert "192.0.2.66" in data["keys"][key]["source_ips"]


def test_demo_incident_role_hop_resolves_to_the_leaked_key_and_leaves_the_organisation(demo, capsys):
    from trailtui.demo.incident import BACKDOOR_ACCOUNT, hop_access_key

    data = chain_json(capsys, str(demo), "--access-key", hop_access_key())
    assert data["origin"]["kind"] == "long-term-key"
    assert data["origin"]["access_key"] == _incident_key() and data["origin"]["source_ip"] == "192.0.2.66"
    assert [link["role_arn"].split(":")[4] for link in data["links"]] == ["437190265814", BACKDOOR_ACCOUNT]
    assert data["links"][0]["session_name"] == "svc-reporting"
    assert data["keys"][hop_access_key()]["events"] == 3 and data["keys"][hop_access_key()]["source_ips"] == [
        "192.0.2.66"]
    assert main(["hunt", str(demo), "--hunt", "role-chain-leaves-organisation", "--format", "jsonl"]) == 1
    hits = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(hits) == 1 and hits[0]["event"]["requestParameters"]["roleArn"].split(":")[4] == BACKDOOR_ACCOUNT


def _incident_key() -> str:
    from trailtui.demo import plan_incident

    return plan_incident(DemoSpec(seed=1, events=3000, days=2)).access_key_id


# -- synthetic: what the real samples do not have -----------------------------------------------------------

A, B = "111111111111", "222222222222"


def test_cross_account_chain_with_both_copies_of_the_assume_role(tmp_path, capsys):
    alice = user(A, "alice", "AKIAALICE0000000001")
    hop = session(B, "deploy", "alice", "ASIAHOP000000000001")
    records = [
        assume("e1", "2024-05-01T10:00:00Z", alice, f"arn:aws:iam::{B}:role/deploy", "alice", "ASIAHOP000000000001",
               account=A, source_identity="alice@corp"),
        # the role owner's copy of the same call: same key, other event id and recipient
        assume("e1-b", "2024-05-01T10:00:00Z", alice, f"arn:aws:iam::{B}:role/deploy", "alice",
               "ASIAHOP000000000001", account=B),
        assume("e2", "2024-05-01T10:05:00Z", hop, f"arn:aws:iam::{B}:role/admin", "ops", "ASIAEND000000000001",
               ip="203.0.113.9", account=B),
        call("e3", "2024-05-01T10:06:00Z", session(B, "admin", "ops", "ASIAEND000000000001"), ip="203.0.113.9"),
    ]
    trail = write_trail(tmp_path / "t" / "trail.json", records)
    data = chain_json(capsys, str(trail), "--event-id", "e3")
    assert data["origin"]["access_key"] == "AKIAALICE0000000001"
    assert [link["issued_by_event_id"] for link in data["links"]] == ["e1", "e2"]
    assert data["links"][1]["issuer_principal"] == f"arn:aws:sts::{B}:assumed-role/deploy/alice"
    assert main(["chain", str(trail), "--access-key", "ASIAEND000000000001"]) == 0
    assert "source identity alice@corp" in capsys.readouterr().out


def test_console_session_resolves_to_its_sign_in(tmp_path, capsys):
    console = user(A, "bob", "ASIACONSOLE00000001")
    console["sessionContext"] = {"attributes": {"creationDate": "2024-05-01T09:00:02Z", "mfaAuthenticated": "true"}}
    login = call("login", "2024-05-01T09:00:00Z", user(A, "bob", ""), "ConsoleLogin", ip="198.51.100.50",
                 responseElements={"ConsoleLogin": "Success"})
    records = [login, call("c1", "2024-05-01T09:10:00Z", console, ip="198.51.100.50")]
    trail = write_trail(tmp_path / "t" / "trail.json", records)
    data = chain_json(capsys, str(trail), "--access-key", "ASIACONSOLE00000001")
    assert data["origin"] == {"kind": "console-sign-in", "principal": f"arn:aws:iam::{A}:user/bob",
                              "access_key": "ASIACONSOLE00000001", "source_ip": "198.51.100.50",
                              "event_id": "login", "time": "2024-05-01T09:00:00Z"}


def test_ec2_instance_credentials_resolve_to_the_service(tmp_path, capsys):
    record = assume("ec2", "2024-05-01T08:00:00Z", service("ec2.amazonaws.com"), f"arn:aws:iam::{A}:role/web",
                    "i-0123456789abcdef0", "ASIAINSTANCE0000001", ip="ec2.amazonaws.com", account=A)
    trail = write_trail(tmp_path / "t" / "trail.json", [record])
    data = chain_json(capsys, str(trail), "--access-key", "ASIAINSTANCE0000001")
    assert data["origin"]["kind"] == "aws-service" and data["origin"]["principal"] == "ec2.amazonaws.com"
    assert data["links"][0]["session_name"] == "i-0123456789abcdef0"


def test_a_loop_in_the_records_ends_the_walk(tmp_path, capsys):
    one = session(A, "r1", "s1", "ASIALOOP00000000001")
    two = session(A, "r2", "s2", "ASIALOOP00000000002")
    records = [assume("l1", "2024-05-01T10:00:00Z", two, f"arn:aws:iam::{A}:role/r1", "s1", "ASIALOOP00000000001"),
               assume("l2", "2024-05-01T10:01:00Z", one, f"arn:aws:iam::{A}:role/r2", "s2", "ASIALOOP00000000002"),
               assume("self", "2024-05-01T10:02:00Z", one, f"arn:aws:iam::{A}:role/r1", "s1", "ASIALOOP00000000001")]
    trail = write_trail(tmp_path / "t" / "trail.json", records)
    data = chain_json(capsys, str(trail), "--access-key", "ASIALOOP00000000001")
    assert data["origin"]["kind"] == "unknown"
    assert len(data["links"]) == 2
    assert main(["chain", str(trail), "--access-key", "ASIALOOP00000000002"]) == 0
    assert "loop in the records" in capsys.readouterr().out


def test_a_very_long_chain_is_cut_at_the_documented_bound(tmp_path, capsys):
    keys = [f"ASIALONG{n:011d}" for n in range(MAX_CHAIN_LINKS + 40)]
    records = [assume(f"a{n}", "2024-05-01T10:00:00Z", user(A, "root-user", "AKIALONG00000000001") if n == 0
                      else session(A, "hop", f"s{n - 1}", keys[n - 1]), f"arn:aws:iam::{A}:role/hop", f"s{n}", key)
               for n, key in enumerate(keys)]
    trail = write_trail(tmp_path / "t" / "trail.json", records)
    index = index_of(trail)
    chain = resolve(index, keys[-1])
    assert len(chain.path) == MAX_CHAIN_LINKS
    assert chain.origin.kind == "unknown" and "longer than" in chain.origin.note
    whole = resolve(index, keys[0])
    assert whole.origin.access_key == "AKIALONG00000000001"
    assert len(whole.forward) == len(keys) - 1, "forward is breadth first through every issued key"
    assert start_key(index, access_key=keys[3]) == keys[3]


def test_hostile_strings_stay_inert_in_text(tmp_path, capsys):
    nasty = "[bold red]x[/] \x1b]0;pwned\x07\x1b[2J"
    record = assume("h1", "2024-05-01T10:00:00Z", user(A, "eve", "AKIAEVE000000000001"), f"arn:aws:iam::{A}:role/r",
                    nasty, "ASIAEVE000000000001", ip=nasty, source_identity=nasty)
    trail = write_trail(tmp_path / "t" / "trail.json", [record, {"eventTime": 7, "eventName": ["x"],
                                                                 "userIdentity": "nope", "responseElements": 3}])
    assert main(["chain", str(trail), "--access-key", "ASIAEVE000000000001"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b]0;pwned\\x07" in out and "[bold red]x[/]" in out
