"""The store's engine: DuckDB, loaded and connected on a thread of its own.

Kept apart from the segments' writer and the SQL so that a short answer can
start the engine before it has imported anything else (`trailtui.store.early`):
this module imports nothing of trailtui.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

MEMORY_LIMIT = "256MB"


def engine() -> Any:
    """DuckDB's native module.  The `duckdb` package wraps it in Python helpers
    (relations, version metadata through importlib.metadata) that the store
    never uses and that cost ~0.09 s of a ~0.1 s import, a third of a short
    answer; since DuckDB 1.4 the connection API lives in the top-level
    `_duckdb` module, which the package itself re-exports.  Another layout
    (an older or newer DuckDB): the package."""
    try:
        return importlib.import_module("_duckdb")
    except ImportError:
        return importlib.import_module("duckdb")


class OpeningConnection:
    """A DuckDB connection opened on a thread while the caller lists files and
    reads the manifest: loading the engine and creating its instance (~0.05 s)
    overlap that work instead of following it.  `run` hands that thread a
    first statement too, to run while the caller checks the files.  (Plain
    threading: `concurrent.futures` would add ~15 ms of imports to a short answer.)"""

    def __init__(self) -> None:
        self._ready = threading.Event()
        self._con: Any = None
        self._error: BaseException | None = None
        self._taken = False
        # Not a daemon: a process that exits while DuckDB is still creating its
        # instance on a daemon thread aborts; this one is waited for at exit.
        threading.Thread(target=self._open, name="trailtui-duckdb", daemon=False).start()

    def _open(self) -> None:
        try:
            self._con = connect()
        except BaseException as exc:  # noqa: BLE001 - handed to whoever takes the connection
            self._error = exc
        self._ready.set()

    def take(self) -> Any:
        """The connection (the taker closes it); raises what opening it raised."""
        self._taken = True
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self._con

    def run(self, statement: Callable[[Any], Any]) -> ThreadJob:
        """`statement(connection)` started on a thread of its own once the
        connection is open (the caller takes the connection then); its result
        is `wait()`ed for."""
        return ThreadJob(lambda: statement(self.take()))

    def close(self) -> None:
        """Close it, taken or not, once it is open (and any `run` waited for);
        a connection that failed to open has nothing to close."""
        self._taken = True
        self._ready.wait()
        if self._con is not None:
            self._con.close()

    def release(self) -> None:
        """Not taken: close it once it is open."""
        if not self._taken:
            threading.Thread(target=self._close_when_open, name="trailtui-duckdb-close", daemon=False).start()

    def _close_when_open(self) -> None:
        self._ready.wait()
        if self._con is not None:
            self._con.close()


class ThreadJob:
    """A call running on a thread; `wait` gives its result or raises its exception."""

    def __init__(self, call: Callable[[], Any]) -> None:
        self._call = call
        self._result: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="trailtui-duckdb-job", daemon=False)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._call()
        except BaseException as exc:  # noqa: BLE001 - raised again by `wait`
            self._error = exc

    def wait(self) -> Any:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def connect(threads: int = 2, temp_directory: Path | None = None) -> Any:
    """An in-memory DuckDB connection (the store's data is in Parquet files).
    DuckDB spills what exceeds its memory limit to `.tmp` in the working
    directory unless told otherwise: the analyst's current folder, maybe the
    log tree itself (whose folder marks then no longer hold).  So a connection
    spills only into `temp_directory` (a store's own 0700 folder) and, without
    one, not at all: a statement that needs more fails, and the caller's plain
    path answers.  DuckDB also draws a progress bar on standard output for a
    statement that runs over two seconds, even from a thread: into `--format
    jsonl` output or over the console's screen, so it is turned off."""
    con = engine().connect(":memory:", config={"threads": threads, "memory_limit": MEMORY_LIMIT,
                                               "enable_external_access": True,
                                               "temp_directory": str(temp_directory or "")})
    con.execute("SET enable_progress_bar = false")
    return con
