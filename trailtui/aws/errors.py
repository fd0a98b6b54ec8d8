"""Turn SDK exceptions into one line a user can act on."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from trailtui.aws.allowlist import OperationNotAllowed

ACCESS_DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedAccess",
                 "AuthorizationError", "Forbidden", "403"}
EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired", "InvalidClientTokenId"}
THROTTLED = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded", "SlowDown",
             "ProvisionedThroughputExceededException"}


def error_code(exc: BaseException) -> str:
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Code", ""))
    return ""


def is_sdk_error(exc: BaseException) -> bool:
    """Raised by botocore/aiobotocore (or carries an AWS error response)."""
    module = type(exc).__module__ or ""
    return module.startswith(("botocore", "aiobotocore")) or hasattr(exc, "response")


def is_access_denied(exc: BaseException) -> bool:
    return error_code(exc) in ACCESS_DENIED


def iam_action(service: str, operation: str) -> str:
    """The IAM action behind an API operation (`s3:GetBucketPolicy`)."""
    prefix = {"s3control": "s3", "logs": "logs"}.get(service, service)
    if service == "s3" and operation == "ListObjectsV2":
        return "s3:ListBucket"
    if service == "s3" and operation == "HeadObject":
        return "s3:GetObject"
    return f"{prefix}:{operation}"


def describe_error(exc: BaseException, resource: str = "") -> str:
    """One line: what failed, on what, and what to do about it."""
    where = f" on {resource}" if resource else ""
    if isinstance(exc, OperationNotAllowed):
        return str(exc)
    name = type(exc).__name__
    if name in ("NoCredentialsError", "PartialCredentialsError"):
        return "no AWS credentials found: set AWS_PROFILE, run `aws configure`, or `aws sso login`"
    if name == "NoRegionError":
        return "no AWS region: pass --region or set AWS_REGION"
    if name in ("ProfileNotFound",):
        return f"AWS profile not found: {exc}"
    if name in ("EndpointConnectionError", "ConnectTimeoutError", "ConnectionClosedError", "ReadTimeoutError"):
        endpoint = getattr(exc, "kwargs", {}).get("endpoint_url", "") or str(exc)
        parts = urlsplit(endpoint)
        if parts.scheme and parts.netloc:  # the host is what the user can fix, not the request path
            endpoint = f"{parts.scheme}://{parts.netloc}"
        return f"cannot reach AWS endpoint {endpoint}: check network, proxy or --endpoint-url"
    if name in ("TokenRetrievalError", "SSOTokenLoadError", "UnauthorizedSSOTokenError"):
        return "AWS SSO session expired: run `aws sso login` and retry"
    code = error_code(exc)
    operation = getattr(exc, "operation_name", "") or ""
    message = _message(exc)
    if code in EXPIRED:
        return (f"AWS credentials expired or invalid ({code}): "
                "refresh them (aws sso login, or a new STS session) and retry")
    if code in ACCESS_DENIED:
        return f"access denied: {operation or 'request'}{where}: {message}".rstrip(": ")
    if code in THROTTLED:
        return f"throttled by AWS ({code}) on {operation}{where} after retries: try again, or narrow the time range"
    if code:
        return f"{operation or 'AWS call'}{where} failed: {code}: {message}".rstrip(": ")
    return f"{name}: {exc}"


def error_message(exc: BaseException) -> str:
    """The message of the AWS error response ("" when there is none)."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict):
        return str(response.get("Error", {}).get("Message", "") or "")
    return ""


def _message(exc: Any) -> str:
    return error_message(exc) if isinstance(getattr(exc, "response", None), dict) else str(exc)
