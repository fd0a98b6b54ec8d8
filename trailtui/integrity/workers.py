"""Worker processes for hashing many local log files.

Reading, inflating and hashing run in C with the GIL released, but the Python
glue around each file does not; with two cores, worker threads and the event
loop then wait on each other.  Worker processes share no GIL with the loop (or
the TUI).  They start only for trees big enough to repay the start-up (about
0.2 s), via forkserver so no thread state of the parent is copied.
"""

from __future__ import annotations

import os
from concurrent.futures import Executor, ProcessPoolExecutor

PROCESS_THRESHOLD = 400  # log files below which threads are cheaper than starting processes


def worker_count() -> int:
    return min(2, os.cpu_count() or 1)


def start_hash_processes(files: int, force: bool = False) -> Executor | None:
    """A process pool for `files` log files, or None when threads will do
    (small tree, one core, or no processes allowed here).  `force` skips the
    size and core-count tests."""
    workers = worker_count()
    if not force and (files < PROCESS_THRESHOLD or workers < 2):
        return None
    import multiprocessing

    try:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(["trailtui.integrity.local_store", "trailtui.integrity.inflate"])
        return ProcessPoolExecutor(max(2, workers) if force else workers, mp_context=context)
    except (OSError, RuntimeError, ValueError):
        return None
