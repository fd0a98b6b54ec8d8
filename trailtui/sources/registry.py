"""Pick a source by URL.  Imports are lazy so that opening a local trail never
imports boto3 (first paint must not wait for AWS SDK imports)."""

from __future__ import annotations

from importlib import import_module
from pathlib import Path

from trailtui.aws.config import AwsConfig
from trailtui.sources.base import EventSource, SourceError
from trailtui.sources.local_path import local_path

# scheme -> "module:Class"; each class takes (url, aws) in its constructor.
SCHEMES: dict[str, str] = {
    "s3": "trailtui.sources.s3:S3Source",
    "athena": "trailtui.sources.athena:AthenaSource",
    "lake": "trailtui.sources.lake:LakeSource",
    "lookup": "trailtui.sources.lookup:LookupSource",
}


def scheme_of(url: str) -> str:
    if "://" in url:
        return url.split("://", 1)[0].lower()
    return "file"


def open_source(url: str, aws: AwsConfig | None = None, index: bool = False,
                background_build: bool = False) -> EventSource:
    """Return the source for `url`: a directory or file path, `file://`,
    `s3://`, `athena://`, `lake://` or `lookup://`.  With `index`, local and
    S3 sources are read through their store (`trailtui.store`), filled in the
    background when `background_build` (the console) and by `trailtui index`."""
    aws = aws or AwsConfig()
    scheme = scheme_of(url)
    if aws.accounts is not None:
        return _every_account(url, scheme, aws)
    if scheme == "file":
        from trailtui.sources.local import LocalSource

        path = local_path(url)
        if not Path(path).exists():
            raise SourceError(f"{path}: no such file or directory")
        local = LocalSource(path)
        if not index:
            return local
        from trailtui.store import indexed

        return indexed(local, url, aws, background_build)
    target = SCHEMES.get(scheme)
    if target is None:
        known = ", ".join(["a path"] + [f"{s}://" for s in SCHEMES])
        raise SourceError(f"unknown source {url!r}: use {known}")
    module_name, class_name = target.split(":")
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        raise SourceError(f"{scheme}:// sources are not available in this build ({exc.name})") from None
    source: EventSource = getattr(module, class_name)(url, aws)
    if index and scheme == "s3":
        from trailtui.store import indexed

        return indexed(source, url, aws, background_build)
    return source


def _every_account(url: str, scheme: str, aws: AwsConfig) -> EventSource:
    """`--accounts`: Event history is per account, so only `lookup://` fans
    out; the other sources already hold every account their logs hold."""
    if scheme != "lookup":
        raise SourceError(f"--accounts works with lookup://REGION sources (and trailtui health), not {url!r}: "
                          "an S3, Athena or Lake organisation trail already holds every account")
    from trailtui.sources.lookup_accounts import AccountsLookupSource

    return AccountsLookupSource(url, aws)
