"""Who does what in the demo organisation's ordinary week.

An `Actor` is one principal (or a fleet sharing a role: instances, Lambda
functions, SSO portal users) with its addresses, user agents, repertoire of
calls, daily rhythm and burst size.  The mix gives every `userIdentity.type`:
AssumedRole (SSO, instance, Lambda, CI, service-linked), IAMUser, AWSService,
Root, IdentityCenterUser, SAMLUser, WebIdentityUser, and AwsServiceEvent
records without a type.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from trailtui.demo import agents as ua
from trailtui.demo import identities as ids
from trailtui.demo.catalogue import (
    CFN,
    CONTAINERS,
    DATA,
    EC2,
    IAM,
    KMS,
    LAMBDA,
    LOGS,
    MONITORING,
    OPS,
    S3,
    SECRETS,
    SSM,
    SSO_PORTAL,
    STS,
    Action,
)
from trailtui.demo.resources import RESOURCES
from trailtui.demo.spec import DEV, MANAGEMENT, PROD, DemoAccount

IdentityFn = Callable[[int, int], ids.Identity]  # (hour epoch, variant) -> userIdentity


def iso(epoch: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


@dataclass(frozen=True, slots=True)
class Opener:
    """The call that starts a session, made with a different identity:
    console sign-in, SAML or web-identity federation, a service assuming the
    role.  `kind` is one of console, saml, web, service."""

    kind: str
    probability: float
    identity: IdentityFn | None = None
    invoked_by: str = ""
    mfa: bool = True                  # console sign-in with MFA (IAM users and root)


@dataclass(frozen=True, slots=True)
class Actor:
    key: str
    account: DemoAccount
    regions: tuple[str, ...]
    weight: float
    identity: IdentityFn
    ips: tuple[str, ...]
    agents: tuple[str, ...]
    actions: tuple[tuple[Action, float], ...]
    profile: str = "office"          # office | machine | nightly | ci
    burst: tuple[int, int] = (1, 6)
    gap: float = 6.0                 # mean seconds between calls in a burst
    variants: int = 1
    console: bool = False            # calls carry sessionCredentialFromConsole
    error_scale: float = 1.0
    opener: Opener | None = None
    tls: bool = True
    private: bool = False            # calls from private subnets through VPC endpoints


def _mix(*groups: tuple[dict[str, Action], dict[str, float]]) -> tuple[tuple[Action, float], ...]:
    out: list[tuple[Action, float]] = []
    for table, weights in groups:
        out.extend((table[name], w) for name, w in weights.items())
    return tuple(out)


def _session_start(hour: int, key: str) -> int:
    """A session created a few minutes before the hour it is used in."""
    return hour - 60 - (sum(key.encode()) * 37) % 1500


def sso_role(account: str, permission_set: str, suffix: str, people: tuple[str, ...]) -> IdentityFn:
    role = f"AWSReservedSSO_{permission_set}_{suffix}"

    def identity(hour: int, variant: int) -> ids.Identity:
        person = people[variant % len(people)]
        return ids.role_session(account, role, person, iso(_session_start(hour, person)),
                                role_path="/aws-reserved/sso.amazonaws.com/eu-west-1/", key_parts=(hour,))
    return identity


def named_role(account: str, role: str, sessions: tuple[str, ...], *, ec2: bool = False, invoked_by: str | None = None,
               role_path: str = "/", web_identity: ids.Identity | None = None) -> IdentityFn:
    def identity(hour: int, variant: int) -> ids.Identity:
        session = sessions[variant % len(sessions)]
        return ids.role_session(account, role, session, iso(_session_start(hour, role + session)), ec2=ec2,
                                invoked_by=invoked_by, role_path=role_path, key_parts=(hour,),
                                web_identity=web_identity)
    return identity


def iam_user(account: str, name: str, console: bool = False) -> IdentityFn:
    def identity(hour: int, variant: int) -> ids.Identity:
        if console:
            key = ids.session_key(account, name, hour)
            return ids.iam_user(account, name, console_session=(key, iso(_session_start(hour, name))))
        return ids.iam_user(account, name)
    return identity


def login_user(account: str, name: str) -> IdentityFn:
    def identity(hour: int, variant: int) -> ids.Identity:
        return {"type": "IAMUser", "principalId": ids.stable_id("AIDA", account, name, length=17),
                "arn": f"arn:aws:iam::{account}:user/{name}", "accountId": account, "accessKeyId": "",
                "userName": name}
    return identity


# ---------------------------------------------------------------- prod ---

_P = PROD.id
_PR = RESOURCES[_P]
_PROD_PEOPLE_POWER = ("alice.nguyen@acme.example", "carla.mendes@acme.example")
_PROD_PEOPLE_RO = ("ben.okafor@acme.example", "dmitri.volkov@acme.example", "grace.ho@acme.example")

PROD_ACTORS: tuple[Actor, ...] = (
    Actor("prod-orders-api-instances", PROD, ("us-east-1", "eu-west-1"), 20.0,
          named_role(_P, "orders-api-ec2-role", _PR.instances[:8], ec2=True), ua.PROD_NAT, (ua.JAVA_APP,),
          _mix((S3, {"GetObject": 5, "PutObject": 3, "HeadObject": 1}),
               (KMS, {"Decrypt": 4, "GenerateDataKey": 2}),
               (SECRETS, {"GetSecretValue": 1}), (SSM, {"GetParameter": 1.5, "GetParameters": 0.5}),
               (DATA, {"DescribeTable": 0.3})),
          profile="machine", burst=(2, 12), gap=2.0, variants=8, private=True),
    Actor("prod-ssm-agents", PROD, ("us-east-1", "eu-west-1"), 9.0,
          named_role(_P, "orders-api-ec2-role", _PR.instances, ec2=True), ua.PROD_NAT, (ua.SSM_AGENT,),
          _mix((SSM, {"UpdateInstanceInformation": 3, "ListInstanceAssociations": 2})),
          profile="machine", burst=(1, 3), gap=1.0, variants=len(_PR.instances), private=True),
    Actor("prod-ecs-agent", PROD, ("us-east-1",), 3.0,
          named_role(_P, "orders-api-ec2-role", _PR.instances[8:], ec2=True), ua.PROD_NAT, (ua.ECS_AGENT,),
          _mix((CONTAINERS, {"GetAuthorizationToken": 1, "BatchGetImage": 2, "GetDownloadUrlForLayer": 4})),
          profile="machine", burst=(1, 6), gap=0.5, variants=6, private=True),
    Actor("prod-lambda", PROD, ("us-east-1", "eu-west-1", "us-west-2"), 14.0,
          named_role(_P, "orders-processor-role", _PR.functions), ua.PROD_NAT, (ua.BOTO_LAMBDA, ua.NODE_LAMBDA),
          _mix((LOGS, {"CreateLogStream": 1.5}), (KMS, {"Decrypt": 3, "GenerateDataKey": 1}),
               (S3, {"GetObject": 2, "PutObject": 2}), (SECRETS, {"GetSecretValue": 1}),
               (DATA, {"DescribeTable": 0.2})),
          profile="machine", burst=(1, 5), gap=1.0, variants=len(_PR.functions),
          opener=Opener("service", 0.25, invoked_by="lambda.amazonaws.com")),
    Actor("prod-ci-deploy", PROD, ("us-east-1", "eu-west-1"), 4.0,
          named_role(_P, "github-actions-deploy", ("GitHubActions",), web_identity={
              "federatedProvider": f"arn:aws:iam::{_P}:oidc-provider/token.actions.githubusercontent.com",
              "attributes": {}}), ua.CI_RUNNERS, (ua.CLI_GITHUB,),
          _mix((STS, {"GetCallerIdentity": 1}),
               (CONTAINERS, {"GetAuthorizationToken": 1, "PutImage": 1, "DescribeServices": 1, "UpdateService": 1}),
               (CFN, {"DescribeStacks": 3, "CreateChangeSet": 1, "DescribeChangeSet": 2, "ExecuteChangeSet": 1,
                      "DescribeStackEvents": 2}),
               (LAMBDA, {"UpdateFunctionCode": 1, "GetFunction": 1}), (S3, {"PutObject": 2})),
          profile="ci", burst=(8, 30), gap=9.0, error_scale=0.7,
          opener=Opener("web", 1.0, identity=lambda h, v: ids.web_identity_user(
              _P, "token.actions.githubusercontent.com", "repo:acme/orders-api:ref:refs/heads/main"))),
    Actor("prod-sso-power", PROD, ("us-east-1", "eu-west-1"), 5.0,
          sso_role(_P, "PowerUserAccess", "8c41d2e07a9b3f15", _PROD_PEOPLE_POWER),
          ua.OFFICE + ua.homes(141, 142) + (ua.ipv6_home(3),), (ua.CONSOLE, ua.CLI_MAC),
          _mix((EC2, {"DescribeInstances": 3, "DescribeSecurityGroups": 1, "DescribeVpcs": 0.5, "DescribeSubnets": 0.5,
                      "DescribeVolumes": 0.5, "DescribeInstanceStatus": 1, "StopInstances": 0.1,
                      "StartInstances": 0.1, "CreateTags": 0.2}),
               (MONITORING, {"GetMetricData": 3, "DescribeAlarms": 1}), (LOGS, {"FilterLogEvents": 2, "StartQuery": 1,
                                                                               "DescribeLogGroups": 1}),
               (S3, {"ListBuckets": 1, "GetBucketLocation": 0.5, "GetBucketPolicy": 0.3, "ListObjects": 0.5}),
               (DATA, {"DescribeDBInstances": 0.5, "DescribeTable": 0.3}), (LAMBDA, {"ListFunctions": 0.5}),
               (IAM, {"GetRole": 0.3, "ListRoles": 0.2})),
          burst=(3, 25), gap=20.0, variants=2, console=True,
          opener=Opener("console", 0.15)),
    Actor("prod-sso-readonly", PROD, ("us-east-1", "eu-west-1", "us-west-2"), 4.0,
          sso_role(_P, "ReadOnlyAccess", "5f2a9c1e7b3d4a60", _PROD_PEOPLE_RO),
          ua.VPN + ua.homes(150, 151), (ua.CONSOLE, ua.CLI_LINUX),
          _mix((EC2, {"DescribeInstances": 3, "DescribeSnapshots": 0.5, "DescribeImages": 0.5, "DescribeAddresses": 0.5,
                      "RunInstances": 0.05}),
               (MONITORING, {"GetMetricData": 2, "ListMetrics": 1}), (LOGS, {"FilterLogEvents": 1}),
               (OPS, {"DescribeTargetHealth": 1, "DescribeLoadBalancers": 1, "DescribeAutoScalingGroups": 1}),
               (S3, {"ListBuckets": 1, "GetBucketAcl": 0.3, "PutObject": 0.05}),
               (SECRETS, {"DescribeSecret": 0.3, "GetSecretValue": 0.1})),
          burst=(2, 15), gap=25.0, variants=3, console=True, error_scale=2.5,
          opener=Opener("console", 0.15)),
    Actor("prod-svc-reporting", PROD, ("us-east-1",), 3.0,
          iam_user(_P, "svc-reporting"), ua.REPORTING_SERVER, (ua.BOTO_REPORTING,),
          _mix((DATA, {"StartQueryExecution": 1, "GetQueryExecution": 4, "GetQueryResults": 1, "GetTable": 1}),
               (S3, {"GetObject": 2, "PutObject": 1, "ListObjects": 1}), (STS, {"GetCallerIdentity": 0.1})),
          profile="nightly", burst=(6, 20), gap=4.0, error_scale=0.5),
    Actor("prod-legacy-backup", PROD, ("us-east-1",), 1.5,
          iam_user(_P, "legacy-backup"), ua.BACKUP_SERVER, (ua.BACKUP_AGENT,),
          _mix((S3, {"PutObject": 6, "HeadObject": 1, "ListObjects": 1})),
          profile="nightly", burst=(5, 30), gap=3.0),
    Actor("prod-autoscaling", PROD, ("us-east-1", "eu-west-1"), 3.0,
          named_role(_P, "AWSServiceRoleForAutoScaling", ("AutoScaling",), invoked_by="autoscaling.amazonaws.com",
                     role_path="/aws-service-role/autoscaling.amazonaws.com/"),
          ("autoscaling.amazonaws.com",), ("autoscaling.amazonaws.com",),
          _mix((EC2, {"DescribeInstanceStatus": 3, "DescribeInstances": 1}), (OPS, {"DescribeTargetHealth": 2})),
          profile="machine", burst=(1, 3), gap=1.0, tls=False, error_scale=0.3),
    Actor("prod-config", PROD, ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"), 2.0,
          named_role(_P, "AWSServiceRoleForConfig", ("AWSConfig-Describe",), invoked_by="config.amazonaws.com",
                     role_path="/aws-service-role/config.amazonaws.com/"),
          ("config.amazonaws.com",), ("config.amazonaws.com",),
          _mix((EC2, {"DescribeSecurityGroups": 1, "DescribeVpcs": 1, "DescribeSubnets": 1,
                      "DescribeNetworkInterfaces": 1}),
               (IAM, {"GetRole": 0.5, "ListAttachedRolePolicies": 0.5}), (S3, {"GetBucketAcl": 0.5,
                                                                              "GetBucketPolicy": 0.5}),
               (OPS, {"PutEvaluations": 0.5})),
          profile="machine", burst=(2, 10), gap=1.0, tls=False, error_scale=0.5),
)

# ----------------------------------------------------------------- dev ---

_D = DEV.id
_DR = RESOURCES[_D]
_DEVELOPERS = ("dana.kim@acme.example", "omar.haddad@acme.example", "priya.sharma@acme.example")

DEV_ACTORS: tuple[Actor, ...] = (
    Actor("dev-developers", DEV, ("us-east-1", "eu-west-1", "us-west-2"), 9.0,
          named_role(_D, "okta-developers", _DEVELOPERS), ua.homes(160, 161, 162) + ua.OFFICE + (ua.ipv6_home(9),),
          (ua.CLI_MAC, ua.CLI_LINUX, ua.CONSOLE),
          _mix((EC2, {"DescribeInstances": 3, "RunInstances": 0.4, "TerminateInstances": 0.3, "CreateTags": 0.3,
                      "DescribeImages": 0.5, "AuthorizeSecurityGroupIngress": 0.1, "DescribeSecurityGroups": 1}),
               (LAMBDA, {"GetFunction": 1, "UpdateFunctionCode": 0.3, "ListFunctions": 0.5}),
               (S3, {"ListBuckets": 1, "GetObject": 1, "PutObject": 1, "ListObjects": 1}),
               (LOGS, {"FilterLogEvents": 1.5, "DescribeLogGroups": 0.5}), (CFN, {"DescribeStacks": 1}),
               (STS, {"GetCallerIdentity": 0.5}), (IAM, {"GetRole": 0.3, "ListRoles": 0.2})),
          burst=(3, 30), gap=18.0, variants=3, error_scale=2.0,
          opener=Opener("saml", 0.2, identity=lambda h, v: ids.saml_user(_D, _DEVELOPERS[v % 3]))),
    Actor("dev-data-science", DEV, ("us-west-2",), 2.0,
          named_role(_D, "okta-data-science", ("eva.lindqvist@acme.example",)), ua.homes(170), (ua.CLI_MAC,),
          _mix((S3, {"GetObject": 4, "ListObjects": 2, "PutObject": 1}), (DATA, {"StartQueryExecution": 1,
                                                                                 "GetQueryExecution": 2})),
          burst=(5, 40), gap=10.0,
          opener=Opener("saml", 0.3, identity=lambda h, v: ids.saml_user(_D, "eva.lindqvist@acme.example"))),
    Actor("dev-terraform", DEV, ("us-east-1", "eu-west-1"), 4.0,
          iam_user(_D, "terraform-ci"), ua.CI_RUNNERS, (ua.TERRAFORM,),
          _mix((EC2, {"DescribeVpcs": 2, "DescribeSubnets": 2, "DescribeSecurityGroups": 2, "DescribeImages": 1,
                      "DescribeLaunchTemplates": 1, "CreateTags": 0.3}),
               (IAM, {"GetRole": 2, "ListAttachedRolePolicies": 1, "ListRolePolicies": 1, "GetPolicyVersion": 1,
                      "TagRole": 0.2}),
               (S3, {"GetBucketPolicy": 1, "GetBucketVersioning": 1, "GetBucketEncryption": 1, "GetObject": 1,
                     "PutObject": 0.5}),
               (KMS, {"DescribeKey": 1}), (LAMBDA, {"GetFunction": 1}), (DATA, {"DescribeTable": 1}),
               (OPS, {"ListHostedZones": 0.5, "ChangeResourceRecordSets": 0.2}), (STS, {"GetCallerIdentity": 0.3})),
          profile="ci", burst=(20, 60), gap=0.7, error_scale=0.6),
    Actor("dev-eks-nodes", DEV, ("us-west-2",), 4.0,
          named_role(_D, "eks-node-role", _DR.instances, ec2=True), ua.DEV_NAT, (ua.KUBELET,),
          _mix((CONTAINERS, {"GetAuthorizationToken": 1, "BatchGetImage": 2, "GetDownloadUrlForLayer": 3,
                             "DescribeCluster": 0.5}), (EC2, {"DescribeInstances": 0.5})),
          profile="machine", burst=(1, 8), gap=0.5, variants=len(_DR.instances), private=True),
    Actor("dev-karpenter", DEV, ("us-west-2",), 2.0,
          named_role(_D, "karpenter-controller", ("1731995422801233456",), web_identity={
              "federatedProvider": f"arn:aws:iam::{_D}:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/"
                                   "5C4A1F0E9B7D3E2A8F6C1B0D9E7A5C3F", "attributes": {}}),
          ua.DEV_NAT, (ua.KARPENTER,),
          _mix((EC2, {"DescribeInstances": 3, "DescribeInstanceStatus": 1, "DescribeSubnets": 1,
                      "DescribeLaunchTemplates": 1, "RunInstances": 0.1, "TerminateInstances": 0.1})),
          profile="machine", burst=(2, 8), gap=2.0,
          opener=Opener("web", 0.1, identity=lambda h, v: ids.web_identity_user(
              _D, "oidc.eks.us-west-2.amazonaws.com/id/5C4A1F0E9B7D3E2A8F6C1B0D9E7A5C3F",
              "system:serviceaccount:karpenter:karpenter"))),
    Actor("dev-contractor", DEV, ("us-east-1",), 1.0,
          iam_user(_D, "contractor-jsmith", console=True), ua.homes(180, 181), (ua.CONSOLE, ua.S3_CONSOLE),
          _mix((S3, {"ListBuckets": 2, "GetBucketLocation": 1, "ListObjects": 2, "GetObject": 1}),
               (EC2, {"DescribeInstances": 1}), (IAM, {"GetUser": 0.3, "ListMFADevices": 0.2})),
          burst=(2, 12), gap=30.0, console=True, error_scale=2.0,
          opener=Opener("console", 0.5, identity=login_user(_D, "contractor-jsmith"), mfa=False)),
    Actor("dev-qa", DEV, ("us-east-1",), 1.5,
          iam_user(_D, "qa-automation"), ua.CI_RUNNERS, (ua.CLI_LINUX,),
          _mix((LAMBDA, {"GetFunction": 1, "GetFunctionConfiguration": 1}), (DATA, {"DescribeTable": 1}),
               (S3, {"PutObject": 1, "GetObject": 1}), (SSM, {"GetParameter": 2})),
          profile="ci", burst=(3, 12), gap=2.0),
    Actor("dev-lambda", DEV, ("us-east-1",), 3.0,
          named_role(_D, "orders-processor-dev-role", _DR.functions), ua.DEV_NAT, (ua.BOTO_LAMBDA,),
          _mix((LOGS, {"CreateLogStream": 1}), (KMS, {"Decrypt": 2}), (SSM, {"GetParameter": 1})),
          profile="machine", burst=(1, 4), gap=1.0, variants=len(_DR.functions),
          opener=Opener("service", 0.3, invoked_by="lambda.amazonaws.com")),
    Actor("dev-config", DEV, ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"), 1.5,
          named_role(_D, "AWSServiceRoleForConfig", ("AWSConfig-Describe",), invoked_by="config.amazonaws.com",
                     role_path="/aws-service-role/config.amazonaws.com/"),
          ("config.amazonaws.com",), ("config.amazonaws.com",),
          _mix((EC2, {"DescribeSecurityGroups": 1, "DescribeVpcs": 1, "DescribeInstances": 1}),
               (S3, {"GetBucketAcl": 0.5}), (OPS, {"PutEvaluations": 0.3})),
          profile="machine", burst=(2, 8), gap=1.0, tls=False, error_scale=0.5),
)

# ---------------------------------------------------------- management ---

_M = MANAGEMENT.id
_ADMINS = ("alice.nguyen@acme.example", "frank.miller@acme.example")
_PORTAL_USERS = ("alice.nguyen@acme.example", "ben.okafor@acme.example", "carla.mendes@acme.example",
                 "dana.kim@acme.example", "frank.miller@acme.example", "grace.ho@acme.example")

MANAGEMENT_ACTORS: tuple[Actor, ...] = (
    Actor("mgmt-scanner", MANAGEMENT, ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"), 6.0,
          named_role(_M, "SecurityAudit-Scanner", ("prowler-scan",)), ua.MGMT_NAT, (ua.SCANNER,),
          _mix((EC2, {"DescribeInstances": 1, "DescribeSecurityGroups": 1, "DescribeVpcs": 1, "DescribeFlowLogs": 1,
                      "DescribeSnapshots": 1, "DescribeImages": 0.5, "DescribeRegions": 0.5}),
               (IAM, {"ListUsers": 1, "ListRoles": 1, "ListPolicies": 1, "GetAccountPasswordPolicy": 0.5,
                      "GetAccountSummary": 0.5, "GenerateCredentialReport": 0.3, "GetCredentialReport": 0.3,
                      "ListMFADevices": 0.5, "ListAccessKeys": 0.5}),
               (S3, {"ListBuckets": 0.5, "GetBucketPolicy": 1, "GetBucketAcl": 1, "GetBucketEncryption": 1,
                     "GetBucketPublicAccessBlock": 1, "GetBucketVersioning": 0.5}),
               (OPS, {"DescribeTrails": 1, "GetTrailStatus": 1, "GetEventSelectors": 1, "ListDetectors": 0.5,
                      "DescribeConfigRules": 0.5}),
               (KMS, {"ListAliases": 0.5, "DescribeKey": 0.5}), (SECRETS, {"ListSecrets": 0.5}),
               (LAMBDA, {"ListFunctions": 0.5})),
          profile="nightly", burst=(20, 80), gap=0.4, error_scale=3.0),
    Actor("mgmt-sso-admin", MANAGEMENT, ("us-east-1",), 3.0,
          sso_role(_M, "AdministratorAccess", "2b9e61f04c7a3d58", _ADMINS), ua.OFFICE + ua.VPN, (ua.CONSOLE,),
          _mix((OPS, {"DescribeOrganization": 1, "ListAccounts": 1.5, "DescribeTrails": 0.5, "GetTrailStatus": 0.5,
                      "LookupEvents": 1, "GetCostAndUsage": 1, "ListFindings": 0.5, "GetFindings": 0.5,
                      "DescribeEventAggregates": 0.5}),
               (IAM, {"ListRoles": 0.5, "ListUsers": 0.5, "GetRole": 0.3}), (S3, {"ListBuckets": 0.3})),
          burst=(2, 15), gap=25.0, variants=2, console=True,
          opener=Opener("console", 0.2)),
    Actor("mgmt-sso-portal", MANAGEMENT, ("eu-west-1",), 2.5,
          lambda h, v: ids.identity_center_user(_M, _PORTAL_USERS[v % len(_PORTAL_USERS)]),
          ua.OFFICE + ua.VPN + ua.homes(141, 150, 160), (ua.BROWSER_MAC, ua.BROWSER_WIN, ua.BROWSER_LINUX),
          _mix((SSO_PORTAL, {"ListAccounts": 1, "ListAccountRoles": 1, "GetRoleCredentials": 1, "Federate": 1})),
          burst=(2, 5), gap=4.0, variants=len(_PORTAL_USERS)),
    Actor("mgmt-billing", MANAGEMENT, ("us-east-1",), 0.6,
          iam_user(_M, "billing-export"), ua.OFFICE, (ua.BOTO_REPORTING,),
          _mix((S3, {"GetObject": 3, "ListObjects": 1}), (OPS, {"GetCostAndUsage": 1})),
          profile="nightly", burst=(3, 10), gap=2.0),
    Actor("mgmt-lambda", MANAGEMENT, ("us-east-1",), 1.5,
          named_role(_M, "org-guardrails-role", ("org-guardrails", "account-vending")), ua.MGMT_NAT, (ua.BOTO_LAMBDA,),
          _mix((OPS, {"ListAccounts": 1, "DescribeOrganization": 1}), (LOGS, {"CreateLogStream": 1}),
               (KMS, {"Decrypt": 1})),
          profile="machine", burst=(1, 4), gap=1.0, variants=2,
          opener=Opener("service", 0.3, invoked_by="lambda.amazonaws.com")),
    Actor("mgmt-config", MANAGEMENT, ("us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"), 1.0,
          named_role(_M, "AWSServiceRoleForConfig", ("AWSConfig-Describe",), invoked_by="config.amazonaws.com",
                     role_path="/aws-service-role/config.amazonaws.com/"),
          ("config.amazonaws.com",), ("config.amazonaws.com",),
          _mix((EC2, {"DescribeSecurityGroups": 1, "DescribeVpcs": 1}), (IAM, {"GetRole": 0.5}),
               (OPS, {"PutEvaluations": 0.3})),
          profile="machine", burst=(2, 8), gap=1.0, tls=False, error_scale=0.5),
    Actor("mgmt-root", MANAGEMENT, ("us-east-1",), 0.25,
          lambda h, v: ids.root(_M, console_session=(ids.session_key(_M, "root", h), iso(_session_start(h, "root")))),
          ua.OFFICE, (ua.CONSOLE,),
          _mix((IAM, {"GetAccountSummary": 1, "ListMFADevices": 1, "GetAccountPasswordPolicy": 0.5}),
               (OPS, {"GetCostAndUsage": 1, "DescribeOrganization": 0.5})),
          burst=(3, 8), gap=30.0, console=True,
          opener=Opener("console", 1.0, identity=lambda h, v: ids.root(_M))),
)

ALL_ACTORS: tuple[Actor, ...] = PROD_ACTORS + DEV_ACTORS + MANAGEMENT_ACTORS


def actors_for(account: str) -> tuple[Actor, ...]:
    return tuple(a for a in ALL_ACTORS if a.account.id == account)
