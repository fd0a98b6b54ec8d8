"""The user's configuration: `~/.config/trailtui/config.toml` (XDG).

It names sources, picks the default source and theme, and keeps saved filters:

    default_source = "prod"
    theme = "default"
    index = false          # optional: never use the local store (`--no-index` per command)

    [sources]
    prod = "s3://org-trail-bucket/AWSLogs"
    lab = "/data/trails/lab"

    [filters]
    console-logins = "eventName == 'ConsoleLogin'"

    [keymap]
    "trailtui.everywhere.filter" = "slash,ctrl+f"

Reading never creates anything (bastion homes may be read-only or shared); the
file and its directory are written only when the user saves something.  A bad
file is reported in one line and the defaults are used.
"""

from __future__ import annotations

import os
import stat
from collections.abc import MutableMapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from trailtui.regular_file import read_regular


@dataclass(frozen=True, slots=True)
class Config:
    sources: dict[str, str] = field(default_factory=dict)
    default_source: str | None = None
    theme: str | None = None
    filters: dict[str, str] = field(default_factory=dict)
    index: bool = True  # read local and S3 sources through the local store (`index = false`: plain scans)
    keymap: dict[str, str] = field(default_factory=dict)  # binding id -> keys, e.g. "ctrl+f,f"

    def resolve_source(self, given: str | None) -> str | None:
        """The source URL for what the user typed: a configured name maps to its
        URL, anything else is taken as a URL or path; nothing given means the
        default source (itself a name or a URL)."""
        chosen = given if given else self.default_source
        if not chosen:
            return None
        if chosen in self.sources and not Path(chosen).exists():
            return self.sources[chosen]
        return chosen

    def with_filter(self, name: str, expression: str) -> Config:
        return replace(self, filters={**self.filters, name: expression})


@dataclass(frozen=True, slots=True)
class LoadedConfig:
    config: Config
    path: Path
    problem: str | None = None


def config_path(env: dict[str, str] | None = None) -> Path:
    """`$TRAILTUI_CONFIG`, else `$XDG_CONFIG_HOME/trailtui/config.toml`, else
    `~/.config/trailtui/config.toml`.  Only computes the path; creates nothing."""
    env = dict(os.environ) if env is None else env
    explicit = env.get("TRAILTUI_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    base = env.get("XDG_CONFIG_HOME") or str(Path(env.get("HOME") or Path.home()) / ".config")
    return Path(base).expanduser() / "trailtui" / "config.toml"


def _strings(value: Any, where: str, problems: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append(f"[{where}] must be a table of name = \"text\"")
        return {}
    out: dict[str, str] = {}
    for key, item in value.items():
        if isinstance(item, str):
            out[str(key)] = item
        else:
            problems.append(f"{where}.{key} must be a string")
    return out


def _optional_string(data: dict[str, Any], key: str, problems: list[str]) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value or None
    problems.append(f"{key} must be a string")
    return None


def _optional_bool(data: dict[str, Any], key: str, problems: list[str], default: bool = True) -> bool:
    value = data.get(key, default)
    if isinstance(value, bool):
        return value
    problems.append(f"{key} must be true or false")
    return default


def parse_config(text: str) -> tuple[Config, list[str]]:
    """Parse TOML text; unknown keys are ignored, wrong types are reported."""
    import tomllib

    data = tomllib.loads(text)
    problems: list[str] = []
    config = Config(
        sources=_strings(data.get("sources"), "sources", problems),
        default_source=_optional_string(data, "default_source", problems),
        theme=_optional_string(data, "theme", problems),
        filters=_strings(data.get("filters"), "filters", problems),
        index=_optional_bool(data, "index", problems),
        keymap=_strings(data.get("keymap"), "keymap", problems),
    )
    return config, problems


def load_config(path: Path | None = None) -> LoadedConfig:
    """Read the config; a missing file is the empty config, a broken one is the
    empty config plus a one-line problem naming the file."""
    path = path or config_path()
    try:
        text = read_regular(path, MAX_CONFIG_BYTES).decode("utf-8")
    except FileNotFoundError:
        return LoadedConfig(Config(), path)
    except (OSError, UnicodeDecodeError) as exc:
        return LoadedConfig(Config(), path, f"{path}: cannot read ({exc})")
    import tomllib  # only when there is a config file: every CLI start looks for one

    try:
        config, problems = parse_config(text)
    except tomllib.TOMLDecodeError as exc:
        return LoadedConfig(Config(), path, f"{path}: not valid TOML ({exc})")
    except RecursionError:
        return LoadedConfig(Config(), path, f"{path}: not valid TOML (nested too deeply)")
    problem = f"{path}: " + "; ".join(problems) if problems else None
    return LoadedConfig(config, path, problem)


def toml_string(value: str) -> str:
    """A TOML basic string: quotes, backslashes and every control character
    escaped (TOML forbids raw controls, DEL included)."""
    out = ['"']
    for char in value:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\u{code:04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _toml_key(key: str) -> str:
    bare = key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key)
    return key if bare else toml_string(key)


def render_config(config: Config) -> str:
    lines = ["# trailtui configuration (written by trailtui; edit freely)"]
    if config.default_source:
        lines.append(f"default_source = {toml_string(config.default_source)}")
    if config.theme:
        lines.append(f"theme = {toml_string(config.theme)}")
    if not config.index:
        lines.append("index = false")
    for table, values in (("sources", config.sources), ("filters", config.filters), ("keymap", config.keymap)):
        if values:
            lines.append("")
            lines.append(f"[{table}]")
            lines.extend(f"{_toml_key(k)} = {toml_string(v)}" for k, v in values.items())
    return "\n".join(lines) + "\n"


class ConfigSaveError(Exception):
    """Saving would lose or misplace what the user wrote; nothing was written.
    The message says why and what to do instead."""


MAX_CONFIG_BYTES = 1 << 20  # a config is a few lines; a bigger file is not one to rewrite


def _current_text(path: Path, line: str) -> str:
    """The config as it is on disk now ("" when absent); refuses a link (it is
    not replaced: the user's dotfile manager owns it), a non-regular file, an
    oversized one and one that is not valid TOML (it is never wiped)."""
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return ""
    except OSError as exc:
        raise ConfigSaveError(f"{path}: cannot read ({exc.strerror or exc}); nothing was written") from None
    if stat.S_ISLNK(info.st_mode):
        raise ConfigSaveError(f"{path} is a symbolic link and is not replaced; add this line under [filters] "
                              f"yourself: {line}")
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CONFIG_BYTES:
        raise ConfigSaveError(f"{path} is not a regular file of at most {MAX_CONFIG_BYTES:,} bytes; "
                              "nothing was written")
    import tomllib

    try:
        text = path.read_text(encoding="utf-8")
        tomllib.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigSaveError(f"{path}: cannot read ({exc}); nothing was written") from None
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ConfigSaveError(f"{path} is not valid TOML ({reason}); fix it first, nothing was written") from None
    return text


def save_filter(name: str, expression: str, path: Path | None = None) -> Path:
    """Add or replace `[filters] name = expression` in the config, editing the
    file minimally: comments, layout, unknown keys and tables stay as written
    (tomlkit keeps them).  Atomic, mode 0600; raises ConfigSaveError."""
    import tomlkit  # only when saving
    from tomlkit.exceptions import TOMLKitError

    from trailtui.export.output import atomic_text_file  # tempfile: not at start-up

    path = path or config_path()
    line = f"{_toml_key(name)} = {toml_string(expression)}"
    text = _current_text(path, line)
    try:
        document = tomlkit.parse(text)
        filters = document.get("filters")
        if filters is None:
            filters = tomlkit.table()
            document["filters"] = filters
        elif not isinstance(filters, MutableMapping):
            raise ConfigSaveError(f"{path}: filters is not a table ([filters]); fix it first, nothing was written")
        filters[name] = expression
        rendered = tomlkit.dumps(document)
    except (TOMLKitError, RecursionError, ValueError) as exc:
        raise ConfigSaveError(f"{path}: cannot edit ({exc}); nothing was written") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text_file(path, force=True) as handle:
        handle.write(rendered)
    return path


def save_config(config: Config, path: Path | None = None) -> Path:
    """Write the config (creating its directory); only called when the user
    explicitly saves something.  Written to a temp file then renamed, mode 0600."""
    from trailtui.export.output import atomic_text_file  # tempfile: not at start-up

    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_text_file(path, force=True) as handle:
        handle.write(render_config(config))
    return path
