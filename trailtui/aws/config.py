"""How the user told us to reach AWS.  Plain values; no SDK import here."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AwsConfig:
    """`--profile`, `--region`, `--endpoint-url` as given on the command line.

    None means "let botocore decide", so the standard `AWS_PROFILE`,
    `AWS_REGION`/`AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL` and
    `AWS_ENDPOINT_URL_<SERVICE>` variables and `~/.aws/config` keep working.
    """

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
