"""The one spelling of a local source's path.

Events carry the path of their log file, and the store knows a file by that
text: a tree indexed as `./AWSLogs` and queried as `AWSLogs/` or by its
absolute path must name its files alike, or the store would hold none of them
fresh (and follow mode would see every file as new).  Every reader of a local
tree (the plain scan, the store, follow mode) takes its path from here: the
real, absolute path, as the store's own key (`trailtui.store.location`)."""

from __future__ import annotations

import os


def local_path(url: str) -> str:
    """The path of a local source given as a path or a `file://` URL."""
    path = url[len("file://"):] if url.startswith("file://") else url
    return os.path.realpath(path) if path else path
