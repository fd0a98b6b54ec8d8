"""Every key of the console in one table.

The widgets build their `BINDINGS` from here and the `?` help screen lists this
table, so help cannot drift from what the keys do.  Each binding has an `id`
(`trailtui.<action>`) so it can be remapped with Textual's keymap.  No action
depends on ctrl+s / ctrl+b / ctrl+a (XOFF, tmux and screen prefixes) or on an
F-key alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from textual.binding import Binding, BindingType


@dataclass(frozen=True, slots=True)
class Key:
    context: str  # which part of the console the key belongs to
    keys: str  # Textual key names, comma separated
    action: str
    label: str  # short, for the footer
    description: str  # for help
    display: str  # how help and the footer write the key
    show: bool = False  # in the footer
    priority: bool = False


APP = "Everywhere"
LIST = "Event list"
FILTER = "Filter bar"
DETAIL = "Event detail"
FINDINGS = "Findings pane"
COUNTS = "Counts"
CHAIN = "Credential chain"

KEYS: tuple[Key, ...] = (
    Key(APP, "1", "pane('health')", "Health", "Health pane", "1"),
    Key(APP, "2", "pane('events')", "Events", "Events pane", "2"),
    Key(APP, "3", "pane('integrity')", "Integrity", "Integrity pane", "3"),
    Key(APP, "4", "pane('findings')", "Findings", "Findings pane", "4"),
    Key(APP, "slash", "filter", "Filter", "Filter (JMESPath)", "/", show=True),
    Key(APP, "t", "time_range", "Time", "Time range", "t", show=True),
    Key(APP, "f", "quick_filter", "Quick filter", "Quick filter: principal, source IP, event name", "f"),
    Key(APP, "p", "pivot", "Pivot", "Pivot on the selected event", "p", show=True),
    Key(APP, "backspace", "pop_pivot", "Pop pivot", "Pop the last pivot", "backspace"),
    Key(APP, "m", "mark", "Mark", "Mark the selected event as a finding (with a note)", "m", show=True),
    Key(APP, "y", "copy", "Copy", "Copy the selected event's JSON (OSC 52)", "y"),
    Key(APP, "v", "verify", "Verify", "Verify integrity (pane 3)", "v"),
    Key(APP, "e", "export", "Export", "Export events or marks", "e"),
    Key(APP, "h", "hunts", "Hunts", "Hunts", "h"),
    Key(APP, "c", "counts", "Counts", "Counts: top values of a field for the current filter and range", "c"),
    Key(APP, "colon", "command_palette", "Commands", "Command palette", ":", show=True),
    Key(APP, "question_mark", "help", "Help", "Help: this list", "?", show=True),
    Key(APP, "escape", "back", "Back", "Back / cancel the running scan", "esc"),
    Key(APP, "q", "quit", "Quit", "Quit", "q", show=True),
    Key(LIST, "j,down", "cursor(1)", "Down", "Next event", "j ↓"),
    Key(LIST, "k,up", "cursor(-1)", "Up", "Previous event", "k ↑"),
    Key(LIST, "pagedown,ctrl+d", "page(1)", "Page down", "Page down", "pgdn ctrl+d"),
    Key(LIST, "pageup,ctrl+u", "page(-1)", "Page up", "Page up", "pgup ctrl+u"),
    Key(LIST, "g,home", "first", "First", "First (newest) event", "g home"),
    Key(LIST, "G,end", "last", "Last", "Last loaded event (loads more)", "G end"),
    Key(LIST, "enter", "open", "Detail", "Open the event (JSON detail)", "enter", show=True),
    Key(FILTER, "enter", "apply", "Apply", "Apply the filter", "enter"),
    Key(FILTER, "up", "history(-1)", "Older", "Previous filter from history", "↑"),
    Key(FILTER, "down", "history(1)", "Newer", "Next filter from history", "↓"),
    Key(FILTER, "escape", "leave", "Leave", "Leave the filter bar (keeps the applied filter)", "esc"),
    Key(DETAIL, "j,down", "scroll(1)", "Down", "Scroll down", "j ↓"),
    Key(DETAIL, "k,up", "scroll(-1)", "Up", "Scroll up", "k ↑"),
    Key(DETAIL, "g,home", "scroll_home", "Top", "Top", "g"),
    Key(DETAIL, "G,end", "scroll_end", "Bottom", "Bottom", "G"),
    Key(DETAIL, "y", "copy", "Copy", "Copy this event's JSON (OSC 52)", "y", show=True),
    Key(DETAIL, "m", "mark", "Mark", "Mark this event", "m", show=True),
    Key(DETAIL, "p", "pivot", "Pivot", "Pivot on this event", "p", show=True),
    Key(DETAIL, "escape", "back", "Back", "Back to the list", "esc", show=True),
    Key(FINDINGS, "enter", "open", "Open", "Open the marked event", "enter"),
    Key(FINDINGS, "n", "edit_note", "Note", "Edit the note", "n"),
    Key(FINDINGS, "d", "delete", "Unmark", "Remove the mark", "d"),
    Key(FINDINGS, "w", "save", "Save", "Write marks to a JSONL file", "w"),
    Key(COUNTS, "j,down", "move(1)", "Down", "Next value", "j ↓"),
    Key(COUNTS, "k,up", "move(-1)", "Up", "Previous value", "k ↑"),
    Key(COUNTS, "g,home", "jump(0)", "First", "First (largest) value", "g home", priority=True),
    Key(COUNTS, "G,end", "jump(-1)", "Last", "Last listed value", "G end", priority=True),
    Key(COUNTS, "enter", "narrow", "Narrow", "Narrow the list to this value (a pivot)", "enter", show=True),
    Key(COUNTS, "x", "exclude", "Exclude", "Exclude this value (a pivot)", "x", show=True),
    Key(COUNTS, "tab", "deeper", "Deeper", "Count one level deeper within this value", "tab", show=True,
        priority=True),
    Key(COUNTS, "backspace", "shallower", "Up", "Back up one level", "backspace"),
    Key(COUNTS, "b", "choose_field", "Field", "Count by another field or an expression", "b", show=True),
    Key(COUNTS, "escape", "close", "Back", "Back to the list", "esc", show=True),
    Key(CHAIN, "enter", "choose", "Show events", "Narrow the event list to the node's events", "enter", show=True),
    Key(CHAIN, "j", "cursor(1)", "Down", "Next node", "j ↓"),
    Key(CHAIN, "k", "cursor(-1)", "Up", "Previous node", "k ↑"),
    Key(CHAIN, "g,home", "first", "First", "The origin", "g home", priority=True),
    Key(CHAIN, "G,end", "last", "Last", "Last node", "G end", priority=True),
    Key(CHAIN, "escape,q", "back", "Back", "Back to the list", "esc q", show=True, priority=True),
)


def bindings(context: str) -> list[BindingType]:
    """Textual bindings for one context, with stable ids for keymaps."""
    out: list[BindingType] = []
    slug = context.lower().replace(" ", "-")
    for key in KEYS:
        if key.context != context:
            continue
        action = re.sub(r"[^a-z0-9]+", "-", key.action.lower()).strip("-")
        out.append(Binding(key.keys, key.action, key.label, show=key.show, key_display=key.display,
                           priority=key.priority, id=f"trailtui.{slug}.{action}"))
    return out


def help_rows() -> list[tuple[str, str, str]]:
    """(context, key, description) for the help screen and the README table."""
    return [(k.context, k.display, k.description) for k in KEYS]
