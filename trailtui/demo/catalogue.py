"""The API calls of the demo's background activity.

Each `Action` knows its service, name, whether it is read-only, whether it is a
data event, which builder in `shapes.py` fills in its parameters, and how it
may fail (`errors`, drawn per call with `error_rate`; see `failures.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from trailtui.demo import shapes as sh
from trailtui.demo.shapes import Builder, none


@dataclass(frozen=True, slots=True)
class Action:
    service: str           # endpoint prefix: ec2, s3, iam, sts, sts-global, monitoring ...
    name: str
    read_only: bool
    build: Builder = none
    category: str = "Management"   # "Data" for S3 object-level calls
    version: str = "1.09"
    errors: tuple[str, ...] = ("denied",)
    error_rate: float = 0.03
    iam_action: str = ""


def A(service: str, name: str, read_only: bool, build: Builder = none, **kw: Any) -> Action:
    return Action(service, name, read_only, build, **kw)


# ------------------------------------------------------------- the table ---

S3 = {
    "GetObject": A("s3", "GetObject", True, sh.s3_get, category="Data", version="1.10",
                   errors=("denied", "notfound"), error_rate=0.02, iam_action="s3:GetObject"),
    "PutObject": A("s3", "PutObject", False, sh.s3_put, category="Data", version="1.10", error_rate=0.01,
                   iam_action="s3:PutObject"),
    "HeadObject": A("s3", "HeadObject", True, sh.s3_get, category="Data", version="1.10", errors=("notfound",),
                    error_rate=0.05, iam_action="s3:GetObject"),
    "ListObjects": A("s3", "ListObjects", True, sh.s3_list_objects, category="Data", version="1.10",
                     iam_action="s3:ListBucket"),
    "ListBuckets": A("s3", "ListBuckets", True, sh.s3_list_buckets, version="1.10", iam_action="s3:ListAllMyBuckets"),
    "GetBucketLocation": A("s3", "GetBucketLocation", True, sh.s3_bucket_call("location"), version="1.10"),
    "GetBucketPolicy": A("s3", "GetBucketPolicy", True, sh.s3_bucket_call("policy"), version="1.10",
                         errors=("nopolicy",), error_rate=0.2),
    "GetBucketAcl": A("s3", "GetBucketAcl", True, sh.s3_bucket_call("acl"), version="1.10"),
    "GetBucketVersioning": A("s3", "GetBucketVersioning", True, sh.s3_bucket_call("versioning"), version="1.10"),
    "GetBucketEncryption": A("s3", "GetBucketEncryption", True, sh.s3_bucket_call("encryption"), version="1.10"),
    "GetBucketPublicAccessBlock": A("s3", "GetBucketPublicAccessBlock", True,
                                    sh.s3_bucket_call("publicAccessBlock"), version="1.10"),
    "GetBucketTagging": A("s3", "GetBucketTagging", True, sh.s3_bucket_call("tagging"), version="1.10",
                          errors=("notfound",), error_rate=0.1),
}

EC2 = {
    "DescribeInstances": A("ec2", "DescribeInstances", True, sh.ec2_describe_instances,
                           errors=("denied", "throttle")),
    "DescribeInstanceStatus": A("ec2", "DescribeInstanceStatus", True,
                                sh.ec2_sets("instancesSet", "filterSet",
 includeAllInstances=False), errors=("throttle",)),
    "DescribeSecurityGroups": A("ec2", "DescribeSecurityGroups", True,
                                sh.ec2_sets("securityGroupSet", "securityGroupIdSet", "filterSet")),
    "DescribeVpcs": A("ec2", "DescribeVpcs", True, sh.ec2_sets("vpcSet", "filterSet")),
    "DescribeSubnets": A("ec2", "DescribeSubnets", True, sh.ec2_sets("subnetSet", "filterSet")),
    "DescribeVolumes": A("ec2", "DescribeVolumes", True, sh.ec2_sets("volumeSet", "filterSet")),
    "DescribeRegions": A("ec2", "DescribeRegions", True, sh.ec2_sets("regionSet", allRegions=False)),
    "DescribeImages": A("ec2", "DescribeImages", True,
                        sh.ec2_sets("executableBySet", "imagesSet", "filterSet",
 ownersSet={"items": [{"owner": "self"}]})),
    "DescribeSnapshots": A("ec2", "DescribeSnapshots", True,
                           sh.ec2_sets("snapshotSet", "restorableBySet", "filterSet",
 ownersSet={"items": [{"owner": "self"}]})),
    "DescribeNetworkInterfaces": A("ec2", "DescribeNetworkInterfaces", True,
                                   sh.ec2_sets("networkInterfaceIdSet", "filterSet")),
    "DescribeAddresses": A("ec2", "DescribeAddresses", True,
                           sh.ec2_sets("publicIpsSet", "allocationIdsSet", "filterSet")),
    "DescribeFlowLogs": A("ec2", "DescribeFlowLogs", True, sh.ec2_wrapped("DescribeFlowLogs")),
    "DescribeLaunchTemplates": A("ec2", "DescribeLaunchTemplates", True, sh.ec2_wrapped("DescribeLaunchTemplates")),
    "RunInstances": A("ec2", "RunInstances", False, sh.ec2_run_instances, errors=("denied", "capacity"),
                      error_rate=0.08),
    "TerminateInstances": A("ec2", "TerminateInstances", False,
                            sh.instance_state_change(32, "shutting-down", 16, "running")),
    "StopInstances": A("ec2", "StopInstances", False, sh.instance_state_change(64, "stopping", 16, "running")),
    "StartInstances": A("ec2", "StartInstances", False, sh.instance_state_change(0, "pending", 80, "stopped")),
    "CreateTags": A("ec2", "CreateTags", False, sh.ec2_create_tags),
    "AuthorizeSecurityGroupIngress": A("ec2", "AuthorizeSecurityGroupIngress", False, sh.ec2_authorize_ingress,
                                       errors=("duplicate",), error_rate=0.15),
}

STS = {
    "GetCallerIdentity": A("sts", "GetCallerIdentity", True, errors=(), error_rate=0.0, version="1.08"),
    "AssumeRole": A("sts", "AssumeRole", True, sh.sts_assume_role, version="1.08", error_rate=0.04),
}

IAM = {
    "GetRole": A("iam", "GetRole", True, sh.iam_named("roleName", "roles"), errors=("notfound",)),
    "ListRoles": A("iam", "ListRoles", True, sh.iam_list),
    "ListUsers": A("iam", "ListUsers", True, sh.iam_list),
    "GetUser": A("iam", "GetUser", True, sh.iam_named("userName", "users"), errors=("notfound",)),
    "ListAttachedRolePolicies": A("iam", "ListAttachedRolePolicies", True, sh.iam_named("roleName", "roles")),
    "ListRolePolicies": A("iam", "ListRolePolicies", True, sh.iam_named("roleName", "roles")),
    "GetPolicyVersion": A("iam", "GetPolicyVersion", True, sh.iam_get_policy_version),
    "ListPolicies": A("iam", "ListPolicies", True, sh.iam_list),
    "ListAccessKeys": A("iam", "ListAccessKeys", True, sh.iam_named("userName", "users")),
    "GetAccountSummary": A("iam", "GetAccountSummary", True),
    "GetAccountPasswordPolicy": A("iam", "GetAccountPasswordPolicy", True, errors=("notfound",)),
    "ListMFADevices": A("iam", "ListMFADevices", True, sh.iam_named("userName", "users")),
    "GenerateCredentialReport": A("iam", "GenerateCredentialReport", True),
    "GetCredentialReport": A("iam", "GetCredentialReport", True, errors=("notready",), error_rate=0.2),
    "ListAccountAliases": A("iam", "ListAccountAliases", True),
    "TagRole": A("iam", "TagRole", False, sh.iam_tag_role),
}

KMS = {
    "Decrypt": A("kms", "Decrypt", True, sh.kms_decrypt, version="1.08", errors=("denied", "throttle"),
                 error_rate=0.01),
    "GenerateDataKey": A("kms", "GenerateDataKey", True, sh.kms_generate_data_key, version="1.08", error_rate=0.01),
    "DescribeKey": A("kms", "DescribeKey", True, sh.kms_describe_key, version="1.08"),
    "ListAliases": A("kms", "ListAliases", True, version="1.08"),
}

SECRETS = {
    "GetSecretValue": A("secretsmanager", "GetSecretValue", True, sh.secret_value, errors=("denied", "notfound"),
                        error_rate=0.02),
    "DescribeSecret": A("secretsmanager", "DescribeSecret", True, sh.secret_value),
    "ListSecrets": A("secretsmanager", "ListSecrets", True, sh.fixed({"maxResults": 100})),
}

SSM = {
    "GetParameter": A("ssm", "GetParameter", True, sh.ssm_get_parameter, errors=("notfound", "throttle")),
    "GetParameters": A("ssm", "GetParameters", True, sh.ssm_get_parameters),
    "UpdateInstanceInformation": A("ssm", "UpdateInstanceInformation", False, sh.ssm_update_instance_information,
                                   errors=("throttle",), error_rate=0.01),
    "ListInstanceAssociations": A("ssm", "ListInstanceAssociations", True, sh.ssm_list_associations,
                                  errors=("throttle",), error_rate=0.01),
    "DescribeInstanceInformation": A("ssm", "DescribeInstanceInformation", True, sh.fixed({"maxResults": 50})),
}

LOGS = {
    "CreateLogStream": A("logs", "CreateLogStream", False, sh.logs_create_stream, version="1.08",
                         errors=("exists",), error_rate=0.02),
    "DescribeLogGroups": A("logs", "DescribeLogGroups", True, sh.fixed({"limit": 50}), version="1.08"),
    "FilterLogEvents": A("logs", "FilterLogEvents", True, sh.logs_filter, version="1.08", errors=("throttle",)),
    "StartQuery": A("logs", "StartQuery", True, sh.logs_start_query, version="1.08"),
}

MONITORING = {
    "GetMetricData": A("monitoring", "GetMetricData", True, sh.metric_data, version="1.08", errors=("throttle",)),
    "DescribeAlarms": A("monitoring", "DescribeAlarms", True, sh.fixed({"maxRecords": 100}), version="1.08"),
    "ListMetrics": A("monitoring", "ListMetrics", True, sh.fixed({"namespace": "AWS/EC2"}), version="1.08"),
}

LAMBDA = {
    "GetFunction": A("lambda", "GetFunction20150331v2", True, sh.lambda_function, version="1.08",
                     errors=("notfound",)),
    "ListFunctions": A("lambda", "ListFunctions20150331", True, version="1.08"),
    "GetFunctionConfiguration": A("lambda", "GetFunctionConfiguration20150331v2", True, sh.lambda_function,
                                  version="1.08"),
    "UpdateFunctionCode": A("lambda", "UpdateFunctionCode20150331v2", False, sh.lambda_update_code, version="1.08",
                            errors=("conflict",), error_rate=0.05),
}

CFN = {
    "DescribeStacks": A("cloudformation", "DescribeStacks", True, sh.cfn_stack, errors=("validation",),
                        error_rate=0.04),
    "DescribeStackEvents": A("cloudformation", "DescribeStackEvents", True, sh.cfn_stack),
    "GetTemplate": A("cloudformation", "GetTemplate", True, sh.cfn_stack),
    "CreateChangeSet": A("cloudformation", "CreateChangeSet", False, sh.cfn_change_set, errors=("validation",),
                         error_rate=0.06),
    "DescribeChangeSet": A("cloudformation", "DescribeChangeSet", True, sh.cfn_stack),
    "ExecuteChangeSet": A("cloudformation", "ExecuteChangeSet", False, sh.cfn_stack),
    "ListStacks": A("cloudformation", "ListStacks", True),
}

CONTAINERS = {
    "GetAuthorizationToken": A("ecr", "GetAuthorizationToken", True),
    "BatchGetImage": A("ecr", "BatchGetImage", True, sh.ecr_batch_get_image, errors=("notfound",), error_rate=0.01),
    "GetDownloadUrlForLayer": A("ecr", "GetDownloadUrlForLayer", True, sh.ecr_batch_get_image),
    "PutImage": A("ecr", "PutImage", False, sh.ecr_batch_get_image, errors=("exists",), error_rate=0.03),
    "DescribeServices": A("ecs", "DescribeServices", True, sh.ecs_service),
    "UpdateService": A("ecs", "UpdateService", False, sh.ecs_update_service),
    "ListTasks": A("ecs", "ListTasks", True, sh.ecs_service),
    "DescribeCluster": A("eks", "DescribeCluster", True, sh.eks_cluster),
}

DATA = {
    "DescribeTable": A("dynamodb", "DescribeTable", True, sh.dynamodb_table, version="1.08", errors=("notfound",)),
    "ListTables": A("dynamodb", "ListTables", True, version="1.08"),
    "DescribeDBInstances": A("rds", "DescribeDBInstances", True),
    "DescribeDBClusters": A("rds", "DescribeDBClusters", True),
    "StartQueryExecution": A("athena", "StartQueryExecution", False, sh.athena_start, errors=("validation",),
                             error_rate=0.03),
    "GetQueryExecution": A("athena", "GetQueryExecution", True, sh.athena_execution),
    "GetQueryResults": A("athena", "GetQueryResults", True, sh.athena_execution),
    "GetTable": A("glue", "GetTable", True, sh.glue_table),
    "GetDatabase": A("glue", "GetDatabase", True, sh.fixed({"name": "reporting"})),
}

OPS = {
    "DescribeTargetHealth": A("elasticloadbalancing", "DescribeTargetHealth", True, sh.elb_target_health,
                              errors=("throttle",)),
    "DescribeLoadBalancers": A("elasticloadbalancing", "DescribeLoadBalancers", True),
    "DescribeAutoScalingGroups": A("autoscaling", "DescribeAutoScalingGroups", True),
    "DescribeTrails": A("cloudtrail", "DescribeTrails", True, sh.fixed({"includeShadowTrails": True})),
    "GetTrailStatus": A("cloudtrail", "GetTrailStatus", True, sh.trail_status),
    "LookupEvents": A("cloudtrail", "LookupEvents", True, sh.trail_lookup, errors=("throttle",), error_rate=0.05),
    "GetEventSelectors": A("cloudtrail", "GetEventSelectors", True, sh.trail_status),
    "ListDetectors": A("guardduty", "ListDetectors", True),
    "ListFindings": A("guardduty", "ListFindings", True, sh.guardduty_findings),
    "GetFindings": A("securityhub", "GetFindings", True, sh.fixed({"maxResults": 100})),
    "DescribeConfigRules": A("config", "DescribeConfigRules", True),
    "PutEvaluations": A("config", "PutEvaluations", False, sh.fixed({"testMode": False})),
    "ListHostedZones": A("route53", "ListHostedZones", True),
    "ChangeResourceRecordSets": A("route53", "ChangeResourceRecordSets", False, sh.route53_change),
    "ListDistributions": A("cloudfront", "ListDistributions", True),
    "DescribeOrganization": A("organizations", "DescribeOrganization", True),
    "ListAccounts": A("organizations", "ListAccounts", True),
    "GetCostAndUsage": A("ce", "GetCostAndUsage", True, sh.cost_and_usage, errors=("throttle",), error_rate=0.02),
    "DescribeEventAggregates": A("health", "DescribeEventAggregates", True,
                                 sh.fixed({"aggregateField": "eventTypeCategory"})),
}

SSO_PORTAL = {
    "ListAccounts": A("sso", "ListAccounts", True, sh.sso_portal, version="1.08", errors=()),
    "ListAccountRoles": A("sso", "ListAccountRoles", True, sh.sso_portal, version="1.08", errors=()),
    "GetRoleCredentials": A("sso", "GetRoleCredentials", True, sh.sso_portal, version="1.08", errors=()),
    "Federate": A("sso", "Federate", True, sh.sso_portal, version="1.08", errors=()),
}
