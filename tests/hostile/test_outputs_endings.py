"""Every way of ending a long export (SIGINT, SIGTERM, SIGHUP, a closed pipe,
a full disk) leaves no partial file and no orphaned worker process: a real
`trailtui export` process over a trail big enough to boot its workers."""

from __future__ import annotations

import os
import resource
import select
import signal
import subprocess
from pathlib import Path

import pytest
from hostile_outputs import alive, big_trail, cli_env, descendants, trailtui, wait_for


@pytest.fixture(scope="module")
def trail(tmp_path_factory) -> Path:
    return big_trail(tmp_path_factory.mktemp("big") / "trail")


def _start(args: list[str], tmp: Path, stdout=subprocess.DEVNULL, preexec=None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(trailtui(*args), stdout=stdout, stderr=subprocess.PIPE, env=cli_env(tmp), cwd=str(tmp),
                            preexec_fn=preexec)


def _parts(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.endswith(".part")]


def _workers_up(proc: subprocess.Popen[bytes], seen: set[int]) -> bool:
    """True once the export runs its worker processes (resource tracker,
    forkserver and at least one worker below it)."""
    seen |= descendants(proc.pid)
    return len(seen) >= 3 or proc.poll() is not None


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT])
def test_a_signal_mid_export_leaves_nothing(trail, tmp_path, signum):
    out = tmp_path / "out" / "events.jsonl"
    out.parent.mkdir()
    proc = _start(["export", str(trail), "--format", "jsonl", "-o", str(out)], tmp_path)
    seen: set[int] = set()
    assert wait_for(lambda: proc.poll() is not None or (_workers_up(proc, seen) and _parts(out.parent))), \
        "the export never got going"
    assert proc.poll() is None, "the export ended before it could be interrupted: make the trail bigger"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    stderr = err.decode()
    assert proc.returncode in (128 + signum, 130), stderr
    assert "Traceback" not in stderr, stderr
    assert not out.exists() and not _parts(out.parent)
    assert wait_for(lambda: not alive(seen), timeout=20), f"orphaned workers: {alive(seen)}"


def test_a_closed_pipe_mid_export_leaves_no_worker(trail, tmp_path):
    proc = _start(["export", str(trail), "--format", "jsonl"], tmp_path, stdout=subprocess.PIPE)
    seen: set[int] = set()
    assert proc.stdout is not None
    reader = proc.stdout.fileno()

    def drained_until_workers() -> bool:  # keep reading: a writer blocked on a full pipe scans nothing
        if select.select([reader], [], [], 0.01)[0]:
            os.read(reader, 1 << 16)
        return _workers_up(proc, seen)

    assert wait_for(drained_until_workers)
    assert proc.poll() is None, "the export ended before the pipe could be closed: make the trail bigger"
    proc.stdout.close()
    proc.wait(timeout=60)
    stderr = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.returncode == 2 and "Broken pipe" in stderr and "Traceback" not in stderr, stderr
    assert wait_for(lambda: not alive(seen), timeout=20), f"orphaned workers: {alive(seen)}"


def test_a_full_disk_mid_export_leaves_nothing(trail, tmp_path):
    """RLIMIT_FSIZE makes writes past 2 MB fail with EFBIG (Python ignores
    SIGXFSZ), as a disk that fills up during the export would."""
    out = tmp_path / "out" / "events.jsonl"
    out.parent.mkdir()

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2 << 20, 2 << 20))

    proc = _start(["export", str(trail), "--format", "jsonl", "-o", str(out)], tmp_path, preexec=limit)
    seen: set[int] = set()
    wait_for(lambda: _workers_up(proc, seen))
    _, err = proc.communicate(timeout=120)
    stderr = err.decode()
    assert proc.returncode == 2 and "cannot write" in stderr and "Traceback" not in stderr, stderr
    assert not out.exists() and not _parts(out.parent)
    assert wait_for(lambda: not alive(seen), timeout=20), f"orphaned workers: {alive(seen)}"


def test_full_disk_on_stdout_mid_export(trail, tmp_path):
    with open("/dev/full", "wb") as full:
        proc = _start(["export", str(trail), "--format", "csv"], tmp_path, stdout=full)
        seen: set[int] = set()
        wait_for(lambda: _workers_up(proc, seen))
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and "No space left on device" in err.decode()
    assert wait_for(lambda: not alive(seen), timeout=20), f"orphaned workers: {alive(seen)}"
