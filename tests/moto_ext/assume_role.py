"""STS AssumeRole as AWS answers it for a role that does not exist.

moto lets anyone assume any role ARN, existing or not, and hands back keys for
the ARN's account.  AWS refuses with `AccessDenied` ("... is not authorized to
perform: sts:AssumeRole on resource: ARN") when the role is missing or its trust
policy does not name the caller.  This makes the test server refuse a role
that is absent from its account, so "one account whose role is missing" can be
tested through the real API.  Existing roles are assumed as moto does (moto
maps the returned access key to the role's account, so later calls with those
keys act in that account).
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    from moto.iam.models import get_account_id_from, iam_backends
    from moto.sts.exceptions import STSClientError
    from moto.sts.responses import TokenResponse
    from moto.utilities.utils import get_partition

    original = TokenResponse.assume_role

    def assume_role(self: Any) -> Any:
        role_arn = str(self._get_param("RoleArn") or "")
        parts = role_arn.split(":")
        if len(parts) >= 6 and parts[4].isdigit():
            account = parts[4]
            backend = iam_backends[account][get_partition(self.region)]
            if not any(role.arn == role_arn for role in backend.get_roles()):
                caller = get_account_id_from(self.get_access_key())
                raise STSClientError(
                    "AccessDenied",
                    f"User: arn:aws:iam::{caller}:user/caller is not authorized to perform: sts:AssumeRole on "
                    f"resource: {role_arn}")
        return original(self)

    TokenResponse.assume_role = assume_role  # type: ignore[method-assign]
