"""`--accounts all|ID[,ID...]` and `--role-name ROLE`: which accounts of the
organisation a command reaches, and through which role.  Plain values."""

from __future__ import annotations

import re
from dataclasses import dataclass

ACCOUNT_ID = re.compile(r"\d{12}")
# IAM role names (with an optional path): letters, digits and +=,.@_- ; at most 64 characters in the name.
ROLE_NAME = re.compile(r"(?:[\w+=,.@-]{1,512}/)*[\w+=,.@-]{1,64}", re.ASCII)
MAX_ACCOUNTS = 1000  # an explicit list longer than this is a mistake, not an organisation


class AccountScopeError(ValueError):
    """`--accounts`/`--role-name` do not make sense (one line for the user)."""


@dataclass(frozen=True, slots=True)
class AccountScope:
    """`ids` empty means every ACTIVE account of the organisation (`all`)."""

    role_name: str
    ids: tuple[str, ...] = ()

    @property
    def every_account(self) -> bool:
        return not self.ids

    def role_arn(self, partition: str, account: str) -> str:
        return f"arn:{partition}:iam::{account}:role/{self.role_name}"


def parse_account_scope(accounts: str | None, role_name: str | None) -> AccountScope | None:
    """The scope from the two options, None when neither is given."""
    if accounts is None and role_name is None:
        return None
    if accounts is None:
        raise AccountScopeError("--role-name needs --accounts all|ID[,ID...]")
    if not role_name:
        raise AccountScopeError("--accounts needs --role-name ROLE (the role trailtui assumes in each account)")
    if not ROLE_NAME.fullmatch(role_name):
        raise AccountScopeError(f"--role-name {role_name!r}: not an IAM role name")
    text = accounts.strip()
    if text.lower() == "all":
        return AccountScope(role_name=role_name)
    ids: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if not ACCOUNT_ID.fullmatch(part):
            raise AccountScopeError(f"--accounts: {part!r} is not a 12-digit account ID (or use `all`)")
        if part not in ids:
            ids.append(part)
    if len(ids) > MAX_ACCOUNTS:
        raise AccountScopeError(f"--accounts: {len(ids)} IDs; at most {MAX_ACCOUNTS} (or use `all`)")
    return AccountScope(role_name=role_name, ids=tuple(ids))
