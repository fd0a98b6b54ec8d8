"""Themes are files: `themes/*.toml`, each one Textual `Theme`.

Where they are looked for, later places overriding earlier ones by name:
1. `trailtui/ui/theme_files/` (package data; in a source checkout this is a symlink
   to the top-level `themes/`, which is the one source of truth, and a built
   wheel contains a copy of the files);
2. `themes/` next to the package (a source checkout without the symlink);
3. `~/.config/trailtui/themes/` (the user's own).

A theme that does not parse or names a bad colour is skipped with a one-line
problem; the app then falls back to `default`.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

import trailtui
from trailtui.config import config_path

DEFAULT_THEME = "default"
COLOR_FIELDS = ("primary", "secondary", "warning", "error", "success", "accent",
                "foreground", "background", "surface", "panel", "boost")
ALLOWED = set(COLOR_FIELDS) | {"name", "dark", "luminosity_spread", "text_alpha", "variables", "ansi"}

# App-specific theme variables used by app.tcss, with fallbacks for themes
# (Textual's own, or a user's) that do not define them.
VARIABLE_DEFAULTS: dict[str, str] = {
    "trail-cursor": "$primary 60%",
    "trail-cursor-text": "$text",
    "trail-error": "$error",
    "trail-marked": "$accent",
    "trail-timeline": "$primary",
    "trail-muted": "$text-muted",
    "trail-json-key": "$primary",
    "trail-json-string": "$success",
    "trail-json-number": "$warning",
    "trail-json-literal": "$accent",
}


def resolve_variable_defaults(system: dict[str, str]) -> dict[str, str]:
    """The defaults with `$name` replaced by the current theme's value (Textual
    substitutes variable values as text, without resolving references)."""
    out = {}
    for name, value in VARIABLE_DEFAULTS.items():
        ref, _, rest = value.partition(" ")
        base = system.get(ref[1:], "ansi_default") if ref.startswith("$") else ref
        out[name] = f"{base} {rest}".strip()
    return out


@dataclass(slots=True)
class ThemeSet:
    themes: dict[str, Theme] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def theme_dirs() -> list[Path]:
    package = Path(trailtui.__file__).parent
    return [package / "ui" / "theme_files", package.parent / "themes", config_path().parent / "themes"]


def theme_from_data(data: dict[str, Any], fallback_name: str) -> Theme:
    """Build a Theme, refusing unknown keys and colours Textual cannot parse."""
    unknown = sorted(set(data) - ALLOWED)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}")
    for key in COLOR_FIELDS:
        if key in data:
            Color.parse(data[key])
    variables = data.get("variables", {})
    if not isinstance(variables, dict) or not all(isinstance(v, str) for v in variables.values()):
        raise ValueError("[variables] must map names to colour strings")
    for value in variables.values():
        if not value.startswith("$"):
            Color.parse(value)
    if "primary" not in data:
        raise ValueError("'primary' is required")
    return Theme(**{"name": fallback_name, **data})


def load_theme_file(path: Path) -> Theme:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return theme_from_data(data, path.stem)
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, ColorParseError, TypeError) as exc:
        raise ValueError(f"{path}: {exc}") from None


def load_themes(dirs: list[Path] | None = None) -> ThemeSet:
    found = ThemeSet()
    for directory in dirs if dirs is not None else theme_dirs():
        try:
            paths = sorted(directory.glob("*.toml"))
        except OSError:
            continue
        for path in paths:
            try:
                theme = load_theme_file(path)
            except ValueError as exc:
                found.problems.append(str(exc))
                continue
            found.themes[theme.name] = theme
    return found
