"""The outside-access tracker: reports a record whose policy lets in everyone or
an account outside the known ones.

A verdict that rests on an account id alone waits for the end of the scan
when the known accounts are learned from the records (an older record may yet
show that account as one of the organisation's); '*' with no narrowing
condition, or an analyst-given list of accounts, is reported at once.
"""

from __future__ import annotations

from jmespath.exceptions import JMESPathError

from trailtui.events import Event
from trailtui.hunts.accounts import ACCOUNT_ID, KnownAccounts
from trailtui.hunts.model import Hunt, Outside
from trailtui.hunts.policies import Exposure, exposure, grants

# Records held back for the end of the scan; past this they are judged at once.
MAX_PENDING = 5_000


def _own_accounts(event: Event) -> set[str]:
    """The accounts a record belongs to: where it was delivered and the caller's."""
    raw = event.raw
    identity = raw.get("userIdentity")
    found = {raw.get("recipientAccountId"), identity.get("accountId") if isinstance(identity, dict) else None}
    return {a for a in found if isinstance(a, str) and ACCOUNT_ID.match(a)}


class OutsideTracker:
    def __init__(self, hunt: Hunt, known: KnownAccounts) -> None:
        if hunt.outside is None:
            raise ValueError(f"hunt {hunt.id} has no outside rule")
        self.hunt = hunt
        self._rule: Outside = hunt.outside
        self._known = known
        self._matches = hunt.filter.predicate()
        self._pending: list[Event] = []
        self._details: dict[int, str] = {}

    def _judge(self, event: Event) -> Exposure:
        try:
            value = self._rule.policy.evaluate(event.raw)
        except JMESPathError:
            return Exposure()
        return exposure(grants(value), _own_accounts(event), self._known)

    def _report(self, event: Event, found: Exposure) -> list[Event]:
        self._details[id(event)] = f"{found.describe()}; known accounts: {self._known.provenance()}"
        return [event]

    def offer(self, event: Event) -> list[Event]:
        if not self._matches(event.raw):
            return []
        found = self._judge(event)
        if not found:
            return []
        if found.everyone or self._known.complete or len(self._pending) >= MAX_PENDING:
            return self._report(event, found)
        self._pending.append(event)
        return []

    def finish(self) -> list[Event]:
        out: list[Event] = []
        for event in self._pending:
            found = self._judge(event)
            if found:
                out.extend(self._report(event, found))
        self._pending.clear()
        return out

    def detail(self, event: Event) -> str:
        return self._details.pop(id(event), "")
