"""The command line: `trailtui [SOURCE]` opens the console; subcommands do the
same work headless.  Each subcommand lives in `trailtui/commands/<name>.py` and
exposes `register(subparsers, common)`; this file only wires them together.

AWS options follow the aws-cli and are accepted before or after the subcommand.
Exit codes: 0 ok, 1 findings or integrity failures, 2 usage or fatal error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from importlib import import_module
from typing import Any

from trailtui import __version__
from trailtui.aws.account_scope import AccountScopeError, parse_account_scope
from trailtui.aws.config import AwsConfig

COMMANDS: dict[str, str] = {
    "query": "trailtui.commands.query",
    "stats": "trailtui.commands.stats",
    "demo": "trailtui.commands.demo",
    "verify": "trailtui.commands.verify",
    "acquire": "trailtui.commands.acquire",
    "health": "trailtui.commands.health",
    "hunt": "trailtui.commands.hunt",
    "export": "trailtui.commands.export",
    "athena-ddl": "trailtui.commands.athena_ddl",
    "chain": "trailtui.commands.chain",
    "index": "trailtui.commands.index",
}

# Global options that take a value (needed to find the subcommand in argv).
_VALUED_GLOBALS = {"--profile", "--region", "--endpoint-url", "--theme", "--accounts", "--role-name"}

# Commands that can fan out over the organisation's accounts (`--accounts`):
# health, and every command that opens a source (lookup:// only, checked there).
ACCOUNT_COMMANDS = {"health", "query", "stats", "hunt", "export", "chain"}


def _columns() -> int:
    """The width shutil.get_terminal_size gives: COLUMNS, else stdout's terminal, else 80."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _TerminalWidth(argparse.HelpFormatter):
    """argparse makes a formatter for every option it adds (to check its
    metavar), and the stock one asks shutil for the terminal's width each
    time: importing shutil, with zlib, bz2 and lzma, cost ~4 ms of every
    start of every command.  The same width, read without shutil."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """The CLI's parsers (subcommands' too: argparse makes them of the parent's class)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _TerminalWidth)
        super().__init__(*args, **kwargs)


def common_options(suppress: bool) -> argparse.ArgumentParser:
    """AWS options shared by every command.  On subparsers the defaults are
    suppressed so a value given before the subcommand is not overwritten."""
    default = argparse.SUPPRESS if suppress else None
    parser = _Parser(add_help=False)
    group = parser.add_argument_group("AWS")
    group.add_argument("--profile", default=default, help="AWS profile (else AWS_PROFILE / default chain)")
    group.add_argument("--region", default=default, help="AWS region (else AWS_REGION / profile)")
    group.add_argument("--endpoint-url", default=default, help="custom endpoint (else AWS_ENDPOINT_URL[_<SERVICE>])")
    group.add_argument("--accounts", default=default, metavar="all|ID[,ID...]",
                       help="every account of the organisation (all: Organizations ListAccounts, ACTIVE ones) or "
                       "these IDs, each through --role-name (health, and lookup:// sources)")
    group.add_argument("--role-name", default=default, metavar="ROLE",
                       help="the role assumed in each --accounts account (arn:PARTITION:iam::ID:role/ROLE); "
                       "the caller's own account uses the caller's credentials")
    return parser


def aws_config(args: argparse.Namespace) -> AwsConfig:
    region = getattr(args, "region", None)
    if isinstance(region, list):  # a command that takes --region several times
        region = region[0] if region else None
    return AwsConfig(
        profile=getattr(args, "profile", None),
        region=region,
        endpoint_url=getattr(args, "endpoint_url", None),
        accounts=parse_account_scope(getattr(args, "accounts", None), getattr(args, "role_name", None)),
    )


def _find_command(argv: Sequence[str]) -> str | None:
    skip = False
    for token in argv:
        if skip:
            skip = False
            continue
        if token in _VALUED_GLOBALS:
            skip = True
            continue
        if token.startswith("-"):
            continue
        return token if token in COMMANDS else None
    return None


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """Every subcommand, or just `only`: importing all command modules costs
    ~0.15 s of start-up that `trailtui query --limit 50` should not pay."""
    parser = _Parser(
        prog="trailtui",
        description="Terminal investigation console for AWS CloudTrail.",
        parents=[common_options(suppress=False)],
        epilog="commands: " + ", ".join(COMMANDS) + "  (trailtui COMMAND --help)",
    )
    parser.add_argument("--version", action="version", version=f"trailtui {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, module_name in COMMANDS.items():
        if only is not None and name != only:
            continue
        # a fresh parent per command: argparse shares parent actions, so one
        # command's conflict_handler="resolve" would strip --region from all
        import_module(module_name).register(sub, common_options(suppress=True))
    return parser


def console_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="trailtui",
        description="Open the investigation console on SOURCE (a directory, s3://, athena://, lake://, lookup://). "
        "Commands: " + ", ".join(COMMANDS) + " (trailtui COMMAND --help).",
        parents=[common_options(suppress=False)],
    )
    parser.add_argument("--version", action="version", version=f"trailtui {__version__}")
    parser.add_argument("source", nargs="?", help="where the events are (default: the configured source)")
    add_console_options(parser)
    return parser


def add_console_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--public-keys", metavar="FILE",
                        help="for v (verify) on an offline copy: JSON from `aws cloudtrail list-public-keys` "
                        "(default: DIR/list-public-keys.json when there)")
    parser.add_argument("--theme", help="theme name from themes/ (default, light, high-contrast)")
    parser.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    parser.add_argument("--filter", dest="filter", default="", help="initial JMESPath filter")
    parser.add_argument("--since", help="start of the time range (ISO 8601, -15m, -24h, -7d)")
    parser.add_argument("--until", help="end of the time range")
    parser.add_argument("--sigma", action="append", metavar="PATH",
                        help="Sigma rule file or folder (repeatable): its CloudTrail rules join the hunts (h)")
    parser.add_argument("--only-sigma", action="store_true", help="the hunts (h) are only the --sigma rules")
    parser.add_argument("--no-index", action="store_true",
                        help="read the source plainly, without the local store (also: index = false in the config)")
    parser.add_argument("--follow-interval", type=float, default=30.0, metavar="S",
                        help="seconds between polls when following with F (default 30, at least 1)")


# Options whose values may look like flags (`--since -15m`): argparse would read
# `-15m` as an option, so such pairs are joined into `--since=-15m` first.
_TIME_OPTIONS = {"--since", "--until", "--start", "--end", "--start-time", "--end-time"}


def join_dash_values(argv: Sequence[str]) -> list[str]:
    out: list[str] = []
    tokens = iter(argv)
    for token in tokens:
        if token in _TIME_OPTIONS:
            value = next(tokens, None)
            if value is not None and value.startswith("-"):
                out.append(f"{token}={value}")
                continue
            out.append(token)
            if value is not None:
                out.append(value)
            continue
        out.append(token)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = join_dash_values(sys.argv[1:] if argv is None else argv)
    try:
        command = _find_command(argv)
        if command is None:
            args = console_parser().parse_args(argv)
            from trailtui.commands.console import run_app

            return run_app(args, aws_config(args))
        return _run_parsed(command, argv)
    except AccountScopeError as exc:
        from trailtui.commands.errors import fail

        return fail(str(exc))
    except KeyboardInterrupt:
        print("trailtui: interrupted", file=sys.stderr)
        return 130


def _run_parsed(command: str, argv: list[str]) -> int:
    """Parse and run `command`; the store's engine may start opening first
    (`early_engine`), for the command to take or, if it does not, to be closed."""
    from trailtui.collection_pause import keep_loaded, paused_collection
    from trailtui.commands.early_engine import early_engine

    keep_loaded()  # what importing the CLI made lives until exit
    with paused_collection():  # so does what parsing imports
        early = early_engine(command, argv)
    try:
        with paused_collection():
            args = build_parser(only=command).parse_args(argv)
        keep_loaded()
        args.early_engine = early
        if getattr(args, "accounts", None) is not None and command not in ACCOUNT_COMMANDS:
            raise AccountScopeError(f"--accounts does not apply to `trailtui {command}` "
                                    "(it works with health and with lookup:// sources)")
        return _run_command(args)
    finally:
        if early is not None:
            early.release()


def _run_command(args: argparse.Namespace) -> int:
    """Run a subcommand with checked stdout and SIGTERM/SIGHUP turned into
    `Terminated`, so every way of ending unwinds: temp files are removed and
    worker processes are stopped by the same `finally` blocks as for Ctrl-C."""
    from trailtui.commands.ending import Terminated, ending_signals
    from trailtui.commands.errors import fail
    from trailtui.commands.stdout import CheckedStdout, OutputFailed

    real = sys.stdout
    sys.stdout = CheckedStdout(real)
    try:
        with ending_signals():
            code = int(args.func(args, aws_config(args)) or 0)
            sys.stdout.flush()
            return code
    except OutputFailed as exc:
        _silence_stdout(real)
        return fail(str(exc))
    except Terminated as exc:
        print(f"trailtui: {exc}", file=sys.stderr)
        return exc.exit_code
    finally:
        sys.stdout = real


def _silence_stdout(real: object) -> None:
    """After a failed write, point fd 1 at /dev/null so the interpreter's last
    flush of what is still buffered cannot print a second error at exit."""
    import os

    try:
        fileno = real.fileno()  # type: ignore[attr-defined]
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fileno)
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


if __name__ == "__main__":
    raise SystemExit(main())
