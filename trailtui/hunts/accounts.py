"""Which AWS accounts are the organisation's own, for hunts that judge whether a
policy lets someone outside in.

Three sources, each named in the output so an analyst knows what "outside"
was measured against: a file the analyst gives (`--known-accounts FILE`), the
account folders under an organisation trail's `AWSLogs/o-…/` path, and the
`recipientAccountId` of the records read.  All are bounded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ACCOUNT_ID = re.compile(r"^[0-9]{12}$")
ORG_PATH = re.compile(r"AWSLogs[/\\](o-[a-z0-9]{4,32})[/\\]([0-9]{12})(?:[/\\]|$)")
_SEPARATORS = re.compile(r"[\s,;]+")

# Accounts learned from records (paths, recipients); an organisation has at
# most a few thousand, so beyond this the trail is hostile and learning stops.
MAX_LEARNED = 20_000
MAX_FILE_BYTES = 1 << 20


class KnownAccountsError(ValueError):
    """A known-accounts file that cannot be used; the message names the place."""


def load_known_accounts(path: str | Path) -> frozenset[str]:
    """Account ids from a text file: 12-digit ids separated by newlines, spaces
    or commas; `#` starts a comment.  Anything else is an error naming the line."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise KnownAccountsError(f"{path}: cannot read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise KnownAccountsError(f"{path}: larger than {MAX_FILE_BYTES} bytes; expected a list of account ids")
    accounts: set[str] = set()
    for number, line in enumerate(data.decode("utf-8", errors="replace").splitlines(), start=1):
        for token in _SEPARATORS.split(line.split("#", 1)[0].strip()):
            if not token:
                continue
            if not ACCOUNT_ID.match(token):
                shown = token[:40].encode("unicode_escape").decode("ascii")
                raise KnownAccountsError(f"{path}:{number}: '{shown}' is not a 12-digit account id")
            accounts.add(token)
    return frozenset(accounts)


@dataclass(slots=True)
class KnownAccounts:
    """The accounts counted as inside, and where each group came from."""

    listed: frozenset[str] = frozenset()
    listed_from: str = ""
    organisation: set[str] = field(default_factory=set)
    organisation_ids: set[str] = field(default_factory=set)
    recipients: set[str] = field(default_factory=set)

    def observe(self, raw: dict[str, Any], location: str) -> None:
        """Learn from one record and the file it came from."""
        recipient = raw.get("recipientAccountId")
        if isinstance(recipient, str) and recipient not in self.recipients and ACCOUNT_ID.match(recipient):
            if len(self.recipients) < MAX_LEARNED:
                self.recipients.add(recipient)
        if "AWSLogs" in location:
            match = ORG_PATH.search(location)
            if match is not None and len(self.organisation) < MAX_LEARNED:
                self.organisation_ids.add(match.group(1))
                self.organisation.add(match.group(2))

    def __contains__(self, account: object) -> bool:
        return account in self.listed or account in self.organisation or account in self.recipients

    @property
    def complete(self) -> bool:
        """True when the analyst listed the accounts: nothing learned later can
        change a verdict, so findings need not wait for the end of the scan."""
        return bool(self.listed)

    def provenance(self) -> str:
        """Where the known accounts came from, e.g. `recipientAccountId (2)`."""
        parts = []
        if self.listed_from:
            parts.append(f"--known-accounts {self.listed_from} ({len(self.listed)})")
        if self.organisation:
            ids = ", ".join(sorted(self.organisation_ids)[:3])
            parts.append(f"organisation path {ids} ({len(self.organisation)})")
        if self.recipients:
            parts.append(f"recipientAccountId ({len(self.recipients)})")
        return "; ".join(parts) if parts else "the record's own account only"
