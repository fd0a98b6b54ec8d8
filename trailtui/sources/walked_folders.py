"""Which folders a walk of a trail enters: the plain scan's (`tree_walk`) and
the store's folder marks (`trailtui.store.marks`) must agree, or a folder the
marks ignore could hide a new log file.  Its own module so the store's short
answers do not import the walk (and the layout's regexes and dataclasses)."""

from __future__ import annotations

# Folders never holding a trail.  Other dot-folders are walked: an organisation
# trail is often synced to a hidden folder (`.org-trail/AWSLogs/...`).
SKIPPED_FOLDERS = frozenset({".git", ".hg", ".svn", ".venv", ".tox", ".mypy_cache", ".pytest_cache", ".ruff_cache",
                             "__pycache__", "node_modules"})


def walked(name: str) -> bool:
    """Whether a walk enters the subfolder `name` (digests are not logs)."""
    return name != "CloudTrail-Digest" and name not in SKIPPED_FOLDERS
