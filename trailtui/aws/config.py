"""How the user told us to reach AWS.  Plain values; no SDK import here."""

from __future__ import annotations

from dataclasses import dataclass

from trailtui.aws.account_scope import AccountScope


@dataclass(frozen=True, slots=True, repr=False)
class Credentials:
    """Temporary keys from `sts:AssumeRole` for one account.

    They grant access to a customer's account, so nothing prints them: `repr`
    and `str` say only that keys are held, and no log line or error message
    formats this value."""

    access_key_id: str
    secret_access_key: str
    session_token: str

    def __repr__(self) -> str:
        return "Credentials(<hidden>)"

    __str__ = __repr__


@dataclass(frozen=True, slots=True)
class AwsConfig:
    """`--profile`, `--region`, `--endpoint-url` as given on the command line.

    None means "let botocore decide", so the standard `AWS_PROFILE`,
    `AWS_REGION`/`AWS_DEFAULT_REGION`, `AWS_ENDPOINT_URL` and
    `AWS_ENDPOINT_URL_<SERVICE>` variables and `~/.aws/config` keep working.

    `accounts` is `--accounts`/`--role-name` (fan out over the organisation);
    `credentials`, when set, replace the profile's keys: that is how clients
    for one member account are made from its assumed role.
    """

    profile: str | None = None
    region: str | None = None
    endpoint_url: str | None = None
    accounts: AccountScope | None = None
    credentials: Credentials | None = None
