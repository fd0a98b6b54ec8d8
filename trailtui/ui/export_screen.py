"""The export dialog (`e`): format, what (the current results or the marked
findings), and where; then a progress bar while a worker writes the file.

The file appears only when complete (0600, atomic, see trailtui.export).  An
existing file is never replaced silently: the first enter says it exists, a
second enter on the same path replaces it.  `esc` while writing cancels and
leaves nothing behind; `esc` afterwards closes with the path written.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, ProgressBar, RadioButton, RadioSet, Static

from trailtui.export.exporter import EXTENSIONS, FORMATS, ExportProgress, ExportRequest, run_export
from trailtui.export.integrity import IntegrityStatus
from trailtui.export.marks import Mark
from trailtui.export.output import OutputExists
from trailtui.safe import visible
from trailtui.sources import Query, SourceError
from trailtui.ui import keys
from trailtui.ui.dismissal import DismissOnce
from trailtui.ui.safe_input import SafeInput
from trailtui.ui.session import SourceSession

FORMAT_LABELS = {"jsonl": "JSONL", "csv": "CSV", "markdown": "Markdown", "ocsf": "OCSF", "json": "JSON"}


def default_path(fmt: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"./trailtui-export-{stamp}.{EXTENSIONS[fmt]}"


class ExportScreen(DismissOnce, ModalScreen[str | None]):
    """Dismisses with the path written, or None."""

    DEFAULT_CSS = """
    ExportScreen {
        align: center middle;
    }
    ExportScreen > #export-dialog {
        width: 100%;
        max-width: 90;
        height: auto;
        max-height: 100%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    ExportScreen .export-label {
        width: 8;
        height: 1;
        color: $text-muted;
    }
    ExportScreen .export-row {
        height: auto;
        margin-top: 1;
    }
    ExportScreen RadioSet, ExportScreen RadioSet:focus {
        width: 1fr;
        height: auto;
        border: none;
        padding: 0;
        background: $surface;
        layout: horizontal;
    }
    ExportScreen RadioSet:focus-within {
        background: $boost;
    }
    ExportScreen RadioSet > RadioButton {
        width: auto;
        background: transparent;
        margin-right: 2;
    }
    ExportScreen #export-scope {
        height: 1;
        padding-left: 8;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ExportScreen #export-path {
        width: 1fr;
        height: 1;
        border: none;
        padding: 0;
        background: $panel;
    }
    ExportScreen #export-path:focus {
        background: $boost;
    }
    ExportScreen #export-actions {
        height: auto;
        margin-top: 1;
    }
    ExportScreen #export-write {
        min-width: 10;
        height: 1;
        border: none;
        margin-right: 2;
    }
    ExportScreen #export-progress {
        width: 1fr;
        height: 1;
        display: none;
    }
    ExportScreen #export-progress.-shown {
        display: block;
    }
    ExportScreen #export-status {
        height: auto;
        margin-top: 1;
    }
    ExportScreen #export-status.-error {
        color: $error;
    }
    ExportScreen #export-status.-warning {
        color: $warning;
    }
    ExportScreen #export-status.-done {
        color: $success;
    }
    ExportScreen #export-hint {
        height: 1;
        color: $text-muted;
    }
    """

    BINDINGS = keys.bindings(keys.DIALOG)

    def __init__(self, session: SourceSession, query: Query, marks: Sequence[Mark],
                 integrity: IntegrityStatus | None = None) -> None:
        super().__init__()
        self.session = session  # the console's: the export reads on its thread, never on the UI loop
        self.integrity = integrity  # the console's verification of this source, for the report
        self.source_url = session.url
        self.export_query = query  # not `self.query`: that is DOMNode.query
        self.marks = list(marks)
        self.format = "jsonl"
        self.what = "results"
        self._auto_path = default_path(self.format)
        self._confirm_overwrite: Path | None = None
        self.writing = False
        self.written: Path | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="export-dialog"):
            yield Static(Text("Export", style="bold"), id="export-title")
            with Horizontal(classes="export-row"):
                yield Static("Format", classes="export-label")
                with RadioSet(id="export-format"):
                    for fmt in FORMATS:
                        yield RadioButton(FORMAT_LABELS[fmt], value=fmt == self.format, id=f"format-{fmt}")
            with Horizontal(classes="export-row"):
                yield Static("What", classes="export-label")
                with RadioSet(id="export-what"):
                    yield RadioButton("current results", value=True, id="what-results")
                    yield RadioButton(f"marked findings ({len(self.marks)})", id="what-marks",
                                      disabled=not self.marks)
            scope = Text("results: ", style="")
            scope.append(visible(self.export_query.filter.text) or "no filter")
            scope.append(f"  ·  {self.export_query.time_range.describe()}")
            yield Static(scope, id="export-scope")
            with Horizontal(classes="export-row"):
                yield Static("Path", classes="export-label")
                yield SafeInput(value=self._auto_path, id="export-path")
            with Horizontal(id="export-actions"):
                yield Button("Write", id="export-write", variant="primary")
                yield ProgressBar(id="export-progress", show_eta=False)
            yield Static(Text(""), id="export-status")
            yield Static(Text("tab: next   ←→: choose   enter: write   esc: cancel"), id="export-hint")

    def on_mount(self) -> None:
        self.query_one("#export-format", RadioSet).focus()

    # -- choices -------------------------------------------------------------------
    def on_radio_set_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        chosen = event.pressed.id or ""
        if chosen.startswith("format-"):
            self.format = chosen.removeprefix("format-")
            path_input = self.query_one("#export-path", SafeInput)
            if path_input.value == self._auto_path:  # not edited by the user: follow the format
                self._auto_path = default_path(self.format)
                path_input.value = self._auto_path
        elif chosen.startswith("what-"):
            self.what = chosen.removeprefix("what-")
        self._confirm_overwrite = None

    def on_input_changed(self, event: SafeInput.Changed) -> None:
        event.stop()
        self._confirm_overwrite = None

    def on_input_submitted(self, event: SafeInput.Submitted) -> None:
        event.stop()
        self.start_export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        if event.button.id == "export-write":
            self.start_export()

    # -- writing -------------------------------------------------------------------
    def start_export(self) -> None:
        if self.writing:
            return
        text = self.query_one("#export-path", SafeInput).value.strip()
        if not text:
            self._status("give a file name", "-error")
            return
        path = Path(text).expanduser()
        if self.what == "marks" and not self.marks:
            self._status("there are no marked findings: mark events with m first", "-error")
            return
        force = self._confirm_overwrite == path
        if not force and (path.exists() or path.is_symlink()):
            self._ask_to_replace(path)
            return
        self.write_file(path, force)

    @work(exclusive=True, group="trailtui-export")
    async def write_file(self, path: Path, force: bool) -> None:
        request = ExportRequest(
            source_url=self.source_url, format=self.format, query=self.export_query, aws=self.session.aws,
            output=path, force=force, marks=self.marks, marked_only=self.what == "marks",
            integrity=self.integrity,
        )
        bar = self.query_one("#export-progress", ProgressBar)
        bar.update(total=None, progress=0)
        bar.add_class("-shown")
        self.writing = True
        self._status(f"writing {path}…", "")

        def progress(step: ExportProgress) -> None:
            if step.fraction is not None:
                bar.update(total=100, progress=round(step.fraction * 100))
            self._status(f"writing {path}: {step.written:,} events ({step.scanned:,} scanned)", "")

        try:
            result = await run_export(request, on_progress=progress, source=self.session.as_source())
        except OutputExists:  # created meanwhile
            self._ask_to_replace(path)
            return
        except (SourceError, OSError, ValueError) as exc:
            detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            self._status(f"not written: {detail}", "-error")
            return
        finally:
            self.writing = False
        bar.update(total=100, progress=100)
        self.written = path
        self._confirm_overwrite = None
        self._status(f"wrote {result.written:,} events to {path}", "-done")
        for hint in self.query("#export-hint").results(Static):  # none once the dialog is gone
            hint.update(Text("esc: close   enter: write again"))

    def _ask_to_replace(self, path: Path) -> None:
        """The second enter on the same path replaces the file."""
        self._confirm_overwrite = path
        self._status(f"{path} exists: press enter again to replace it, or change the name", "-warning")

    def _status(self, message: str, kind: str) -> None:
        found = list(self.query("#export-status").results(Static))
        if not found:  # the dialog was closed while the export finished: nothing to tell
            return
        status = found[0]
        status.update(Text(visible(message)))
        for name in ("-error", "-warning", "-done"):
            status.set_class(name == kind, name)

    def action_cancel(self) -> None:
        if self.writing:
            self.workers.cancel_group(self, "trailtui-export")
            self.writing = False
            self._status("cancelled: nothing was written", "-warning")
            return
        self.dismiss(str(self.written) if self.written else None)
