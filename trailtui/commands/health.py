"""`trailtui health`: every trail's state as checks with reasons and fixes.

Exit 1 if any check FAILs, 0 otherwise, 2 on usage or fatal errors (one line).
`--save-facts` keeps what was read from AWS; `--facts` evaluates such a file
offline, as of the time it was collected.  With `--accounts`/`--role-name`
every account of the organisation is checked and the results merged (an
account that cannot be reached is one UNKNOWN, as a denied permission is).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from trailtui.aws.config import AwsConfig
from trailtui.commands.errors import fail
from trailtui.export.output import OutputExists, atomic_text_file, check_target
from trailtui.health import (
    AccountFacts,
    FactsFormatError,
    HealthCollectionError,
    collect_facts,
    evaluate,
    from_json,
    to_json,
)
from trailtui.health.accounts import collect_accounts, evaluate_accounts
from trailtui.health.context import parse_time
from trailtui.health.results import HealthReport
from trailtui.health.table import render_table

FINDINGS = 1


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "health", parents=[common], help="check every trail: logging, delivery, validation, encryption, bucket",
        description="Check every CloudTrail trail this account can see (read-only): logging, delivery, "
        "validation, encryption, selectors and the log bucket.  Each check is PASS, WARN, FAIL, UNKNOWN "
        "(a permission was missing: the IAM action is named) or INFO, with a reason and an aws CLI fix.  "
        "Exit 1 if any check fails.",
    )
    parser.add_argument("--trail", metavar="NAME", help="only this trail (name or ARN)")
    parser.add_argument("--format", choices=("table", "json"), default="table",
                        help="table (80 columns) or json: {\"trails\": [...], \"account\": [...]} "
                        "(with --accounts each trail and check has an \"account\" key, and \"accounts\" lists them)")
    parser.add_argument("--facts", metavar="FILE", help="evaluate facts saved by --save-facts (no AWS calls)")
    parser.add_argument("--save-facts", metavar="FILE",
                        help="also write the facts read from AWS to FILE (JSON, mode 0600, atomically; an "
                        "existing file is replaced only with --force, and never a link or a device)")
    parser.add_argument("--force", action="store_true", help="let --save-facts replace an existing regular file")
    parser.set_defaults(func=run)


def load_facts(path: str) -> AccountFacts:
    """Facts from a file (or `-` for stdin); raises ValueError/OSError with a
    message that names the file."""
    try:
        text = sys.stdin.read() if path == "-" else Path(path).read_text(encoding="utf-8")
        return from_json(json.loads(text))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read facts file {path}: {getattr(exc, 'strerror', None) or exc}") from None
    except (json.JSONDecodeError, FactsFormatError) as exc:
        raise ValueError(f"bad facts file {path}: {exc}") from None


def save_facts(facts: AccountFacts, path: str, force: bool = False) -> None:
    """Written 0600 and atomically (facts hold bucket and key policies): never
    through a planted link, never over a file without `force`."""
    data = json.dumps(to_json(facts), indent=1, sort_keys=True) + "\n"
    with atomic_text_file(Path(path), force=force) as out:
        out.write(data)


def _as_of(facts: AccountFacts, offline: bool) -> datetime:
    """Saved facts are judged as of when they were collected (a delivery that
    was fresh then is not "late" today)."""
    collected = parse_time(facts.collected_at) if offline else None
    return collected or datetime.now(UTC)


def _trail_names(facts: AccountFacts) -> str:
    names = [t.name for t in facts.trail_list()]
    return ", ".join(names) if names else "none"


def run_accounts(args: argparse.Namespace, aws: AwsConfig) -> int:
    """Every account `--accounts` names, merged into one report."""
    if args.facts or args.save_facts:
        return fail("--facts and --save-facts hold one account's facts: not with --accounts")
    try:
        results = asyncio.run(collect_accounts(aws, trail=args.trail))
    except HealthCollectionError as exc:
        return fail(str(exc))
    report = evaluate_accounts(results, datetime.now(UTC))
    if args.trail:
        report = report.only(args.trail)
        if not report.trails and all(r.facts is not None and isinstance(r.facts.trails, list) for r in results):
            return fail(f"no trail named {args.trail!r} in any of the {len(results)} accounts")
    return _print(report, args.format)


def _print(report: HealthReport, form: str) -> int:
    if form == "json":
        payload: Any = report.to_json()
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        sys.stdout.write(render_table(report))
    return FINDINGS if report.has_failures() else 0


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    if aws.accounts is not None:
        return run_accounts(args, aws)
    try:
        if args.save_facts:
            check_target(Path(args.save_facts), args.force)  # before any AWS call
        if args.facts:
            facts = load_facts(args.facts)
        else:
            facts = asyncio.run(collect_facts(aws, trail=args.trail))
        if args.save_facts:
            save_facts(facts, args.save_facts, args.force)
    except OutputExists as exc:
        return fail(str(exc))
    except HealthCollectionError as exc:
        return fail(str(exc))
    except ValueError as exc:
        return fail(str(exc))
    except OSError as exc:
        return fail(f"cannot write facts file {args.save_facts}: {exc.strerror or exc}")
    report = evaluate(facts, _as_of(facts, offline=bool(args.facts)))
    if args.trail:
        report = report.only(args.trail)
        if not report.trails and isinstance(facts.trails, list):
            return fail(f"no trail named {args.trail!r} (trails: {_trail_names(facts)})")
    return _print(report, args.format)
