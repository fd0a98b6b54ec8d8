"""PyAthena connections on the guarded boto3 session.

The package that owns the SDKs opens them, so the Athena source only sees an
opaque connection and cursor and never imports PyAthena itself.  Imports are
lazy: a local trail never pays for importing PyAthena.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from trailtui.aws.clients import ClientFactory, retry_config


async def connect_athena(factory: ClientFactory, work_group: str, database: str, poll_interval: float,
                         output: str | None = None) -> Any:
    """An asyncio PyAthena connection whose every call passes the allow-list."""
    from pyathena.aio.connection import AioConnection
    from pyathena.util import RetryConfig

    kwargs: dict[str, Any] = {
        "session": factory.boto3_session(),  # guarded: the allow-list holds for PyAthena too
        "region_name": factory.region(),
        "work_group": work_group,
        "schema_name": database,
        "config": retry_config(factory.max_attempts),
        "retry_config": RetryConfig(attempt=1),  # botocore's adaptive retries do the retrying
        "poll_interval": poll_interval,
    }
    if output:
        kwargs["s3_staging_dir"] = output
    if factory.config.endpoint_url:
        kwargs["endpoint_url"] = factory.config.endpoint_url
    return await AioConnection.create(**kwargs)


def async_cursor(connection: Any, arraysize: int, on_poll: Callable[[Any], object]) -> Any:
    """PyAthena's asyncio cursor on `connection`; `on_poll` sees each query-execution poll."""
    from pyathena.aio.cursor import AioCursor

    return connection.cursor(AioCursor, arraysize=arraysize, on_poll=on_poll)
