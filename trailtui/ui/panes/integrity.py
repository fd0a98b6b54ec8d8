"""The Integrity pane: `v` verifies the source's CloudTrail digest chains and
log files, with a progress bar, live counts per status, and the list of every
verdict that is not VALID (the highlighted one's full location and detail
below the list).

The work is `trailtui.integrity.Verifier` in an exclusive async worker: it
reads and hashes in threads, so the console keeps answering keys.  Locations
and details come from the evidence (file names are attacker-controlled), so
they are shown through `visible()` as `rich.text.Text`, never as markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widget import Widget
from textual.widgets import OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from trailtui.aws.config import AwsConfig
from trailtui.case.store import integrity_document
from trailtui.integrity import IntegrityResult, Status, Summary, Update, Verifier, VerifyError, VerifyOptions
from trailtui.integrity.summary import iso
from trailtui.safe import visible
from trailtui.ui.navigable import NavigableOptions

MAX_LISTED = 5000  # non-VALID rows kept in the list; the counts stay exact beyond it
STATUS_WIDTH = 15


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else "…" + text[-(width - 1):]


def result_line(result: IntegrityResult, width: int = 76) -> Text:
    """One list row: status, kind, and as much of the file name as fits."""
    name = result.location.replace("\\", "/").rsplit("/", 1)[-1]
    head = f"{result.status.value:<{STATUS_WIDTH}}{result.kind:<7}"
    return Text(head + _cut(visible(name), max(10, width - len(head))))


def counts_text(counts: dict[Status, int], statuses: tuple[Status, ...]) -> Text:
    parts = [f"{status.value} {counts[status]}" for status in statuses if counts.get(status)]
    return Text("  ".join(parts))


FAILING = tuple(s for s in Status if s not in (Status.VALID, Status.GAP, Status.UNSIGNED))


class IntegrityPane(Widget):
    """Verify one source (s3://bucket[/prefix] or a local copy) on demand."""

    @dataclass
    class Verified(Message):
        """A verification finished: `document` is what `verify --format json`
        prints (non-VALID results only), for the case and the exports."""

        document: dict[str, Any]

    DEFAULT_CSS = """
    IntegrityPane {
        layout: vertical;
        height: 1fr;
    }
    IntegrityPane #integrity-status {
        height: 1;
        padding: 0 1;
        background: $panel;
        color: $foreground;
    }
    IntegrityPane #integrity-progress {
        height: 1;
        padding: 0 1;
    }
    IntegrityPane #integrity-counts {
        height: auto;
        padding: 0 1;
    }
    IntegrityPane .count {
        height: auto;
    }
    IntegrityPane #integrity-valid {
        color: $success;
    }
    IntegrityPane #integrity-failed {
        color: $error;
        text-style: bold;
    }
    IntegrityPane #integrity-info {
        color: $warning;
    }
    IntegrityPane OptionList, IntegrityPane OptionList:focus {
        height: 1fr;
        border: none;
        padding: 0;
    }
    IntegrityPane #integrity-detail {
        height: 3;
        padding: 0 1;
        background: $panel;
        color: $foreground-muted;
    }
    IntegrityPane.-error #integrity-status {
        color: $error;
    }
    IntegrityPane.-ok #integrity-status {
        color: $success;
    }
    IntegrityPane.-failed #integrity-status {
        color: $error;
    }
    """

    def __init__(self, source_url: str, aws: AwsConfig, public_keys: str | None = None, *,
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.source_url = source_url
        self.aws = aws
        self.public_keys = public_keys
        self.results: list[IntegrityResult] = []
        self.summary: Summary | None = None
        self.error: str | None = None
        self._counts: dict[Status, int] = {}

    def compose(self) -> ComposeResult:
        yield Static(Text(f" Integrity of {visible(self.source_url)}: press v to verify"), id="integrity-status")
        yield ProgressBar(total=None, show_eta=False, id="integrity-progress")
        with Vertical(id="integrity-counts"):
            yield Static(Text(""), id="integrity-valid", classes="count")
            yield Static(Text(""), id="integrity-failed", classes="count")
            yield Static(Text(""), id="integrity-info", classes="count")
        yield NavigableOptions(id="integrity-results")
        yield Static(Text(""), id="integrity-detail")

    # -- the one entry point the app calls ------------------------------------------------

    def start_verification(self) -> None:
        """Start (or restart) verifying the source; returns at once."""
        self.results.clear()
        self.summary = None
        self.error = None
        self._counts = {}
        self.remove_class("-error", "-ok", "-failed")
        self.query_one(OptionList).clear_options()
        self.query_one("#integrity-detail", Static).update(Text(""))
        self.query_one(ProgressBar).update(total=None, progress=0)
        self._status("verifying: listing digests and log files…")
        self._verify()

    @work(exclusive=True, group="integrity")
    async def _verify(self) -> None:
        if not (self.source_url.startswith("s3://") or "://" not in self.source_url
                or self.source_url.startswith("file://")):
            self._fail("integrity verification needs s3://bucket[/prefix] or a local directory")
            return
        options = VerifyOptions(self.source_url, public_key_files=(self.public_keys,) if self.public_keys else ())
        try:
            verifier = Verifier(options, self.aws)
            async for update in verifier.run():
                self._apply(update)
        except VerifyError as exc:
            self._fail(str(exc))
        except Exception as exc:  # noqa: BLE001 - the console must survive anything the evidence does
            self._fail(f"verification stopped: {exc}")

    # -- rendering ------------------------------------------------------------------------------

    def _status(self, text: str) -> None:
        self.query_one("#integrity-status", Static).update(Text(" " + visible(text)))

    def _fail(self, message: str) -> None:
        self.error = message
        self.add_class("-error")
        self.query_one(ProgressBar).update(total=1, progress=0)
        self._status(f"cannot verify: {message}")

    def _apply(self, update: Update) -> None:
        self._counts = dict(update.counts)
        self.query_one(ProgressBar).update(total=max(update.known, 1), progress=update.checked)
        listing = self.query_one(OptionList)
        shown = listing.option_count
        new_rows: list[Option] = []
        for result in update.results:
            self.results.append(result)
            if result.status is not Status.VALID and shown + len(new_rows) < MAX_LISTED:
                new_rows.append(Option(result_line(result), id=str(len(self.results) - 1)))
        if new_rows:
            listing.add_options(new_rows)
        self._render_counts()
        if update.summary is not None:
            self._finish(update.summary)
        else:
            self._status(f"verifying ({update.phase}): {update.checked}/{max(update.known, update.checked)} files")

    def _render_counts(self) -> None:
        counts = self._counts
        self.query_one("#integrity-valid", Static).update(counts_text(counts, (Status.VALID,)))
        self.query_one("#integrity-failed", Static).update(counts_text(counts, FAILING))
        info = counts_text(counts, (Status.GAP, Status.UNSIGNED))
        self.query_one("#integrity-info", Static).update(info)

    def _finish(self, summary: Summary) -> None:
        self.summary = summary
        self.add_class("-ok" if summary.ok else "-failed")
        bar = self.query_one(ProgressBar)
        bar.update(total=max(bar.total or 1, 1), progress=bar.total or 1)
        checked = summary.digests.total + summary.backfill_digests.total + summary.logs.total
        if summary.no_digests:
            verdict = "no digest files found: nothing proves these logs"
        elif summary.ok:
            verdict = f"all {checked} files valid"
        else:
            failed = summary.digests.failed + summary.backfill_digests.failed + summary.logs.failed
            verdict = f"{failed} of {checked} files NOT valid"
        span = f" ({iso(summary.found_start)} to {iso(summary.found_end)})" if summary.found_start else ""
        more = self.query_one(OptionList).option_count
        hidden = sum(1 for r in self.results if r.status is not Status.VALID) - more
        tail = f"; {hidden} more not listed" if hidden > 0 else ""
        self._status(f"{verdict}{span}{tail}")
        bad = [r.to_json() for r in self.results if r.status is not Status.VALID]
        self.post_message(self.Verified(integrity_document(summary.to_json(), bad)))

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        event.stop()
        index = int(event.option.id or -1)
        if 0 <= index < len(self.results):
            result = self.results[index]
            text = Text(f"{result.status.value} {result.kind}: {visible(result.location)}\n{visible(result.detail)}")
            self.query_one("#integrity-detail", Static).update(text)
