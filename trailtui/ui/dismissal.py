"""Screens that can be dismissed once.

Textual's `Screen.dismiss` pops whatever screen is on top.  Keys typed in one
burst (two Enters on a dialog, a fuzzer's 400 keys) are queued on the dialog
before it is gone, so the second Enter dismissed it again: its callback ran
twice and the pop took the screen below, or raised ScreenStackError and ended
the console with the analyst's marks.  A screen that is no longer the active
one ignores further dismissals.

Dismissing also cancels the screen's workers at once: a worker whose next
step was already due (a hunt scan's page, an export's progress) would
otherwise run it on a screen being taken down and fail on its missing widgets.
"""

from __future__ import annotations

from typing import Any

from textual.await_complete import AwaitComplete
from textual.command import CommandPalette


class DismissOnce:
    """Mixin (before the Screen class): `dismiss` acts only while the screen is
    the active one; otherwise it is a completed no-op."""

    def dismiss(self, result: Any = None) -> AwaitComplete:
        if not self.is_active:  # type: ignore[attr-defined]
            return AwaitComplete.nothing()  # type: ignore[no-untyped-call, no-any-return]  # untyped in Textual
        self.app.workers.cancel_node(self)  # type: ignore[attr-defined]  # the Screen this is mixed into
        return super().dismiss(result)  # type: ignore[misc, no-any-return]  # the Screen this is mixed into


class OnceCommandPalette(DismissOnce, CommandPalette):
    """Textual's command palette with the same guard."""
