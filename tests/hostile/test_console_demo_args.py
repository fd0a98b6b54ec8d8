"""`trailtui demo` with absurd sizes answers at once with one line and exit 2
(it used to run silently until killed)."""

from __future__ import annotations

import pytest
from hostile_outputs import run_to


@pytest.mark.parametrize(("args", "message"), [
    (["--events", "99999999999999999999"], "--events must be at most 100,000,000"),
    (["--events", "100000001"], "--events must be at most"),
    (["--workers", "5000"], "--workers must be between 1 and 64"),
    (["--workers", "0"], "--workers must be between 1 and 64"),
    (["--seed", "-1"], "--seed must be between"),
    (["--seed", str(2**64)], "--seed must be between"),
    (["--days", "100000"], "--days must be between 1 and 366"),
])
def test_absurd_demo_sizes_are_one_line_and_exit_2(tmp_path, args, message):
    done = run_to(["demo", str(tmp_path / "demo"), *args, "--no-tui"], tmp_path, None, timeout=30)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and message in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "demo").exists()
