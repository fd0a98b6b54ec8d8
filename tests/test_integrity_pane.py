"""The Integrity pane in a tiny host app at 80x24: live counts, the list of
non-VALID verdicts, hostile names shown literally, errors in one line."""

from __future__ import annotations

import json
from pathlib import Path

from integrity_fixtures import (
    HOUR,
    T0,
    ChainSpec,
    StoredObject,
    build_trail,
    gz,
    key_list,
    log_body,
    signing_key,
    write_local,
)
from textual.app import App, ComposeResult
from textual.widgets import OptionList, ProgressBar, Static

from trailtui.aws.config import AwsConfig
from trailtui.ui.panes.integrity import IntegrityPane


class Host(App):
    def __init__(self, pane: IntegrityPane) -> None:
        super().__init__()
        self.pane = pane

    def compose(self) -> ComposeResult:
        yield self.pane

    def on_mount(self) -> None:
        self.bind("v", "verify")

    def action_verify(self) -> None:
        self.pane.start_verification()


def _source(tmp_path: Path, hostile: bool = True) -> tuple[str, str]:
    trail = build_trail(ChainSpec(hours=2))
    trail.objects[trail.logs[1][0]] = StoredObject(gz(log_body(T0, 5)))  # HASH_MISMATCH
    if hostile:
        folder = trail.logs[0][0].rsplit("/", 1)[0]
        trail.objects[f"{folder}/123456789012_CloudTrail_us-east-1_20240301T0030Z_[bold red]x\x1b[2J.json.gz"] = (
            StoredObject(gz(b'{"Records":[]}')))
    root = write_local(trail, tmp_path / "copy")
    keys = tmp_path / "keys.json"
    keys.write_text(json.dumps(key_list(signing_key())))
    return str(root), str(keys)


def _text(app: App, selector: str) -> str:
    return str(app.query_one(selector, Static).render())


async def test_verification_runs_and_lists_what_is_not_valid(tmp_path):
    source, keys = _source(tmp_path)
    pane = IntegrityPane(source, AwsConfig(), public_keys=keys)
    app = Host(pane)
    async with app.run_test(size=(80, 24)) as pilot:
        assert "press v to verify" in _text(app, "#integrity-status")
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert pane.summary is not None and not pane.summary.ok
        assert "NOT valid" in _text(app, "#integrity-status")
        assert _text(app, "#integrity-valid") == "VALID 5"  # 2 digests + 3 logs
        assert _text(app, "#integrity-failed") == "HASH_MISMATCH 1  UNVERIFIED 1"
        bar = app.query_one(ProgressBar)
        assert bar.total is not None and bar.progress == bar.total
        options = app.query_one(OptionList)
        rows = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(rows) == 2
        assert any(r.startswith("HASH_MISMATCH  log") for r in rows)
        hostile = next(r for r in rows if r.startswith("UNVERIFIED"))
        assert "[bold red]x\\x1b[2J.json.gz" in hostile and "\x1b" not in hostile  # literal, escaped
        options.focus()
        await pilot.press("down")
        await pilot.pause()
        detail = _text(app, "#integrity-detail")
        assert detail.split()[0] in ("HASH_MISMATCH", "UNVERIFIED") and "copy" in detail
        await pilot.press("v")  # again: a fresh run, same verdicts
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.query_one(OptionList).option_count == 2 and len(pane.results) == 7


async def test_errors_are_one_line(tmp_path):
    app = Host(IntegrityPane(str(tmp_path / "absent"), AwsConfig(), public_keys=None))
    async with app.run_test(size=(80, 24)) as pilot:
        app.pane.start_verification()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "cannot verify:" in _text(app, "#integrity-status") and "not a directory" in app.pane.error
    app = Host(IntegrityPane("athena://wg/db.table", AwsConfig()))
    async with app.run_test(size=(80, 24)) as pilot:
        app.pane.start_verification()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "needs s3://" in _text(app, "#integrity-status")


async def test_a_valid_trail_says_so(tmp_path):
    trail = build_trail(ChainSpec(hours=3))
    root = write_local(trail, tmp_path / "ok")
    keys = tmp_path / "k.json"
    keys.write_text(json.dumps(key_list(signing_key())))
    app = Host(IntegrityPane(str(root), AwsConfig(), public_keys=str(keys)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("v")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert _text(app, "#integrity-status").startswith(" all 9 files valid (2024-03-01T00:13:07Z")
        assert app.pane.has_class("-ok") and app.query_one(OptionList).option_count == 0
        assert _text(app, "#integrity-failed") == ""
        assert T0 + 3 * HOUR == app.pane.summary.found_end
