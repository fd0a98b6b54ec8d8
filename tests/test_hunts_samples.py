"""Every hunt on real records: it fires on its attack samples and stays quiet on
Panther's should-not-alert samples for the same behaviour.

Data: tests/data/hunts/ (see its PROVENANCE.md).  Attack samples are Stratus Red
Team detonation logs where a technique exists, else Panther should-alert tests
or TrailDiscover records.
"""

from __future__ import annotations

import json
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from trailtui.events import Event
from trailtui.hunts import Hit, HuntContext, HuntEngine, load_catalogue
from trailtui.timerange import TimeRange

DATA = Path(__file__).parent / "data" / "hunts"
CATALOGUE = load_catalogue()

# hunt id -> {stratus technique file: event names the hunt must report from it (exactly)}
STRATUS = {
    "cloudtrail-stopped": {"defense-evasion.cloudtrail-stop": {"StopLogging"},
                           "defense-evasion.cloudtrail-delete": {"DeleteTrail"}},
    "cloudtrail-weakened": {"defense-evasion.cloudtrail-event-selectors": {"PutEventSelectors"}},
    "flow-logs-deleted": {"defense-evasion.vpc-remove-flow-logs": {"DeleteFlowLogs"}},
    "dns-query-logs-deleted": {"defense-evasion.dns-delete-logs": {"DeleteResolverQueryLogConfig"}},
    "leave-organization": {"defense-evasion.organizations-leave": {"LeaveOrganization"}},
    "console-login-no-mfa": {"initial-access.console-login-without-mfa": {"ConsoleLogin"}},
    "access-key-for-other-user": {"persistence.iam-backdoor-user": {"CreateAccessKey"},
                                  "persistence.iam-create-admin-user": {"CreateAccessKey"}},
    "admin-policy-attached": {"persistence.iam-create-admin-user": {"AttachUserPolicy"},
                              "persistence.iam-create-backdoor-role": {"AttachRolePolicy"}},
    "login-profile-for-other-user": {"persistence.iam-create-user-login-profile": {"CreateLoginProfile"},
                                     "privilege-escalation.iam-update-user-login-profile": {"UpdateLoginProfile"}},
    "role-trust-outside-account": {"persistence.iam-backdoor-role": {"UpdateAssumeRolePolicy"},
                                   "persistence.iam-create-backdoor-role": {"CreateRole"}},
    "new-user-granted-access": {"persistence.iam-create-admin-user": {"CreateUser", "AttachUserPolicy",
                                                                      "CreateAccessKey"}},
    "roles-anywhere-trust-anchor": {"persistence.rolesanywhere-create-trust-anchor": {"CreateTrustAnchor",
                                                                                      "CreateProfile"}},
    "federation-token-issued": {"persistence.sts-federation-token": {"GetFederationToken"}},
    "instance-credentials-outside-aws": {"credential-access.ec2-steal-instance-credentials": {"GetCallerIdentity",
                                                                                              "DescribeInstances"}},
    "access-denied-burst": {"credential-access.ec2-get-password-data": {"GetPasswordData"},
                            "discovery.ec2-download-user-data": {"DescribeInstanceAttribute"}},
    "secrets-mass-retrieval": {"credential-access.secretsmanager-retrieve-secrets": {"GetSecretValue"}},
    "secrets-batch-retrieval": {"credential-access.secretsmanager-batch-retrieve-secrets": {"BatchGetSecretValue"}},
    "ssm-parameters-decrypted": {"credential-access.ssm-retrieve-securestring-parameters": {"GetParameters"}},
    "ec2-password-data-burst": {"credential-access.ec2-get-password-data": {"GetPasswordData"}},
    "ec2-user-data-harvest": {"discovery.ec2-download-user-data": {"DescribeInstanceAttribute"}},
    "ec2-startup-script-changed": {"execution.ec2-user-data": {"ModifyInstanceAttribute", "StartInstances"}},
    "ssm-remote-exec-many-targets": {"execution.ssm-send-command": {"SendCommand"},
                                     "execution.ssm-start-session": {"StartSession"}},
    "remote-command-by-person": {"execution.ssm-send-command": {"SendCommand"},
                                 "execution.ssm-start-session": {"StartSession"},
                                 "lateral-movement.ec2-instance-connect": {"SendSSHPublicKey"},
                                 "lateral-movement.ec2-serial-console-send-ssh-public-key":
                                     {"SendSerialConsoleSSHPublicKey"}},
    "ec2-instance-connect-many-targets": {"lateral-movement.ec2-instance-connect": {"SendSSHPublicKey"},
                                          "lateral-movement.ec2-serial-console-send-ssh-public-key":
                                              {"SendSerialConsoleSSHPublicKey"}},
    "serial-console-enabled": {"lateral-movement.ec2-serial-console-send-ssh-public-key":
                                   {"EnableSerialConsoleAccess"}},
    "snapshot-shared-outside": {"exfiltration.ec2-share-ami": {"ModifyImageAttribute"},
                                "exfiltration.ec2-share-ebs-snapshot": {"ModifySnapshotAttribute"},
                                "exfiltration.rds-share-snapshot": {"ModifyDBSnapshotAttribute"}},
    "security-group-open-world": {"exfiltration.ec2-security-group-open-port-22-ingress":
                                      {"AuthorizeSecurityGroupIngress"}},
    "lambda-public-permission": {"persistence.lambda-backdoor-function": {"AddPermission20150331v2"}},
    "lambda-code-updated-by-user": {"persistence.lambda-overwrite-code": {"UpdateFunctionCode20150331v2"}},
    "lambda-layer-attached": {"persistence.lambda-layer-extension": {"UpdateFunctionConfiguration20150331v2"}},
    "gpu-instance-launch": {"execution.ec2-launch-unusual-instances": {"RunInstances"}},
    "bedrock-model-enumeration": {"impact.bedrock-invoke-model": {
        "GetFoundationModelAvailability", "ListFoundationModelAgreementOffers", "PutUseCaseForModelAccess",
        "CreateFoundationModelAgreement", "PutFoundationModelEntitlement", "InvokeModel"}},
    "bedrock-model-access-enabled": {"impact.bedrock-invoke-model": {
        "PutUseCaseForModelAccess", "CreateFoundationModelAgreement", "PutFoundationModelEntitlement"}},
}

PUBLIC = "AWS.CloudTrail.ResourceMadePublic"

# Predicate hunts without a Stratus technique: Panther should-alert tests
# (rule id, test name) and TrailDiscover records that must each match.
PANTHER_ALERTS = {
    "trail-bucket-tampering": [("AWS.CloudTrail.ShortLifecycle", "1-Day Lifecycle Rule on Known CT Bucket"),
                               ("AWS.CloudTrail.ShortLifecycle", "1-Day Lifecycle Rule on Assumed CT Bucket")],
    "config-impaired": [("AWS.ConfigService.DisabledDeleted", "Config Recorder Deleted")],
    "securityhub-impaired": [("AWS.SecurityHub.Finding.Evasion", "DeleteInsight"),
                             ("AWS.SecurityHub.Finding.Evasion", "UpdateFindings")],
    "bedrock-logging-disabled": [("AWS.Bedrock.DeleteModelInvocationLoggingConfiguration",
                                  "Model Invocation Logging Configuration Deleted"),
                                 ("AWS.Bedrock.GuardrailUpdateDelete", "Guardrail Deleted")],
    "root-activity": [("AWS.Root.Activity", "Root Activity"), ("AWS.Root.Activity", "Successful Root Login"),
                      ("AWS.Console.RootLogin", "Successful Root Login")],
    "root-credentials-changed": [("AWS.CloudTrail.RootAccessKeyCreated", "Root Access Key Created"),
                                 ("AWS.CloudTrail.RootPasswordChanged", "Root Password Changed")],
    "saml-provider-changed": [("AWS.Suspicious.SAML.Activity", "CreateSAMLProvider"),
                              ("AWS.Suspicious.SAML.Activity", "UpdateSAMLProvider")],
    "credential-check-by-scanner": [("AWS.STS.GetCallerIdentity.TruffleHog", "TruffleHog GetCallerIdentity"),
                                    ("AWS.STS.GetCallerIdentity.TruffleHog", "TruffleHog User Agent Variant")],
    "s3-bucket-public": [("AWS.S3.DeletePublicAccessBlock", "Public Access Block Deleted Successfully")],
    "resource-policy-outside": [(PUBLIC, "S3 Made Publicly Accessible"), (PUBLIC, "ECR Made Public"),
                                (PUBLIC, "Wildcard Principal No Conditions (Should Alert)"),
                                (PUBLIC, "Mixed Conditions Some Restrictive (Should Alert)")],
    # Panther's rule wants many instances; one shell command by an SSO session is this hunt's finding.
    "remote-command-by-person": [("AWS.SSM.DistributedCommand", "Single Command Send, No Cached IDs")],
    "nacl-open-world": [("AWS.CloudTrail.NetworkACLPermissiveEntry", "Overly Permissive Entry Added")],
    # Hunts that also have Stratus samples: Panther's positives must match too.
    "cloudtrail-stopped": [("AWS.CloudTrail.Stopped", "CloudTrail Was Stopped"),
                           ("AWS.CloudTrail.SecurityConfigurationChange", "Security Configuration Changed")],
    "cloudtrail-weakened": [("AWS.CloudTrail.EventSelectorsDisabled", "Event Selector Disabled"),
                            ("AWS.CloudTrail.VPCE.SensitiveAPICalls", "CloudTrail API Call Via VPC Endpoint")],
    "instance-credentials-outside-aws": [("AWS.CloudTrail.IMDSCredentialExfiltration",
                                          "IMDS Credentials Used From Public IP"),
                                         ("AWS.CloudTrail.IMDSCredentialExfiltration",
                                          "IMDS Credentials Used From Amazon.com ASN Source IP")],
    "console-login-no-mfa": [("AWS.Console.LoginWithoutMFA", "No MFA Login - IAM User"),
                             ("AWS.Console.LoginWithoutMFA", "No MFA Login - Root User")],
    "access-key-for-other-user": [("AWS.IAM.Backdoor.User.Keys", "user1 create keys for user2"),
                                  ("AWS.IAM.Backdoor.User.Keys", "jackson create keys for jack"),
                                  ("AWS.IAM.Backdoor.User.Keys", "jack create keys for jackson")],
    "login-profile-for-other-user": [("AWS.User.Login.Profile.Modified", "User changed password for other")],
    "role-trust-outside-account": [("AWS.IAM.BackdoorRole", "IAM Role Policy Updated to Allow Internet Access")],
    "snapshot-shared-outside": [("AWS.CloudTrail.SnapshotMadePublic", "Snapshot Made Publicly Accessible"),
                                ("AWS.CloudTrail.AMIModifiedForPublicAccess", "AMI Made Public"),
                                ("AWS.RDS.SnapshotShared", "Snapshot shared with another account")],
    "security-group-open-world": [("AWS.EC2.ManualSecurityGroupChange", "Go Script Authorize Ingress")],
    "lambda-code-updated-by-user": [("AWS.Lambda.UpdateFunctionCode", "IAM User Updates Lambda Code"),
                                    ("AWS.Lambda.UpdateFunctionCode", "SSO AssumedRole Updates Lambda Code"),
                                    ("AWS.Lambda.UpdateFunctionCode", "FederatedUser Updates Lambda Code")],
    "lambda-layer-attached": [("AWS.Lambda.UpdateFunctionConfiguration",
                               "IAM User Updates Lambda Configuration with Layers")],
    "gpu-instance-launch": [("AWS.EC2.LaunchUnusualEC2Instances", "Successful Unusual EC2"),
                            ("AWS.EC2.LaunchUnusualEC2Instances", "Successful Unusual EC2 (Dictionary)")],
    "secrets-batch-retrieval": [("AWS.SecretsManager.BatchRetrieveSecrets", "BatchGetSecretValue")],
}

TRAILDISCOVER_ALERTS = {
    "guardduty-impaired": ["GuardDuty_DeleteDetector", "GuardDuty_CreateIPSet",
                           "GuardDuty_DisassociateFromMasterAccount"],
    "config-impaired": ["Config_StopConfigurationRecorder", "Config_DeleteConfigurationRecorder",
                        "Config_DeleteDeliveryChannel"],
    "securityhub-impaired": ["SecurityHub_DeleteMembers"],
    "lambda-function-url-no-auth": ["Lambda_CreateFunctionUrlConfig"],
    # Refused or invalid calls: attempts (every hit must say so, see ATTEMPT_SAMPLES).
    "cloudtrail-stopped": ["CloudTrail_StopLogging", "CloudTrail_DeleteTrail"],
    "flow-logs-deleted": ["EC2_DeleteFlowLogs"],
    "admin-policy-attached": ["IAM_AttachUserPolicy", "IAM_AttachRolePolicy"],
    "leave-organization": ["Organizations_LeaveOrganization"],
    "remote-command-by-person": ["SSM_StartSession"],
}

# TrailDiscover records of failed calls: the hunts above must report them as attempts.
ATTEMPT_SAMPLES = ["CloudTrail_StopLogging", "CloudTrail_DeleteTrail", "EC2_DeleteFlowLogs", "IAM_AttachUserPolicy",
                   "IAM_AttachRolePolicy", "Organizations_LeaveOrganization", "SSM_StartSession",
                   "GuardDuty_DeleteDetector", "GuardDuty_DeleteMembers", "Config_StopConfigurationRecorder"]

# TrailDiscover records that must not fire the named hunts (why in brackets).
TRAILDISCOVER_QUIET = {
    "GuardDuty_UpdateDetector": ["guardduty-impaired"],  # enable: true
    "CloudTrail_UpdateTrail": ["cloudtrail-weakened"],  # denied, no parameters: changed nothing
    "EC2_AuthorizeSecurityGroupIngress": ["security-group-open-world"],  # 0.0.0.0/24 and UnauthorizedOperation
    "S3_PutBucketPolicy": ["trail-bucket-tampering", "s3-bucket-public", "resource-policy-outside"],  # NoSuchBucket
    "EC2_ModifySnapshotAttribute": ["snapshot-shared-outside"],  # a permission removed, and refused
    "EC2_ModifyImageAttribute": ["snapshot-shared-outside"],  # refused, no parameters
    "KMS_CreateKey": ["resource-policy-outside"],  # refused, no policy
    "IAM_UpdateAssumeRolePolicy": ["role-trust-outside-account"],  # refused, no policy: nothing to judge
    "Lambda_AddPermission20150331v2": ["lambda-public-permission"],  # refused, no principal
    "SSM_SendCommand": ["remote-command-by-person"],  # refused, no document: not known to be a shell
}

# hunt id -> Panther rules for the same behaviour; each should-not-alert test must not fire.
PANTHER_SAME_BEHAVIOUR = {
    "cloudtrail-stopped": ["AWS.CloudTrail.Stopped", "AWS.CloudTrail.SecurityConfigurationChange"],
    "cloudtrail-weakened": ["AWS.CloudTrail.EventSelectorsDisabled", "AWS.CloudTrail.VPCE.SensitiveAPICalls"],
    "trail-bucket-tampering": ["AWS.CloudTrail.ShortLifecycle", "AWS.S3.BucketDeleted"],
    "flow-logs-deleted": ["AWS.VPCFlow.LogsDeleted"],
    "dns-query-logs-deleted": ["AWS.CloudTrail.DNSLogsDeleted"],
    "guardduty-impaired": ["AWS.IPSet.Modified"],
    "config-impaired": ["AWS.ConfigService.DisabledDeleted"],
    "securityhub-impaired": ["AWS.SecurityHub.Finding.Evasion"],
    "bedrock-logging-disabled": ["AWS.Bedrock.DeleteModelInvocationLoggingConfiguration",
                                 "AWS.Bedrock.GuardrailUpdateDelete"],
    "leave-organization": ["AWS.CloudTrail.AttemptToLeaveOrg"],
    "console-login-no-mfa": ["AWS.Console.LoginWithoutMFA", "AWS.Console.LoginWithoutSAML"],
    "console-login-failures": ["AWS.CloudTrail.PasswordSpraying", "AWS.Unsuccessful.MFA.attempt",
                               "AWS.Console.RootLoginFailed"],
    "root-activity": ["AWS.Root.Activity", "AWS.Console.RootLogin"],
    "root-credentials-changed": ["AWS.CloudTrail.RootAccessKeyCreated", "AWS.CloudTrail.RootPasswordChanged"],
    "access-key-for-other-user": ["AWS.IAM.Backdoor.User.Keys"],
    "admin-policy-attached": ["AWS.IAM.AttachAdminRolePolicy", "AWS.IAM.AttachAdminUserPolicy",
                              "AWS.CloudTrail.IAMCompromisedKeyQuarantine"],
    "login-profile-for-other-user": ["AWS.CloudTrail.LoginProfileCreatedOrModified", "AWS.User.Login.Profile.Modified"],
    "role-trust-outside-account": ["AWS.IAM.BackdoorRole"],
    "new-user-granted-access": ["AWS.IAM.CreateUser"],
    "saml-provider-changed": ["AWS.Suspicious.SAML.Activity"],
    "instance-credentials-outside-aws": ["AWS.CloudTrail.IMDSCredentialExfiltration"],
    "access-denied-burst": ["AWS.IAMUser.ReconAccessDenied", "AWS.CloudTrail.UnauthorizedAPICall"],
    "credential-check-by-scanner": ["AWS.STS.GetCallerIdentity.TruffleHog"],
    "secrets-mass-retrieval": ["AWS.SecretsManager.RetrieveSecrets", "AWS.SecretsManager.RetrieveSecretsMultiRegion"],
    "secrets-batch-retrieval": ["AWS.SecretsManager.BatchRetrieveSecrets",
                                "AWS.SecretsManager.RetrieveSecretsMultiRegion"],
    "ssm-parameters-decrypted": ["AWS.SSM.DecryptSSMParams"],
    "ec2-password-data-burst": ["AWS.EC2.ManyPasswordReadAttempts"],
    "ec2-user-data-harvest": ["AWS.EC2.DownloadInstanceUserData"],
    "ec2-startup-script-changed": ["AWS.EC2.Startup.Script.Change"],
    "ssm-remote-exec-many-targets": ["AWS.SSM.DistributedCommand"],
    "ec2-instance-connect-many-targets": ["AWS.EC2.MultiInstanceConnect"],
    "snapshot-shared-outside": ["AWS.CloudTrail.SnapshotMadePublic", "AWS.CloudTrail.AMIModifiedForPublicAccess",
                                "AWS.RDS.SnapshotShared"],
    "s3-bucket-public": ["AWS.CloudTrail.ResourceMadePublic", "AWS.S3.DeletePublicAccessBlock",
                         "AWS.S3.BucketPolicyModified"],
    "resource-policy-outside": ["AWS.CloudTrail.ResourceMadePublic", "AWS.S3.BucketPolicyModified"],
    "security-group-open-world": ["AWS.EC2.SecurityGroupModified", "AWS.EC2.ManualSecurityGroupChange"],
    "nacl-open-world": ["AWS.CloudTrail.NetworkACLPermissiveEntry", "AWS.EC2.NetworkACLModified"],
    "lambda-public-permission": ["AWS.Potential.Backdoor.Lambda"],
    "lambda-code-updated-by-user": ["AWS.Lambda.UpdateFunctionCode"],
    "lambda-layer-attached": ["AWS.Lambda.UpdateFunctionConfiguration"],
    "gpu-instance-launch": ["AWS.EC2.LaunchUnusualEC2Instances"],
}

# Should-not-alert tests of failed calls that this project reports as attempts (Panther counts only
# success): the hunt may report them, and only with attempt = true.
ATTEMPTS_BY_DESIGN = {
    ("AWS.CloudTrail.Stopped", "Error Stopping CloudTrail"),
    ("AWS.CloudTrail.SecurityConfigurationChange", "Security Configuration Not Changed - Error"),
    ("AWS.ConfigService.DisabledDeleted", "Error Deleting Config Recorder"),
}

# Should-not-alert tests left out, and why (the verdict needs state the record does not carry).
PANTHER_EXCLUDED = {
    # Byte-identical to the "No MFA Login - IAM User" should-alert test; Panther decides with a lookup of
    # when the user was created, which is not in the record.
    ("AWS.Console.LoginWithoutMFA", "No MFA Login - New User"),
    # The catch-all sub-rule only alerts on one filter shape; any BatchGetSecretValue is our finding.
    ("AWS.SecretsManager.BatchRetrieveSecretsCatchAll", "BatchGetSecretValue Catch-All with other filters"),
}


def _stratus(name: str) -> list[dict]:
    return json.loads((DATA / "stratus-red-team" / f"aws.{name}.json").read_text())


def _panther() -> list[dict]:
    lines = (DATA / "panther-analysis" / "aws_cloudtrail_rule_tests.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()]


PANTHER = _panther()


def _panther_test(rule_id: str, test_name: str) -> dict:
    found = [t for t in PANTHER if t["rule_id"] == rule_id and t["test_name"] == test_name]
    assert len(found) == 1, (rule_id, test_name)
    return found[0]["log"]


def _traildiscover(name: str) -> list[dict]:
    data = json.loads((DATA / "traildiscover" / f"{name}.json").read_text())
    return data if isinstance(data, list) else [data]


def _newest_first(records: list[dict]) -> list[Event]:
    events = [Event.from_raw(r, "sample") for r in records]
    return sorted(events, key=lambda e: e.time, reverse=True)


def _hits(hunt_id: str, records: list[dict]) -> list[Hit]:
    return HuntEngine([CATALOGUE.get(hunt_id)]).feed_all(_newest_first(records))


def _run(hunt_id: str, records: list[dict]) -> list[Event]:
    return [hit.event for hit in _hits(hunt_id, records)]


def test_every_hunt_has_attack_samples():
    first_seen = {h.id for h in CATALOGUE if h.first_seen is not None}  # test_first_seen_on_stratus_history
    chained = {h.id for h in CATALOGUE if h.chain is not None}  # tests/test_chain_hunts.py
    covered = (set(STRATUS) | set(PANTHER_ALERTS) | set(TRAILDISCOVER_ALERTS) | {"console-login-failures"} | first_seen
               | chained)
    assert {h.id for h in CATALOGUE} == covered


@pytest.mark.parametrize("hunt_id,technique", [(h, t) for h, files in STRATUS.items() for t in files])
def test_hunt_fires_on_stratus_detonation(hunt_id, technique):
    hits = _run(hunt_id, _stratus(technique))
    assert hits, f"{hunt_id} did not fire on {technique}"
    assert {e.event_name for e in hits} == STRATUS[hunt_id][technique]
    assert len({id(e) for e in hits}) == len(hits), "an event was reported twice"


@pytest.mark.parametrize("hunt_id,rule_id,test_name", [(h, r, t) for h, tests in PANTHER_ALERTS.items() for r,
                                                       t in tests])
def test_predicate_fires_on_panther_positive(hunt_id, rule_id, test_name):
    assert _run(hunt_id, [_panther_test(rule_id, test_name)])


@pytest.mark.parametrize("hunt_id,name", [(h, n) for h, names in TRAILDISCOVER_ALERTS.items() for n in names])
def test_predicate_fires_on_traildiscover_record(hunt_id, name):
    assert _run(hunt_id, _traildiscover(name))


@pytest.mark.parametrize("name,hunt_id", [(n, h) for n, hunts in TRAILDISCOVER_QUIET.items() for h in hunts])
def test_quiet_on_traildiscover_negative(name, hunt_id):
    assert not _run(hunt_id, _traildiscover(name))


@pytest.mark.parametrize("name", ATTEMPT_SAMPLES)
def test_failed_calls_are_attempts(name):
    hits = [h for hunt in CATALOGUE for h in _hits(hunt.id, _traildiscover(name))]
    assert hits, f"no hunt reported the failed call in {name}"
    assert all(hit.attempt for hit in hits)


def test_successful_calls_are_not_attempts():
    hits = _hits("cloudtrail-stopped", _stratus("defense-evasion.cloudtrail-stop"))
    assert hits and not any(hit.attempt for hit in hits)


def test_failed_login_burst_fires():
    base = _panther_test("AWS.CloudTrail.PasswordSpraying", "Failed Console Login")
    start = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    burst = []
    for i in range(5):
        record = deepcopy(base)
        record["eventTime"] = (start + timedelta(seconds=20 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        record["eventID"] = f"burst-{i}"
        burst.append(record)
    assert len(_run("console-login-failures", burst)) == 5
    assert not _run("console-login-failures", burst[:4]), "four failures is below the threshold"
    spread = deepcopy(burst)
    for i, record in enumerate(spread):
        record["eventTime"] = (start + timedelta(minutes=11 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert not _run("console-login-failures", spread), "failures an 11 minutes apart are not a burst"


def _not_alert_cases():
    for hunt_id, rules in PANTHER_SAME_BEHAVIOUR.items():
        for test in PANTHER:
            if test["rule_id"] in rules and not test["expected"]:
                if (test["rule_id"], test["test_name"]) not in PANTHER_EXCLUDED:
                    yield hunt_id, test["rule_id"], test["test_name"]


NOT_ALERT = list(_not_alert_cases())


def _repeated(record: dict, times: int) -> list[dict]:
    """The same record `times` times, one second apart, as a burst would look."""
    start = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    out = []
    for i in range(times):
        copy = deepcopy(record) if isinstance(record, dict) else record
        if isinstance(copy, dict):
            copy["eventTime"] = (start + timedelta(seconds=i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            copy["eventID"] = f"repeat-{i}"
        out.append(copy)
    return out


@pytest.mark.parametrize("hunt_id,rule_id,test_name", NOT_ALERT)
def test_quiet_on_panther_should_not_alert(hunt_id, rule_id, test_name):
    record = _panther_test(rule_id, test_name)
    if (rule_id, test_name) in ATTEMPTS_BY_DESIGN:
        hits = _hits(hunt_id, [record])
        assert hits and all(hit.attempt for hit in hits), "a failed call is reported, as an attempt"
        return
    assert not _run(hunt_id, [record])
    hunt = CATALOGUE.get(hunt_id)
    if hunt.threshold is not None or hunt.sequence is not None:
        # Not even a burst of the same record may fire a counting hunt.
        count = hunt.threshold.count if hunt.threshold else 2
        assert not _run(hunt_id, _repeated(record, 2 * count))


def test_mapping_covers_a_real_number_of_negatives():
    # A guard against a mapping that silently checks nothing.
    assert len(NOT_ALERT) >= 60
    assert len({h for h, _, _ in NOT_ALERT}) >= 30


def test_excluded_samples_are_really_there():
    for rule_id, test_name in PANTHER_EXCLUDED:
        assert not [t for t in PANTHER if (t["rule_id"], t["test_name"]) == (rule_id, test_name) and t["expected"]]
        _panther_test(rule_id, test_name)


def test_first_seen_on_stratus_history():
    """Every Stratus detonation log together is four months of real activity.
    With the first month as the baseline, the tester's next detonation
    (UpdateLoginProfile) is a new API, network, region and tool for that
    principal, and each first-seen hunt says so once."""
    records = [r for path in sorted((DATA / "stratus-red-team").glob("aws.*.json"))
               for r in json.loads(path.read_text()) if isinstance(r, dict)]
    context = HuntContext(baseline=TimeRange(None, datetime(2024, 8, 27, tzinfo=UTC)))
    hunts = [h for h in CATALOGUE if h.first_seen is not None]
    hits = HuntEngine(hunts, context).feed_all(_newest_first(records))
    assert sorted((h.hunt.id, h.event.event_name) for h in hits) == [
        ("first-seen-api", "UpdateLoginProfile"), ("first-seen-network", "UpdateLoginProfile"),
        ("first-seen-region", "UpdateLoginProfile"), ("first-seen-user-agent", "UpdateLoginProfile")]
    network = next(h for h in hits if h.hunt.id == "first-seen-network")
    assert "212.3.253.0/24" in network.detail and "user/christophe" in network.detail
    assert not HuntEngine(hunts).feed_all(_newest_first(records)), "the newest two days: no principal with a baseline"
