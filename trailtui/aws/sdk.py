"""botocore names the rest of trailtui needs, so that only `trailtui.aws`
imports an AWS SDK: its two exception families, operation-to-method names and
the region list."""

from __future__ import annotations

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

__all__ = ["BotoCoreError", "ClientError", "available_regions", "method_name"]


def method_name(operation: str) -> str:
    """The client method of an API operation (`GetTrailStatus` -> `get_trail_status`)."""
    return str(xform_name(operation))


def available_regions(service: str) -> list[str]:
    """The regions botocore's endpoint data lists for `service`, sorted."""
    import botocore.session

    return sorted(botocore.session.get_session().get_available_regions(service))
