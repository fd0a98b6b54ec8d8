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

import stat
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
    "trail-arrived": "$success",
    "trail-hunt": "$warning",
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


MAX_THEME_BYTES = 64 * 1024  # a theme is a dozen lines
_TYPES: dict[str, tuple[type, ...]] = {"name": (str,), "dark": (bool,), "luminosity_spread": (int, float),
                                       "text_alpha": (int, float)}


def _check_types(data: dict[str, Any]) -> None:
    for key in COLOR_FIELDS:
        if key in data and not isinstance(data[key], str):
            raise ValueError(f"{key} must be a colour string")
    for key, types in _TYPES.items():
        if key in data and (not isinstance(data[key], types) or (bool in types) != isinstance(data[key], bool)):
            raise ValueError(f"{key} must be {'true or false' if bool in types else 'a ' + types[0].__name__}")
    ansi = data.get("ansi", {})
    if not isinstance(ansi, dict) or not all(isinstance(v, str) for v in ansi.values()):
        raise ValueError("[ansi] must map names to colour strings")


def theme_from_data(data: dict[str, Any], fallback_name: str) -> Theme:
    """Build a Theme, refusing unknown keys, values of the wrong type and
    colours Textual cannot parse, and trying it out: a theme that only fails
    when the app applies it would stop the console from starting."""
    unknown = sorted(set(data) - ALLOWED)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r}")
    _check_types(data)
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
    theme = Theme(**{"name": fallback_name, **data})
    theme.to_color_system().generate()
    return theme


def load_theme_file(path: Path) -> Theme:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_THEME_BYTES:
            raise ValueError(f"not a regular file of at most {MAX_THEME_BYTES:,} bytes")
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        return theme_from_data(data, path.stem)
    except RecursionError:
        raise ValueError(f"{path}: not valid TOML (nested too deeply)") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError, ValueError, ColorParseError, TypeError) as exc:
        raise ValueError(f"{path}: {exc}") from None
    except Exception as exc:  # noqa: BLE001 - whatever Textual raises for an odd theme, it is one skipped file
        raise ValueError(f"{path}: unusable theme ({type(exc).__name__}: {exc})") from None


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
