"""The built-in hunts' findings prepared before the analyst asks for them.

Deciding the whole catalogue from the store takes seconds on millions of
events (`trailtui.store.hunting`); answered from kept findings it takes
well under one (`trailtui.store.findings`).  So once a store holds a whole
source, the catalogue is run over it and its findings kept: by `trailtui
index` in its own process, and, after a console's background build, in a
child process (`FindingsPreparation`) at a lower priority, which the
console stops at once when it closes: the work holds the GIL and runs
DuckDB statements for seconds, and a process is the one thing that can be
stopped mid-statement without waiting (kept findings are written under a
temporary name and renamed, so a stop never leaves half a file).

    python -m trailtui.store.prepare ROOT   the child process: ROOT's findings
"""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

from trailtui.timerange import TimeRange

if TYPE_CHECKING:
    from trailtui.aws.config import AwsConfig
    from trailtui.hunts.model import Hunt

NICE = 10  # the console's own build runs at this niceness too (`trailtui.store.build.lower_priority`)


def prepared_hunts() -> tuple[Hunt, ...]:
    """The hunts a preparation runs: the built-in catalogue, in its order."""
    from trailtui.hunts import load_catalogue

    return load_catalogue(None).select(None)


async def prepare_findings(url: str, aws: AwsConfig | None = None) -> tuple[int, int | None]:
    """Run the built-in catalogue over the whole of `url`'s store and keep its
    findings: the number of hunts, and their hits (None: the store could not
    answer the run, or its findings were not kept).  Reads nothing plainly."""
    from trailtui.sources import open_source
    from trailtui.store.hunting import keep_findings

    hunts = prepared_hunts()
    source = open_source(url, aws, index=True)
    try:
        return len(hunts), await keep_findings(source, hunts, TimeRange())
    finally:
        await source.close()


class FindingsPreparation:
    """`python -m trailtui.store.prepare ROOT` in a child process at a lower
    priority; `stop` ends it at once."""

    def __init__(self, root: str) -> None:
        self.root = root
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start the child (OSError: it could not be started; nothing else changes)."""
        process = subprocess.Popen(self.command(),
                                   stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                   start_new_session=True)  # a Ctrl-C in the console's terminal is the console's
        self._process = process
        try:  # after the start, not in preexec_fn: the console has threads
            os.setpriority(os.PRIO_PROCESS, process.pid, NICE)
        except OSError:
            pass

    def command(self) -> list[str]:
        return [sys.executable, "-m", "trailtui.store.prepare", self.root]

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def wait(self, timeout: float) -> bool:
        """Wait for the child to end, up to `timeout` seconds: True when it has."""
        process = self._process
        if process is None:
            return True
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True

    def stop(self, grace: float = 2.0) -> None:
        """End the child if it still runs: SIGTERM, then SIGKILL after `grace` seconds."""
        process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main(argv: list[str]) -> int:
    """The child: 0 when the findings were kept, 1 when not, 2 on misuse."""
    if len(argv) != 2:
        print("usage: python -m trailtui.store.prepare ROOT", file=sys.stderr)
        return 2
    import asyncio

    _, hits = asyncio.run(prepare_findings(argv[1]))
    return 0 if hits is not None else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
