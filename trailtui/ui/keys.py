"""Every key of the console in one table.

Every widget and screen builds its `BINDINGS` from here and the `?` help
screen lists this table, so help cannot drift from what the keys do.  Each
binding has an id, `trailtui.<where>.<action>` (`binding_id`), which the
`[keymap]` table of config.toml rebinds (Textual's keymap); help shows the keys
actually bound.  No action depends on ctrl+s / ctrl+b / ctrl+a (XOFF, tmux and
screen prefixes) or on an F-key alone.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
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
    name: str = ""  # the id's last part when the action alone is ambiguous


APP = "Everywhere"
LIST = "Event list"
FILTER = "Filter bar"
DETAIL = "Event detail"
LISTS = "Lists and tables (Health, Findings, Hunts, Integrity)"
FINDINGS = "Findings pane"
COUNTS = "Counts"
COUNTS_FIELD = "Counts field menu"
CHAIN = "Credential chain"
HEALTH = "Health pane"
HUNTS = "Hunts window"
DIALOG = "Dialogs (time, note, export, pivot, quick filter)"
HELP = "Help and read problems"
PIVOT = "Pivot menu"

KEYS: tuple[Key, ...] = (
    Key(APP, "1", "pane('health')", "Health", "Health pane", "1"),
    Key(APP, "2", "pane('events')", "Events", "Events pane", "2"),
    Key(APP, "3", "pane('integrity')", "Integrity", "Integrity pane", "3"),
    Key(APP, "4", "pane('findings')", "Findings", "Findings pane", "4"),
    Key(APP, "slash", "filter", "Filter", "Filter (JMESPath); the cursor goes to the end", "/", show=True),
    Key(APP, "t", "time_range", "Time", "Time range (±15 min around the selected event pre-filled)", "t",
        show=True),
    Key(APP, "o", "toggle_order", "Order", "Oldest first / newest first", "o"),
    Key(APP, "f", "quick_filter", "Quick filter", "Quick filter: principal, source IP, event name", "f"),
    Key(APP, "p", "pivot", "Pivot", "Pivot on the selected event", "p", show=True),
    Key(APP, "backspace", "pop_pivot", "Pop pivot", "Pop the last pivot", "backspace"),
    Key(APP, "m", "mark", "Mark", "Mark the selected event as a finding (with a note)", "m", show=True),
    Key(APP, "y", "copy", "Copy", "Send the selected event's JSON to the terminal clipboard (OSC 52)", "y"),
    Key(APP, "v", "verify", "Verify", "Verify integrity (pane 3)", "v"),
    Key(APP, "e", "export", "Export", "Export events or marks", "e"),
    Key(APP, "h", "hunts", "Hunts", "Hunts", "h"),
    Key(APP, "c", "counts", "Counts", "Counts: top values of a field for the current filter and range", "c"),
    Key(APP, "colon", "command_palette", "Commands", "Command palette", ":", show=True, name="palette"),
    Key(APP, "ctrl+p", "command_palette", "Commands", "Command palette", "ctrl+p", priority=True,
        name="palette-ctrl-p"),
    Key(APP, "question_mark", "help", "Help", "Help: this list", "?", show=True),
    Key(APP, "F", "follow", "Follow", "Follow the source: new events on top, marked +, hunts on arrival "
        "(F again, esc or ctrl+c stops)", "F"),
    Key(APP, "escape", "back", "Back", "Back / stop following / cancel the running scan", "esc"),
    Key(APP, "q", "quit", "Quit", "Quit (in a dialog or the detail: back one level)", "q", show=True),
    Key(APP, "ctrl+c", "quit_now", "Quit", "Quit at once (while following: stop following)", "ctrl+c"),
    Key(LIST, "j,down", "cursor(1)", "Down", "Next event", "j ↓", name="down"),
    Key(LIST, "k,up", "cursor(-1)", "Up", "Previous event", "k ↑", name="up"),
    Key(LIST, "pagedown,ctrl+d", "page(1)", "Page down", "Page down", "pgdn ctrl+d", name="page-down"),
    Key(LIST, "pageup,ctrl+u", "page(-1)", "Page up", "Page up", "pgup ctrl+u", name="page-up"),
    Key(LIST, "g,home", "first", "First", "First event", "g home"),
    Key(LIST, "G,end", "last", "Last", "Last loaded event (loads more)", "G end"),
    Key(LIST, "enter", "open", "Detail", "Open the event (JSON detail)", "enter", show=True),
    Key(FILTER, "enter", "apply", "Apply", "Apply the filter", "enter"),
    Key(FILTER, "up", "history(-1)", "Older", "Previous filter from history", "↑", name="older"),
    Key(FILTER, "down", "history(1)", "Newer", "Next filter from history", "↓", name="newer"),
    Key(FILTER, "escape", "leave", "Leave", "Leave the filter bar (keeps the applied filter)", "esc"),
    Key(DETAIL, "j,down", "scroll(1)", "Down", "Scroll down", "j ↓", name="down"),
    Key(DETAIL, "k,up", "scroll(-1)", "Up", "Scroll up", "k ↑", name="up"),
    Key(DETAIL, "g,home", "scroll_home", "Top", "Top", "g home"),
    Key(DETAIL, "G,end", "scroll_end", "Bottom", "Bottom", "G end"),
    Key(DETAIL, "slash", "search", "Find", "Find text in this event", "/", show=True),
    Key(DETAIL, "n", "find_next(1)", "Next", "Next match", "n", name="next-match"),
    Key(DETAIL, "N", "find_next(-1)", "Previous", "Previous match", "N", name="previous-match"),
    Key(DETAIL, "y", "copy", "Copy", "Send this event's JSON to the terminal clipboard (OSC 52)", "y", show=True),
    Key(DETAIL, "m", "mark", "Mark", "Mark this event", "m", show=True),
    Key(DETAIL, "p", "pivot", "Pivot", "Pivot on this event", "p", show=True),
    Key(DETAIL, "escape,q", "back", "Back", "Back to the list (esc in the find box: leave it)", "esc q", show=True),
    Key(LISTS, "j,down", "cursor_down", "Down", "Next row", "j ↓"),
    Key(LISTS, "k,up", "cursor_up", "Up", "Previous row", "k ↑"),
    Key(LISTS, "g,home", "first", "First", "First row", "g home"),
    Key(LISTS, "G,end", "last", "Last", "Last row", "G end"),
    Key(FINDINGS, "enter", "open", "Open", "Open the marked event", "enter"),
    Key(FINDINGS, "n", "edit_note", "Note", "Edit the note", "n"),
    Key(FINDINGS, "d", "delete", "Unmark", "Remove the mark", "d"),
    Key(FINDINGS, "u", "undo", "Undo", "Undo the last unmark", "u"),
    Key(FINDINGS, "w", "save", "Save", "Write marks to a JSONL file", "w"),
    Key(COUNTS, "j,down", "move(1)", "Down", "Next value", "j ↓", name="down"),
    Key(COUNTS, "k,up", "move(-1)", "Up", "Previous value", "k ↑", name="up"),
    Key(COUNTS, "g,home", "jump(0)", "First", "First (largest) value", "g home", priority=True, name="first"),
    Key(COUNTS, "G,end", "jump(-1)", "Last", "Last listed value", "G end", priority=True, name="last"),
    Key(COUNTS, "enter", "narrow", "Narrow", "Narrow the list to this value (a pivot)", "enter", show=True),
    Key(COUNTS, "x", "exclude", "Exclude", "Exclude this value (a pivot)", "x", show=True),
    Key(COUNTS, "tab", "deeper", "Deeper", "Count one level deeper within this value", "tab", show=True,
        priority=True),
    Key(COUNTS, "backspace", "shallower", "Up", "Back up one level", "backspace"),
    Key(COUNTS, "b", "choose_field", "Field", "Count by another field or an expression", "b", show=True),
    Key(COUNTS, "escape", "close", "Back", "Back to the list", "esc", show=True),
    *(Key(COUNTS_FIELD, str(n), f"choose({n - 1})", f"Field {n}", f"Count by menu field {n}", str(n),
          name=f"choose-{n}") for n in range(1, 10)),
    Key(COUNTS_FIELD, "0", "choose_expression", "Expression", "Count by a JMESPath expression (typed next)", "0",
        name="expression"),
    Key(COUNTS_FIELD, "escape,q", "cancel", "Cancel", "Back to the counts", "esc q"),
    Key(CHAIN, "enter", "choose", "Show events", "Narrow the event list to the node's events", "enter", show=True),
    Key(CHAIN, "j", "cursor(1)", "Down", "Next node", "j ↓", name="down"),
    Key(CHAIN, "k", "cursor(-1)", "Up", "Previous node", "k ↑", name="up"),
    Key(CHAIN, "g,home", "first", "First", "The origin", "g home", priority=True),
    Key(CHAIN, "G,end", "last", "Last", "Last node", "G end", priority=True),
    Key(CHAIN, "escape,q", "back", "Back", "Back to the list", "esc q", show=True, priority=True),
    Key(HEALTH, "y", "copy_fix", "Copy fix", "Copy the highlighted check's fix (OSC 52)", "y"),
    Key(HEALTH, "r", "reload", "Reload", "Collect the health facts again", "r"),
    Key(HEALTH, "escape", "back", "Trails", "Back to the trails", "esc"),
    Key(HUNTS, "enter", "open", "Show hits", "Show exactly this hunt's hits in the list", "enter"),
    Key(HUNTS, "escape,q", "cancel", "Close", "Close", "esc q"),
    Key(DIALOG, "escape,q", "cancel", "Cancel", "Cancel (q: where no text box has the cursor)", "esc q"),
    Key(HELP, "escape,question_mark,q", "close", "Close", "Close help", "esc ? q"),
    Key(HELP, "j,down", "scroll(1)", "Down", "Scroll down", "j ↓", name="down"),
    Key(HELP, "k,up", "scroll(-1)", "Up", "Scroll up", "k ↑", name="up"),
    *(Key(PIVOT, str(n), f"choose({n - 1})", f"Pivot {n}", f"Pivot on option {n}", str(n), name=f"choose-{n}")
      for n in range(1, 10)),
)


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def binding_id(key: Key) -> str:
    """`trailtui.everywhere.filter`, `trailtui.event-list.cursor-1`: the first
    word of the context and the action, for the [keymap] table."""
    where = _slug(key.context.split(" (")[0])
    return f"trailtui.{where}.{key.name or _slug(key.action)}"


def bindings(context: str) -> list[BindingType]:
    """Textual bindings for one context, with stable ids for keymaps."""
    return [Binding(key.keys, key.action, key.label, show=key.show, key_display=key.display,
                    priority=key.priority, id=binding_id(key))
            for key in KEYS if key.context == context]


def all_ids() -> set[str]:
    return {binding_id(key) for key in KEYS}


def shown_keys(keys: str) -> str:
    """How help writes keys taken from a keymap: `ctrl+f,f3` -> `ctrl+f f3`."""
    names = {"slash": "/", "question_mark": "?", "colon": ":", "escape": "esc"}
    return " ".join(names.get(k.strip(), k.strip()) for k in keys.split(","))


def help_rows(keymap: Mapping[str, str] | None = None) -> list[tuple[str, str, str, str]]:
    """(context, key, description, binding id) for the help screen and the
    README table; keys rebound in `keymap` are shown as bound."""
    keymap = keymap or {}
    rows = []
    for key in KEYS:
        ident = binding_id(key)
        shown = shown_keys(keymap[ident]) if ident in keymap else key.display
        rows.append((key.context, shown, key.description, ident))
    return rows
