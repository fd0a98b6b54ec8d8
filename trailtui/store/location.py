"""Where a source's store lives: `$XDG_CACHE_HOME/trailtui/stores/<key>/`.

A cache, not data: dropping it loses nothing (the logs are the truth).  The
folders are created 0700 and every file in them 0600: a store holds whole
events (keys, IPs, request parameters) of an incident.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trailtui.aws.config import AwsConfig


def cache_root(env: dict[str, str] | None = None) -> Path:
    """`$XDG_CACHE_HOME/trailtui`, else `~/.cache/trailtui`; creates nothing."""
    env = dict(os.environ) if env is None else env
    base = env.get("XDG_CACHE_HOME") or str(Path(env.get("HOME") or Path.home()) / ".cache")
    return Path(base).expanduser() / "trailtui"


def stores_root(env: dict[str, str] | None = None) -> Path:
    return cache_root(env) / "stores"


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """A source's identity (what the store is keyed by) and its folder."""

    source: str
    folder: Path

    @property
    def manifest(self) -> Path:
        return self.folder / "manifest.json"


def source_identity(url: str, aws: AwsConfig | None = None) -> str | None:
    """The text a store is keyed by: the real path of a local tree, or the S3
    URL plus the endpoint it was read from; None for sources the store does
    not hold (Athena, Lake and LookupEvents already answer with SQL or a lookup)."""
    if "://" not in url or url.startswith("file://"):
        path = url[len("file://"):] if url.startswith("file://") else url
        return "file:" + os.path.realpath(path)
    if url.lower().startswith("s3://"):
        endpoint = (aws.endpoint_url if aws else None) or os.environ.get("AWS_ENDPOINT_URL_S3") \
            or os.environ.get("AWS_ENDPOINT_URL") or ""
        return url.rstrip("/") + (f" @ {endpoint}" if endpoint else "")
    return None


def locate(url: str, aws: AwsConfig | None = None, env: dict[str, str] | None = None) -> StoreLocation | None:
    identity = source_identity(url, aws)
    if identity is None:
        return None
    digest = hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:24]
    return StoreLocation(identity, stores_root(env) / digest)


def private_folder(path: Path) -> None:
    """Create `path` (and missing parents under it) mode 0700; an existing
    store folder is tightened to 0700.  Raises OSError when it cannot be."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.is_symlink() or not path.is_dir():
        raise NotADirectoryError(20, "not a directory", str(path))
    os.chmod(path, 0o700)
