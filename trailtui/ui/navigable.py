"""A table and an option list that answer the console's list keys
(`j` `k` `g` `G` `home` `end`, from the one key table), so every list in the
console moves the same way."""

from __future__ import annotations

from textual.widgets import DataTable, OptionList

from trailtui.ui import keys


class NavigableTable(DataTable):  # type: ignore[type-arg]
    BINDINGS = keys.bindings(keys.LISTS)

    def action_first(self) -> None:
        if self.row_count:
            self.move_cursor(row=0)

    def action_last(self) -> None:
        if self.row_count:
            self.move_cursor(row=self.row_count - 1)


class NavigableOptions(OptionList):
    BINDINGS = keys.bindings(keys.LISTS)
