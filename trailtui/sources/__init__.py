"""Event sources behind one protocol; `open_source(url)` picks one by URL.

The names below load on first use (PEP 562): importing a light module of the
package (`trailtui.sources.local_path`, `trailtui.sources.pushdown.literals`)
does not load the filter engine and the registry with it, so a short CLI
answer can start the store's engine first (`trailtui.store.early`)."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from trailtui.sources.base import Capabilities, EventSource, Page, Problem, Query, SourceError
    from trailtui.sources.registry import open_source

_MODULE_OF = {"Capabilities": "base", "EventSource": "base", "Page": "base", "Problem": "base", "Query": "base",
              "SourceError": "base", "open_source": "registry"}


def __getattr__(name: str) -> Any:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"trailtui.sources.{module}"), name)


__all__ = ["Capabilities", "EventSource", "Page", "Problem", "Query", "SourceError", "open_source"]
