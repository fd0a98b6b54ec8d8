"""Event sources behind one protocol; `open_source(url)` picks one by URL."""

from trailtui.sources.base import Capabilities, EventSource, Page, Problem, Query, SourceError
from trailtui.sources.registry import open_source

__all__ = ["Capabilities", "EventSource", "Page", "Problem", "Query", "SourceError", "open_source"]
