"""Request and response shapes of the demo's background calls.

One builder per kind of call fills `requestParameters`, `responseElements`,
`additionalEventData` and `resources` the way CloudTrail records them (shapes
taken from real records: Stratus Red Team detonation logs, TrailDiscover
samples, CloudTrail documentation).  Read-only calls mostly carry a null
response, as CloudTrail records them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from trailtui.demo.identities import ALNUM, B64, HEX, random_token, random_uuid
from trailtui.demo.records import Outcome
from trailtui.demo.resources import AccountResources


@dataclass(slots=True)
class Ctx:
    """What an action builder may use to fill in a call."""

    rng: random.Random
    account: str
    region: str
    res: AccountResources
    caller_arn: str
    epoch: int
    bucket: str | None = None  # set by S3 builders for the TLS host header


Builder = Callable[[Ctx], Outcome]


def fixed(request: dict[str, Any]) -> Builder:
    """A call whose parameters never change."""
    def build(_: Ctx) -> Outcome:
        return Outcome(dict(request))
    return build


def eks_cluster(c: Ctx) -> Outcome:
    return Outcome({"name": pick(c.rng, c.res.clusters) if c.res.clusters else "dev"})


def none(_: Ctx) -> Outcome:
    """A call without parameters or response (many List/Describe calls)."""
    return Outcome()



def pick(rng: random.Random, seq: tuple[str, ...]) -> str:
    return seq[int(rng.random() * len(seq))]


def short_time(epoch: int) -> str:
    """The `Nov 19, 2026, 10:03:27 AM` form CloudTrail uses inside responses."""
    t = time.gmtime(epoch)
    hour = t.tm_hour % 12 or 12
    return f"{time.strftime('%b', t)} {t.tm_mday}, {t.tm_year}, {hour}:{t.tm_min:02d}:{t.tm_sec:02d} " \
           f"{'AM' if t.tm_hour < 12 else 'PM'}"


def bucket_arn(bucket: str, key: str | None = None) -> str:
    return f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"


# --------------------------------------------------------------------- S3 ---

def _s3_extra(c: Ctx, bytes_out: int, bytes_in: int = 0) -> dict[str, Any]:
    return {
        "SignatureVersion": "SigV4",
        "CipherSuite": "TLS_AES_128_GCM_SHA256",
        "bytesTransferredIn": bytes_in,
        "AuthenticationMethod": "AuthHeader",
        "x-amz-id-2": random_token(c.rng, 56, B64) + "=",
        "bytesTransferredOut": bytes_out,
    }


def _object_resources(c: Ctx, bucket: str, key: str) -> list[dict[str, str]]:
    return [{"type": "AWS::S3::Object", "ARN": bucket_arn(bucket, key)},
            {"accountId": c.account, "type": "AWS::S3::Bucket", "ARN": bucket_arn(bucket)}]


def s3_object_call(c: Ctx, upload: bool = False) -> Outcome:
    bucket = c.bucket = pick(c.rng, c.res.data_buckets)
    key = pick(c.rng, c.res.object_keys)
    size = int(c.rng.lognormvariate(10, 1.6))
    request = {"bucketName": bucket, "Host": f"{bucket}.s3.{c.region}.amazonaws.com", "key": key}
    response = None
    if upload:
        request["x-amz-server-side-encryption"] = "aws:kms"
        response = {"x-amz-server-side-encryption": "aws:kms",
                    "x-amz-server-side-encryption-aws-kms-key-id":
                        f"arn:aws:kms:{c.region}:{c.account}:key/{pick(c.rng, c.res.kms_keys)}",
                    "x-amz-version-id": random_token(c.rng, 32, ALNUM)}
    extra = _s3_extra(c, 0 if upload else size, size if upload else 0)
    return Outcome(request, response, extra, _object_resources(c, bucket, key))


def s3_get(c: Ctx) -> Outcome:
    return s3_object_call(c)


def s3_put(c: Ctx) -> Outcome:
    return s3_object_call(c, upload=True)


def s3_list_objects(c: Ctx) -> Outcome:
    bucket = c.bucket = pick(c.rng, c.res.data_buckets)
    prefix = pick(c.rng, c.res.object_keys).split("/")[0] + "/"
    request = {"list-type": "2", "bucketName": bucket, "encoding-type": "url", "prefix": prefix,
               "Host": f"{bucket}.s3.{c.region}.amazonaws.com"}
    return Outcome(request, None, _s3_extra(c, int(c.rng.uniform(600, 40000))),
                   [{"accountId": c.account, "type": "AWS::S3::Bucket", "ARN": bucket_arn(bucket)}])


def s3_bucket_call(subresource: str | None) -> Builder:
    def build(c: Ctx) -> Outcome:
        bucket = c.bucket = pick(c.rng, c.res.buckets)
        request: dict[str, Any] = {"bucketName": bucket, "Host": f"{bucket}.s3.{c.region}.amazonaws.com"}
        if subresource:
            request[subresource] = ""
        return Outcome(request, None, _s3_extra(c, int(c.rng.uniform(200, 2000))),
                       [{"accountId": c.account, "type": "AWS::S3::Bucket", "ARN": bucket_arn(bucket)}])
    return build


def s3_list_buckets(c: Ctx) -> Outcome:
    return Outcome({"Host": f"s3.{c.region}.amazonaws.com"}, None, _s3_extra(c, int(c.rng.uniform(800, 3000))))


# -------------------------------------------------------------------- EC2 ---

def ec2_sets(*names: str, **extra: Any) -> Builder:
    def build(_: Ctx) -> Outcome:
        request: dict[str, Any] = {name: {} for name in names}
        request.update(extra)
        return Outcome(request)
    return build


def ec2_describe_instances(c: Ctx) -> Outcome:
    if c.res.instances and c.rng.random() < 0.4:
        return Outcome({"instancesSet": {"items": [{"instanceId": pick(c.rng, c.res.instances)}]}, "filterSet": {}})
    return Outcome({"instancesSet": {}, "filterSet": {}})


def ec2_wrapped(name: str) -> Builder:
    """Newer EC2 APIs wrap their parameters in `<Name>Request`."""
    def build(_: Ctx) -> Outcome:
        return Outcome({f"{name}Request": ""})
    return build


def _az(c: Ctx) -> str:
    return c.region + "abc"[int(c.rng.random() * 3)]


def ec2_run_instances(c: Ctx) -> Outcome:
    instance = "i-0" + random_token(c.rng, 16, HEX)
    image = "ami-0" + random_token(c.rng, 16, HEX)
    itype = pick(c.rng, ("t3.medium", "t3.large", "m6i.large", "c6i.xlarge", "t4g.small"))
    subnet = pick(c.rng, c.res.subnets)
    ip = f"10.{40 + int(c.rng.random() * 3)}.{int(c.rng.random() * 255)}.{int(c.rng.random() * 254) + 1}"
    request = {
        "instancesSet": {"items": [{"imageId": image, "minCount": 1, "maxCount": 1}]},
        "instanceType": itype, "blockDeviceMapping": {}, "monitoring": {"enabled": False}, "subnetId": subnet,
        "disableApiTermination": False, "disableApiStop": False, "clientToken": random_uuid(c.rng),
        "tagSpecificationSet": {"items": [{"resourceType": "instance",
                                           "tags": [{"key": "Owner", "value": "dev-team"}]}]},
    }
    response = {
        "requestId": random_uuid(c.rng), "reservationId": "r-0" + random_token(c.rng, 16, HEX),
        "ownerId": c.account, "groupSet": {},
        "instancesSet": {"items": [{
            "instanceId": instance, "imageId": image, "currentInstanceBootMode": "legacy-bios",
            "instanceState": {"code": 0, "name": "pending"},
            "privateDnsName": f"ip-{ip.replace('.', '-')}.ec2.internal",
            "amiLaunchIndex": 0, "productCodes": {}, "instanceType": itype, "launchTime": c.epoch * 1000,
            "placement": {"availabilityZone": _az(c), "tenancy": "default"}, "monitoring": {"state": "disabled"},
            "subnetId": subnet, "vpcId": c.res.vpc, "privateIpAddress": ip, "architecture": "x86_64",
            "rootDeviceType": "ebs", "rootDeviceName": "/dev/xvda", "blockDeviceMapping": {},
        }]},
    }
    return Outcome(request, response)


def instance_state_change(code: int, name: str, prev_code: int, prev_name: str) -> Builder:
    def build(c: Ctx) -> Outcome:
        instance = pick(c.rng, c.res.instances) if c.res.instances else "i-0" + random_token(c.rng, 16, HEX)
        return Outcome({"instancesSet": {"items": [{"instanceId": instance}]}},
                       {"requestId": random_uuid(c.rng), "instancesSet": {"items": [{
                           "instanceId": instance, "currentState": {"code": code, "name": name},
                           "previousState": {"code": prev_code, "name": prev_name}}]}})
    return build


def ec2_create_tags(c: Ctx) -> Outcome:
    resource = pick(c.rng, c.res.instances) if c.res.instances else c.res.vpc
    return Outcome({"resourcesSet": {"items": [{"resourceId": resource}]},
                    "tagSet": {"items": [{"key": "CostCenter", "value": pick(c.rng, ("1040", "2210", "3005"))}]}},
                   {"requestId": random_uuid(c.rng), "_return": True})


def ec2_authorize_ingress(c: Ctx) -> Outcome:
    group = pick(c.rng, c.res.security_groups)
    port = pick(c.rng, ("443", "5432", "8080"))
    return Outcome({"groupId": group, "ipPermissions": {"items": [{
        "ipProtocol": "tcp", "fromPort": int(port), "toPort": int(port), "groups": {},
        "ipRanges": {"items": [{"cidrIp": "10.0.0.0/8"}]}, "ipv6Ranges": {}, "prefixListIds": {}}]}},
        {"requestId": random_uuid(c.rng), "_return": True, "securityGroupRuleSet": {"items": [{
            "groupOwnerId": c.account, "groupId": group,
            "securityGroupRuleId": "sgr-0" + random_token(c.rng, 16, HEX),
            "isEgress": False, "ipProtocol": "tcp", "fromPort": int(port), "toPort": int(port),
            "cidrIpv4": "10.0.0.0/8"}]}})


# -------------------------------------------------------------- STS / IAM ---

def _credentials(c: Ctx, hours: int = 1) -> dict[str, str]:
    return {"accessKeyId": "ASIA" + random_token(c.rng, 16),
            "sessionToken": "IQoJb3JpZ2luX2Vj" + random_token(
                c.rng, 180, B64),
            "expiration": short_time(c.epoch + hours * 3600)}


def sts_assume_role(c: Ctx) -> Outcome:
    role = pick(c.rng, c.res.roles)
    session = f"{role[:20]}-{c.epoch}"
    arn = f"arn:aws:iam::{c.account}:role/{role}"
    return Outcome(
        {"roleArn": arn, "roleSessionName": session, "durationSeconds": 3600},
        {"credentials": _credentials(c),
         "assumedRoleUser": {"assumedRoleId": f"AROA{random_token(c.rng, 17)}:{session}",
                             "arn": f"arn:aws:sts::{c.account}:assumed-role/{role}/{session}"}},
        resources=[{"accountId": c.account, "type": "AWS::IAM::Role", "ARN": arn}])


def iam_named(key: str, pool: str) -> Builder:
    def build(c: Ctx) -> Outcome:
        return Outcome({key: pick(c.rng, getattr(c.res, pool))})
    return build


def iam_list(c: Ctx) -> Outcome:
    return Outcome({"maxItems": 100} if c.rng.random() < 0.5 else None)


def iam_get_policy_version(c: Ctx) -> Outcome:
    policy = pick(c.rng, ("app-read", "ci-deploy", "reporting-read"))
    return Outcome({"policyArn": f"arn:aws:iam::{c.account}:policy/{policy}",
                    "versionId": f"v{1 + int(c.rng.random() * 4)}"})


def iam_tag_role(c: Ctx) -> Outcome:
    return Outcome({"roleName": pick(c.rng, c.res.roles), "tags": [{"key": "ManagedBy", "value": "terraform"}]})


# ------------------------------------------------------- KMS / secrets / SSM ---

def _key_arn(c: Ctx) -> str:
    return f"arn:aws:kms:{c.region}:{c.account}:key/{pick(c.rng, c.res.kms_keys)}"


def kms_decrypt(c: Ctx) -> Outcome:
    key = _key_arn(c)
    if c.rng.random() < 0.5:
        context = {"aws:s3:arn": bucket_arn(pick(c.rng, c.res.data_buckets), pick(c.rng, c.res.object_keys))}
    else:
        context = {"SecretARN": f"arn:aws:secretsmanager:{c.region}:{c.account}:secret:{pick(c.rng, c.res.secrets)}-"
                                f"{random_token(c.rng, 6, ALNUM)}",
                   "SecretVersionId": random_uuid(c.rng)}
    return Outcome({"encryptionContext": context, "encryptionAlgorithm": "SYMMETRIC_DEFAULT"},
                   resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": key}])


def kms_generate_data_key(c: Ctx) -> Outcome:
    key = _key_arn(c)
    return Outcome({"keyId": key, "encryptionContext": {
        "aws:s3:arn": bucket_arn(pick(c.rng, c.res.data_buckets))}, "keySpec": "AES_256"},
        resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": key}])


def kms_describe_key(c: Ctx) -> Outcome:
    key = _key_arn(c)
    return Outcome({"keyId": key}, resources=[{"accountId": c.account, "type": "AWS::KMS::Key", "ARN": key}])


def secret_value(c: Ctx) -> Outcome:
    return Outcome({"secretId": pick(c.rng, c.res.secrets)})


def ssm_get_parameter(c: Ctx) -> Outcome:
    return Outcome({"name": pick(c.rng, c.res.parameters), "withDecryption": c.rng.random() < 0.6})


def ssm_get_parameters(c: Ctx) -> Outcome:
    names = sorted({pick(c.rng, c.res.parameters) for _ in range(3)})
    return Outcome({"names": names, "withDecryption": True})


def ssm_update_instance_information(c: Ctx) -> Outcome:
    instance = pick(c.rng, c.res.instances) if c.res.instances else "i-0123456789abcdef0"
    octets = int.from_bytes(instance.encode()[-2:], "big")
    ip = f"10.20.{octets % 250}.{octets % 200 + 10}"
    return Outcome({"instanceId": instance, "agentVersion": "3.3.1142.0", "agentStatus": "Active",
                    "platformType": "Linux", "platformName": "Amazon Linux", "platformVersion": "2023",
                    "iPAddress": ip, "computerName": f"ip-{ip.replace('.', '-')}.ec2.internal",
                    "agentName": "amazon-ssm-agent", "availabilityZone": _az(c), "availabilityZoneId": "use1-az4"})


def ssm_list_associations(c: Ctx) -> Outcome:
    return Outcome({"instanceId": pick(c.rng, c.res.instances) if c.res.instances else "i-0123456789abcdef0",
                    "maxResults": 20})


# -------------------------------------------------------- logs / metrics ---

def logs_create_stream(c: Ctx) -> Outcome:
    group = pick(c.rng, c.res.log_groups)
    day = time.strftime("%Y/%m/%d", time.gmtime(c.epoch))
    return Outcome({"logGroupName": group,
                    "logStreamName": f"{day}/[$LATEST]{random_token(c.rng, 32, HEX)}"})


def logs_filter(c: Ctx) -> Outcome:
    return Outcome({"logGroupName": pick(c.rng, c.res.log_groups), "startTime": (c.epoch - 3600) * 1000,
                    "endTime": c.epoch * 1000, "filterPattern": pick(c.rng, ("ERROR", "\"timeout\"", "?WARN ?ERROR")),
                    "interleaved": True})


def logs_start_query(c: Ctx) -> Outcome:
    return Outcome({"logGroupNames": [pick(c.rng, c.res.log_groups)], "startTime": c.epoch - 86400,
                    "endTime": c.epoch, "queryString": "fields @timestamp, @message | filter @message like /ERROR/ "
                                                       "| sort @timestamp desc | limit 100"},
                   {"queryId": random_uuid(c.rng)})


def metric_data(c: Ctx) -> Outcome:
    instance = pick(c.rng, c.res.instances) if c.res.instances else "i-0123456789abcdef0"
    return Outcome({"metricDataQueries": [{"id": "m1", "metricStat": {
        "metric": {"namespace": "AWS/EC2",
                   "metricName": pick(c.rng, ("CPUUtilization", "NetworkIn", "StatusCheckFailed")),
                   "dimensions": [{"name": "InstanceId", "value": instance}]}, "period": 300, "stat": "Average"},
        "returnData": True}], "startTime": short_time(c.epoch - 10800), "endTime": short_time(c.epoch)})


# ------------------------------------------------ lambda / CFN / ECR / ECS ---

def lambda_function(c: Ctx) -> Outcome:
    return Outcome({"functionName": pick(c.rng, c.res.functions)})


def lambda_update_code(c: Ctx) -> Outcome:
    name = pick(c.rng, c.res.functions)
    arn = f"arn:aws:lambda:{c.region}:{c.account}:function:{name}"
    return Outcome({"functionName": name, "publish": True, "dryRun": False,
                    "s3Bucket": pick(c.rng, c.res.buckets),
                    "s3Key": f"lambda/{name}/{random_token(c.rng, 40, HEX)}.zip"},
                   {"functionName": name, "functionArn": arn, "runtime": "python3.12", "role":
                    f"arn:aws:iam::{c.account}:role/{name}-role", "handler": "app.handler",
                    "codeSize": int(c.rng.uniform(2e5, 9e6)), "description": "", "timeout": 30, "memorySize": 512,
                    "lastModified": short_time(c.epoch), "codeSha256": random_token(c.rng, 43) + "=",
                    "version": str(int(c.rng.uniform(10, 400))), "state": "Active",
                    "lastUpdateStatus": "InProgress", "architectures": ["arm64"], "ephemeralStorage": {"size": 512}})


def cfn_stack(c: Ctx) -> Outcome:
    return Outcome({"stackName": pick(c.rng, c.res.stacks)})


def cfn_change_set(c: Ctx) -> Outcome:
    stack = pick(c.rng, c.res.stacks)
    name = f"deploy-{random_token(c.rng, 8, HEX)}"
    return Outcome({"stackName": stack, "changeSetName": name, "changeSetType": "UPDATE",
                    "capabilities": ["CAPABILITY_IAM", "CAPABILITY_AUTO_EXPAND"], "templateURL":
                    f"https://{pick(c.rng, c.res.buckets)}.s3.{c.region}.amazonaws.com/cfn/{stack}.yaml"},
                   {"id": f"arn:aws:cloudformation:{c.region}:{c.account}:changeSet/{name}/{random_uuid(c.rng)}",
                    "stackId": f"arn:aws:cloudformation:{c.region}:{c.account}:stack/{stack}/{random_uuid(c.rng)}"})


def ecr_batch_get_image(c: Ctx) -> Outcome:
    repo = pick(c.rng, c.res.repositories) if c.res.repositories else "orders-api"
    return Outcome({"registryId": c.account, "repositoryName": repo,
                    "imageIds": [{"imageTag": f"v1.{int(c.rng.uniform(10, 90))}.{int(c.rng.uniform(0, 9))}"}],
                    "acceptedMediaTypes": ["application/vnd.docker.distribution.manifest.v2+json",
                                           "application/vnd.oci.image.manifest.v1+json"]},
                   resources=[{"ARN": f"arn:aws:ecr:{c.region}:{c.account}:repository/{repo}", "accountId": c.account}])


def ecs_service(c: Ctx) -> Outcome:
    cluster = pick(c.rng, c.res.clusters) if c.res.clusters else "default"
    return Outcome({"cluster": cluster, "services": ["orders-api"], "include": []})


def ecs_update_service(c: Ctx) -> Outcome:
    cluster = pick(c.rng, c.res.clusters) if c.res.clusters else "default"
    return Outcome({"cluster": cluster, "service": "orders-api", "forceNewDeployment": True,
                    "taskDefinition": f"orders-api:{int(c.rng.uniform(100, 400))}"})


def dynamodb_table(c: Ctx) -> Outcome:
    table = pick(c.rng, c.res.tables)
    return Outcome({"tableName": table}, resources=[{"accountId": c.account, "type": "AWS::DynamoDB::Table",
                                                     "ARN": f"arn:aws:dynamodb:{c.region}:{c.account}:table/{table}"}])


def elb_target_health(c: Ctx) -> Outcome:
    return Outcome({"targetGroupArn": f"arn:aws:elasticloadbalancing:{c.region}:{c.account}:targetgroup/orders-api-tg/"
                                      f"{random_token(c.rng, 16, HEX)}"})


def athena_start(c: Ctx) -> Outcome:
    return Outcome({"queryString": pick(c.rng, (
        "SELECT date, sum(total) FROM orders_daily WHERE date > current_date - interval '7' day GROUP BY 1",
        "SELECT customer_id, count(*) FROM orders WHERE status = 'refunded' GROUP BY 1 ORDER BY 2 DESC LIMIT 50",
        "MSCK REPAIR TABLE orders_daily")),
        "clientRequestToken": random_uuid(c.rng), "queryExecutionContext": {"database": "reporting"},
        "resultConfiguration": {"outputLocation": "s3://acme-prod-reports/athena-results/"}, "workGroup": "primary"},
        {"queryExecutionId": random_uuid(c.rng)})


def athena_execution(c: Ctx) -> Outcome:
    return Outcome({"queryExecutionId": random_uuid(c.rng)})


def glue_table(c: Ctx) -> Outcome:
    return Outcome({"databaseName": "reporting", "name": pick(c.rng, ("orders_daily", "orders", "customers"))})


def route53_change(c: Ctx) -> Outcome:
    zone = "Z0" + random_token(c.rng, 19)
    return Outcome({"hostedZoneId": zone, "changeBatch": {"changes": [{"action": "UPSERT", "resourceRecordSet": {
        "name": f"preview-{random_token(c.rng, 5, 'abcdefghijklmnopqrstuvwxyz')}.dev.acme.example.", "type": "CNAME",
        "tTL": 300, "resourceRecords": [{"value": "orders-dev-alb.example.internal"}]}}]}},
        {"changeInfo": {"id": "/change/C0" + random_token(c.rng, 19), "status": "PENDING",
                        "submittedAt": short_time(c.epoch)}})


def trail_lookup(c: Ctx) -> Outcome:
    name = pick(c.rng, ("ConsoleLogin", "CreateUser", "AssumeRole"))
    return Outcome({"maxResults": 50, "lookupAttributes": [{"attributeKey": "EventName", "attributeValue": name}]})


def trail_status(c: Ctx) -> Outcome:
    return Outcome({"name": f"arn:aws:cloudtrail:us-east-1:{c.account}:trail/acme-org-trail"})


def guardduty_findings(c: Ctx) -> Outcome:
    return Outcome({"detectorId": random_token(c.rng, 32, HEX), "maxResults": 50,
                    "sortCriteria": {"attributeName": "updatedAt", "orderBy": "DESC"}})


def cost_and_usage(c: Ctx) -> Outcome:
    return Outcome({"timePeriod": {"start": "2026-11-01", "end": "2026-11-30"}, "granularity": "DAILY",
                    "metrics": ["UnblendedCost"], "groupBy": [{"type": "DIMENSION", "key": "SERVICE"}]})


def sso_portal(c: Ctx) -> Outcome:
    return Outcome(None, None)
