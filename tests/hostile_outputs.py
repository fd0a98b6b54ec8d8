"""Shared builders for the hostile output, integrity and console tests:
attacker-written strings, a trail that carries them in every shown field, a
big trail for long runs, and running trailtui as a real process (on a pipe,
a file, /dev/full or a pseudo-terminal) with its process tree observable."""

from __future__ import annotations

import gzip
import os
import pty
import select
import subprocess
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from trail_builder import T0, event, log_path, write_log

ROOT = Path(__file__).resolve().parent.parent

# What an attacker can put in any CloudTrail string field.
OSC52 = "\x1b]52;c;cm0gLXJmIH4=\x07"  # writes the terminal's clipboard
OSC2 = "\x1b]2;owned\x07"  # sets the window title
CSI_C1 = "\x9b31m"  # CSI as one C1 character
HOSTILE = (
    f"agent{OSC52}{OSC2}{CSI_C1}tail",
    "[bold red]not markup[/] [link=https://evil.example]click[/link] [@click=app.quit]q[/]",
    "=cmd|' /C calc'!A0",
    "+1+2",
    "-2+3",
    "@SUM(A1)",
    "\tTAB-led",
    "\rCR-led",
    "bidi \u202eexe.txt\u202c and \u2066isolate\u2069",
    "line\u2028separator\nnewline",
    "nul\x00del\x7fbell\x07",
)
RAW_CONTROLS = ("\x1b", "\x9b", "\x9d", "\x07", "\x00", "\u202e", "\u2066", "\u2028", "\x7f")


def hostile_event(index: int, value: str) -> dict[str, Any]:
    """An event with `value` in every field the table, CSV, OCSF and report show."""
    when = T0 + timedelta(minutes=index)
    identity = {"type": "IAMUser", "principalId": value, "arn": f"arn:aws:iam::111122223333:user/{value}",
                "accountId": "111122223333", "accessKeyId": value, "userName": value}
    return event(when, name=value, userIdentity=identity, userAgent=value, sourceIPAddress=value,
                 errorCode=value, errorMessage=value, awsRegion="us-east-1", eventID=f"hostile-{index}",
                 requestID=value, eventSource=value, recipientAccountId=value)


def hostile_trail(root: Path) -> list[dict[str, Any]]:
    records = [hostile_event(i, value) for i, value in enumerate(HOSTILE)]
    write_log(log_path(root, "111122223333", "us-east-1", T0 + timedelta(minutes=30)), records)
    return records


def big_trail(root: Path, files: int = 6000, per_file: int = 40) -> Path:
    """Enough files that a scan outlasts the worker processes' boot (they start
    only while hundreds of files remain) and an export runs for seconds: 1,500
    files exported in 1.5 s on an idle machine, short enough that a test could
    miss it running."""
    for index in range(files):
        stamp = T0 + timedelta(minutes=5 * index)
        records = [event(stamp - timedelta(seconds=i % 240), name=f"Op{i % 50}", eventID=f"{index}-{i}")
                   for i in range(per_file)]
        path = log_path(root, "111122223333", "us-east-1", stamp, unique=f"{index:016d}")
        path.parent.mkdir(parents=True, exist_ok=True)
        import orjson

        path.write_bytes(gzip.compress(orjson.dumps({"Records": records}), compresslevel=1, mtime=0))
    return root


def cli_env(tmp: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update(PYTHONPATH=str(ROOT), XDG_CONFIG_HOME=str(tmp / "xdg"), XDG_CACHE_HOME=str(tmp / "cache"),
               XDG_DATA_HOME=str(tmp / "data"), AWS_CONFIG_FILE=str(tmp / "none"),
               AWS_SHARED_CREDENTIALS_FILE=str(tmp / "none"), AWS_EC2_METADATA_DISABLED="true")
    env.pop("AWS_PROFILE", None)
    return env


def trailtui(*args: str) -> list[str]:
    return [sys.executable, "-m", "trailtui", *args]


def run_to(args: Sequence[str], tmp: Path, stdout: Any, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run trailtui with stdout on `stdout` (a file object or fd); stderr captured."""
    return subprocess.run(trailtui(*args), stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=timeout,
                          env=cli_env(tmp), cwd=str(tmp))


def run_on_pty(args: Sequence[str], tmp: Path, timeout: float = 60) -> tuple[int, bytes, str]:
    """Run trailtui with stdout on a pseudo-terminal: (exit code, what reached it, stderr)."""
    master, slave = pty.openpty()
    proc = subprocess.Popen(trailtui(*args), stdout=slave, stderr=subprocess.PIPE, env=cli_env(tmp),
                            cwd=str(tmp))
    os.close(slave)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.2)
        if ready:
            try:
                data = os.read(master, 65536)
            except OSError:  # EIO: the other side is closed
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    os.close(master)
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, b"".join(chunks), err.decode()


def descendants(pid: int) -> set[int]:
    """Every process below `pid` (from /proc: children of children...)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        parents.setdefault(int(fields[1]), []).append(int(entry))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in parents.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def alive(pids: set[int]) -> set[int]:
    """Those of `pids` still running (zombies count as gone)."""
    out = set()
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat", "rb") as handle:
                state = handle.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if state != b"Z":
            out.add(pid)
    return out


def wait_for(condition: Any, timeout: float = 30, step: float = 0.02) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return bool(condition())
