"""An S3 object over TRAILTUI_MAX_INFLATED_MB is refused before it is
downloaded whole: one problem line, and the other objects are still read."""

from __future__ import annotations

import gzip
import json
import os

from sources_fixture import collect, upload
from trail_builder import T0, event, log_path

from trailtui.aws.clients import ClientFactory
from trailtui.aws.config import AwsConfig
from trailtui.read_limits import current_limits
from trailtui.sources import Query
from trailtui.sources.s3 import S3Source


async def test_an_oversized_object_is_one_problem_and_the_rest_are_read(aws_env, tmp_path, monkeypatch):
    small = log_path(tmp_path, "111122223333", "us-east-1", T0, unique="small").relative_to(tmp_path).as_posix()
    large = log_path(tmp_path, "111122223333", "us-east-1", T0, unique="large").relative_to(tmp_path).as_posix()
    upload(aws_env, "size-bucket", {
        small: gzip.compress(json.dumps({"Records": [event(T0, "Kept")]}).encode()),
        large: os.urandom(2 << 20),  # 2 MiB that does not even inflate
    })
    monkeypatch.setenv("TRAILTUI_MAX_INFLATED_MB", "1")
    current_limits.cache_clear()
    try:
        config = AwsConfig(region="us-east-1", endpoint_url=aws_env)
        source = S3Source("s3://size-bucket", config, factory=ClientFactory(config, max_attempts=1))
        events, problems, _ = await collect(source, Query())
    finally:
        monkeypatch.delenv("TRAILTUI_MAX_INFLATED_MB")
        current_limits.cache_clear()
    assert [e.event_name for e in events] == ["Kept"]
    assert len(problems) == 1
    assert "large" in problems[0].location and "more than 1 MiB (TRAILTUI_MAX_INFLATED_MB)" in problems[0].message


async def test_integrity_names_an_oversized_object_in_plain_words(aws_env, monkeypatch):
    """verify's S3 reader says what and where, without a Python class name in front."""
    from trailtui.integrity.s3_store import S3Store
    from trailtui.integrity.store import StoreError

    upload(aws_env, "size-digests", {"d/big.json.gz": os.urandom(2 << 20)})
    monkeypatch.setenv("TRAILTUI_MAX_INFLATED_MB", "1")
    current_limits.cache_clear()
    config = AwsConfig(region="us-east-1", endpoint_url=aws_env)
    store = S3Store("s3://size-digests", ClientFactory(config, max_attempts=1))
    try:
        await store.fetch(store.ref("d/big.json.gz"))
    except StoreError as exc:
        message = str(exc)
    else:
        message = ""
    finally:
        await store.close()
        monkeypatch.delenv("TRAILTUI_MAX_INFLATED_MB")
        current_limits.cache_clear()
    assert message.startswith("s3://size-digests/d/big.json.gz: object is")
    assert "ObjectTooLarge" not in message and "TRAILTUI_MAX_INFLATED_MB" in message
