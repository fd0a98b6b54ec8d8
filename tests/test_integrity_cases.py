"""`trailtui verify` on every tamper case of the integrity issue, in local mode
(a directory with `.metadata.json` sidecars and a --public-keys file) and in S3
mode (a moto bucket with S3 user metadata, keys from ListPublicKeys served by
tests/moto_ext/cloudtrail_keys.py).  Each case asserts the exact non-VALID
verdicts (location and status) and the exit code."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import pytest
from integrity_fixtures import (
    BUCKET,
    HOUR,
    T0,
    ChainSpec,
    StoredObject,
    Trail,
    build_trail,
    gz,
    key_list,
    log_body,
    register_keys,
    signing_key,
    stamp,
    upload,
    write_local,
)

from trailtui.cli import main

WINDOW = ["--start", stamp(T0), "--end", stamp(T0 + 4 * HOUR)]


@dataclass
class Case:
    """A tamper applied to the standard 4-hour trail and what verify must say."""

    tamper: Callable[[Trail], dict[str, str]]  # returns {key: expected status} for the non-VALID results
    code: int
    window: list[str] = field(default_factory=lambda: list(WINDOW))
    spec: ChainSpec = field(default_factory=ChainSpec)
    keys: tuple[str, ...] = ("aws",)


def _logs_unverified(trail: Trail, index: int) -> dict[str, str]:
    return {key: "UNVERIFIED" for key in trail.logs[index]}


def all_valid(trail: Trail) -> dict[str, str]:
    return {}


def log_modified(trail: Trail) -> dict[str, str]:
    key = trail.logs[1][0]
    trail.objects[key] = StoredObject(gz(log_body(T0, 99)))
    return {key: "HASH_MISMATCH"}


def log_deleted(trail: Trail) -> dict[str, str]:
    key = trail.logs[1][0]
    del trail.objects[key]
    return {key: "MISSING"}


def log_uncompressed(trail: Trail) -> dict[str, str]:
    key = trail.logs[2][1]
    trail.objects[key] = StoredObject(gzip.decompress(trail.objects[key].body))
    return {key: "BAD_FORMAT"}


def log_member_appended(trail: Trail) -> dict[str, str]:
    key = trail.logs[0][0]
    trail.objects[key].body += gz(b'{"Records":[{"eventName":"Injected"}]}')
    return {key: "TRAILING_DATA"}


def log_recompressed(trail: Trail) -> dict[str, str]:
    key = trail.logs[3][0]
    trail.objects[key] = StoredObject(gzip.compress(gzip.decompress(trail.objects[key].body), 1, mtime=12345))
    return {}


def digest_member_appended(trail: Trail) -> dict[str, str]:
    key = trail.digests[1]
    trail.objects[key].body += gz(b"{}")
    return {key: "TRAILING_DATA", **_logs_unverified(trail, 1)}


def middle_digest_deleted(trail: Trail) -> dict[str, str]:
    key = trail.digests[1]
    del trail.objects[key]
    return {key: "MISSING", **_logs_unverified(trail, 1)}


def two_digests_deleted(trail: Trail) -> dict[str, str]:
    for key in trail.digests[1:3]:
        del trail.objects[key]
    return {trail.digests[1]: "MISSING", trail.digests[2]: "MISSING",
            **_logs_unverified(trail, 1), **_logs_unverified(trail, 2)}


def newest_digest_deleted(trail: Trail) -> dict[str, str]:
    key = trail.digests[3]
    del trail.objects[key]
    return {key: "TAIL_MISSING", **_logs_unverified(trail, 3)}


def newest_two_deleted_and_their_logs(trail: Trail) -> dict[str, str]:
    """Only the window (--end) can tell: nothing after the deletion remains."""
    for index in (2, 3):
        del trail.objects[trail.digests[index]]
        for key in trail.logs[index]:
            del trail.objects[key]
    return {trail.digests[2]: "TAIL_MISSING", trail.digests[3]: "TAIL_MISSING"}


def digest_edited(trail: Trail) -> dict[str, str]:
    key = trail.digests[1]
    doc = trail.doc(key)
    doc["oldestEventTime"] = "2024-03-01T01:00:00Z"
    trail.objects[key].body = gz(json.dumps(doc, separators=(",", ":")).encode())
    return {key: "BAD_SIGNATURE", **_logs_unverified(trail, 1)}


def digest_resigned_other_key(trail: Trail) -> dict[str, str]:
    key = trail.digests[2]
    trail.resign(key, lambda doc: doc.update(oldestEventTime="2024-03-01T02:00:00Z"), signing_key("attacker"))
    return {key: "BAD_SIGNATURE", **_logs_unverified(trail, 2)}


def digest_resigned_other_key_and_fingerprint(trail: Trail) -> dict[str, str]:
    from integrity_fixtures import fingerprint_of

    key = trail.digests[2]
    attacker = signing_key("attacker")
    trail.resign(key, lambda doc: doc.update(digestPublicKeyFingerprint=fingerprint_of(attacker)), attacker)
    return {key: "KEY_NOT_FOUND", **_logs_unverified(trail, 2)}


def signature_metadata_removed(trail: Trail) -> dict[str, str]:
    key = trail.digests[2]
    trail.objects[key].metadata = {}
    return {key: "BAD_SIGNATURE", **_logs_unverified(trail, 2)}


def signature_altered(trail: Trail) -> dict[str, str]:
    key = trail.digests[0]
    metadata = trail.objects[key].metadata
    assert metadata is not None
    signature = metadata["signature"]
    metadata["signature"] = ("0" if signature[0] != "0" else "1") + signature[1:]
    return {key: "BAD_SIGNATURE", **_logs_unverified(trail, 0)}


def wrong_signature_algorithm(trail: Trail) -> dict[str, str]:
    key = trail.digests[1]
    assert trail.objects[key].metadata is not None
    trail.objects[key].metadata["signature-algorithm"] = "SHA1withRSA"
    return {key: "BAD_SIGNATURE", **_logs_unverified(trail, 1)}


def digest_not_gzip(trail: Trail) -> dict[str, str]:
    key = trail.digests[1]
    trail.objects[key].body = gzip.decompress(trail.objects[key].body)
    return {key: "BAD_FORMAT", **_logs_unverified(trail, 1)}


def digest_not_json(trail: Trail) -> dict[str, str]:
    key = trail.digests[1]
    trail.objects[key].body = gz(b"this is not json")
    return {key: "BAD_FORMAT", **_logs_unverified(trail, 1)}


def digest_lacks_field(trail: Trail) -> dict[str, str]:
    key = trail.digests[1]
    trail.resign(key, lambda doc: doc.pop("digestStartTime"))
    return {key: "BAD_FORMAT", **_logs_unverified(trail, 1)}


def digest_copied_over_another(trail: Trail) -> dict[str, str]:
    source, victim = trail.digests[2], trail.digests[1]
    trail.objects[victim] = StoredObject(trail.objects[source].body, dict(trail.objects[source].metadata or {}))
    return {victim: "MOVED", **_logs_unverified(trail, 1)}


def unknown_fingerprint(trail: Trail) -> dict[str, str]:
    expected = {key: "KEY_NOT_FOUND" for key in trail.digests}
    for index in range(4):
        expected.update(_logs_unverified(trail, index))
    return expected


def chain_restart(trail: Trail) -> dict[str, str]:
    return {trail.digests[2]: "GAP"}


def log_deleted_and_unlisted(trail: Trail) -> dict[str, str]:
    key = trail.digests[1]
    gone = trail.logs[1][0]
    del trail.objects[gone]
    doc = trail.doc(key)
    doc["logFiles"] = [entry for entry in doc["logFiles"] if entry["s3Object"] != gone]
    trail.objects[key].body = gz(json.dumps(doc, separators=(",", ":")).encode())
    return {key: "BAD_SIGNATURE", trail.logs[1][1]: "UNVERIFIED"}


def injected_log(trail: Trail) -> dict[str, str]:
    spec = ChainSpec()
    key = spec.log_key(T0 + timedelta(hours=2, minutes=30), "injected00000000")
    trail.objects[key] = StoredObject(gz(log_body(T0 + timedelta(hours=2, minutes=30), 7)))
    return {key: "UNVERIFIED"}


def chain_link_mismatch(trail: Trail) -> dict[str, str]:
    """Correctly signed, but its record of the predecessor is wrong (the reference never checks)."""
    key = trail.digests[2]
    trail.resign(key, lambda doc: doc.update(previousDigestHashValue="0" * 64))
    trail.relink_after(key)
    return {key: "CHAIN_MISMATCH"}


def chain_signature_link_mismatch(trail: Trail) -> dict[str, str]:
    key = trail.digests[3]
    trail.resign(key, lambda doc: doc.update(previousDigestSignature="ab" * 256))
    return {key: "CHAIN_MISMATCH"}


def organisation_trail(trail: Trail) -> dict[str, str]:
    return {}


def backfill_digest(trail: Trail) -> dict[str, str]:
    spec = ChainSpec(backfill=True, hours=1, logs_per_hour=1, start=T0 + timedelta(minutes=30))
    build_trail(spec, trail)
    return {}


def window_mid_chain(trail: Trail) -> dict[str, str]:
    return {}


CASES: dict[str, Case] = {
    "all_valid": Case(all_valid, 0),
    "log_modified": Case(log_modified, 1),
    "log_deleted": Case(log_deleted, 1),
    "log_uncompressed": Case(log_uncompressed, 1),
    "log_gzip_member_appended": Case(log_member_appended, 1),
    "log_recompressed_same_content": Case(log_recompressed, 0),
    "digest_gzip_member_appended": Case(digest_member_appended, 1),
    "middle_digest_deleted": Case(middle_digest_deleted, 1),
    "two_consecutive_digests_deleted": Case(two_digests_deleted, 1),
    "newest_digest_deleted": Case(newest_digest_deleted, 1),
    "newest_digest_deleted_no_end": Case(newest_digest_deleted, 1, window=["--start", stamp(T0)]),
    "newest_two_digests_and_logs_deleted": Case(newest_two_deleted_and_their_logs, 1),
    "digest_edited_old_signature": Case(digest_edited, 1),
    "digest_resigned_other_key": Case(digest_resigned_other_key, 1),
    "digest_resigned_other_key_and_fingerprint": Case(digest_resigned_other_key_and_fingerprint, 1),
    "signature_metadata_removed": Case(signature_metadata_removed, 1),
    "signature_metadata_altered": Case(signature_altered, 1),
    "wrong_signature_algorithm": Case(wrong_signature_algorithm, 1),
    "digest_not_gzip": Case(digest_not_gzip, 1),
    "digest_not_json": Case(digest_not_json, 1),
    "digest_lacks_required_field": Case(digest_lacks_field, 1),
    "digest_copied_over_another": Case(digest_copied_over_another, 1),
    "unknown_key_fingerprint": Case(unknown_fingerprint, 1, keys=("attacker",)),
    "chain_restart_gap": Case(chain_restart, 0, spec=ChainSpec(restarts=frozenset({2}))),
    "log_deleted_and_digest_entry_removed": Case(log_deleted_and_unlisted, 1),
    "injected_unreferenced_log": Case(injected_log, 1),
    "previous_hash_mismatch": Case(chain_link_mismatch, 1),
    "previous_signature_mismatch": Case(chain_signature_link_mismatch, 1),
    "organisation_trail": Case(organisation_trail, 0, spec=ChainSpec(org="o-a1b2c3d4e5", prefix="org/logs")),
    "backfill_digest": Case(backfill_digest, 0),
    "window_starts_mid_chain": Case(window_mid_chain, 0, spec=ChainSpec(hours=6),
                                    window=["--start", stamp(T0 + 2 * HOUR), "--end", stamp(T0 + 3 * HOUR)]),
    "timezone_offsets_converted": Case(all_valid, 0, window=["--start", "2024-03-01T09:13:07+09:00",
                                                              "--end", "2024-02-29T23:13:07-05:00"]),
}


@pytest.fixture(params=["local", "s3"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


def _materialise(trail: Trail, case: Case, mode: str, request: pytest.FixtureRequest,
                 tmp_path: Path) -> tuple[str, list[str], Callable[[str], str]]:
    keys = [signing_key(name) for name in case.keys]
    if mode == "local":
        root = write_local(trail, tmp_path / "copy")
        key_file = tmp_path / "keys.json"
        key_file.write_text(json.dumps(key_list(*keys)))
        return str(root), ["--public-keys", str(key_file)], lambda key: str(root.joinpath(*key.split("/")))
    endpoint = request.getfixturevalue("aws_env")
    upload(trail, endpoint)
    register_keys(endpoint, "us-east-1", *keys)
    return f"s3://{BUCKET}", ["--endpoint-url", endpoint], lambda key: f"s3://{BUCKET}/{key}"


def run_verify(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict, str]:
    code = main(["verify", *argv, "--format", "json"])
    out, err = capsys.readouterr()
    return code, json.loads(out) if out.strip() else {}, err


@pytest.mark.parametrize("name", list(CASES))
def test_tamper_case(name: str, mode: str, request: pytest.FixtureRequest, tmp_path: Path,
                     capsys: pytest.CaptureFixture[str]) -> None:
    case = CASES[name]
    trail = build_trail(case.spec)
    expected_by_key = case.tamper(trail)
    source, extra, location = _materialise(trail, case, mode, request, tmp_path)
    code, doc, err = run_verify(capsys, source, *case.window, *extra)
    not_valid = sorted((r["location"], r["status"]) for r in doc["results"] if r["status"] != "VALID")
    expected = sorted((location(key), status) for key, status in expected_by_key.items())
    assert not_valid == expected, err
    assert code == case.code, (doc["summary"], err)
    assert doc["summary"]["ok"] is (case.code == 0)
    valid = [r for r in doc["results"] if r["status"] == "VALID"]
    assert all(r["kind"] in ("digest", "log") and r["detail"] is not None for r in doc["results"])
    if name == "all_valid":
        assert len(valid) == 4 + 8 and doc["summary"]["digests"] == {"total": 4, "valid": 4, "invalid": 0,
                                                                      "tolerated": 0}
    if name == "window_starts_mid_chain":  # as the reference: the digests ending 04:13, 03:13, 02:13
        digests = sorted(r["location"] for r in doc["results"] if r["kind"] == "digest")
        assert digests == sorted(location(k) for k in trail.digests[1:4])
    if name == "backfill_digest":
        assert doc["summary"]["backfill_digests"]["valid"] == 1 and doc["summary"]["logs"]["valid"] == 9
    if name == "timezone_offsets_converted":
        assert doc["summary"]["requested"] == {"start": "2024-03-01T00:13:07Z", "end": "2024-03-01T04:13:07Z"}
    if name == "organisation_trail":
        assert doc["summary"]["trails"] == [
            "mytrail (organization o-a1b2c3d4e5, member account 123456789012, home region us-east-1)"]
        assert len(valid) == 12
