"""Ordinary activity for one account, region and day of the demo.

Activity comes in bursts: an actor (see `actors.py`) wakes at a time drawn
from its daily rhythm, sometimes opens a session (console sign-in, SAML or
web-identity federation, a service assuming its role), then makes a few calls
seconds apart from one address with one user agent.  Everything is drawn from
the `random.Random` passed in, so a chunk's output depends only on its seed.
"""

from __future__ import annotations

import bisect
import hashlib
import random
import time
from dataclasses import dataclass
from typing import Any

from trailtui.demo import agents as ua
from trailtui.demo import identities as ids
from trailtui.demo.actors import Actor, Opener, actors_for, iso
from trailtui.demo.catalogue import Action
from trailtui.demo.failures import outcome_with_error
from trailtui.demo.records import GLOBAL_SERVICES, Outcome, Record, api_record, tls_details
from trailtui.demo.resources import RESOURCES
from trailtui.demo.shapes import Ctx, short_time
from trailtui.demo.spec import GLOBAL_REGION, MANAGEMENT, PROD

TimedRecord = tuple[int, Record]

# Relative activity per UTC hour (a team spread over Europe and the US east coast).
PROFILES: dict[str, tuple[float, ...]] = {
    "office": (0.2, 0.15, 0.1, 0.08, 0.08, 0.12, 0.35, 0.8, 1.0, 1.0, 0.95, 0.85,
               0.9, 1.0, 1.0, 1.0, 0.95, 0.85, 0.7, 0.55, 0.45, 0.35, 0.3, 0.25),
    "ci": (0.1, 0.05, 0.05, 0.05, 0.05, 0.1, 0.3, 0.7, 1.0, 1.0, 1.0, 0.9,
           0.8, 1.0, 1.0, 1.0, 0.9, 0.8, 0.6, 0.4, 0.3, 0.2, 0.15, 0.1),
    "machine": (0.85, 0.8, 0.8, 0.8, 0.8, 0.85, 0.9, 1.0, 1.1, 1.15, 1.15, 1.1,
                1.1, 1.15, 1.2, 1.2, 1.15, 1.1, 1.05, 1.0, 0.95, 0.9, 0.9, 0.85),
    "nightly": (0.3, 1.0, 2.5, 2.5, 1.0, 0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
                0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1),
}
WEEKEND_FACTOR = {"office": 0.2, "ci": 0.15, "machine": 1.0, "nightly": 1.0}
CONSOLE_AGENTS = frozenset({ua.CONSOLE, ua.S3_CONSOLE})
LOGIN_FAILURE_RATE = 0.04       # a mistyped password before the successful sign-in
SPRAY_SHARE = 0.003             # failed sign-ins from the internet, share of a day's events
CLI_SERVICE = {"monitoring": "cloudwatch", "elasticloadbalancing": "elbv2", "s3": "s3api", "sts-global": "sts",
               "logs": "logs"}


def private_address(account: str, variant: int) -> str:
    """The private IP of one instance of a fleet (stable per account and instance)."""
    second = 20 if account == PROD.id else 40
    return f"10.{second}.{(variant * 37) % 250}.{(variant * 11) % 200 + 10}"


def vpc_endpoint(account: str, service: str) -> str:
    """The interface/gateway endpoint id a private subnet uses for `service`."""
    return "vpce-0" + hashlib.sha256(f"vpce:{account}:{service}".encode()).hexdigest()[:16]


def cli_command(action: Action) -> str:
    """`ec2.describe-instances`, as the AWS CLI v2 user agent names the command."""
    name = action.name
    for suffix in ("20150331v2", "20150331"):
        name = name.removesuffix(suffix)
    kebab = "".join("-" + ch.lower() if ch.isupper() and i else ch.lower() for i, ch in enumerate(name))
    return f"{CLI_SERVICE.get(action.service, action.service)}.{kebab}"


@dataclass(slots=True)
class _Cast:
    """An actor as it acts in one chunk: the calls it can make here and how often."""

    actor: Actor
    actions: list[Action]
    cum_weights: list[float]
    commands: dict[str, str]


@dataclass(slots=True)
class Burst:
    """One planned burst: an actor's session of calls at known seconds."""

    start: int
    order: int                     # plan position: breaks ties in start time
    cast: _Cast
    variant: int
    ip: str
    agent: str
    openers: tuple[str, ...]       # console, console-failure, saml, web, service
    times: list[int]


def _cast(account: str, region: str, weekend: bool) -> tuple[list[_Cast], list[float]]:
    casts: list[_Cast] = []
    weights: list[float] = []
    for actor in actors_for(account):
        here = region in actor.regions
        kept = [(a, w) for a, w in actor.actions
                if (a.service in GLOBAL_SERVICES and region == GLOBAL_REGION)
                or (a.service not in GLOBAL_SERVICES and here)]
        if not kept:
            continue
        share = sum(w for _, w in kept) / sum(w for _, w in actor.actions)
        cum, total = [], 0.0
        for _, w in kept:
            total += w
            cum.append(total)
        weekend_factor = WEEKEND_FACTOR[actor.profile] if weekend else 1.0
        casts.append(_Cast(actor, [a for a, _ in kept], cum,
                           {a.name: cli_command(a) for a, _ in kept}))
        weights.append(actor.weight * share * weekend_factor)
    return casts, weights


def _hour_sampler(lo: int, hi: int, profile: tuple[float, ...]) -> tuple[list[int], list[float]]:
    starts, cum, total = [], [], 0.0
    hour = lo - lo % 3600
    while hour < hi:
        overlap = min(hi, hour + 3600) - max(lo, hour)
        total += profile[(hour // 3600) % 24] * overlap / 3600
        starts.append(hour)
        cum.append(total)
        hour += 3600
    return starts, cum


class ChunkBackground:
    """Generates the background records of one (account, region, day window)."""

    def __init__(self, account: str, region: str, lo: int, hi: int, rng: random.Random) -> None:
        self.account, self.region, self.lo, self.hi, self.rng = account, region, lo, hi, rng
        self.res = RESOURCES[account]
        weekend = time.gmtime(lo).tm_wday >= 5
        self.casts, weights = _cast(account, region, weekend)
        self.cast_cum = []
        total = 0.0
        for w in weights:
            total += w
            self.cast_cum.append(total)
        self.samplers = {name: _hour_sampler(lo, hi, p) for name, p in PROFILES.items()}
        self.identities: dict[tuple[str, int, int], ids.Identity] = {}

    # ---------------------------------------------------------------- API --

    def plan(self, count: int) -> tuple[list[Burst], list[TimedRecord]]:
        """Decide every burst (who, when, how many calls at which seconds) for
        `count` events, without building records yet, so the chunk can build
        and write them in time order with little memory.  Also returns the few
        records that are not bursts (password spraying, KMS key rotation)."""
        extras: list[TimedRecord] = []
        bursts: list[Burst] = []
        if not self.casts or count <= 0:
            return bursts, extras
        rng = self.rng
        if self.region == GLOBAL_REGION and self.account in (PROD.id, MANAGEMENT.id):
            self._spray(extras, min(count, max(0, round(count * SPRAY_SHARE))))
        if rng.random() < 0.35 and len(extras) < count:
            extras.append(self._key_rotation())
        planned = len(extras)
        while planned < count:
            cast = self.casts[bisect.bisect(self.cast_cum, rng.random() * self.cast_cum[-1])]
            burst = self._plan_burst(cast, len(bursts), count - planned)
            planned += len(burst.openers) + len(burst.times)
            bursts.append(burst)
        bursts.sort(key=lambda b: (b.start, b.order))
        return bursts, extras

    def materialize(self, burst: Burst) -> list[TimedRecord]:
        """The records of one planned burst (call in start order: the draws
        from the chunk's generator then follow a fixed sequence)."""
        actor, cast = burst.cast.actor, burst.cast
        hour = burst.start - burst.start % 3600
        identity = self._identity(actor, hour, burst.variant)
        out = [(burst.start, record) for record in
               self._open(actor, burst.openers, identity, hour, burst.variant, burst.start, burst.ip, burst.agent)]
        rng = self.rng
        for t in burst.times:
            action = cast.actions[bisect.bisect(cast.cum_weights, rng.random() * cast.cum_weights[-1])]
            out.append((t, self._call(actor, action, identity, t, burst.ip, burst.agent, cast.commands[action.name])))
        return out

    def generate(self, count: int) -> list[TimedRecord]:
        """All records of the chunk at once (small chunks, tests)."""
        bursts, out = self.plan(count)
        for burst in bursts:
            out.extend(self.materialize(burst))
        return out

    # -------------------------------------------------------------- bursts --

    def _start_time(self, profile: str) -> int:
        starts, cum = self.samplers[profile]
        i = bisect.bisect(cum, self.rng.random() * cum[-1])
        i = min(i, len(starts) - 1)
        lo, hi = max(self.lo, starts[i]), min(self.hi, starts[i] + 3600)
        return lo + int(self.rng.random() * (hi - lo))

    def _identity(self, actor: Actor, hour: int, variant: int) -> ids.Identity:
        key = (actor.key, hour, variant)
        found = self.identities.get(key)
        if found is None:
            found = self.identities[key] = actor.identity(hour, variant)
        return found

    def _opener_kinds(self, opener: Opener) -> tuple[str, ...]:
        """Which session-opening records a burst starts with (none outside
        us-east-1 for sign-in and SAML, which are global)."""
        if opener.kind in ("console", "saml") and self.region != GLOBAL_REGION:
            return ()
        if opener.kind == "console":
            return ("console-failure", "console") if self.rng.random() < LOGIN_FAILURE_RATE else ("console",)
        return (opener.kind,)

    def _plan_burst(self, cast: _Cast, order: int, remaining: int) -> Burst:
        rng, actor = self.rng, cast.actor
        t = start = self._start_time(actor.profile)
        variant = int(rng.random() * actor.variants)
        ip = actor.ips[int(rng.random() * len(actor.ips))]
        if actor.private:
            ip = private_address(actor.account.id, variant)
        agent = actor.agents[int(rng.random() * len(actor.agents))]
        openers: tuple[str, ...] = ()
        if actor.opener and rng.random() < actor.opener.probability:
            openers = self._opener_kinds(actor.opener)[:remaining]
            t += 1 + int(rng.random() * 20)
        size = actor.burst[0] + int(rng.random() * (actor.burst[1] - actor.burst[0] + 1))
        rate = 1.0 / actor.gap
        times: list[int] = []
        for _ in range(min(size, remaining - len(openers))):
            if t >= self.hi:
                break
            times.append(t)
            t += int(rng.expovariate(rate))
        return Burst(start, order, cast, variant, ip, agent, openers, times)

    def _call(self, actor: Actor, action: Action, identity: ids.Identity, t: int, ip: str, agent: str,
              command: str) -> Record:
        rng = self.rng
        ctx = Ctx(rng, self.account, self.region, self.res, identity.get("arn", ""), t)
        outcome = action.build(ctx)
        if action.errors and rng.random() < action.error_rate * actor.error_scale:
            outcome = outcome_with_error(action, ctx, outcome)
        if "{command}" in agent:
            agent = agent.replace("{command}", command)
        tls = None
        if actor.tls:
            tls = tls_details(action.service, self.region, "TLSv1.2" if "java/1.8" in agent else "TLSv1.3", ctx.bucket)
        request_id = (ids.random_token(rng, 16) if action.service == "s3" else ids.random_uuid(rng))
        return api_record(
            identity=identity, when=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(t)), service=action.service,
            name=action.name, region=self.region, ip=ip, agent=agent, outcome=outcome, account=self.account,
            event_id=ids.random_uuid(rng), request_id=request_id, read_only=action.read_only,
            version=action.version, category=action.category, tls=tls,
            console=actor.console and agent in CONSOLE_AGENTS,
            vpc_endpoint=vpc_endpoint(self.account, action.service) if actor.private else None)

    # ------------------------------------------------------------- openers --

    def _open(self, actor: Actor, kinds: tuple[str, ...], identity: ids.Identity, hour: int, variant: int,
              t: int, ip: str, agent: str) -> list[Record]:
        opener = actor.opener
        records: list[Record] = []
        for kind in kinds:
            assert opener is not None  # noqa: S101 - narrows the type: actors with sessions have an opener
            if kind in ("console", "console-failure"):
                who = opener.identity(hour, variant) if opener.identity else identity
                records.append(self.console_login(who, t, ip, None, success=kind == "console", mfa=opener.mfa))
            elif kind == "saml":
                records.append(self._assume_with_saml(opener, identity, hour, variant, t, ip))
            elif kind == "web":
                records.append(self._assume_with_web_identity(opener, identity, hour, variant, t, ip, agent))
            else:
                records.append(self._service_assume(opener, identity, t))
        return records

    def console_login(self, who: ids.Identity, t: int, ip: str, agent: str | None, *, success: bool,
                      error_message: str = "Failed authentication", mfa: bool = True) -> Record:
        rng = self.rng
        agent = agent or (ua.BROWSER_MAC, ua.BROWSER_WIN, ua.BROWSER_LINUX)[int(rng.random() * 3)]
        mfa = mfa and who.get("type") in ("Root", "IAMUser") and success
        additional: dict[str, Any] = {
            "LoginTo": "https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_"
                       f"us-east-1_{ids.random_token(rng, 16, ids.HEX)}",
            "MobileVersion": "No",
        }
        if mfa:
            additional["MFAIdentifier"] = f"arn:aws:iam::{who.get('accountId')}:mfa/" + (
                "root-account-mfa-device" if who.get("type") == "Root" else str(who.get("userName")))
        additional["MFAUsed"] = "Yes" if mfa else "No"
        login_identity = {k: v for k, v in who.items() if k != "sessionContext"}
        if login_identity.get("type") in ("IAMUser", "Root"):
            login_identity["accessKeyId"] = ""
        outcome = Outcome(None, {"ConsoleLogin": "Success" if success else "Failure"}, additional)
        if not success:
            outcome.error_message = error_message
        return api_record(identity=login_identity, when=iso(t), service="signin", name="ConsoleLogin",
                          region=GLOBAL_REGION, ip=ip, agent=agent, outcome=outcome, account=self.account,
                          event_id=ids.random_uuid(rng), request_id=None, read_only=False,
                          event_type="AwsConsoleSignIn", tls=tls_details("signin", GLOBAL_REGION))

    def _role_parts(self, identity: ids.Identity) -> tuple[str, str, str]:
        issuer = identity["sessionContext"]["sessionIssuer"]
        session = identity["arn"].rsplit("/", 1)[1]
        return issuer["arn"], session, issuer["principalId"]

    def _assumed(self, identity: ids.Identity, t: int) -> dict[str, Any]:
        role_arn, session, role_id = self._role_parts(identity)
        credentials = {"accessKeyId": identity["accessKeyId"],
                       "sessionToken": "IQoJb3JpZ2luX2Vj" + ids.random_token(
                           self.rng, 180, ids.B64),
                       "expiration": short_time(t + 3600)}
        return {"credentials": credentials,
                "assumedRoleUser": {"assumedRoleId": f"{role_id}:{session}", "arn": identity["arn"]}}

    def _assume_with_saml(self, opener: Opener, identity: ids.Identity, hour: int, variant: int, t: int,
                          ip: str) -> Record:
        assert opener.identity is not None  # noqa: S101 - narrows the type: SAML openers carry an identity
        who = opener.identity(hour, variant)
        role_arn, session, _ = self._role_parts(identity)
        provider = f"arn:aws:iam::{self.account}:saml-provider/Okta"
        response = self._assumed(identity, t)
        response.update({"packedPolicySize": 6, "subject": who["userName"], "subjectType": "persistent",
                         "issuer": ids.SAML_ISSUER, "audience": "https://signin.aws.amazon.com/saml",
                         "nameQualifier": who["identityProvider"]})
        outcome = Outcome({"sAMLAssertionID": "id" + ids.random_token(self.rng, 28, "0123456789"),
                           "roleSessionName": session, "principalArn": provider, "roleArn": role_arn,
                           "durationSeconds": 3600}, response,
                          resources=[{"ARN": role_arn, "accountId": self.account, "type": "AWS::IAM::Role"},
                                     {"ARN": provider, "accountId": self.account, "type": "AWS::IAM::SAMLProvider"}])
        return api_record(identity=who, when=iso(t), service="sts-global", name="AssumeRoleWithSAML",
                          region=GLOBAL_REGION, ip=ip, agent=(ua.BROWSER_MAC, ua.BROWSER_WIN)[variant % 2],
                          outcome=outcome, account=self.account, event_id=ids.random_uuid(self.rng),
                          request_id=ids.random_uuid(self.rng), read_only=True, version="1.08",
                          tls=tls_details("sts-global", GLOBAL_REGION))

    def _assume_with_web_identity(self, opener: Opener, identity: ids.Identity, hour: int, variant: int, t: int,
                                  ip: str, agent: str) -> Record:
        assert opener.identity is not None  # noqa: S101 - narrows the type: web-identity openers carry an identity
        who = opener.identity(hour, variant)
        role_arn, session, _ = self._role_parts(identity)
        response = self._assumed(identity, t)
        response.update({"subjectFromWebIdentityToken": who["userName"], "provider": who["identityProvider"],
                         "audience": "sts.amazonaws.com"})
        outcome = Outcome({"roleArn": role_arn, "roleSessionName": session, "durationSeconds": 3600}, response,
                          resources=[{"ARN": role_arn, "accountId": self.account, "type": "AWS::IAM::Role"}])
        return api_record(identity=who, when=iso(t), service="sts", name="AssumeRoleWithWebIdentity",
                          region=self.region, ip=ip,
                          agent=agent.replace("{command}", "sts.assume-role-with-web-identity"),
                          outcome=outcome, account=self.account, event_id=ids.random_uuid(self.rng),
                          request_id=ids.random_uuid(self.rng), read_only=True, version="1.08",
                          tls=tls_details("sts", self.region))

    def _service_assume(self, opener: Opener, identity: ids.Identity, t: int) -> Record:
        role_arn, session, _ = self._role_parts(identity)
        response = {"credentials": self._assumed(identity, t)["credentials"]}
        outcome = Outcome({"roleArn": role_arn, "roleSessionName": session}, response,
                          resources=[{"accountId": self.account, "type": "AWS::IAM::Role", "ARN": role_arn}])
        service = opener.invoked_by
        return api_record(identity=ids.aws_service(service), when=iso(t), service="sts", name="AssumeRole",
                          region=self.region, ip=service, agent=service, outcome=outcome, account=self.account,
                          event_id=ids.random_uuid(self.rng), request_id=ids.random_uuid(self.rng), read_only=True,
                          version="1.08", shared_event_id=ids.random_uuid(self.rng))

    # ---------------------------------------------------------- the rest --

    def _spray(self, out: list[TimedRecord], count: int) -> None:
        """Password guessing from the internet: bursts of failed sign-ins from one
        address against guessed user names, a few seconds apart."""
        names = ("admin", "administrator", "test", "alice.nguyen", "devops", "backup-admin", "root", "aws")
        while count > 0:
            size = min(count, 5 + int(self.rng.random() * 10))
            count -= size
            t = self.lo + int(self.rng.random() * max(1, self.hi - self.lo - 900))
            ip = ua.SCANNER_INTERNET[int(self.rng.random() * len(ua.SCANNER_INTERNET))]
            for _ in range(size):
                name = names[int(self.rng.random() * len(names))]
                exists = name in ("alice.nguyen", "backup-admin")
                who: ids.Identity = {"type": "IAMUser", "accountId": self.account, "accessKeyId": "",
                                     "userName": name if exists else "HIDDEN_DUE_TO_SECURITY_REASONS"}
                if exists:
                    who = {"type": "IAMUser", "principalId": ids.stable_id("AIDA", self.account, name, length=17),
                           "accountId": self.account, "accessKeyId": "", "userName": name}
                out.append((t, self.console_login(who, t, ip, ua.BROWSER_WIN, success=False,
                                                  error_message="Failed authentication" if exists
                                                  else "No username found in supplied account")))
                t += 2 + int(self.rng.random() * 30)

    def _key_rotation(self) -> TimedRecord:
        """KMS' yearly automatic key rotation, an AwsServiceEvent (no userIdentity.type)."""
        t = self.lo + int(self.rng.random() * (self.hi - self.lo))
        key = self.res.kms_keys[int(self.rng.random() * len(self.res.kms_keys))]
        arn = f"arn:aws:kms:{self.region}:{self.account}:key/{key}"
        outcome = Outcome(None, None, resources=[{"accountId": self.account, "type": "AWS::KMS::Key", "ARN": arn}])
        record = api_record(identity=ids.service_event_identity(self.account), when=iso(t), service="kms",
                            name="RotateKey", region=self.region, ip="AWS Internal", agent="AWS Internal",
                            outcome=outcome, account=self.account, event_id=ids.random_uuid(self.rng),
                            request_id=None, read_only=False, version="1.08", event_type="AwsServiceEvent",
                            service_details={"keyId": key})
        return t, record
