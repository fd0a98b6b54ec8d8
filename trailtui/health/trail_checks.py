"""Checks on the trail itself: is it on, where does it record, is it validated."""

from __future__ import annotations

from trailtui.health.context import TrailContext, parse_time, stamp, unknown
from trailtui.health.facts import Unavailable
from trailtui.health.fixes import trail_command
from trailtui.health.results import Status, Verdict


def logging(ctx: TrailContext) -> Verdict:
    status = ctx.trail.status
    if isinstance(status, Unavailable):
        return unknown(status)
    if not isinstance(status, dict) or "IsLogging" not in status:
        return Verdict(Status.UNKNOWN, "GetTrailStatus did not say whether the trail is logging")
    if status["IsLogging"] is True:
        started = parse_time(status.get("StartLoggingTime"))
        since = f" since {stamp(started)}" if started else ""
        return Verdict(Status.PASS, f"logging{since}")
    stopped = parse_time(status.get("StopLoggingTime"))
    when = f" at {stamp(stopped)}" if stopped else ""
    return Verdict(Status.FAIL, f"logging was stopped{when}: no API activity is being recorded by this trail",
                   trail_command("start-logging", ctx.name, ctx.region))


def multi_region(ctx: TrailContext) -> Verdict:
    if ctx.config.get("IsMultiRegionTrail") is True:
        return Verdict(Status.PASS, "records API activity in every region")
    return Verdict(Status.WARN, f"records only {ctx.region}: activity in other regions is not captured by "
                   "this trail", trail_command("update-trail", ctx.name, ctx.region, "--is-multi-region-trail"))


def organization_trail(ctx: TrailContext) -> Verdict:
    if ctx.config.get("IsOrganizationTrail") is True:
        owner = ctx.trail_account
        where = f" (managed from account {owner})" if owner and owner != ctx.caller_account else ""
        return Verdict(Status.INFO, f"organisation trail: records every account in the organisation{where}")
    return Verdict(Status.INFO, "not an organisation trail: records this account only")


def log_file_validation(ctx: TrailContext) -> Verdict:
    if ctx.is_validated:
        return Verdict(Status.PASS, "log file validation is on: hourly signed digests prove the logs are "
                       "unaltered (check with trailtui verify)")
    return Verdict(Status.FAIL, "log file validation is off: edited or deleted log files cannot be detected",
                   trail_command("update-trail", ctx.name, ctx.region, "--enable-log-file-validation"))
