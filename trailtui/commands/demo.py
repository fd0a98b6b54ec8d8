"""`trailtui demo [DIR]`: write a realistic demo trail and open the console on it.

The trail is an organisation trail (3 accounts, 4 regions) with a week of
ordinary activity, one planted incident, hourly signed digests and the demo
public key in `list-public-keys.json`.  Same arguments, same bytes; a directory
that already holds the same demo is reused.  Without the console (or with
`--no-tui`) a summary and the next commands to try are printed.
"""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from trailtui.aws.config import AwsConfig
from trailtui.cli import add_console_options
from trailtui.commands.errors import fail
from trailtui.demo.spec import (
    ACCOUNTS,
    DEFAULT_DAYS,
    DEFAULT_EVENTS,
    DEFAULT_SEED,
    MAX_EVENTS,
    MAX_WORKERS,
    MIN_EVENTS,
    ORG_ID,
    REGION_NAMES,
    TRAIL_ARN,
    DemoSpec,
)
from trailtui.safe import visible

if TYPE_CHECKING:
    from trailtui.demo.generator import DemoResult, Progress

DEFAULT_DIR = "./demo-trail"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "demo", parents=[common], help="write a realistic demo trail and open the console on it",
        description="Write a deterministic demo CloudTrail organisation trail (logs, signed digests, public key) "
                    "with a planted incident, then open the console on it.",
    )
    parser.add_argument("dir", nargs="?", default=DEFAULT_DIR, metavar="DIR",
                        help=f"where to write the trail (default {DEFAULT_DIR})")
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS, metavar="N",
                        help=f"about how many events, {MIN_EVENTS:,} to {MAX_EVENTS:,} (default {DEFAULT_EVENTS:,})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S", help="random seed (default 1)")
    parser.add_argument("--days", type=int, default=DEFAULT_DAYS, metavar="D",
                        help=f"days of activity (default {DEFAULT_DAYS})")
    parser.add_argument("--workers", type=int, default=None, metavar="W",
                        help=f"generator processes, 1 to {MAX_WORKERS} (default: 2, or 1 on a one-core machine)")
    parser.add_argument("--no-tui", action="store_true", help="print a summary instead of opening the console")
    add_console_options(parser)
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    from trailtui.demo.generator import existing_demo, generate_demo  # the generator loads only when used

    try:
        spec = DemoSpec(seed=args.seed, events=args.events, days=args.days)
    except ValueError as exc:
        return fail(str(exc))
    if args.workers is not None and not 1 <= args.workers <= MAX_WORKERS:
        return fail(f"--workers must be between 1 and {MAX_WORKERS}")
    directory = Path(args.dir)
    problem = _unusable(directory)
    if problem:
        return fail(problem)
    try:
        result = existing_demo(spec, directory) or generate_demo(
            spec, directory, workers=args.workers, progress=_progress_printer())
    except OSError as exc:
        return fail(f"{exc.filename or directory}: cannot write the demo ({exc.strerror or exc})")
    if result.reused:
        print(f"trailtui demo: reusing the demo already in {visible(str(args.dir))} (same seed, events and days)",
              file=sys.stderr)
    if args.no_tui:
        print(summary(result, args.dir))
        return 0
    from trailtui.commands import console

    args.demo_info = str(result.manifest)
    args.source = str(result.directory)
    args.public_keys = str(result.public_keys)
    return console.run_app(args, aws)


def _unusable(directory: Path) -> str | None:
    """Refuse to write into something that is not ours: a file, or a non-empty
    directory that holds no trailtui demo (it might be someone's real logs)."""
    from trailtui.demo.manifest import read_manifest

    if directory.exists() and not directory.is_dir():
        return f"{directory}: exists and is not a directory"
    if directory.is_dir() and read_manifest(directory) is None and any(directory.iterdir()):
        return f"{directory}: not empty and holds no trailtui demo; choose a new or empty directory"
    return None


def _progress_printer() -> Progress:
    """A progress line on stderr: rewritten in place on a terminal, one line per
    phase otherwise (so logs stay readable)."""
    stream = sys.stderr
    live = stream.isatty()

    def report(done: int, total: int, phase: str) -> None:
        if live:
            stream.write(f"\rtrailtui demo: writing {phase} {done}/{total}" + ("\n" if done == total else ""))
            stream.flush()
        elif done == total:
            stream.write(f"trailtui demo: wrote {phase} ({total} tasks)\n")
    return report


def _shell_word(text: str) -> str:
    """Quote for copy-paste into a POSIX shell; JMESPath filters read best in
    double quotes (their literals use single quotes)."""
    if not any(ch in text for ch in '"$`\\!'):
        return f'"{text}"'
    return shlex.quote(text)


def summary(result: DemoResult, shown_dir: str) -> str:
    """What was written, the incident, and the commands to try next."""
    from trailtui.demo.incident import hop_access_key
    from trailtui.demo.manifest import read_manifest

    manifest = read_manifest(result.directory) or {}
    counts, incident = result.counts, result.incident
    span = manifest.get("time_span", {})
    q_dir = shlex.quote(shown_dir)
    keys = shlex.quote(str(Path(shown_dir) / "list-public-keys.json"))
    since = incident.start.strftime("%Y-%m-%dT00:00:00Z")
    key_filter = _shell_word(f"userIdentity.accessKeyId=='{incident.access_key_id}'")
    ip_filter = _shell_word(f"sourceIPAddress=='{incident.attacker_ip}'")
    lines = [
        f"trailtui demo: {counts.events:,} events in {counts.log_files:,} log files and "
        f"{counts.digest_files:,} signed digest files under {shown_dir}",
        f"  organisation trail {TRAIL_ARN} ({ORG_ID})",
        "  accounts  " + ", ".join(f"{a.id} {a.alias}" for a in ACCOUNTS),
        "  regions   " + ", ".join(REGION_NAMES) + " (us-east-1 also records global services)",
        f"  activity  {span.get('start', '?')} .. {span.get('end', '?')} (seed {manifest.get('seed', '?')}, "
        f"{manifest.get('days', '?')} days; same arguments give the same bytes)",
        "  digests   signed with trailtui's DEMO key (public, for demonstration only): "
        f"{shown_dir}/list-public-keys.json",
        "",
        f"Planted incident: {incident.title}",
        f"  principal {incident.principal_arn}",
        f"  key       {incident.access_key_id}   from {incident.attacker_ip}   "
        f"{incident.start:%Y-%m-%d %H:%M} .. {incident.end:%H:%M} UTC",
    ]
    lines += [f"  {step.at:%H:%M:%S}  {step.phase:<20} {step.what}" for step in incident.steps]
    lines += [
        "",
        "Try next:",
        f"  trailtui query {q_dir} --filter {key_filter} --since {since}",
        f"  trailtui query {q_dir} --filter {ip_filter} --format jsonl",
        f"  trailtui verify {q_dir} --public-keys {keys}",
        f"  trailtui hunt {q_dir}",
        f"  trailtui chain {q_dir} --access-key {hop_access_key()}",
        f"  trailtui {q_dir}",
    ]
    return "\n".join(visible(line) for line in lines)
