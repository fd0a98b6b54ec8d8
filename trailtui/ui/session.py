"""The source the console is looking at, opened once, lazily, off the UI loop.

Opening a remote source may import boto3/aiobotocore (hundreds of ms), so it is
never done at import or before first paint: the first query opens it in a
thread.  Pure asyncio, no Textual.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from trailtui.aws.config import AwsConfig
from trailtui.sources.base import EventSource
from trailtui.sources.registry import open_source


class SourceSession:
    def __init__(self, url: str, aws: AwsConfig | None = None, source: EventSource | None = None) -> None:
        self.url = url
        self.aws = aws or AwsConfig()
        self._source = source
        self._opening: asyncio.Lock | None = None
        self.newest_seen: datetime | None = None

    async def source(self) -> EventSource:
        """The source, opened on first use (raises SourceError, one line)."""
        if self._source is None:
            if self._opening is None:
                self._opening = asyncio.Lock()
            async with self._opening:
                if self._source is None:
                    self._source = await asyncio.to_thread(open_source, self.url, self.aws)
        return self._source

    def saw(self, when: datetime) -> None:
        """Remember the newest event time seen (the demo's time anchor)."""
        if self.newest_seen is None or when > self.newest_seen:
            self.newest_seen = when

    async def close(self) -> None:
        if self._source is not None:
            source, self._source = self._source, None
            await source.close()
