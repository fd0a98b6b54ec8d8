"""Parts of the console written in other issues: the health and integrity
panes, the hunts and export dialogs.  Each is imported only when first needed,
and a build without it shows a one-line placeholder instead of failing."""

from __future__ import annotations

from importlib import import_module
from typing import Any


class Missing(Exception):
    """The part is not in this build; the message says which."""


def load(module: str, name: str) -> Any:
    try:
        return getattr(import_module(module), name)
    except ImportError as exc:
        if exc.name == module:
            raise Missing(f"{name} is not available in this build ({module})") from None
        raise Missing(f"{name} could not be loaded: {exc}") from None
    except AttributeError:
        raise Missing(f"{name} is not available in this build ({module})") from None


def health_pane_class() -> Any:
    return load("trailtui.ui.panes.health", "HealthPane")


def integrity_pane_class() -> Any:
    return load("trailtui.ui.panes.integrity", "IntegrityPane")


def hunts_screen_class() -> Any:
    return load("trailtui.ui.hunts_screen", "HuntsScreen")


def export_screen_class() -> Any:
    return load("trailtui.ui.export_screen", "ExportScreen")


def demo_facts() -> Any:
    return load("trailtui.health.demo", "demo_facts")()
