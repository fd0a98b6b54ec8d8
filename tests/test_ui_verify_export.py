"""The console's verify result goes into the exports and the report made in
the same session, and into the source's case file, so a console opened on
the same source later (and `trailtui export --case`) carries it too."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path

import pytest
from integrity_fixtures import ChainSpec, build_trail, key_list, signing_key, write_local
from test_ui_harness import SMALL, isolated_config, screen_text, wait_idle, wait_until  # noqa: F401

from trailtui.case import load_case
from trailtui.cli import main
from trailtui.export.exporter import FORMATS
from trailtui.ui.app import ConsoleOptions, TrailApp
from trailtui.ui.export_screen import ExportScreen

VERDICT = "VERIFIED: every digest and log file checked is valid"


@pytest.fixture
def signed_copy(tmp_path: Path) -> tuple[Path, Path]:
    """A local copy of a trail with digests, signature sidecars, and the public key list."""
    root = write_local(build_trail(ChainSpec(hours=2)), tmp_path / "copy")
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(key_list(signing_key())))
    return root, keys


async def export_from_the_screen(pilot, app: TrailApp, fmt: str, path: Path) -> str:
    """`e`, choose the format with the arrow keys, type the path, enter; the written file's text."""
    await pilot.press("e")
    await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
    screen = app.screen
    await pilot.press(*["right"] * FORMATS.index(fmt), "enter")
    assert screen.format == fmt
    await pilot.press("tab", "tab")
    path_input = screen.query_one("#export-path")
    assert app.focused is path_input
    path_input.value = str(path)
    await pilot.press("enter")
    status = screen.query_one("#export-status")
    await wait_until(pilot, lambda: screen.written == path and "wrote" in str(status.render()))
    await pilot.press("escape")
    await wait_until(pilot, lambda: not isinstance(app.screen, ExportScreen))
    return path.read_text()


async def test_verify_result_goes_into_exports_and_the_case(signed_copy, tmp_path: Path, capsys) -> None:
    root, keys = signed_copy
    app = TrailApp(ConsoleOptions(str(root), public_keys=str(keys)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("v")
        await wait_until(pilot, lambda: app.marks.integrity is not None)
        assert "valid" in screen_text(app).lower()
        await pilot.press("2")
        await wait_idle(pilot, app)
        report = await export_from_the_screen(pilot, app, "markdown", tmp_path / "session.md")
        document = await export_from_the_screen(pilot, app, "json", tmp_path / "session.json")
    integrity = report[report.index("## Integrity"):]
    assert integrity.startswith(f"## Integrity\n\n{VERDICT}") and "(from console verification)" in integrity
    assert "VALID 6" in integrity  # 2 digests + 4 log files
    assert f"- **Integrity:** {VERDICT}" in report
    parsed = json.loads(document)
    assert parsed["integrity"]["verdict"] == VERDICT and parsed["integrity"]["ok"] is True
    assert parsed["integrity"]["statuses"] == {"VALID": 6} and parsed["count"] == len(parsed["events"]) == 4

    # The verdict is in the case file ...
    case = load_case(str(root))
    assert case.integrity is not None and case.integrity["summary"]["ok"] is True

    # ... so a console opened on the same source later carries it, without pressing v.
    again = TrailApp(ConsoleOptions(str(root)))
    async with again.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, again)
        reopened = await export_from_the_screen(pilot, again, "markdown", tmp_path / "reopened.md")
    assert f"## Integrity\n\n{VERDICT}" in reopened

    # ... and so does `trailtui export --case`.
    assert await asyncio.to_thread(main, ["export", str(root), "--case", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["integrity"]["verdict"] == VERDICT


async def test_a_failed_verification_is_exported_as_failed(signed_copy, tmp_path: Path) -> None:
    root, keys = signed_copy
    log = next(p for p in sorted(root.rglob("*.json.gz")) if "Digest" not in str(p))
    log.write_bytes(gzip.compress(gzip.decompress(log.read_bytes()).replace(b"alice", b"mallory")))
    app = TrailApp(ConsoleOptions(str(root), public_keys=str(keys)))
    async with app.run_test(size=SMALL) as pilot:
        await wait_idle(pilot, app)
        await pilot.press("v")
        await wait_until(pilot, lambda: app.marks.integrity is not None)
        await pilot.press("2")
        document = json.loads(await export_from_the_screen(pilot, app, "json", tmp_path / "failed.json"))
    assert document["integrity"]["ok"] is False and document["integrity"]["verdict"].startswith("FAILED")
    assert document["integrity"]["problems"][0]["status"] == "HASH_MISMATCH"
