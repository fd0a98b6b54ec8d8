"""The account-level question: is there at least one multi-region trail that
is logging and records read and write management events (CIS 3.1, Security
Hub CloudTrail.1)?"""

from __future__ import annotations

from trailtui.health.context import missing_of, unknown
from trailtui.health.facts import AccountFacts, TrailFacts, Unavailable
from trailtui.health.fixes import command, join
from trailtui.health.results import Status, Verdict
from trailtui.health.selectors import management_coverage

ID = "account-multi-region-trail"
TITLE = "A multi-region trail logs management events"


def _why_not(trail: TrailFacts) -> str | None:
    """Why this trail does not count (None when it does, or when we cannot tell)."""
    if trail.config.get("IsMultiRegionTrail") is not True:
        return f"{trail.name} is single-region"
    status, selectors = trail.status, trail.event_selectors
    if isinstance(status, dict) and status.get("IsLogging") is False:
        return f"{trail.name} is not logging"
    if isinstance(selectors, dict):
        coverage = management_coverage(selectors)
        if not (coverage.read and coverage.write):
            return f"{trail.name} does not record read and write management events"
    return None


def account_multi_region_trail(facts: AccountFacts) -> Verdict:
    if isinstance(facts.trails, Unavailable):
        return unknown(facts.trails)
    fix = join(command("aws", "cloudtrail", "create-trail", "--name", "management-events", "--s3-bucket-name",
                       "<BUCKET>", "--is-multi-region-trail", "--enable-log-file-validation", "--region",
                       facts.region),
               command("aws", "cloudtrail", "start-logging", "--name", "management-events", "--region",
                       facts.region))
    trails = facts.trail_list()
    if not trails:
        return Verdict(Status.FAIL, f"no trail at all is visible from {facts.region}: API activity is kept "
                       "only 90 days in Event history", fix)
    reasons: list[str] = []
    missing: list[Unavailable] = []
    for trail in trails:
        why = _why_not(trail)
        if why:
            reasons.append(why)
            continue
        lacking = missing_of(trail.status, trail.event_selectors)
        if lacking:
            missing.extend(lacking)
            continue
        return Verdict(Status.PASS, f"{trail.name} ({trail.home_region}) records read and write management "
                       "events in every region and is logging")
    if missing:
        return unknown(*missing)
    return Verdict(Status.FAIL, "no multi-region trail is logging read and write management events: "
                   + "; ".join(reasons), fix)
