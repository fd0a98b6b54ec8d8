"""How background calls fail: the errorCode and errorMessage real services return.

CloudTrail keeps the request of a failed call and drops its response; the
messages follow the services' own wording (IAM's "User: … is not authorized to
perform: … because no identity-based policy allows …", EC2's
Client.UnauthorizedOperation, S3's bare "Access Denied", and so on).
"""

from __future__ import annotations

from dataclasses import dataclass

from trailtui.demo.catalogue import Action
from trailtui.demo.records import Outcome
from trailtui.demo.shapes import Ctx


@dataclass(frozen=True, slots=True)
class ErrorShape:
    code: str
    message: str


def error_for(kind: str, action: Action, c: Ctx) -> ErrorShape:
    """The errorCode/errorMessage a real service returns for this kind of failure."""
    svc = action.service
    prefix = svc.replace("sts-global", "sts").replace("monitoring", "cloudwatch")
    perm = action.iam_action or f"{prefix}:{_api_name(action.name)}"
    if kind == "denied":
        if svc == "ec2":
            return ErrorShape("Client.UnauthorizedOperation",
                              f"You are not authorized to perform this operation. User: {c.caller_arn} "
                              f"is not authorized to perform: {perm} because no identity-based policy "
                              f"allows the {perm} action")
        if svc == "s3":
            return ErrorShape("AccessDenied", "Access Denied")
        if svc == "kms":
            return ErrorShape("AccessDenied", f"User: {c.caller_arn} is not authorized to perform: {perm} on resource: "
                              f"arn:aws:kms:{c.region}:{c.account}:key/{c.res.kms_keys[0]} because no identity-based "
                              f"policy allows the {perm} action")
        return ErrorShape("AccessDenied", f"User: {c.caller_arn} is not authorized to perform: {perm} on resource: * "
                          f"because no identity-based policy allows the {perm} action")
    if kind == "throttle":
        if svc == "ec2":
            return ErrorShape("Client.RequestLimitExceeded", "Request limit exceeded.")
        return ErrorShape("ThrottlingException", "Rate exceeded")
    if kind == "notfound":
        return _not_found(svc, c)
    if kind == "validation":
        return ErrorShape("ValidationError" if svc == "cloudformation" else "InvalidRequestException",
                          "Stack with id orders-api-preview does not exist" if svc == "cloudformation"
                          else "The request is not valid.")
    if kind == "capacity":
        return ErrorShape("Server.InsufficientInstanceCapacity", "We currently do not have sufficient capacity in the "
                          "Availability Zone you requested. Our system will be working on provisioning additional "
                          "capacity.")
    if kind == "duplicate":
        return ErrorShape("Client.InvalidPermission.Duplicate",
                          "the specified rule \"peer: 10.0.0.0/8, TCP, from port: "
                          "443, to port: 443, ALLOW\" already exists")
    if kind == "exists":
        return ErrorShape("ResourceAlreadyExistsException", "The specified log stream already exists"
                          if svc == "logs" else "The image with imageId already exists")
    if kind == "conflict":
        return ErrorShape("ResourceConflictException", "The operation cannot be performed at this time. An update is "
                          "in progress for resource")
    if kind == "nopolicy":
        return ErrorShape("NoSuchBucketPolicy", "The bucket policy does not exist")
    if kind == "notready":
        return ErrorShape("ReportNotPresent", "Credential report not present")
    return ErrorShape("InternalFailure", "An internal error occurred")


def _api_name(name: str) -> str:
    for suffix in ("20150331v2", "20150331"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def _not_found(svc: str, c: Ctx) -> ErrorShape:
    if svc == "s3":
        return ErrorShape("NoSuchKey", "The specified key does not exist.") if c.rng.random() < 0.8 else \
            ErrorShape("NoSuchTagSet", "The TagSet does not exist")
    if svc == "iam":
        return ErrorShape("NoSuchEntityException", "The role with name orders-api-legacy cannot be found.")
    if svc == "secretsmanager":
        return ErrorShape("ResourceNotFoundException", "Secrets Manager can't find the specified secret.")
    if svc == "lambda":
        return ErrorShape("ResourceNotFoundException", f"Function not found: arn:aws:lambda:{c.region}:{c.account}:"
                          f"function:orders-processor-canary")
    if svc == "ssm":
        return ErrorShape("ParameterNotFound", "")
    if svc == "dynamodb":
        return ErrorShape("ResourceNotFoundException", "Requested resource not found")
    if svc == "ecr":
        return ErrorShape("ImageNotFoundException", "The image requested does not exist in the specified repository.")
    return ErrorShape("ResourceNotFoundException", "The specified resource does not exist.")


def outcome_with_error(action: Action, c: Ctx, outcome: Outcome) -> Outcome:
    """Turn a built call into its failed form: CloudTrail keeps the request and
    drops the response."""
    kind = action.errors[int(c.rng.random() * len(action.errors))]
    shape = error_for(kind, action, c)
    outcome.error_code = shape.code
    outcome.error_message = shape.message or None
    outcome.response = None
    return outcome
