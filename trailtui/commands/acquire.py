"""`trailtui acquire s3://bucket[/prefix] DIR`: a forensic, resumable copy of
CloudTrail logs and digests (with the digests' signature metadata as
`.metadata.json` sidecars), ready for `trailtui verify DIR --public-keys FILE`.

Exit 0 when every listed object is in DIR, 1 when some were refused (keys that
would escape DIR, names too long to store, a key that is also another key's folder)
or could not be copied, 2 on a usage or fatal error.
"""

from __future__ import annotations

import argparse
import asyncio
import shlex
import sys

from trailtui.aws.config import AwsConfig
from trailtui.commands.errors import fail, warn
from trailtui.integrity.summary import iso
from trailtui.timerange import TimeParseError, parse_time


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "acquire", parents=[common], help="forensic copy of CloudTrail logs and digests from S3",
        description="Copy CloudTrail log and digest files from s3://bucket[/prefix] into DIR (same layout as "
                    "the bucket), keeping digest signatures as .metadata.json sidecars. Resumable.",
    )
    parser.add_argument("source", help="s3://bucket[/prefix]")
    parser.add_argument("dest", metavar="DIR", help="destination directory (created if needed)")
    parser.add_argument("--since", help="logs delivered from this time (ISO 8601 with offset, -24h, -7d)")
    parser.add_argument("--until", help="logs delivered up to this time")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    from trailtui.integrity.acquire import AcquireError, AcquireOptions, Acquirer

    try:
        since = parse_time(args.since) if args.since else None
        until = parse_time(args.until) if args.until else None
        acquirer = Acquirer(AcquireOptions(args.source, args.dest, since, until), aws)
    except (TimeParseError, AcquireError) as exc:
        return fail(str(exc))
    try:
        summary = asyncio.run(acquirer.run(warn))
    except AcquireError as exc:
        return fail(str(exc))
    print(f"{summary.listed} object(s) listed: {summary.copied} copied ({summary.bytes_copied} bytes), "
          f"{summary.skipped} already present, {summary.refused} refused, {summary.failed} failed")
    window = ""
    if since or until:
        window = "".join(f" --{flag} {iso(value)}" for flag, value in (("start", since), ("end", until)) if value)
    print(f"verify with: trailtui verify {shlex.quote(args.dest)}{window} --public-keys KEYS.json "
          "(KEYS.json from `aws cloudtrail list-public-keys --start-time ... --end-time ...` in each region)")
    sys.stdout.flush()
    return 0 if summary.ok else 1
