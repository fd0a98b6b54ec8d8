"""The integrity library's pieces on their own: strict gunzip, the signing
string (aws-cli's test vector), digest parsing (a real CloudTrail digest),
digest names, key files (an AWS-published key and its fingerprint)."""

from __future__ import annotations

import gzip
import hashlib
import json
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from integrity_fixtures import key_list, signing_key

from trailtui.integrity.digest import DigestFormatError, parse_digest, parse_digest_name, predicted_key, signing_string
from trailtui.integrity.inflate import check_log_bytes, inflate_strict
from trailtui.integrity.keyring import KeyFileError, KeyRing, load_key_file
from trailtui.integrity.local_store import read_sidecar
from trailtui.integrity.store import path_suffix_match
from trailtui.integrity.verdicts import IntegrityResult, Status

REAL_DIGEST = Path(__file__).parent / "data" / "integrity" / "protectai_llm-guard_real_digest.json"
# Published in the aws-cli `list-public-keys` example (Apache-2.0), with its fingerprint.
AWS_EXAMPLE_KEY = (
    "MIIBCgKCAQEAlSS3cl92HDycr/MTj0moOhas8habjrraXw+KzlWF0axSI2tcF+3iJ9BKQAVSKxGwxwu3m0wG3J+kUl1xboEcEPHYoIYMbgfSw7KGnu"
    "DKwkLzsQWhUJ0cIbOHASox1vv/5fNXkrHhGbDCHeVXm804c83nvHUEFYThr1PfyP/8HwrCtR3FX5OANtQCP61C1nJtSSkC8JSQUOrIP4CuwJjc+4W"
    "GDk+BGH5m9iuiAKkipEHWmUl8/P7XpfpWQuk4h8g3pXZOrNXr08lbh4d39svj7UqdhvOXoBISp9t/EXYuePGEtBdrKD9Dz+VHwyUPtBQvYr9BnkF"
    "88qBnaPNhS44rzwIDAQAB"
)


def test_signing_string_matches_the_aws_cli_vector():
    # aws-cli's unit test: end 'a', bucket 'b', key 'c', inflated bytes b'abc', no previous signature
    vector = SimpleNamespace(raw={"digestEndTime": "a", "digestS3Bucket": "b", "digestS3Object": "c",
                                  "previousDigestSignature": None})
    text = signing_string(vector, hashlib.sha256(b"abc").hexdigest())  # type: ignore[arg-type]
    assert text == b"a\nb/c\nba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\nnull"


@pytest.mark.parametrize("content, expected", [
    (b"{}", "44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"),
    (b'{"foo":"bar"}', "7a38bf81f383f69433ad6e900d35b3e2385593f76a7b7ab5d4355b8ba41ee24b"),
])
def test_log_hash_is_over_the_inflated_bytes(content, expected):
    assert check_log_bytes(gzip.compress(content), expected) == (Status.VALID, "")
    assert check_log_bytes(gzip.compress(content, 9, mtime=7), expected.upper())[0] is Status.VALID
    assert check_log_bytes(gzip.compress(content + b" "), expected)[0] is Status.HASH_MISMATCH


def test_strict_gunzip_rejects_every_kind_of_odd_bytes():
    body = json.dumps({"Records": [{"eventName": f"E{i}"} for i in range(5000)]}).encode()
    packed = gzip.compress(body)
    assert inflate_strict(packed).data == body
    assert inflate_strict(packed).sha256 == hashlib.sha256(body).hexdigest()
    assert inflate_strict(packed + gzip.compress(b"more")).problem[0] is Status.TRAILING_DATA
    assert inflate_strict(packed + b"\x00").problem[0] is Status.TRAILING_DATA
    assert inflate_strict(packed[:-9]).problem == (Status.BAD_FORMAT, "truncated gzip data")
    assert inflate_strict(body).problem[0] is Status.BAD_FORMAT
    assert inflate_strict(b"").problem == (Status.BAD_FORMAT, "empty file")
    corrupt = packed[:20] + bytes(b ^ 0xFF for b in packed[20:40]) + packed[40:]
    assert inflate_strict(corrupt).problem[0] is Status.BAD_FORMAT
    zlib_wrapped = zlib.compress(body)  # zlib, not gzip: CloudTrail never writes it
    assert inflate_strict(zlib_wrapped).problem[0] is Status.BAD_FORMAT
    big = gzip.compress(b"x" * (8 << 20)) + b"tail"  # several input chunks, tail after the member
    assert inflate_strict(big, keep=False).problem[0] is Status.TRAILING_DATA
    assert check_log_bytes(None, "00")[0] is Status.MISSING


def test_real_digest_parses_with_its_escaped_slashes():
    data = REAL_DIGEST.read_bytes()
    assert b"\\/" in data  # CloudTrail's encoder escapes slashes: the hash must be over these exact bytes
    digest = parse_digest(data)
    assert digest.bucket == "llm-guard-trail"
    assert digest.key.startswith("AWSLogs/327878933619/CloudTrail-Digest/ap-northeast-1/2023/10/15/")
    assert digest.fingerprint == "be2f0b997552f44942837300ba1aba9d"
    assert digest.previous_hash == "8f953371d3e85eddb89b05ed6b9e680791055315c73e1025ab5dba7bb2aee189"
    assert len(digest.logs) == 5 and all(len(entry.sha256) == 64 for entry in digest.logs)
    assert digest.end_text == "2023-10-15T23:04:04Z" and (digest.end - digest.start).total_seconds() == 3600
    name = parse_digest_name(digest.key.rsplit("/", 1)[-1])
    assert name is not None and (name.account, name.region, name.trail, name.home_region) == (
        "327878933619", "ap-northeast-1", "llm-guard-trail", "us-west-2")
    assert name.end == digest.end and not name.backfill
    previous = parse_digest_name(digest.previous_key.rsplit("/", 1)[-1])
    assert predicted_key(digest.key, name, previous.end) == digest.previous_key
    text = signing_string(digest, hashlib.sha256(data).hexdigest()).decode()
    assert text.splitlines()[1] == f"llm-guard-trail/{digest.key}" and text.endswith(digest.previous_signature)


@pytest.mark.parametrize("body, message", [
    (b"not json", "not JSON"),
    (b"[]", "not a JSON object"),
    (b'{"digestEndTime": "2024-01-01T00:00:00Z"}', "missing required field"),
])
def test_bad_digests_are_format_errors(body, message):
    with pytest.raises(DigestFormatError, match=message):
        parse_digest(body)


def test_digest_names_with_underscores_and_backfill():
    name = parse_digest_name("111122223333_CloudTrail-Digest_eu-west-1_my_trail_v2_us-east-1_20240301T011307Z"
                             "_backfill.json.gz")
    assert name is not None and name.trail == "my_trail_v2" and name.region == "eu-west-1"
    assert name.home_region == "us-east-1" and name.backfill
    assert parse_digest_name("111122223333_CloudTrail_us-east-1_20240301T0113Z_abc.json.gz") is None


def test_key_file_from_the_aws_cli_example_and_both_der_forms(tmp_path):
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"PublicKeyList": [{"ValidityStartTime": 1453076702.0, "ValidityEndTime": 1455668702.0,
                                                   "Value": AWS_EXAMPLE_KEY,
                                                   "Fingerprint": "7f3f401420072e50a65a141430817ab3"}]}))
    ring, warnings = load_key_file(str(path))
    assert "7f3f401420072e50a65a141430817ab3" in ring and warnings == []
    assert ring.public_key("7F3F401420072E50A65A141430817AB3") is not None  # PKCS#1 DER loads
    spki = tmp_path / "spki.json"
    spki.write_text(json.dumps(key_list(signing_key(), spki=True)))
    ring2, _ = load_key_file(str(spki))
    (print_,) = ring2.der_by_fingerprint
    assert ring2.public_key(print_) is not None  # X.509 SubjectPublicKeyInfo DER loads too


def test_key_file_problems(tmp_path):
    lying = tmp_path / "lying.json"
    entry = key_list(signing_key())["PublicKeyList"][0]
    good = dict(entry)
    entry["Fingerprint"] = "0" * 32
    lying.write_text(json.dumps({"PublicKeyList": [entry, good]}))
    ring, warnings = load_key_file(str(lying))
    assert len(ring) == 1 and "says fingerprint 000" in warnings[0]
    with pytest.raises(KeyFileError, match="no such file|No such file"):
        load_key_file(str(tmp_path / "absent.json"))
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(KeyFileError, match="bad.json"):
        load_key_file(str(tmp_path / "bad.json"))
    (tmp_path / "empty.json").write_text('{"PublicKeyList": []}')
    with pytest.raises(KeyFileError, match="no usable public key"):
        load_key_file(str(tmp_path / "empty.json"))
    assert not KeyRing().verify("ab", "00", b"x")


def test_sidecar_forms(tmp_path):
    base = tmp_path / "d.json.gz"
    assert read_sidecar(str(base)) is None
    (tmp_path / "d.json.gz.metadata.json").write_text(json.dumps({"Metadata": {"Signature": "AB",
                                                                               "x-amz-meta-signature-algorithm": "x"}}))
    assert read_sidecar(str(base)) == {"signature": "AB", "signature-algorithm": "x"}
    (tmp_path / "d.json.gz.metadata.json").write_text("garbage")
    assert read_sidecar(str(base)) == {}


def test_copy_location_rule():
    claimed = "bucket/prefix/AWSLogs/1/CloudTrail-Digest/r/2024/03/01/x.json.gz"
    assert path_suffix_match("prefix/AWSLogs/1/CloudTrail-Digest/r/2024/03/01/x.json.gz", claimed)
    assert path_suffix_match("AWSLogs/1/CloudTrail-Digest/r/2024/03/01/x.json.gz", claimed)
    assert path_suffix_match("cases/bucket/prefix/AWSLogs/1/CloudTrail-Digest/r/2024/03/01/x.json.gz", claimed)
    assert not path_suffix_match("other/AWSLogs/1/CloudTrail-Digest/r/2024/03/01/x.json.gz", claimed)
    assert not path_suffix_match("prefix/AWSLogs/1/CloudTrail-Digest/r/2024/03/01/y.json.gz", claimed)


def test_result_json_and_failure_rule():
    assert IntegrityResult("log", "p", Status.GAP).failed is False
    assert IntegrityResult("digest", "p", Status.UNSIGNED, tolerated=True).failed is False
    assert IntegrityResult("digest", "p", Status.UNSIGNED).failed is True
    assert IntegrityResult("log", "p", Status.VALID, "d").to_json() == {"kind": "log", "location": "p",
                                                                       "status": "VALID", "detail": "d"}
