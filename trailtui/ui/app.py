"""The console: `trailtui [SOURCE]` and the console `trailtui demo` opens.

Four panes (1 Health, 2 Events, 3 Integrity, 4 Findings), a status line and a
footer.  The app paints before any source is opened: the first query opens the
source in a worker, so no AWS SDK is imported and no network is touched before
the first frame (and never, for a local trail).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual._node_list import DuplicateIds
from textual.app import App, ComposeResult
from textual.await_complete import AwaitComplete
from textual.binding import BindingType
from textual.containers import Container
from textual.widgets import ContentSwitcher, Footer, Static

from trailtui.aws.config import AwsConfig
from trailtui.case.store import CaseStore
from trailtui.clipboard import ClipboardError, ClipboardWrite, osc52
from trailtui.config import Config, ConfigSaveError, LoadedConfig, save_filter
from trailtui.events import parse_event_time
from trailtui.filters import EventFilter, FilterError
from trailtui.record_json import dumps_record
from trailtui.safe import visible
from trailtui.sources.base import EventSource, Query
from trailtui.timerange import utcnow
from trailtui.ui import keys
from trailtui.ui.browse_state import BrowseState, RangeChoice
from trailtui.ui.chain_screen import ChainScreen
from trailtui.ui.commands import TrailCommands
from trailtui.ui.counts_screen import CountsScreen
from trailtui.ui.detail_screen import DetailScreen
from trailtui.ui.dismissal import OnceCommandPalette
from trailtui.ui.event_list import EventList
from trailtui.ui.events_pane import EventsPane
from trailtui.ui.export_screen import ExportScreen
from trailtui.ui.filter_bar import FilterBar
from trailtui.ui.findings_pane import FindingsPane, FindingsTable
from trailtui.ui.help_screen import HelpScreen
from trailtui.ui.hunts_screen import HuntsScreen
from trailtui.ui.marks import MarkBook, mark_key
from trailtui.ui.pane_bar import PANES, PaneBar
from trailtui.ui.pivot_screen import PivotScreen
from trailtui.ui.pivots import CHAIN, Pivot, pivot_options
from trailtui.ui.problems_screen import ProblemsScreen
from trailtui.ui.prompt_screen import PromptScreen
from trailtui.ui.quick_filter_screen import QuickFilterScreen
from trailtui.ui.session import SourceSession
from trailtui.ui.status_line import StatusLine
from trailtui.ui.themes import DEFAULT_THEME, ThemeSet, load_themes, resolve_variable_defaults
from trailtui.ui.time_screen import TimeScreen

# Problems found at start (a broken config, Sigma rules that did not load) stay up longer than a toast:
# the first paint of a big source on a slow host can take most of Textual's default 5 s.
STARTUP_WARNING_SECONDS = 15.0

if TYPE_CHECKING:
    from trailtui.hunts.model import Hunt


@dataclass(slots=True)
class ConsoleOptions:
    """Everything the console starts from (built by `run_app`, or by tests)."""

    source_url: str
    aws: AwsConfig = field(default_factory=AwsConfig)
    theme: str | None = None
    filter_text: str = ""
    range_choice: RangeChoice = field(default_factory=RangeChoice)
    demo: bool = False
    demo_anchor: datetime | None = None
    public_keys: Any = None
    public_keys_found: bool = False  # taken from DIR/list-public-keys.json, not from --public-keys
    config: LoadedConfig | None = None
    themes: ThemeSet | None = None
    source: EventSource | None = None  # an already-open source (tests, embedding)
    start_pane: str = "events"
    hunts: tuple[Hunt, ...] | None = None  # None: the built-in catalogue
    hunt_problems: tuple[str, ...] = ()  # Sigma rules not loaded, one line each
    index: bool = False  # read through the local store, filled in the background (`trailtui.store`)
    follow_interval: float = 30.0  # seconds between polls in follow mode (`F`)
    keep_case: bool = True  # marks, notes and the verify result saved per source (trailtui.case)


class TrailApp(App[int]):
    CSS_PATH = str(Path(__file__).with_name("app.tcss"))  # absolute, so subclasses elsewhere find it
    TITLE = "trailtui"
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings(keys.APP)
    COMMANDS = App.COMMANDS | {TrailCommands}

    def __init__(self, options: ConsoleOptions) -> None:
        super().__init__()
        self.options = options
        self.session = SourceSession(options.source_url, options.aws, options.source, index=options.index,
                                     prepare_hunts=options.hunts is None)
        self.marks = MarkBook(CaseStore(options.source_url) if options.keep_case else None)
        self.config = options.config.config if options.config else Config()
        self.last_clipboard: ClipboardWrite | None = None
        self.keymap_config: dict[str, str] = {}
        self.current_pane = options.start_pane
        self._parts: dict[str, Any] = {}
        self._integrity_mounting = asyncio.Lock()  # `v` pressed twice mounts the pane once
        self._events: EventsPane | None = None
        self._initial_state = BrowseState(filter_text=options.filter_text, range_choice=options.range_choice)
        self.animation_level = "none"

    # -- layout -----------------------------------------------------------------
    def get_theme_variable_defaults(self) -> dict[str, str]:
        return resolve_variable_defaults(self.current_theme.to_color_system().generate())

    def compose(self) -> ComposeResult:
        yield PaneBar(id="pane-bar")
        with ContentSwitcher(initial="events", id="panes"):
            yield Container(Static(Text(" loading…"), classes="placeholder"), id="health")
            yield EventsPane(self.session, self.marks, id="events")
            yield Container(Static(Text(" press v to verify the trail's integrity"), classes="placeholder"),
                            id="integrity")
            yield FindingsPane(self.marks, id="findings")
        yield StatusLine(id="status")
        yield Footer(compact=True)

    @property
    def events(self) -> EventsPane:
        if self._events is None:
            self._events = self.query_one(EventsPane)
        return self._events

    def on_mount(self) -> None:
        self._apply_themes()
        if self.options.config and self.options.config.problem:
            self.notify(visible(self.options.config.problem), title="config", severity="warning", markup=False,
                        timeout=STARTUP_WARNING_SECONDS)
        if self.options.hunt_problems:
            first = visible(self.options.hunt_problems[0])
            more = len(self.options.hunt_problems) - 1
            self.notify(first + (f" (and {more} more: trailtui hunt --list --sigma …)" if more else ""),
                        title="sigma rules not loaded", severity="warning", markup=False,
                        timeout=STARTUP_WARNING_SECONDS)
        self._apply_keymap()
        for problem in self.marks.problems:
            self.notify(visible(problem), title="case", severity="warning", markup=False)
        if len(self.marks):
            self.notify(f"{len(self.marks)} mark{'s' if len(self.marks) != 1 else ''} of this source restored "
                        "(pane 4)", title="case")
        self.query_one(FindingsPane).refresh_marks()
        self.events.filter_bar.set_applied(self.options.filter_text)
        self.events.start(self._initial_state)
        self.action_pane(self.options.start_pane)

    def _apply_keymap(self) -> None:
        """The [keymap] table of config.toml: binding id -> keys."""
        wanted = dict(self.config.keymap)
        unknown = sorted(set(wanted) - keys.all_ids())
        if unknown:
            self.notify(visible(f"[keymap]: no binding {', '.join(unknown)} (see ? for the ids)"),
                        title="config", severity="warning", markup=False)
        self.keymap_config = {ident: keys_ for ident, keys_ in wanted.items() if ident not in unknown}
        self.set_keymap(self.keymap_config)

    def _apply_themes(self) -> None:
        themes = self.options.themes or load_themes()
        for theme in themes.themes.values():
            self.register_theme(theme)
        wanted = self.options.theme or self.config.theme or DEFAULT_THEME
        for problem in themes.problems:
            self.notify(visible(problem), title="theme skipped", severity="warning", markup=False)
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            fallback = DEFAULT_THEME if DEFAULT_THEME in self.available_themes else "textual-dark"
            self.notify(f"unknown theme {visible(wanted)!r}; using {fallback}", severity="warning", markup=False)
            self.theme = fallback

    async def on_unmount(self) -> None:
        if self._events is not None:
            self._events.close()
        await self.session.close()

    # -- panes ------------------------------------------------------------------
    def action_pane(self, name: str) -> None:
        self.query_one(ContentSwitcher).current = name
        self.current_pane = name
        self.query_one(PaneBar).show(name, len(self.marks))
        if name == "health":
            self.call_later(self._ensure_health)
        elif name == "integrity":
            self.call_later(self._ensure_integrity)
        elif name == "findings":
            self.query_one(FindingsPane).refresh_marks()
            self.query_one(FindingsPane).focus_table()
        elif name == "events":
            self.events.list.focus()
        self.refresh_bindings()

    async def _mount_part(self, host_id: str, widget: Any) -> Any:
        """Mount a pane into its host (in place of the host's placeholder)."""
        host = self.query_one(f"#{host_id}", Container)
        await host.remove_children()
        await host.mount(widget)
        return widget

    async def _ensure_health(self) -> None:
        """Mount the Health pane the first time it is shown, then `load()` it.
        Imported here: the health checks import botocore, which the first
        frame must not wait for."""
        if "health" in self._parts:
            return
        self._parts["health"] = None
        from trailtui.health.demo import demo_facts
        from trailtui.ui.panes.health import HealthPane

        facts = demo_facts() if self.options.demo else None
        pane = await self._mount_part("health", HealthPane(self.options.aws, facts=facts))
        self._parts["health"] = pane
        await self._call_part(pane, "load")
        if self.current_pane == "health":
            pane.focus()

    async def _ensure_integrity(self) -> Any:
        """The Integrity pane, mounted the first time it is needed."""
        async with self._integrity_mounting:
            if "integrity" not in self._parts:
                from trailtui.ui.panes.integrity import IntegrityPane

                pane = IntegrityPane(self.options.source_url, self.options.aws, public_keys=self.options.public_keys)
                self._parts["integrity"] = await self._mount_part("integrity", pane)
            return self._parts["integrity"]

    async def _call_part(self, part: Any, method: str) -> None:
        """Call a pane's load/start method, sync or async, reporting failures in one line."""
        try:
            result = getattr(part, method)()
            if inspect.isawaitable(result):
                await result
        except Exception as exc:  # noqa: BLE001 - another part's failure must not take the console down
            self.notify(visible(f"{method} failed: {exc}"), severity="error", markup=False)

    async def action_verify(self) -> None:
        self.action_pane("integrity")
        if self.options.public_keys:
            how = " (found next to the logs)" if self.options.public_keys_found else ""
            self.notify(visible(f"digest signatures checked with {self.options.public_keys}{how}"),
                        title="verify", markup=False)
        pane = await self._ensure_integrity()
        await self._call_part(pane, "start_verification")

    # -- the selected event -----------------------------------------------------
    def _selected(self) -> tuple[dict[str, Any], int | None] | None:
        screen = self.screen
        if isinstance(screen, DetailScreen):
            return screen.raw, screen.index
        if self.current_pane in ("health", "integrity"):
            return None
        if self.current_pane == "findings":
            table = self.query_one(FindingsTable)
            key = table._selected_key()
            entry = self.marks.get(key) if key else None
            return (entry.event, None) if entry else None
        index = self.events.selected_index()
        if index is None:
            return None
        return self.events.raw_at(index), index

    def _need_selection(self) -> tuple[dict[str, Any], int | None] | None:
        selected = self._selected()
        if selected is None:
            where = "the Events pane (2)" if self.current_pane in ("health", "integrity") else "the list"
            self.notify(f"no event selected: select one in {where} first", severity="warning")
        return selected

    def _show_events(self) -> None:
        """Switch to pane 2 (the list) unless it is already showing."""
        if self.current_pane != "events":
            self.action_pane("events")

    # -- actions ----------------------------------------------------------------
    def action_filter(self) -> None:
        self._show_events()
        self.events.filter_bar.begin()

    def on_filter_bar_applied(self, message: FilterBar.Applied) -> None:
        self.events.start(self.events.state.with_filter(message.text))
        self.events.list.focus()

    def on_filter_bar_left(self, _message: FilterBar.Left) -> None:
        self.events.list.focus()

    def action_quick_filter(self) -> None:
        def apply(expression: str | None) -> None:
            if expression:
                self.apply_filter(expression)

        self.push_screen(QuickFilterScreen(), apply)

    def apply_filter(self, expression: str) -> None:
        """Put `expression` in the filter bar and run it (quick filters, hunts, saved filters)."""
        try:
            EventFilter.compile(expression)
        except FilterError as exc:
            self.notify(visible(str(exc)), severity="error", markup=False)
            return
        self._show_events()
        bar = self.events.filter_bar
        bar.set_applied(expression)
        if expression and (not bar.history or bar.history[-1] != expression):
            bar.history.append(expression)
        self.events.start(self.events.state.with_filter(expression))
        self.events.list.focus()

    def action_toggle_order(self) -> None:
        """`o`: oldest first (an attack reads in order) or newest first."""
        self._show_events()
        event_list = self.events.list
        event_list.set_oldest_first(not event_list.oldest_first)
        self.notify("oldest first" if event_list.oldest_first else "newest first")
        self.on_events_pane_state_changed(EventsPane.StateChanged())

    def trail_clock(self) -> datetime | None:
        """Where time presets count back from when not from now: the newest
        event of a local (offline) source, or of any source whose newest event
        is more than an hour old; None for a live source."""
        newest = self.options.demo_anchor if self.options.demo else None
        newest = newest or self.session.newest_seen
        if newest is None:
            return None
        url = self.options.source_url
        local = "://" not in url or url.startswith("file://")
        if self.options.demo or local or utcnow() - newest > timedelta(hours=1):
            return newest
        return None

    def action_time_range(self) -> None:
        anchor = self.trail_clock()
        anchored = anchor is not None
        around = None
        selected = self._selected()
        if selected is not None and not isinstance(self.screen, TimeScreen):
            around = parse_event_time(selected[0].get("eventTime"))

        def apply(choice: RangeChoice | None) -> None:
            if choice is not None:
                self._show_events()
                self.events.start(self.events.state.with_range(choice))

        self.push_screen(TimeScreen(self.events.state.effective_range(), anchor, anchored, around), apply)

    def action_pivot(self) -> None:
        selected = self._need_selection()
        if selected is not None:
            self.ask_pivot(selected[0])

    def ask_pivot(self, raw: dict[str, Any]) -> None:
        options = pivot_options(raw)
        if not options:
            self.notify("this event has nothing to pivot on", severity="warning")
            return

        def apply(pivot: Pivot | None) -> None:
            if pivot is not None and pivot.kind == CHAIN and pivot.access_key:
                self.open_chain(pivot.access_key)
            elif pivot is not None:
                self.push_pivot(pivot)

        self.push_screen(PivotScreen(options), apply)

    def open_chain(self, access_key: str) -> None:
        """The credential chain of `access_key` over the current source and range."""

        def apply(pivot: Pivot | None) -> None:
            if pivot is not None:
                self.push_pivot(pivot)

        time_range = self.events.state.effective_range().time_range
        self.push_screen(ChainScreen(self.options.source_url, self.options.aws, access_key, time_range), apply)

    def push_pivot(self, pivot: Pivot) -> None:
        self._show_events()
        self.events.start(self.events.state.push(pivot))
        self.events.list.focus()

    def action_pop_pivot(self) -> None:
        state = self.events.state
        if not state.pivots:
            self.notify("no pivot to pop")
            return
        self._show_events()
        self.events.start(state.pop())

    def action_mark(self) -> None:
        selected = self._need_selection()
        if selected is not None:
            self.ask_mark(*selected)

    def ask_mark(self, raw: dict[str, Any], index: int | None = None) -> None:
        existing = self.marks.get(mark_key(raw))

        def apply(note: str | None) -> None:
            if note is None:
                return
            self.marks.mark(raw, note.strip())
            self.events.mark_changed(raw, index, True)
            self._show_marks(mark_key(raw))
            self.notify(f"marked ({len(self.marks)} finding{'s' if len(self.marks) != 1 else ''})")
            self._case_saved()

        title = "Mark as finding: note (optional, enter to mark)"
        self.push_screen(PromptScreen(title, existing.note if existing else "", "why this event matters",
                                      context=_event_line(raw)), apply)

    def action_copy(self) -> None:
        selected = self._need_selection()
        if selected is not None:
            self.copy_event(selected[0])

    def copy_event(self, raw: dict[str, Any]) -> None:
        """Copy the event's JSON over OSC 52 (pretty when it fits, else compact)."""
        attempts = (dumps_record(raw, indent=True), dumps_record(raw))
        error: ClipboardError | None = None
        for blob in attempts:
            try:
                write = self.copy_to_clipboard(blob.decode("utf-8"))
            except ClipboardError as exc:
                error = exc
                continue
            how = {"tmux": " (tmux passthrough)", "screen": " (screen passthrough)"}.get(write.wrapping, "")
            # OSC 52 has no reply: the terminal may ignore it, so never claim the copy happened
            self.notify(f"sent the event JSON ({len(blob):,} bytes) to the terminal's clipboard via OSC 52{how}; "
                        "if nothing arrives, see README (OSC 52)")
            return
        self.notify(f"not copied: {error}", severity="error", markup=False)

    def copy_to_clipboard(self, text: str) -> ClipboardWrite:  # type: ignore[override]
        """Like Textual's, but wrapped for tmux/screen and size-capped (see trailtui.clipboard)."""
        write = osc52(text)
        self._clipboard = text
        self.last_clipboard = write
        if self._driver is not None:
            self._driver.write(write.sequence)
        return write

    def action_export(self) -> None:
        state = self.events.state
        query = Query(filter=state.compile(), time_range=state.effective_range().time_range)
        self.push_screen(ExportScreen(self.session, query, self.marks.as_export_marks(),
                                     integrity=self.integrity_status()))

    def integrity_status(self) -> Any:
        """The verification result of this source (this session's, else the
        case's) for exports and the report; None when never verified."""
        if self.marks.integrity is None:
            return None
        from trailtui.export.integrity import IntegrityFileError, integrity_from_json

        try:
            return integrity_from_json(self.marks.integrity, "console verification")
        except IntegrityFileError:
            return None

    def on_integrity_pane_verified(self, message: Any) -> None:
        self.marks.set_integrity(message.document)
        self._case_saved()

    def action_hunts(self) -> None:
        def apply(result: str | None) -> None:
            if isinstance(result, str) and result.strip():
                self.apply_filter(result.strip())

        pane = self.events
        choice = pane.state.effective_range()
        time_range = choice.following() if pane.following else choice.time_range
        self.push_screen(HuntsScreen(self.session, time_range, self.options.hunts, arrived=tuple(pane.arrived_hits)),
                         apply)

    def action_follow(self) -> None:
        """`F`: follow the source (new events on top), or stop following."""
        self._show_events()
        pane = self.events
        if pane.stop_follow():
            self.notify("stopped following")
            return
        self.notify(pane.start_follow(self.options.follow_interval, self.options.hunts))

    def on_events_pane_hunt_hits(self, message: EventsPane.HuntHits) -> None:
        titles = list(dict.fromkeys(hit.hunt.title for hit in message.hits))
        more = f" (and {len(titles) - 2} more)" if len(titles) > 2 else ""
        self.notify(visible("; ".join(titles[:2]) + more + " — h lists them"),
                    title=f"hunt hit{'s' if len(message.hits) != 1 else ''} on arrival", severity="warning",
                    markup=False)

    def action_counts(self) -> None:
        """Counts for the Events pane's filter, pivots and time range; a chosen value comes back as a pivot."""
        self._show_events()
        state = self.events.state
        choice = state.effective_range()

        def apply(pivot: Pivot | None) -> None:
            if pivot is not None:
                self.push_pivot(pivot)

        self.push_screen(CountsScreen(self.session, state.query_text(), choice.time_range, choice.label), apply)

    def show_problems(self) -> None:
        pane = self.events
        self.push_screen(ProblemsScreen(list(pane.problems), pane.run.problems))

    def action_help(self) -> None:
        self.push_screen(HelpScreen())

    def action_back(self) -> None:  # type: ignore[override]  # Textual runs sync actions too
        if self.current_pane == "events":
            if self.events.stop_follow():
                self.notify("stopped following")
            elif self.events.cancel():
                on_server = bool(self.session.capabilities and self.session.capabilities.server_cancel)
                stopped = "query stopped on the server" if on_server else "scan stopped"
                self.notify(f"{stopped}; the list may be incomplete")
        else:
            self.action_pane("events")

    def action_quit(self) -> None:  # type: ignore[override]  # Textual runs sync actions too
        """`q` quits from a pane; in a dialog or the detail it goes back one level."""
        if len(self.screen_stack) > 1:
            self.close_top_screen()
            return
        self.exit(0)

    def action_command_palette(self) -> None:
        if self.use_command_palette and not OnceCommandPalette.is_open(self):  # type: ignore[arg-type]  # App[int]
            try:
                self.push_screen(OnceCommandPalette(id="--command-palette"))
            except DuplicateIds:  # the previous palette is still being removed: this `:` is dropped
                pass

    def pop_screen(self) -> AwaitComplete:
        """Never pop the last screen: a stray dismissal (from a screen Textual
        or a plug-in owns) must not end the console and lose the marks."""
        if len(self.screen_stack) <= 1:
            return AwaitComplete.nothing()  # type: ignore[no-untyped-call, no-any-return]  # untyped in Textual
        return super().pop_screen()

    def action_quit_now(self) -> None:
        """ctrl+c: quit at once; while following, stop following first (like `less +F`)."""
        if self._events is not None and self._events.stop_follow():
            self.notify("stopped following (ctrl+c again quits)")
            return
        self.exit(0)

    def close_top_screen(self) -> None:
        screen = self.screen
        for name in ("action_back", "action_cancel", "action_close"):
            close = getattr(screen, name, None)
            if callable(close):
                close()
                return
        self.pop_screen()

    # -- the list -----------------------------------------------------------------
    def on_event_list_opened(self, message: EventList.Opened) -> None:
        raw = self.events.raw_at(message.index)
        self.push_screen(DetailScreen(raw, self.events.position_text(message.index), message.index))

    def on_events_pane_state_changed(self, _message: EventsPane.StateChanged) -> None:
        pane = self.events
        state = pane.state
        filter_text = state.filter_text
        if state.pivots:
            pivots = f"{len(state.pivots)} pivot{'s' if len(state.pivots) > 1 else ''}"
            filter_text += f"{' + ' if filter_text else ''}{pivots}"
        choice = state.effective_range()
        label = choice.label
        if pane.following and choice.relative and choice.time_range.until is not None:
            label = label.replace(" to newest event", "")  # its end opened: new events stay in range
        lists = pane.query(EventList)  # none while the app is closing
        if lists and lists.first().oldest_first:
            label += " · oldest first"
        for status in self.query(StatusLine):  # none while the app is closing
            status.update_state(self.options.source_url, label, filter_text, pane.run, pane.follow)

    # -- findings -----------------------------------------------------------------
    def on_findings_table_act(self, message: FindingsTable.Act) -> None:
        entry = self.marks.get(message.key) if message.key else None
        if message.action == "save":
            self.ask_save_marks()
        elif message.action == "undo":
            self._undo_unmark()
        elif entry is None:
            return
        elif message.action == "open":
            self.push_screen(DetailScreen(entry.event, "marked"))
        elif message.action == "note":
            self.ask_mark(entry.event)
        elif message.action == "delete":
            self.marks.unmark(message.key)
            self.events.mark_changed(entry.event, None, False)
            self._show_marks()
            self.notify("unmarked: u puts it back")
            self._case_saved()

    def _undo_unmark(self) -> None:
        entry = self.marks.undo()
        if entry is None:
            self.notify("nothing to undo", severity="warning")
            return
        self.events.mark_changed(entry.event, None, True)
        self._show_marks(entry.key)
        self.notify("mark restored")
        self._case_saved()

    def _case_saved(self) -> None:
        """Say so when the case file could not be written (the marks stay in memory)."""
        problem = self.marks.save_problem
        if problem:
            self.notify(visible(problem), title="case", severity="error", markup=False)

    def _show_marks(self, keep: str | None = None) -> None:
        """The Findings table and the pane bar's count follow the mark book."""
        self.query_one(FindingsPane).refresh_marks(keep)
        self.query_one(PaneBar).show(self.current_pane, len(self.marks))

    def ask_save_marks(self) -> None:
        if not len(self.marks):
            self.notify("no marks to write", severity="warning")
            return
        default = f"trailtui-marks-{datetime.now(UTC):%Y%m%dT%H%M%SZ}.jsonl"

        def save(path: str | None) -> None:
            if not path:
                return
            try:
                written = self.marks.save(Path(path).expanduser())
            except OSError as exc:
                self.notify(visible(f"cannot write {path}: {exc.strerror or exc}"), severity="error", markup=False)
                return
            self.notify(visible(f"wrote {len(self.marks)} marks to {written}"), markup=False)

        self.push_screen(PromptScreen("Write marks (JSONL) to file", default), save)

    # -- config -----------------------------------------------------------------
    def ask_save_filter(self) -> None:
        text = self.events.state.filter_text
        if not text:
            self.notify("no filter to save", severity="warning")
            return

        def save(name: str | None) -> None:
            if not name or not name.strip():
                return
            try:
                path = save_filter(name.strip(), text, self.options.config.path if self.options.config else None)
            except ConfigSaveError as exc:
                self.notify(visible(f"filter not saved: {exc}"), severity="error", markup=False)
                return
            except OSError as exc:
                self.notify(visible(f"filter not saved: {exc}"), severity="error", markup=False)
                return
            self.config = self.config.with_filter(name.strip(), text)
            self.notify(visible(f"saved filter {name.strip()!r} in {path}"), markup=False)

        self.push_screen(PromptScreen("Save the current filter as (name)", "", context=text), save)

    def palette_commands(self) -> Iterable[tuple[str, str, Callable[[], object]]]:
        for number, (name, title) in enumerate(PANES, start=1):
            yield f"Pane {number}: {title}", f"switch to the {title} pane", partial(self.action_pane, name)
        yield "Filter", "edit the JMESPath filter (/)", self.action_filter
        yield "Quick filter", "principal, source IP, event name (f)", self.action_quick_filter
        yield "Time range", "presets or an absolute range (t)", self.action_time_range
        yield "Pivot", "narrow to the selected event's principal, key, IP... (p)", self.action_pivot
        yield "Pop pivot", "undo the last pivot (backspace)", self.action_pop_pivot
        yield "Mark event", "mark the selected event as a finding (m)", self.action_mark
        yield "Copy event JSON", "OSC 52 clipboard copy (y)", self.action_copy
        yield "Verify integrity", "digest chain, hashes, signatures (v)", self.action_verify
        yield "Export", "events or marks to a file (e)", self.action_export
        yield "Hunts", "run a hunt from the catalogue (h)", self.action_hunts
        yield "Counts", "top values of a field for the current filter and range (c)", self.action_counts
        yield "Follow", "new events on top as they arrive, hunts on arrival (F)", self.action_follow
        yield "Cancel scan", "stop the running query (esc)", self.action_back
        yield "Show read problems", "files or folders the current query could not read", self.show_problems
        yield "Write marks", "save the marks as JSONL", self.ask_save_marks
        yield "Save filter", "save the current filter in the config file", self.ask_save_filter
        for name, expression in self.config.filters.items():
            yield f"Saved filter: {name}", expression, partial(self.apply_filter, expression)
        yield "Help", "every key (?)", self.action_help
        yield "Quit", "leave trailtui (q)", self.action_quit


def _event_line(raw: dict[str, Any]) -> str:
    found = raw.get("userIdentity")
    identity: dict[str, Any] = found if isinstance(found, dict) else {}
    who = identity.get("arn") or identity.get("principalId") or "?"
    return f"{raw.get('eventTime', '?')}  {raw.get('eventName', '?')}  by {who}"
