"""Integrity under hostile key files and results: `verify` text output when a
digest's key is unknown, key files whose entries lie or are not base64, and
the report's verdict derived from the results rather than a stated `ok`."""

from __future__ import annotations

import base64
import json
from pathlib import Path

from integrity_fixtures import HOUR, T0, build_trail, key_list, signing_key, stamp, write_local

from trailtui.cli import main
from trailtui.export.integrity import integrity_from_json

WINDOW = ["--start", stamp(T0), "--end", stamp(T0 + 4 * HOUR)]


def _run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _keys(tmp_path: Path, doc: dict) -> str:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(doc))
    return str(path)


def test_text_format_with_a_key_missing_from_the_key_file(tmp_path, capsys):
    root = write_local(build_trail(), tmp_path / "copy")
    other = _keys(tmp_path, key_list(signing_key("other")))
    code, out, err = _run(capsys, "verify", str(root), *WINDOW, "--public-keys", other)
    assert code == 1
    assert "Traceback" not in err and "KeyError" not in err
    assert "Digest file\t" in err and "INVALID: public key not found" in err
    assert "Not valid: KEY_NOT_FOUND 4" in out


def test_a_key_whose_fingerprint_lies_is_refused_with_its_reason(tmp_path, capsys):
    root = write_local(build_trail(), tmp_path / "copy")
    doc = key_list(signing_key())
    stated = doc["PublicKeyList"][0]["Fingerprint"]
    doc["PublicKeyList"][0]["Value"] = key_list(signing_key("other"))["PublicKeyList"][0]["Value"]
    code, _, err = _run(capsys, "verify", str(root), *WINDOW, "--public-keys", _keys(tmp_path, doc))
    assert code == 2
    assert err.count("\n") == 1 and "key #1" in err and stated in err and "hashes to" in err


def test_bad_base64_is_named_per_key_and_good_keys_still_verify(tmp_path, capsys):
    root = write_local(build_trail(), tmp_path / "copy")
    doc = key_list(signing_key())
    good = doc["PublicKeyList"][0]
    doc["PublicKeyList"].insert(0, {**good, "Value": good["Value"][:40] + "!!**" + good["Value"][40:]})
    code, out, err = _run(capsys, "verify", str(root), *WINDOW, "--public-keys", _keys(tmp_path, doc))
    assert code == 0, err
    assert "key #1" in err and "not valid base64" in err
    assert "4/4 digest files valid" in out


def test_only_bad_keys_say_why_for_each(tmp_path, capsys):
    root = write_local(build_trail(), tmp_path / "copy")
    good = key_list(signing_key())["PublicKeyList"][0]
    doc = {"PublicKeyList": [{**good, "Value": "%%%"}, {**good, "Value": base64.b64encode(b"not a key").decode(),
                                                         "Fingerprint": None}, 7]}
    code, _, err = _run(capsys, "verify", str(root), *WINDOW, "--public-keys", _keys(tmp_path, doc))
    assert code == 2 and err.count("\n") == 1
    assert "key #1" in err and "not valid base64" in err
    assert "key #2" in err and "not a DER RSA public key" in err
    assert "key #3" in err and "not an object" in err


def test_a_digest_signed_by_a_refused_key_says_why(tmp_path, capsys):
    root = write_local(build_trail(), tmp_path / "copy")
    doc = key_list(signing_key("other"), signing_key())
    doc["PublicKeyList"][1]["Value"] = doc["PublicKeyList"][0]["Value"]
    code, doc_out, err = _run(capsys, "verify", str(root), *WINDOW, "--public-keys", _keys(tmp_path, doc),
                              "--format", "json")
    assert code == 1
    details = {r["detail"] for r in json.loads(doc_out)["results"] if r["status"] == "KEY_NOT_FOUND"}
    assert details and all("refused" in d and "hashes to" in d for d in details)


def _result(ok: bool, *statuses: str, tolerated: int = 0) -> dict:
    results = [{"kind": "log", "location": f"f{i}", "status": s, "detail": ""} for i, s in enumerate(statuses)]
    counts: dict[str, int] = {}
    for s in statuses:
        counts[s] = counts.get(s, 0) + 1
    return {"summary": {"ok": ok, "statuses": counts, "digests": {"tolerated": tolerated}}, "results": results}


def test_verdict_comes_from_the_results_not_the_stated_ok():
    lying = integrity_from_json(_result(True, "VALID", "HASH_MISMATCH"))
    assert lying.ok is False and lying.verdict.startswith("FAILED")
    no_counts = _result(True, "VALID", "HASH_MISMATCH")
    no_counts["summary"].pop("statuses")
    assert integrity_from_json(no_counts).ok is False
    assert integrity_from_json(_result(True, "VALID", "GAP")).ok is True
    assert integrity_from_json(_result(True, "VALID", "UNSIGNED", tolerated=1)).ok is True
    assert integrity_from_json(_result(True, "UNSIGNED", "UNSIGNED", tolerated=1)).ok is False


def test_markdown_report_never_says_verified_above_a_mismatch(tmp_path, capsys):
    from trail_builder import T0 as EVENTS_T0
    from trail_builder import hourly_trail

    hourly_trail(tmp_path / "trail", EVENTS_T0, 1, per_file=2)
    result = tmp_path / "verify.json"
    result.write_text(json.dumps(_result(True, "VALID", "HASH_MISMATCH")))
    code, out, err = _run(capsys, "export", str(tmp_path / "trail"), "--format", "markdown",
                          "--verify-result", str(result))
    assert code == 0, err
    assert "VERIFIED" not in out and "FAILED: 1 problem(s) found" in out
    assert "**HASH\\_MISMATCH**" in out or "**HASH_MISMATCH**" in out
