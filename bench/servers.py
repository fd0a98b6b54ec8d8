"""Local HTTP servers for the benchmarks: a free port, a child process, and a
wait until it answers.  Shared by bench_sources, bench_verify and bench_health."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MOTO_SERVER = ROOT / "tests" / "moto_ext" / "server.py"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _moto_answers(url: str, port: int) -> bool:
    urllib.request.urlopen(f"{url}/moto-api/", timeout=1).read()
    return True


def _port_open(url: str, port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def start_server(argv: Callable[[int], Sequence[str]], env: dict[str, str] | None = None,
                 probe: Callable[[str, int], bool] = _moto_answers) -> tuple[subprocess.Popen, str]:
    """Start `python <argv(port)>` on a free port; return once `probe` succeeds
    (by default: moto's /moto-api/ answers).  The child's stdin is a pipe so it
    can notice the parent going away."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, *argv(port)],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=dict(os.environ, PYTHONPATH=str(ROOT), **(env or {})), cwd=str(ROOT))
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            probe(url, port)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{argv(port)[0]}: server did not start")


def start_moto(env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """tests/moto_ext/server.py (moto plus the project's extensions)."""
    return start_server(lambda port: [str(MOTO_SERVER), str(port)], env)


def start_port_server(argv: Callable[[int], Sequence[str]]) -> tuple[subprocess.Popen, str]:
    """A server that is ready once its port accepts connections."""
    return start_server(argv, probe=_port_open)
