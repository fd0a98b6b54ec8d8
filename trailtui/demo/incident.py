"""The planted incident: a leaked access key, from first use to covering tracks.

Story: the long-term access key of `svc-reporting` (an IAM user that a
reporting server in the office uses every night) leaks.  Someone uses it from
an address never seen before, with a Kali Linux AWS CLI:

1. recon: GetCallerIdentity, then List*/Describe* across services and regions,
   most of them denied (a burst of AccessDenied / UnauthorizedOperation);
2. privilege escalation: AttachUserPolicy AdministratorAccess is denied, but the
   user may edit its own managed policy, so CreatePolicyVersion (setAsDefault,
   `Action: *`) works and the second AttachUserPolicy succeeds;
3. persistence: CreateAccessKey for `deploy-bot`, CreateLoginProfile for
   `backup-admin`, UpdateAssumeRolePolicy making `ops-automation-role` trust an
   outside account; the new deploy-bot key is tried once;
4. lateral movement: with the leaked key, AssumeRole into `ops-automation-role`
   (session `svc-reporting`); the role session looks around, then assumes a
   role in the attacker's own account (outside the organisation);
5. data access: ListSecrets and GetSecretValue on several production secrets,
   ListObjects and GetObject on the sensitive `acme-prod-customer-exports` bucket;
6. defence evasion: StopLogging on the account's own trail (works), StopLogging
   on the organisation trail (refused: a member account cannot stop it, which is
   why this trail still recorded everything), DeleteFlowLogs.

Request shapes follow the Stratus Red Team detonation records for the same
calls, so hunts written against real data fire on the demo too.  Everything is
derived from the `DemoSpec` (times) and fixed names, never from randomness
shared with the background.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from trailtui.demo import identities as ids
from trailtui.demo.records import Outcome, Record, api_record, tls_details
from trailtui.demo.shapes import short_time
from trailtui.demo.spec import GLOBAL_REGION, PROD, TRAIL_ARN, DemoSpec, chunk_seed

PlantedRecord = tuple[int, str, str, Record]  # (epoch, account, region, record)

VICTIM_USER = "svc-reporting"
ATTACKER_IP = "192.0.2.66"
ATTACKER_AGENT = ("aws-cli/2.15.30 Python/3.11.8 Linux/6.6.9-amd64 exe/x86_64.kali.2024 prompt/off "
                  "command/{command}")
SCRIPT_AGENT = ("Boto3/1.34.69 md/Botocore#1.34.69 ua/2.0 os/linux#6.6.9-amd64 md/arch#x86_64 lang/python#3.11.8 "
                "md/pyimpl#CPython cfg/retry-mode#legacy Botocore/1.34.69")
# A user agent is whatever the caller sends: this one carries Rich markup, an OSC
# terminal-title sequence and a BEL, so the console's escaping is visible.
HOSTILE_AGENT = ("aws-cli/2.15.30 [link=http://evil.example/]click me[/link] \u001b]0;pwned\u0007 "
                 "Linux/6.6.9-amd64 exe/x86_64.kali.2024")
BACKDOOR_ACCOUNT = "836492017358"
BACKDOORED_ROLE = "ops-automation-role"
HOP_SESSION = VICTIM_USER  # the session name the attacker gives the assumed role
OUTSIDE_ROLE = f"arn:aws:iam::{BACKDOOR_ACCOUNT}:role/staging-sync"
NEW_KEY_USER = "deploy-bot"
LOGIN_PROFILE_USER = "backup-admin"
POLICY_ARN = f"arn:aws:iam::{PROD.id}:policy/svc-reporting-access"
LOCAL_TRAIL_ARN = f"arn:aws:cloudtrail:us-east-1:{PROD.id}:trail/prod-security-trail"
SENSITIVE_BUCKET = "acme-prod-customer-exports"
FLOW_LOG_ID = "fl-0e17aa62a21d4bbfe"
# Twelve secrets in forty seconds: more than any application reads (the
# secrets-mass-retrieval hunt fires at ten distinct secrets in ten minutes).
STOLEN_SECRETS = ("prod/orders-api/db", "prod/orders-api/stripe", "prod/payments/hsm-pin", "prod/github/deploy-token",
                  "prod/sendgrid/api-key", "prod/reporting/warehouse", "prod/datadog/api-key", "prod/slack/webhook",
                  "prod/pagerduty/integration-key", "prod/okta/scim-token", "prod/redis/auth-token",
                  "prod/legacy/ftp-password")


@dataclass(frozen=True, slots=True)
class IncidentStep:
    at: datetime
    phase: str
    what: str


@dataclass(frozen=True, slots=True)
class DemoIncident:
    """The planted incident of a demo trail: who, from where, with which key, when."""

    title: str
    story: str
    account_id: str
    user_name: str
    principal_arn: str
    access_key_id: str
    attacker_ip: str
    attacker_user_agent: str
    start: datetime
    end: datetime
    new_access_key_id: str
    backdoor_account_id: str
    steps: tuple[IncidentStep, ...] = field(default=())

    @property
    def query_filter(self) -> str:
        """A `trailtui query --filter` that finds the attacker's use of the key."""
        return f"userIdentity.accessKeyId=='{self.access_key_id}' && sourceIPAddress=='{self.attacker_ip}'"

    def summary(self) -> dict[str, Any]:
        """JSON-ready description (for trailtui-demo.json and the console)."""
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        return {
            "title": self.title, "story": self.story, "account_id": self.account_id, "user_name": self.user_name,
            "principal_arn": self.principal_arn, "access_key_id": self.access_key_id,
            "attacker_ip": self.attacker_ip, "attacker_user_agent": self.attacker_user_agent,
            "start": self.start.strftime(fmt), "end": self.end.strftime(fmt),
            "new_access_key_id": self.new_access_key_id, "backdoor_account_id": self.backdoor_account_id,
            "query_filter": self.query_filter,
            "steps": [{"at": s.at.strftime(fmt), "phase": s.phase, "what": s.what} for s in self.steps],
        }


@dataclass(frozen=True, slots=True)
class _Call:
    """One planted call, relative to the incident start."""

    offset: int
    region: str
    service: str
    name: str
    read_only: bool
    request: Any = None
    response: Any = None
    error: tuple[str, str] | None = None
    category: str = "Management"
    agent: str = ATTACKER_AGENT
    additional: dict[str, Any] | None = None
    resources: list[dict[str, str]] | None = None
    identity_user: str = VICTIM_USER
    access_key: str | None = None
    role_session: bool = False  # made with the ops-automation-role session, not the user's key
    phase: str = ""
    note: str = ""


def incident_start(spec: DemoSpec) -> datetime:
    """Late in the period, so the newest day or two of the demo hold it: 30 hours
    before the end, or 35% of the span for short demos (never under 3 hours, so
    the ~76 minutes of the incident always end inside the period)."""
    back = min(timedelta(hours=30), max(timedelta(hours=3), (spec.end - spec.start) * 0.35))
    return (spec.end - back).replace(second=0, microsecond=0) + timedelta(minutes=17, seconds=23)


def new_access_key() -> str:
    return ids.stable_id("AKIA", "incident", PROD.id, NEW_KEY_USER)


def hop_access_key() -> str:
    """The key AssumeRole gives the attacker for ops-automation-role."""
    return ids.session_key(PROD.id, BACKDOORED_ROLE, HOP_SESSION, "incident")


def hop_role_id() -> str:
    return ids.stable_id("AROA", PROD.id, BACKDOORED_ROLE, length=17)


def _denied(action: str, resource: str = "*") -> tuple[str, str]:
    arn = f"arn:aws:iam::{PROD.id}:user/{VICTIM_USER}"
    return ("AccessDenied", f"User: {arn} is not authorized to perform: {action} on resource: {resource} "
                            f"because no identity-based policy allows the {action} action")


def _ec2_denied(action: str) -> tuple[str, str]:
    arn = f"arn:aws:iam::{PROD.id}:user/{VICTIM_USER}"
    return ("Client.UnauthorizedOperation", f"You are not authorized to perform this operation. User: {arn} is not "
                                            f"authorized to perform: {action} because no identity-based policy "
                                            f"allows the {action} action")


def _s3_extra(bytes_out: int, token: str) -> dict[str, Any]:
    return {"SignatureVersion": "SigV4", "CipherSuite": "TLS_AES_128_GCM_SHA256", "bytesTransferredIn": 0,
            "AuthenticationMethod": "AuthHeader", "x-amz-id-2": token, "bytesTransferredOut": bytes_out}


def _secret_arn(name: str) -> str:
    suffix = ids.stable_id("", "secret-suffix", name, length=6)
    return f"arn:aws:secretsmanager:us-east-1:{PROD.id}:secret:{name}-{suffix}"


def _calls(start: datetime) -> list[_Call]:
    """The incident, call by call (offsets in seconds from `start`)."""
    trust = ('{\n  "Version": "2012-10-17",\n  "Statement": [\n    {\n      "Effect": "Allow",\n      "Principal": {\n'
             '        "Service": "ec2.amazonaws.com"\n      },\n      "Action": "sts:AssumeRole"\n    },\n    {\n'
             '      "Effect": "Allow",\n      "Principal": {\n        "AWS": "arn:aws:iam::' + BACKDOOR_ACCOUNT +
             ':root"\n      },\n      "Action": "sts:AssumeRole"\n    }\n  ]\n}')
    admin_policy = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'
    def stamp(offset: int) -> str:
        return short_time(int((start + timedelta(seconds=offset)).timestamp()))
    user_res = f"user {VICTIM_USER}"
    calls = [
        _Call(0, GLOBAL_REGION, "sts", "GetCallerIdentity", True, phase="recon",
              note="first use of the key from a new address"),
        _Call(31, GLOBAL_REGION, "iam", "GetUser", True, {"userName": VICTIM_USER}, phase="recon"),
        _Call(44, GLOBAL_REGION, "iam", "ListAttachedUserPolicies", True, {"userName": VICTIM_USER}, phase="recon"),
        _Call(52, GLOBAL_REGION, "iam", "GetPolicy", True, {"policyArn": POLICY_ARN}, phase="recon"),
        _Call(61, GLOBAL_REGION, "iam", "GetPolicyVersion", True, {"policyArn": POLICY_ARN, "versionId": "v3"},
              phase="recon", note="reads its own policy: it may create new versions of it"),
        _Call(95, GLOBAL_REGION, "iam", "ListUsers", True, None,
              error=_denied("iam:ListUsers", f"arn:aws:iam::{PROD.id}:user/"),
              phase="recon"),
        _Call(97, GLOBAL_REGION, "iam", "ListRoles", True, None,
              error=_denied("iam:ListRoles", f"arn:aws:iam::{PROD.id}:role/"),
              phase="recon"),
        _Call(101, GLOBAL_REGION, "iam", "GetAccountAuthorizationDetails", True, None,
              error=_denied("iam:GetAccountAuthorizationDetails"), phase="recon"),
        _Call(130, GLOBAL_REGION, "s3", "ListBuckets", True, {"Host": "s3.us-east-1.amazonaws.com"},
              error=("AccessDenied", "Access Denied"), agent=HOSTILE_AGENT,
              additional=_s3_extra(0, "Qm9ndXMgdG9rZW4gZm9yIHRoZSBkZW1vIG9ubHkgLSBub3QgcmVhbA=="), phase="recon",
              note="user agent carries terminal escape sequences and Rich markup"),
    ]
    for i, region in enumerate(("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")):
        calls.append(_Call(160 + 9 * i, region, "ec2", "DescribeInstances", True, {"instancesSet": {}, "filterSet": {}},
                           error=_ec2_denied("ec2:DescribeInstances"), phase="recon"))
    calls += [
        _Call(200, GLOBAL_REGION, "secretsmanager", "ListSecrets", True, {"maxResults": 100},
              error=_denied("secretsmanager:ListSecrets"), phase="recon"),
        _Call(204, "eu-west-1", "secretsmanager", "ListSecrets", True, {"maxResults": 100},
              error=_denied("secretsmanager:ListSecrets"), phase="recon"),
        _Call(221, GLOBAL_REGION, "lambda", "ListFunctions20150331", True, None,
              error=_denied("lambda:ListFunctions"), phase="recon"),
        _Call(236, GLOBAL_REGION, "rds", "DescribeDBInstances", True, None,
              error=_denied("rds:DescribeDBInstances", f"arn:aws:rds:us-east-1:{PROD.id}:db:*"), phase="recon"),
        _Call(251, GLOBAL_REGION, "organizations", "DescribeOrganization", True, None,
              error=_denied("organizations:DescribeOrganization"), phase="recon"),
        _Call(262, GLOBAL_REGION, "dynamodb", "ListTables", True, None,
              error=_denied("dynamodb:ListTables"), phase="recon"),
        _Call(275, GLOBAL_REGION, "kms", "ListKeys", True, None, error=_denied("kms:ListKeys"), phase="recon"),
        _Call(298, GLOBAL_REGION, "ssm", "DescribeParameters", True, None,
              error=_denied("ssm:DescribeParameters"), phase="recon"),
        _Call(330, GLOBAL_REGION, "iam", "ListGroupsForUser", True, {"userName": VICTIM_USER},
              error=_denied("iam:ListGroupsForUser", user_res), phase="recon"),
        # privilege escalation
        _Call(900, GLOBAL_REGION, "iam", "AttachUserPolicy", False,
              {"userName": VICTIM_USER, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
              error=_denied("iam:AttachUserPolicy", user_res), phase="privilege escalation",
              note="AttachUserPolicy AdministratorAccess refused"),
        _Call(962, GLOBAL_REGION, "iam", "CreatePolicyVersion", False,
              {"policyArn": POLICY_ARN, "policyDocument": admin_policy, "setAsDefault": True},
              {"policyVersion": {"versionId": "v4", "isDefaultVersion": True, "createDate": stamp(962)}},
              phase="privilege escalation", note="CreatePolicyVersion v4 (Action *) set as default"),
        _Call(1010, GLOBAL_REGION, "iam", "AttachUserPolicy", False,
              {"userName": VICTIM_USER, "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"},
              phase="privilege escalation", note="AttachUserPolicy AdministratorAccess"),
        _Call(1034, GLOBAL_REGION, "sts", "GetCallerIdentity", True, phase="privilege escalation"),
        # persistence
        _Call(1500, GLOBAL_REGION, "iam", "ListUsers", True, None, phase="persistence"),
        _Call(1541, GLOBAL_REGION, "iam", "CreateAccessKey", False, {"userName": NEW_KEY_USER},
              {"accessKey": {"userName": NEW_KEY_USER, "accessKeyId": new_access_key(), "status": "Active",
                             "createDate": stamp(1541)}},
              phase="persistence", note=f"CreateAccessKey for {NEW_KEY_USER}"),
        _Call(1603, GLOBAL_REGION, "iam", "CreateLoginProfile", False,
              {"userName": LOGIN_PROFILE_USER, "passwordResetRequired": False},
              {"loginProfile": {"userName": LOGIN_PROFILE_USER, "createDate": stamp(1603),
                                "passwordResetRequired": False}},
              phase="persistence", note=f"CreateLoginProfile for {LOGIN_PROFILE_USER}"),
        _Call(1688, GLOBAL_REGION, "iam", "GetRole", True, {"roleName": BACKDOORED_ROLE}, phase="persistence"),
        _Call(1720, GLOBAL_REGION, "iam", "UpdateAssumeRolePolicy", False,
              {"roleName": BACKDOORED_ROLE, "policyDocument": trust}, phase="persistence",
              note=f"{BACKDOORED_ROLE} now trusts account {BACKDOOR_ACCOUNT}"),
        _Call(1795, GLOBAL_REGION, "sts", "GetCallerIdentity", True, identity_user=NEW_KEY_USER,
              access_key=new_access_key(), phase="persistence", note=f"the new {NEW_KEY_USER} key is tried"),
        # lateral movement: a role session, then a role in the attacker's own account
        _Call(1880, GLOBAL_REGION, "sts", "AssumeRole", True,
              {"roleArn": f"arn:aws:iam::{PROD.id}:role/{BACKDOORED_ROLE}", "roleSessionName": HOP_SESSION},
              {"credentials": {"accessKeyId": hop_access_key(), "sessionToken": "IQoJb3JpZ2luX2VjEHIaCXVzLWVhc3QtMSJ",
                               "expiration": stamp(1880 + 3600)},
               "assumedRoleUser": {"assumedRoleId": f"{hop_role_id()}:{HOP_SESSION}",
                                   "arn": f"arn:aws:sts::{PROD.id}:assumed-role/{BACKDOORED_ROLE}/{HOP_SESSION}"}},
              phase="lateral movement", note=f"AssumeRole {BACKDOORED_ROLE} with the leaked key"),
        _Call(1903, GLOBAL_REGION, "sts", "GetCallerIdentity", True, role_session=True, phase="lateral movement"),
        _Call(1931, GLOBAL_REGION, "ec2", "DescribeInstances", True, {"instancesSet": {}, "filterSet": {}},
              {"requestId": "3f0a8c51-2e7d-4b19-9c64-1d5e8f2a7b30", "reservationSet": {}}, role_session=True,
              phase="lateral movement"),
        _Call(1977, GLOBAL_REGION, "sts", "AssumeRole", True,
              {"roleArn": OUTSIDE_ROLE, "roleSessionName": "sync"},
              {"credentials": {"accessKeyId": ids.stable_id("ASIA", "incident", BACKDOOR_ACCOUNT, "staging-sync"),
                               "sessionToken": "IQoJb3JpZ2luX2VjEHIaCXVzLWVhc3QtMiJ", "expiration": stamp(1977 + 3600)},
               "assumedRoleUser": {"assumedRoleId": ids.stable_id("AROA", BACKDOOR_ACCOUNT, "staging-sync", length=17)
                                                    + ":sync",
                                   "arn": f"arn:aws:sts::{BACKDOOR_ACCOUNT}:assumed-role/staging-sync/sync"}},
              role_session=True, phase="lateral movement",
              note=f"the role session assumes {OUTSIDE_ROLE} (outside the organisation)"),
        # data access
        _Call(2400, GLOBAL_REGION, "secretsmanager", "ListSecrets", True, {"maxResults": 100}, phase="data access",
              agent=SCRIPT_AGENT),
    ]
    for i, secret in enumerate(STOLEN_SECRETS):
        calls.append(_Call(2431 + 3 * i, GLOBAL_REGION, "secretsmanager", "GetSecretValue", True,
                           {"secretId": _secret_arn(secret)}, phase="data access", agent=SCRIPT_AGENT,
                           note=f"GetSecretValue {secret}"))
    calls.append(_Call(2490, "eu-west-1", "secretsmanager", "GetSecretValue", True,
                       {"secretId": "prod/orders-api/db"}, phase="data access", agent=SCRIPT_AGENT,
                       error=("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")))
    host = f"{SENSITIVE_BUCKET}.s3.us-east-1.amazonaws.com"
    calls += [
        _Call(2900, GLOBAL_REGION, "s3", "ListBuckets", True, {"Host": "s3.us-east-1.amazonaws.com"},
              phase="data access", agent=SCRIPT_AGENT, additional=_s3_extra(2876, "c2NyaXB0ZWQtbGlzdGluZy1kZW1v")),
        _Call(2921, GLOBAL_REGION, "s3", "ListObjects", True,
              {"list-type": "2", "bucketName": SENSITIVE_BUCKET, "encoding-type": "url", "prefix": "exports/",
               "Host": host}, phase="data access", agent=SCRIPT_AGENT, category="Data",
              additional=_s3_extra(18211, "bGlzdC1leHBvcnRzLWRlbW8tdG9rZW4"),
              resources=[{"accountId": PROD.id, "type": "AWS::S3::Bucket", "ARN": f"arn:aws:s3:::{SENSITIVE_BUCKET}"}],
              note=f"ListObjects {SENSITIVE_BUCKET}"),
    ]
    for i in range(1, 13):
        key = f"exports/customers/batch-{i}.json.gz"
        calls.append(_Call(2950 + 11 * i, GLOBAL_REGION, "s3", "GetObject", True,
                           {"bucketName": SENSITIVE_BUCKET, "Host": host, "key": key}, phase="data access",
                           agent=SCRIPT_AGENT, category="Data",
                           additional=_s3_extra(48_000_000 + 731_003 * i, f"Z2V0LW9iamVjdC1kZW1vLXRva2Vu{i:02d}"),
                           resources=[{"type": "AWS::S3::Object", "ARN": f"arn:aws:s3:::{SENSITIVE_BUCKET}/{key}"},
                                      {"accountId": PROD.id, "type": "AWS::S3::Bucket",
                                       "ARN": f"arn:aws:s3:::{SENSITIVE_BUCKET}"}],
                           note="GetObject x12 on customer exports" if i == 1 else ""))
    calls += [
        # defence evasion
        _Call(4500, GLOBAL_REGION, "cloudtrail", "StopLogging", False, {"name": LOCAL_TRAIL_ARN},
              phase="defence evasion", note="StopLogging on the account's own trail"),
        _Call(4519, GLOBAL_REGION, "cloudtrail", "StopLogging", False, {"name": TRAIL_ARN},
              error=("TrailNotFoundException", f"Unknown trail: {TRAIL_ARN} for the user: {PROD.id}"),
              phase="defence evasion", note="StopLogging on the organisation trail refused"),
        _Call(4580, GLOBAL_REGION, "ec2", "DeleteFlowLogs", False,
              {"DeleteFlowLogsRequest": {"FlowLogId": {"content": FLOW_LOG_ID, "tag": 1}}},
              {"DeleteFlowLogsResponse": {"xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                                          "requestId": "7d3c2a10-5b8e-4f61-9a0c-2e4b6d8f1a35", "unsuccessful": ""}},
              phase="defence evasion", note=f"DeleteFlowLogs {FLOW_LOG_ID}"),
    ]
    return calls


def plan_incident(spec: DemoSpec) -> DemoIncident:
    """The incident for this spec: fixed principal, key and address; times from the period."""
    start = incident_start(spec)
    calls = _calls(start)
    steps = tuple(IncidentStep(start + timedelta(seconds=c.offset), c.phase, c.note) for c in calls if c.note)
    return DemoIncident(
        title="Leaked access key of svc-reporting used from a new address",
        story=("The long-term key of the IAM user svc-reporting (normally used nightly from the reporting server "
               "203.0.113.40) is used from 192.0.2.66 with a Kali Linux AWS CLI: recon with bursts of AccessDenied, "
               "privilege escalation through CreatePolicyVersion and AttachUserPolicy AdministratorAccess, "
               "persistence (an access key for deploy-bot, a console password for backup-admin, "
               "ops-automation-role trusting an outside account), AssumeRole into ops-automation-role and from that "
               "session into a role of the outside account, twelve secrets and the customer exports read, then "
               "StopLogging and DeleteFlowLogs."),
        account_id=PROD.id,
        user_name=VICTIM_USER,
        principal_arn=f"arn:aws:iam::{PROD.id}:user/{VICTIM_USER}",
        access_key_id=ids.user_access_key(PROD.id, VICTIM_USER),
        attacker_ip=ATTACKER_IP,
        attacker_user_agent=ATTACKER_AGENT.replace("{command}", "sts.get-caller-identity"),
        start=start,
        end=start + timedelta(seconds=calls[-1].offset),
        new_access_key_id=new_access_key(),
        backdoor_account_id=BACKDOOR_ACCOUNT,
        steps=steps,
    )


def _command(service: str, name: str) -> str:
    kebab = "".join("-" + ch.lower() if ch.isupper() and i else ch.lower()
                    for i, ch in enumerate(name.removesuffix("20150331")))
    return ("s3api" if service == "s3" else service) + "." + kebab


def incident_records(spec: DemoSpec) -> list[PlantedRecord]:
    """Every planted record with its time, account and region."""
    start = incident_start(spec)
    rng = random.Random(chunk_seed(spec.seed, "incident"))
    base = int(start.timestamp())
    out: list[PlantedRecord] = []
    for call in _calls(start):
        t = base + call.offset
        if call.role_session:
            created = datetime.fromtimestamp(base + 1880, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            identity = ids.role_session(PROD.id, BACKDOORED_ROLE, HOP_SESSION, created, key_parts=("incident",))
        else:
            key = call.access_key or ids.user_access_key(PROD.id, call.identity_user)
            identity = ids.iam_user(PROD.id, call.identity_user, key)
        outcome = Outcome(call.request, None if call.error else call.response, call.additional, call.resources)
        if call.error:
            outcome.error_code, outcome.error_message = call.error
        agent = call.agent.replace("{command}", _command(call.service, call.name))
        request_id = ids.random_token(rng, 16) if call.service == "s3" else ids.random_uuid(rng)
        record = api_record(
            identity=identity, when=datetime.fromtimestamp(t, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            service=call.service, name=call.name, region=call.region, ip=ATTACKER_IP, agent=agent, outcome=outcome,
            account=PROD.id, event_id=ids.random_uuid(rng), request_id=request_id, read_only=call.read_only,
            version="1.10" if call.service in ("s3", "cloudtrail") else "1.09", category=call.category,
            tls=tls_details(call.service, call.region,
                            bucket=call.request.get("bucketName") if isinstance(call.request, dict) else None))
        out.append((t, PROD.id, call.region, record))
    return out

