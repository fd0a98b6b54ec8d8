"""`trailtui athena-ddl`: print the CloudTrail table DDL for Athena, with
partition projection on account, region and date, ready to paste.

Accounts and regions not given are discovered from the bucket's layout (two
S3 listings); when that is not possible, every region CloudTrail has is
projected and the account is an injected projection (queries must then name
it)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.aws.errors import describe_error
from trailtui.commands.errors import fail, warn
from trailtui.sources.athena_table import DEFAULT_TABLE, TableSpec, TableSpecError, create_table_ddl


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
    parser = sub.add_parser(
        "athena-ddl", parents=[common], help="print the Athena CloudTrail table DDL (partition projection)",
        description="Print CREATE EXTERNAL TABLE for CloudTrail logs in S3, with partition projection on "
        "account, region and date. Missing accounts/regions are discovered from the bucket.",
    )
    parser.add_argument("--bucket", required=True, help="the trail's S3 bucket")
    parser.add_argument("--prefix", default="", help="the trail's S3 key prefix, if any")
    parser.add_argument("--account", action="extend", nargs="+", default=[], metavar="A",
                        help="account id(s) to project (default: found in the bucket)")
    parser.add_argument("--org-id", help="organization id (o-...) for an organization trail")
    parser.add_argument("--table", default=DEFAULT_TABLE, help=f"table name, or db.table (default {DEFAULT_TABLE})")
    parser.add_argument("--regions", action="extend", nargs="+", default=[], metavar="R",
                        help="regions to project (default: found in the bucket, else all)")
    parser.add_argument("--no-discover", action="store_true", help="do not list the bucket to find accounts/regions")
    parser.set_defaults(func=run)


def _all_regions() -> list[str]:
    from trailtui.aws.sdk import available_regions

    return available_regions("cloudtrail")


def run(args: argparse.Namespace, aws: AwsConfig) -> int:
    accounts, regions = list(dict.fromkeys(args.account)), list(dict.fromkeys(args.regions))
    spec = TableSpec(bucket=args.bucket, prefix=args.prefix, accounts=tuple(accounts), org_id=args.org_id,
                     regions=tuple(regions) or ("us-east-1",), table=args.table)
    try:
        spec.validate()  # before any AWS call: bad input is a usage error
    except TableSpecError as exc:
        return fail(str(exc))
    if (not accounts or not regions) and not args.no_discover:
        from trailtui.sources.s3 import discover_layout

        try:
            found_accounts, found_regions = asyncio.run(
                discover_layout(args.bucket, args.prefix, args.org_id, ClientFactory(aws, max_attempts=3)))
        except Exception as exc:  # noqa: BLE001 - discovery is a convenience; say why it failed and go on
            warn(f"could not list s3://{args.bucket} to find accounts and regions: {describe_error(exc)}")
            found_accounts, found_regions = [], []
        accounts = accounts or found_accounts
        regions = regions or found_regions
    if not regions:
        regions = _all_regions()
    if not accounts:
        warn("no account given or found: the table projects `account` as injected, "
             "so every query must say WHERE account = '123456789012'")
    spec = TableSpec(bucket=args.bucket, prefix=args.prefix, accounts=tuple(accounts), org_id=args.org_id,
                     regions=tuple(regions), table=args.table)
    try:
        sys.stdout.write(create_table_ddl(spec))
    except TableSpecError as exc:
        return fail(str(exc))
    return 0
