"""`trailtui [SOURCE]`: start the console.

The command layer turns the command line and the config file into the
console's `ConsoleOptions` (a one-line error when they do not make sense),
prepares what the console cannot do once Textual owns the terminal, and runs
it.  `trailtui demo` comes here too, with the demo's manifest and keys.  The
console (and Textual) is imported only when it is about to run.
"""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trailtui.aws.config import AwsConfig
from trailtui.commands.errors import fail
from trailtui.config import LoadedConfig, load_config
from trailtui.filters import EventFilter, FilterError
from trailtui.timerange import TimeParseError, TimeRange

if TYPE_CHECKING:
    from trailtui.hunts.model import Hunt
    from trailtui.ui.app import ConsoleOptions


def run_app(args: argparse.Namespace, aws: AwsConfig) -> int:
    """Open the console; returns the process exit code."""
    options = build_options(args, aws, load_config())
    if isinstance(options, str):
        return fail(options)
    if "://" not in options.source_url or options.source_url.startswith("file://"):
        prepare_worker_processes()
    from trailtui.ui.app import TrailApp

    app = TrailApp(options)
    app.run(mouse=not getattr(args, "no_mouse", False))
    return app.return_code or 0


def companion_keys(url: str) -> str | None:
    """`DIR/list-public-keys.json` of a local copy (what `aws cloudtrail
    list-public-keys` prints, kept next to the evidence), used by itself."""
    if "://" in url and not url.startswith("file://"):
        return None
    candidate = Path(url.removeprefix("file://")) / "list-public-keys.json"
    return str(candidate) if candidate.is_file() else None


def build_options(args: argparse.Namespace, aws: AwsConfig, loaded: LoadedConfig) -> ConsoleOptions | str:
    """Options from the command line and config, or a one-line error."""
    from trailtui.ui.app import ConsoleOptions
    from trailtui.ui.browse_state import RangeChoice
    from trailtui.ui.time_presets import range_label

    url = loaded.config.resolve_source(getattr(args, "source", None))
    if not url:
        return (f"no source given and no default_source in {loaded.path}; "
                "try `trailtui ./AWSLogs`, `trailtui s3://BUCKET/PREFIX` or `trailtui demo`")
    if "://" not in url or url.startswith("file://"):
        path = url[len("file://"):] if url.startswith("file://") else url
        if not Path(path).exists():
            return f"{path}: no such file or directory"
    filter_text = (getattr(args, "filter", "") or "").strip()
    try:
        EventFilter.compile(filter_text)
    except FilterError as exc:
        return f"{exc}\n{exc.pointer()}"
    since, until = getattr(args, "since", None), getattr(args, "until", None)
    try:
        time_range = TimeRange.parse(since, until)
    except TimeParseError as exc:
        return str(exc)
    interval = float(getattr(args, "follow_interval", 30.0) or 30.0)
    if not 1.0 <= interval <= 86_400:
        return "--follow-interval must be between 1 and 86400 seconds"
    hunts, hunt_problems = console_hunts(args)
    if isinstance(hunts, str):
        return hunts
    demo_info_path = getattr(args, "demo_info", None)
    return ConsoleOptions(
        source_url=url,
        aws=aws,
        theme=getattr(args, "theme", None),
        filter_text=filter_text,
        range_choice=RangeChoice(time_range, range_label(time_range)),
        demo=bool(demo_info_path),
        demo_anchor=demo_anchor(read_demo_info(demo_info_path)),
        public_keys=getattr(args, "public_keys", None) or companion_keys(url),
        public_keys_found=not getattr(args, "public_keys", None) and companion_keys(url) is not None,
        config=loaded,
        hunts=hunts,
        hunt_problems=hunt_problems,
        index=not getattr(args, "no_index", False) and loaded.config.index,
        follow_interval=interval,
    )


def console_hunts(args: argparse.Namespace) -> tuple[tuple[Hunt, ...] | str | None, tuple[str, ...]]:
    """The hunts `h` lists when --sigma is given (None: the built-in catalogue),
    or a one-line usage error; and the rules not loaded."""
    sigma, only = getattr(args, "sigma", None) or (), bool(getattr(args, "only_sigma", False))
    if not sigma and not only:
        return None, ()
    from trailtui.hunts.catalogue import CatalogueError  # the hunts cost ~80 ms of start-up without --sigma
    from trailtui.sigma.combined import hunts_with_sigma

    try:
        catalogue, refused = hunts_with_sigma(None, sigma, only)
    except CatalogueError as exc:
        return str(exc), ()
    return catalogue.hunts, tuple(str(r) for r in refused)


def read_demo_info(path: str | None) -> dict[str, Any]:
    """The demo's manifest (`trailtui-demo.json`), or {} when absent or unreadable."""
    if not path:
        return {}
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def demo_anchor(info: dict[str, Any]) -> datetime | None:
    """The demo trail's newest event: relative time presets count back from it."""
    from trailtui.ui.time_presets import anchor_time

    for key in ("newest_event", "newest", "end", "until", "last_event"):
        value = info.get(key)
        if isinstance(value, str):
            found = anchor_time(value)
            if found is not None:
                return found
    return None


def prepare_worker_processes() -> None:
    """Start multiprocessing's resource tracker while stderr is still real.

    Local scans (and verification) may start worker processes from inside the
    app, where Textual has replaced `sys.stderr` with an object whose
    `fileno()` is -1; the tracker passes that descriptor to its child and fails
    with "bad value(s) in fds_to_keep".  Started here, it is already running."""
    try:
        from multiprocessing import resource_tracker

        resource_tracker.ensure_running()
    except (OSError, ValueError):
        pass  # scans fall back to threads if processes cannot start
