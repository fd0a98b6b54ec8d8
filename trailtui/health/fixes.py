"""Ready-to-run `aws` CLI commands for check results.

Values from AWS or from a facts file (trail, bucket, key names) are shell-quoted,
so a pasted fix can never run more than the command it shows.  Placeholders the
user must fill in look like `<LOG_GROUP_ARN>` and are quoted too (an unquoted
`<` would be a shell redirection).
"""

from __future__ import annotations

import json
import shlex
from typing import Any


def command(*parts: str) -> str:
    return " ".join(shlex.quote(str(p)) for p in parts)


def compact_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def trail_command(verb: str, name: str, region: str, *rest: str) -> str:
    """`aws cloudtrail <verb> --name T --region R ...` (the home region: the only
    place a trail can be changed)."""
    flag = "--trail-name" if verb in ("put-event-selectors", "put-insight-selectors") else "--name"
    return command("aws", "cloudtrail", verb, flag, name, "--region", region, *rest)


def s3api_command(verb: str, bucket: str, *rest: str) -> str:
    return command("aws", "s3api", verb, "--bucket", bucket, *rest)


def kms_command(verb: str, key_id: str, region: str, *rest: str) -> str:
    return command("aws", "kms", verb, "--key-id", key_id, "--region", region, *rest)


def join(*commands: str) -> str:
    """Several commands run in order (`a && b`)."""
    return " && ".join(commands)
